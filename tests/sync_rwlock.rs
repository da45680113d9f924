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
    let r = w.downgrade();
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
    let r = lock.try_write().unwrap().downgrade();
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

use magpie::sync::{
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard,
    RwLockMappedWriteGuard,
};
use support::{counting_waker, poll_with};

/// Queues, behind a held write lock: two readers, a writer, a reader.
/// `downgrade` turns the held write lock into a read lock; then checks
/// that the two readers got in, the writer still waits with the reader
/// behind it, and that the writer gets the lock once every reader is gone
/// and the last reader only after the writer.
fn downgrade_serves_the_queue_in_order<G, D: std::ops::Deref<Target = u32>>(
    lock: &RwLock<u32>,
    write: impl FnOnce() -> G,
    downgrade: impl FnOnce(G) -> D,
) {
    let w = write();
    let (r1_woken, r1_waker) = counting_waker();
    let (w2_woken, w2_waker) = counting_waker();
    let (r3_woken, r3_waker) = counting_waker();
    let mut r1 = pin!(lock.read());
    let mut r2 = pin!(lock.read());
    let mut w2 = pin!(lock.write());
    let mut r3 = pin!(lock.read());
    assert!(poll_with(r1.as_mut(), &r1_waker).is_pending());
    assert!(poll_once(r2.as_mut()).is_pending());
    assert!(poll_with(w2.as_mut(), &w2_waker).is_pending());
    assert!(poll_with(r3.as_mut(), &r3_waker).is_pending());

    let down = downgrade(w);
    assert_eq!(
        r1_woken.wakes(),
        1,
        "a reader queued behind the writer is woken"
    );
    let (g1, g2) = (ready(poll_once(r1.as_mut())), ready(poll_once(r2.as_mut())));
    assert_eq!((*down, *g1, *g2), (7, 7, 7));
    assert_eq!((w2_woken.wakes(), r3_woken.wakes()), (0, 0));
    assert!(
        poll_with(w2.as_mut(), &w2_waker).is_pending(),
        "the later writer waits"
    );
    assert!(
        poll_with(r3.as_mut(), &r3_waker).is_pending(),
        "and so does the reader behind it"
    );
    assert!(
        lock.try_read().is_err(),
        "nobody barges past the queued writer"
    );

    drop((down, g1));
    assert_eq!(w2_woken.wakes(), 0, "one reader is still in");
    drop(g2);
    assert_eq!((w2_woken.wakes(), r3_woken.wakes()), (1, 0));
    let mut w2_guard = ready(poll_once(w2.as_mut()));
    *w2_guard = 8;
    assert!(poll_with(r3.as_mut(), &r3_waker).is_pending());
    drop(w2_guard);
    assert_eq!(*ready(poll_once(r3.as_mut())), 8);
}

#[test]
fn downgrade_lets_readers_queued_behind_it_in_while_a_later_writer_still_waits() {
    let lock = RwLock::new(0);
    downgrade_serves_the_queue_in_order(
        &lock,
        || {
            let mut w = lock.try_write().unwrap();
            *w = 7;
            w
        },
        |w| w.downgrade(),
    );
}

#[test]
fn an_owned_downgrade_serves_the_queue_in_the_same_order() {
    let lock = Arc::new(RwLock::new(0));
    downgrade_serves_the_queue_in_order(
        &lock,
        || {
            let mut w = lock.clone().try_write_owned().unwrap();
            *w = 7;
            w
        },
        |w| w.downgrade(),
    );
}

#[test]
fn an_owned_downgrade_map_serves_the_queue_in_the_same_order() {
    let lock = Arc::new(RwLock::new((0, 0)));
    // Narrowed to the pair's second half, so checked here rather than by
    // the helper above (which wants an `RwLock<u32>`).
    let mut w = lock.clone().try_write_owned().unwrap();
    w.1 = 7;
    let (woken, waker) = counting_waker();
    let mut reader = pin!(lock.read());
    let mut writer = pin!(lock.write());
    assert!(poll_with(reader.as_mut(), &waker).is_pending());
    assert!(poll_once(writer.as_mut()).is_pending());
    let seven = OwnedRwLockWriteGuard::downgrade_map(w, |p| &p.1);
    assert_eq!(woken.wakes(), 1);
    assert_eq!(ready(poll_once(reader.as_mut())).1, *seven);
    assert!(poll_once(writer.as_mut()).is_pending());
    assert!(lock.try_read().is_err(), "the queued writer is ahead");
}

#[test]
fn a_failed_try_downgrade_map_releases_nothing() {
    let lock = Arc::new(RwLock::new(vec![1]));
    let (woken, waker) = counting_waker();
    let mut reader = pin!(lock.read());
    let w = lock.clone().try_write_owned().unwrap();
    assert!(poll_with(reader.as_mut(), &waker).is_pending());
    let w = OwnedRwLockWriteGuard::try_downgrade_map(w, |v| v.get(3)).unwrap_err();
    assert_eq!(woken.wakes(), 0);
    assert!(lock.try_read().is_err(), "still write-locked");
    let one = OwnedRwLockWriteGuard::try_downgrade_map(w, |v| v.first()).unwrap();
    assert_eq!(woken.wakes(), 1);
    assert_eq!((*one, ready(poll_once(reader.as_mut()))[0]), (1, 1));

    let w = lock.try_write();
    assert!(w.is_err(), "two readers hold it");
    drop(one);
}

