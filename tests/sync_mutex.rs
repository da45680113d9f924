//! `magpie::sync::Mutex`: exclusion, FIFO hand-off, cancellation, any executor.

#[path = "support/sync_poll.rs"]
mod support;

use futures::executor::block_on;
use magpie::sync::Mutex;
use std::pin::pin;
use std::sync::Arc;
use support::{counting_waker, poll_once, poll_with, ready};

#[test]
fn lock_gives_exclusive_access_and_unlock_frees_it() {
    let m = Mutex::new(0);
    let mut g = block_on(m.lock());
    *g += 1;
    assert!(m.try_lock().is_err());
    drop(g);
    assert_eq!(*m.try_lock().unwrap(), 1);
}

#[test]
fn get_mut_and_into_inner_need_no_lock() {
    let mut m = Mutex::new(vec![1]);
    m.get_mut().push(2);
    assert_eq!(m.into_inner(), [1, 2]);
}

#[test]
fn owned_guard_keeps_the_mutex_alive_and_locked() {
    let m = Arc::new(Mutex::new(1));
    let g = block_on(m.clone().lock_owned());
    assert!(m.try_lock().is_err());
    let g2 = std::thread::spawn(move || {
        let mut g = g;
        *g = 2;
        g
    })
    .join()
    .unwrap();
    drop(g2);
    assert_eq!(*block_on(m.lock()), 2);
}

#[test]
fn waiters_get_the_lock_in_the_order_they_started_waiting() {
    let m = Mutex::new(Vec::new());
    let first = m.try_lock().unwrap();
    let mut a = pin!(async {
        m.lock().await.push('a');
    });
    let mut b = pin!(async {
        m.lock().await.push('b');
    });
    let mut c = pin!(async {
        m.lock().await.push('c');
    });
    // Queue them a, b, c.
    assert!(poll_once(a.as_mut()).is_pending());
    assert!(poll_once(b.as_mut()).is_pending());
    assert!(poll_once(c.as_mut()).is_pending());
    drop(first);
    // Polling c and b first must not let them jump the queue.
    assert!(poll_once(c.as_mut()).is_pending());
    assert!(poll_once(b.as_mut()).is_pending());
    ready(poll_once(a.as_mut()));
    assert!(poll_once(c.as_mut()).is_pending());
    ready(poll_once(b.as_mut()));
    ready(poll_once(c.as_mut()));
    assert_eq!(*m.try_lock().unwrap(), ['a', 'b', 'c']);
}

#[test]
fn a_new_locker_cannot_barge_past_queued_waiters() {
    let m = Mutex::new(());
    let g = m.try_lock().unwrap();
    let mut waiting = pin!(m.lock());
    assert!(poll_once(waiting.as_mut()).is_pending());
    drop(g);
    // The lock was handed to the waiter, not left free.
    assert!(m.try_lock().is_err());
    drop(ready(poll_once(waiting.as_mut())));
    assert!(m.try_lock().is_ok());
}

#[test]
fn unlocking_wakes_the_first_waiter() {
    let m = Mutex::new(());
    let g = m.try_lock().unwrap();
    let (count, waker) = counting_waker();
    let mut waiting = pin!(m.lock());
    assert!(poll_with(waiting.as_mut(), &waker).is_pending());
    assert_eq!(count.wakes(), 0);
    drop(g);
    assert_eq!(count.wakes(), 1);
}

#[test]
fn dropping_a_waiting_lock_leaves_the_queue() {
    let m = Mutex::new(());
    let g = m.try_lock().unwrap();
    let mut a = Box::pin(m.lock());
    let mut b = pin!(m.lock());
    assert!(poll_once(a.as_mut()).is_pending());
    assert!(poll_once(b.as_mut()).is_pending());
    drop(a);
    drop(g);
    drop(ready(poll_once(b.as_mut())));
    assert!(m.try_lock().is_ok());
}

#[test]
fn a_lock_dropped_after_being_handed_the_mutex_passes_it_on() {
    let m = Mutex::new(());
    let g = m.try_lock().unwrap();
    let mut a = Box::pin(m.lock());
    let mut b = pin!(m.lock());
    assert!(poll_once(a.as_mut()).is_pending());
    assert!(poll_once(b.as_mut()).is_pending());
    drop(g); // handed to `a`
    drop(a); // never polled again: must forward to `b`
    drop(ready(poll_once(b.as_mut())));
    assert!(m.try_lock().is_ok());
}

#[test]
fn a_lock_dropped_after_being_handed_the_mutex_unlocks_when_nobody_waits() {
    let m = Mutex::new(());
    let g = m.try_lock().unwrap();
    let mut a = Box::pin(m.lock());
    assert!(poll_once(a.as_mut()).is_pending());
    drop(g);
    drop(a);
    assert!(m.try_lock().is_ok());
}

