#![cfg(loom)]
//! The shared waker queue (`src/util/wait_list.rs`, on the crate's one
//! intrusive list, `src/util/linked_list.rs`) under wait / notify / cancel
//! races, driven through the primitives that own it (its lock lives in
//! them). A node's links and its entry sit in loom `UnsafeCell`s, so every
//! touch of them that the primitive's lock does not order fails the model.

use loom::future::block_on;
use loom::sync::Arc;
use loom::thread;
use magpie::sync::{Notify, Semaphore};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn poll_once<F: Future>(f: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn a_waiter_cancelled_while_a_notify_one_lands_never_loses_it() {
    loom::model(|| {
        let notify = Arc::new(Notify::new());
        let n2 = notify.clone();
        let waiter = thread::spawn(move || {
            let mut fut = pin!(n2.notified());
            // Registers (or consumes) then is dropped, racing the notify.
            poll_once(fut.as_mut()).is_ready()
        });
        notify.notify_one();
        let consumed = waiter.join().unwrap();
        if !consumed {
            // Forwarded or stored: a fresh waiter gets it at once.
            assert!(poll_once(pin!(notify.notified()).as_mut()).is_ready());
        }
    });
}

#[test]
fn two_waiters_and_one_cancelling_still_let_the_other_finish() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let s1 = sem.clone();
        let canceller = thread::spawn(move || {
            let mut fut = pin!(s1.acquire());
            if let Poll::Ready(p) = poll_once(fut.as_mut()) {
                drop(p.unwrap());
            }
        });
        let s2 = sem.clone();
        let waiter = thread::spawn(move || {
            let _p = block_on(s2.acquire()).unwrap();
        });
        sem.add_permits(1);
        canceller.join().unwrap();
        waiter.join().unwrap();
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn notify_waiters_racing_a_cancelled_waiter_leaves_the_queue_consistent() {
    loom::model(|| {
        let notify = Arc::new(Notify::new());
        let n2 = notify.clone();
        let canceller = thread::spawn(move || {
            let mut fut = pin!(n2.notified());
            let _ = poll_once(fut.as_mut());
        });
        let n3 = notify.clone();
        let broadcaster = thread::spawn(move || n3.notify_waiters());
        canceller.join().unwrap();
        broadcaster.join().unwrap();
        // Nobody waits now: notify_one must be stored, not lost in a
        // stale WAITING state.
        notify.notify_one();
        assert!(poll_once(pin!(notify.notified()).as_mut()).is_ready());
    });
}

#[test]
fn a_partially_granted_waiter_cancelled_gives_every_permit_back() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(1));
        let s2 = sem.clone();
        let greedy = thread::spawn(move || {
            let mut fut = pin!(s2.acquire_many(2));
            if let Poll::Ready(p) = poll_once(fut.as_mut()) {
                drop(p.unwrap());
            }
        });
        let s3 = sem.clone();
        let releaser = thread::spawn(move || s3.add_permits(1));
        greedy.join().unwrap();
        releaser.join().unwrap();
        assert_eq!(sem.available_permits(), 2);
    });
}