#[test]
fn borrowed_try_maps_give_the_guard_back_still_locked() {
    let lock = RwLock::new((vec![1, 2], None::<u8>));
    let r = RwLockReadGuard::try_map(lock.try_read().unwrap(), |p| p.0.get(5)).unwrap_err();
    let two = RwLockReadGuard::try_map(r, |p| p.0.get(1)).unwrap();
    assert!(lock.try_write().is_err());
    assert_eq!(*two, 2);
    drop(two);

    let w = RwLockWriteGuard::try_map(lock.try_write().unwrap(), |p| p.1.as_mut()).unwrap_err();
    assert!(lock.try_read().is_err());
    let w = RwLockWriteGuard::try_downgrade_map(w, |p| p.1.as_ref()).unwrap_err();
    assert!(
        lock.try_read().is_err(),
        "a failed try_downgrade_map keeps the write lock"
    );
    let opt = RwLockWriteGuard::map(w, |p| &mut p.1);
    let mut opt = RwLockMappedWriteGuard::try_map(opt, |o| o.as_mut()).unwrap_err();
    *opt = Some(3);
    let mut three = RwLockMappedWriteGuard::try_map(opt, |o| o.as_mut()).unwrap();
    *three += 1;
    assert!(lock.try_read().is_err());
    drop(three);
    assert_eq!(lock.try_read().unwrap().1, Some(4));

    let mut all = RwLockWriteGuard::into_mapped(lock.try_write().unwrap());
    all.0.push(3);
    drop(all);
    let w = lock.try_write().unwrap();
    let first = RwLockWriteGuard::try_downgrade_map(w, |p| p.0.first()).unwrap();
    assert_eq!((*first, lock.try_read().unwrap().0.len()), (1, 3));
}

#[test]
fn owned_mapped_guards_keep_the_lock_alive_and_locked() {
    let lock = Arc::new(RwLock::new((String::from("a"), 1)));
    let alive = Arc::downgrade(&lock);
    let w = lock.clone().try_write_owned().unwrap();
    let mut name = OwnedRwLockWriteGuard::map(w, |p| &mut p.0);
    assert!(lock.try_read().is_err());
    assert!(Arc::ptr_eq(
        OwnedRwLockMappedWriteGuard::rwlock(&name),
        &lock
    ));
    name.push('b');
    let name = OwnedRwLockMappedWriteGuard::try_map(name, |s| s.get_mut(5..)).unwrap_err();
    drop(name);

    let r = lock.clone().try_read_owned().unwrap();
    let r = OwnedRwLockReadGuard::try_map(r, |p| p.0.get(9..)).unwrap_err();
    let name = OwnedRwLockReadGuard::map(r, |p| p.0.as_str());
    let b = OwnedRwLockReadGuard::try_map(name, |s| s.get(1..)).unwrap();
    assert!(Arc::ptr_eq(OwnedRwLockReadGuard::rwlock(&b), &lock));
    assert!(lock.try_write().is_err());
    assert!(lock.try_read().is_ok(), "readers share");
    drop(lock);
    assert_eq!(&*b, "b", "the guard's Arc keeps the lock alive");
    drop(b);
    assert!(alive.upgrade().is_none());
}

#[test]
fn owned_write_guards_map_try_map_and_into_mapped() {
    let lock = Arc::new(RwLock::new([0u8; 3]));
    let w = lock.clone().try_write_owned().unwrap();
    assert!(Arc::ptr_eq(OwnedRwLockWriteGuard::rwlock(&w), &lock));
    let w = OwnedRwLockWriteGuard::try_map(w, |a| a.get_mut(7)).unwrap_err();
    assert!(lock.try_read().is_err(), "still write-locked");
    let mut last = OwnedRwLockWriteGuard::try_map(w, |a| a.last_mut()).unwrap();
    *last = 3;
    drop(last);
    let all = OwnedRwLockWriteGuard::into_mapped(lock.clone().try_write_owned().unwrap());
    let mut first = OwnedRwLockMappedWriteGuard::map(all, |a| &mut a[0]);
    *first = 1;
    assert!(lock.try_read().is_err());
    drop(first);
    let mid =
        OwnedRwLockWriteGuard::downgrade_map(lock.clone().try_write_owned().unwrap(), |a| &a[1]);
    assert_eq!((*mid, *lock.try_read().unwrap()), (0, [1, 0, 3]));
    drop(mid);
    assert!(lock.try_write().is_ok(), "everything was released");
}

#[test]
fn owned_guards_move_and_drop_on_other_threads() {
    let lock = Arc::new(RwLock::new((0u32, 0u32)));
    let w = block_on(lock.clone().write_owned());
    let mut second = OwnedRwLockWriteGuard::map(w, |p| &mut p.1);
    *second = 5;
    std::thread::spawn(move || drop(second)).join().unwrap();
    let w = block_on(lock.clone().write_owned());
    let r = std::thread::spawn(move || {
        let r = w.downgrade();
        OwnedRwLockReadGuard::map(r, |p| &p.1)
    })
    .join()
    .unwrap();
    assert_eq!((*r, *block_on(lock.read())), (5, (0, 5)));
}

#[test]
fn guards_format_as_their_data() {
    let lock = Arc::new(RwLock::new((1, "x")));
    let r = lock.try_read().unwrap();
    assert_eq!(format!("{r:?}"), "(1, \"x\")");
    assert_eq!(format!("{}", RwLockReadGuard::map(r, |p| &p.1)), "x");
    let w = RwLockWriteGuard::map(lock.try_write().unwrap(), |p| &mut p.0);
    assert_eq!(format!("{w} {w:?}"), "1 1");
    drop(w);
    let w = lock.clone().try_write_owned().unwrap();
    assert_eq!(format!("{w:?}"), "(1, \"x\")");
    let w = OwnedRwLockWriteGuard::map(w, |p| &mut p.1);
    assert_eq!(format!("{w} {w:?}"), "x \"x\"");
    drop(w);
    let r = OwnedRwLockReadGuard::map(lock.try_read_owned().unwrap(), |p| &p.0);
    assert_eq!(format!("{r} {r:?}"), "1 1");
}
