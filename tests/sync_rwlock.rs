//! `magpie::sync::RwLock`: shared reads, exclusive writes, writer fairness.

#[path = "support/sync_poll.rs"]
mod support;

use futures::executor::block_on;
use magpie::sync::RwLock;
use std::pin::pin;
use std::sync::Arc;
use support::{poll_once, ready};

#[test]
fn many_readers_share_and_a_writer_excludes_them() {
    let lock = RwLock::new(1);
    let r1 = block_on(lock.read());
    let r2 = lock.try_read().unwrap();
    assert_eq!(*r1 + *r2, 2);
    assert!(lock.try_write().is_err());
    drop((r1, r2));
    let mut w = lock.try_write().unwrap();
    *w = 5;
    assert!(lock.try_read().is_err());
    drop(w);
    assert_eq!(*block_on(lock.read()), 5);
}

#[test]
fn a_waiting_writer_blocks_new_readers() {
    let lock = RwLock::new(0);
    let r = lock.try_read().unwrap();
    let mut w = pin!(lock.write());
    assert!(poll_once(w.as_mut()).is_pending());
    assert!(lock.try_read().is_err());
    let mut late_reader = pin!(lock.read());
    assert!(poll_once(late_reader.as_mut()).is_pending());
    drop(r);
    assert!(poll_once(late_reader.as_mut()).is_pending());
    let mut g = ready(poll_once(w.as_mut()));
    *g = 1;
    drop(g);
    assert_eq!(*ready(poll_once(late_reader.as_mut())), 1);
}

#[test]
fn max_readers_caps_concurrent_reads() {
    let lock = RwLock::with_max_readers((), 3);
    let guards: Vec<_> = (0..3).map(|_| lock.try_read().unwrap()).collect();
    assert!(lock.try_read().is_err());
    drop(guards);
    assert!(lock.try_write().is_ok());
}

#[test]
fn dropping_a_waiting_writer_lets_the_readers_behind_it_in() {
    let lock = RwLock::new(());
    let r = lock.try_read().unwrap();
    let mut w = Box::pin(lock.write());
    assert!(poll_once(w.as_mut()).is_pending());
    let mut reader = pin!(lock.read());
    assert!(poll_once(reader.as_mut()).is_pending());
    drop(w);
    drop(ready(poll_once(reader.as_mut())));
    drop(r);
    assert!(lock.try_write().is_ok());
}

#[test]
fn owned_guards_work_across_threads() {
    let lock = Arc::new(RwLock::new(0));
    let w = block_on(lock.clone().write_owned());
    let t = std::thread::spawn(move || {
        let mut w = w;
        *w += 1;
    });
    t.join().unwrap();
    let r = block_on(lock.clone().read_owned());
    assert_eq!(*r, 1);
}

#[test]
fn concurrent_writers_never_lose_an_update() {
    let lock = Arc::new(RwLock::new(0u64));
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let lock = lock.clone();
            std::thread::spawn(move || {
                block_on(async {
                    for _ in 0..2_000 {
                        if i % 2 == 0 {
                            *lock.write().await += 1;
                        } else {
                            let v = *lock.read().await;
                            assert!(v <= 4_000);
                        }
                    }
                })
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(lock.try_read().map(|g| *g).unwrap(), 4_000);
}

use magpie::sync::{RwLockReadGuard, RwLockWriteGuard};

#[test]
fn downgrade_lets_waiting_readers_in_but_keeps_a_queued_writer_ahead() {
    let lock = RwLock::new(0);
    let mut w = lock.try_write().unwrap();
    let mut reader = pin!(lock.read());
    assert!(poll_once(reader.as_mut()).is_pending());
    *w = 1;
    let r = RwLockWriteGuard::downgrade(w);
    let other = ready(poll_once(reader.as_mut()));
    assert_eq!((*r, *other), (1, 1));
    // A writer queues; readers arriving after it wait behind it.
    let mut writer = pin!(lock.write());
    assert!(poll_once(writer.as_mut()).is_pending());
    assert!(lock.try_read().is_err());
    drop((r, other));
    *ready(poll_once(writer.as_mut())) = 2;
}

#[test]
fn a_downgraded_guard_releases_everything_when_dropped() {
    let lock = RwLock::with_max_readers(0, 3);
    let r = RwLockWriteGuard::downgrade(lock.try_write().unwrap());
    drop(r);
    assert!(lock.try_write().is_ok());
}

#[test]
fn map_and_downgrade_map_narrow_to_a_part() {
    let lock = RwLock::new((String::from("a"), 1));
    let mut name = RwLockWriteGuard::map(lock.try_write().unwrap(), |p| &mut p.0);
    name.push('b');
    assert!(
        lock.try_read().is_err(),
        "a mapped write guard excludes readers"
    );
    drop(name);
    let num = RwLockWriteGuard::downgrade_map(lock.try_write().unwrap(), |p| &p.1);
    let whole = lock.try_read().unwrap();
    assert_eq!((whole.0.as_str(), *num), ("ab", 1));
    let name = RwLockReadGuard::map(whole, |p| p.0.as_str());
    assert_eq!(&*name, "ab");
    drop((num, name));
    assert!(lock.try_write().is_ok());
}

static TABLE: RwLock<Vec<u32>> = RwLock::new(Vec::new());

#[test]
fn a_static_rwlock_takes_writes_from_threads() {
    let threads: Vec<_> = (0..3)
        .map(|i| std::thread::spawn(move || block_on(async { TABLE.write().await.push(i) })))
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut all = TABLE.try_read().unwrap().clone();
    all.sort();
    assert_eq!(all, [0, 1, 2]);
}