#[test]
fn threads_with_plain_block_on_never_lose_an_increment() {
    let m = Arc::new(Mutex::new(0u64));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let m = m.clone();
            std::thread::spawn(move || {
                block_on(async {
                    for _ in 0..5_000 {
                        let mut g = m.lock().await;
                        *g += 1;
                    }
                })
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*block_on(m.lock()), 20_000);
}

#[test]
fn try_lock_error_is_a_std_error() {
    let m = Mutex::new(());
    let _g = m.try_lock().unwrap();
    let err: Box<dyn std::error::Error> = Box::new(m.try_lock().unwrap_err());
    assert_eq!(err.to_string(), "operation would block");
}

#[test]
fn a_mapped_guard_keeps_the_lock_and_hands_it_on_when_dropped() {
    let m = Mutex::new((1, vec![1]));
    let (woken, waker) = counting_waker();
    let mut list = magpie::sync::MutexGuard::map(m.try_lock().unwrap(), |p| &mut p.1);
    let mut waiting = pin!(m.lock());
    assert!(poll_with(waiting.as_mut(), &waker).is_pending());
    list.push(2);
    drop(list);
    assert_eq!(
        woken.wakes(),
        1,
        "the mapped guard's drop hands the lock on"
    );
    let guard = ready(poll_once(waiting.as_mut()));
    assert_eq!(*guard, (1, vec![1, 2]));
}

#[test]
fn try_map_gives_the_guard_back_still_locked() {
    let m = Mutex::new(vec![1]);
    let guard = magpie::sync::MutexGuard::try_map(m.try_lock().unwrap(), |v| v.get_mut(5))
        .expect_err("no sixth element");
    assert!(m.try_lock().is_err());
    drop(guard);
    assert!(m.try_lock().is_ok());
}

#[test]
fn a_mapped_guard_may_be_dropped_on_another_thread() {
    let m = Mutex::new((0u8, 0u8));
    let mut g = magpie::sync::MutexGuard::map(block_on(m.lock()), |p| &mut p.0);
    *g = 9;
    std::thread::scope(|s| {
        s.spawn(move || drop(g));
    });
    assert_eq!(*m.try_lock().unwrap(), (9, 0));
}

static COUNTER: Mutex<u32> = Mutex::new(0);

#[test]
fn a_static_mutex_is_shared_by_threads() {
    let threads: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(|| block_on(async { *COUNTER.lock().await += 1 })))
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*COUNTER.try_lock().unwrap(), 4);
}

#[test]
fn an_owned_mapped_guard_keeps_the_mutex_alive_and_locked() {
    let m = Arc::new(Mutex::new((1, String::from("a"))));
    let alive = Arc::downgrade(&m);
    let guard = m.clone().try_lock_owned().unwrap();
    let mut name = magpie::sync::OwnedMutexGuard::map(guard, |p| &mut p.1);
    assert!(m.try_lock().is_err(), "mapping keeps the lock");
    drop(m);
    name.push('b'); // the guard's `Arc` is the last handle
    assert_eq!(*name, "ab");
    drop(name);
    assert!(alive.upgrade().is_none(), "the mutex went with the guard");
}

#[test]
fn an_owned_mapped_guard_hands_the_lock_to_the_next_waiter() {
    let m = Arc::new(Mutex::new((0, vec![1])));
    let (woken, waker) = counting_waker();
    let mut list =
        magpie::sync::OwnedMutexGuard::map(m.clone().try_lock_owned().unwrap(), |p| &mut p.1);
    let mut waiting = pin!(m.lock());
    assert!(poll_with(waiting.as_mut(), &waker).is_pending());
    list.push(2);
    drop(list);
    assert_eq!(
        woken.wakes(),
        1,
        "the owned mapped guard's drop hands it on"
    );
    assert_eq!(*ready(poll_once(waiting.as_mut())), (0, vec![1, 2]));
}

#[test]
fn owned_try_map_gives_the_guard_back_still_locked_and_maps_again() {
    use magpie::sync::{OwnedMappedMutexGuard, OwnedMutexGuard};
    let m = Arc::new(Mutex::new((Some(5), vec![1, 2])));
    let guard = OwnedMutexGuard::try_map(m.clone().try_lock_owned().unwrap(), |p| p.1.get_mut(9))
        .expect_err("no tenth element");
    assert!(m.try_lock().is_err());
    let pair = OwnedMutexGuard::map(guard, |p| p);
    let opt = OwnedMappedMutexGuard::map(pair, |p| &mut p.0);
    let opt = OwnedMappedMutexGuard::try_map(opt, |o| o.as_mut().filter(|v| **v > 9))
        .expect_err("5 is not above 9");
    assert!(Arc::ptr_eq(OwnedMappedMutexGuard::mutex(&opt), &m));
    let mut five = OwnedMappedMutexGuard::try_map(opt, |o| o.as_mut()).unwrap();
    *five = 6;
    assert!(m.try_lock().is_err());
    drop(five);
    assert_eq!(m.try_lock().unwrap().0, Some(6));
}

#[test]
fn an_owned_mapped_guard_may_be_dropped_on_another_thread() {
    let m = Arc::new(Mutex::new((0u8, 0u8)));
    let mut g = magpie::sync::OwnedMutexGuard::map(block_on(m.clone().lock_owned()), |p| &mut p.1);
    *g = 7;
    std::thread::spawn(move || drop(g)).join().unwrap();
    assert_eq!(*block_on(m.lock()), (0, 7));
}

#[test]
fn guards_format_as_their_data() {
    use magpie::sync::{MutexGuard, OwnedMutexGuard};
    let m = Arc::new(Mutex::new((3, "x")));
    {
        let g = m.try_lock().unwrap();
        assert_eq!(
            (format!("{g:?}"), MutexGuard::mutex(&g).try_lock().is_err()),
            ("(3, \"x\")".into(), true)
        );
        let x = MutexGuard::map(g, |p| &mut p.1);
        assert_eq!(format!("{x} {x:?}"), "x \"x\"");
    }
    let g = m.clone().try_lock_owned().unwrap();
    assert_eq!(format!("{g:?}"), "(3, \"x\")");
    let three = OwnedMutexGuard::map(g, |p| &mut p.0);
    assert_eq!(format!("{three} {three:?}"), "3 3");
}
