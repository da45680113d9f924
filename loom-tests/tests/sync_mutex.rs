#![cfg(loom)]
//! Mutex: exclusion, hand-off to a waiter, and cancellation of a waiting lock.

use loom::future::block_on;
use loom::sync::Arc;
use loom::thread;
use magpie::sync::Mutex;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn poll_once<F: Future>(f: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn two_lockers_never_lose_an_increment() {
    loom::model(|| {
        let m = Arc::new(Mutex::new(0));
        let m2 = m.clone();
        let t = thread::spawn(move || block_on(async { *m2.lock().await += 1 }));
        block_on(async { *m.lock().await += 1 });
        t.join().unwrap();
        assert_eq!(*block_on(m.lock()), 2);
    });
}

#[test]
fn a_lock_cancelled_while_the_holder_unlocks_leaves_the_mutex_free() {
    loom::model(|| {
        let m = Arc::new(Mutex::new(()));
        let guard = m.try_lock().unwrap();
        let m2 = m.clone();
        let t = thread::spawn(move || {
            let mut fut = pin!(m2.lock());
            let _ = poll_once(fut.as_mut()); // maybe ready, maybe queued; then dropped
        });
        drop(guard);
        t.join().unwrap();
        assert!(m.try_lock().is_ok());
    });
}

#[test]
fn an_owned_guard_unlocked_on_another_thread_wakes_the_waiter() {
    loom::model(|| {
        // `lock_owned` takes a std `Arc` (a loom `Arc` cannot be `self`).
        let m = std::sync::Arc::new(Mutex::new(0));
        let guard = m.clone().try_lock_owned().unwrap();
        let t = thread::spawn(move || {
            let mut g = guard;
            *g = 1;
        });
        assert_eq!(*block_on(m.lock()), 1);
        t.join().unwrap();
    });
}
