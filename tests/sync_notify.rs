//! `magpie::sync::Notify`: stored permit, broadcast, cancellation.

#[path = "support/sync_poll.rs"]
mod support;

use futures::executor::block_on;
use magpie::sync::Notify;
use std::pin::pin;
use std::sync::Arc;
use support::{counting_waker, poll_once, poll_with, ready};

#[test]
fn notify_one_with_nobody_waiting_stores_exactly_one_permit() {
    let n = Notify::new();
    n.notify_one();
    n.notify_one();
    block_on(n.notified());
    let mut second = pin!(n.notified());
    assert!(poll_once(second.as_mut()).is_pending());
}

#[test]
fn notify_one_wakes_waiters_in_fifo_order() {
    let n = Notify::new();
    let mut a = pin!(n.notified());
    let mut b = pin!(n.notified());
    assert!(poll_once(a.as_mut()).is_pending());
    assert!(poll_once(b.as_mut()).is_pending());
    n.notify_one();
    assert!(poll_once(b.as_mut()).is_pending());
    ready(poll_once(a.as_mut()));
    n.notify_one();
    ready(poll_once(b.as_mut()));
}

#[test]
fn notify_waiters_wakes_everyone_waiting_and_stores_nothing() {
    let n = Notify::new();
    let (count, waker) = counting_waker();
    let mut a = pin!(n.notified());
    let mut b = pin!(n.notified());
    assert!(poll_with(a.as_mut(), &waker).is_pending());
    assert!(poll_with(b.as_mut(), &waker).is_pending());
    n.notify_waiters();
    assert_eq!(count.wakes(), 2);
    ready(poll_once(a.as_mut()));
    ready(poll_once(b.as_mut()));
    let mut later = pin!(n.notified());
    assert!(poll_once(later.as_mut()).is_pending());
}

#[test]
fn a_notified_created_before_notify_waiters_completes_even_if_not_yet_polled() {
    let n = Notify::new();
    let fut = n.notified();
    n.notify_waiters();
    block_on(fut);
}

#[test]
fn a_dropped_waiter_that_got_notify_one_passes_it_to_the_next() {
    let n = Notify::new();
    let mut a = Box::pin(n.notified());
    let mut b = pin!(n.notified());
    assert!(poll_once(a.as_mut()).is_pending());
    assert!(poll_once(b.as_mut()).is_pending());
    n.notify_one();
    drop(a);
    ready(poll_once(b.as_mut()));
}

#[test]
fn a_dropped_waiter_that_got_notify_one_stores_it_when_nobody_else_waits() {
    let n = Notify::new();
    let mut a = Box::pin(n.notified());
    assert!(poll_once(a.as_mut()).is_pending());
    n.notify_one();
    drop(a);
    block_on(n.notified());
}

#[test]
fn a_dropped_waiter_leaves_no_trace() {
    let n = Notify::new();
    let mut a = Box::pin(n.notified());
    assert!(poll_once(a.as_mut()).is_pending());
    drop(a);
    n.notify_one(); // stored, since nobody waits any more
    block_on(n.notified());
}

#[test]
fn notify_one_reaches_a_waiter_on_another_thread() {
    let n = Arc::new(Notify::new());
    for _ in 0..200 {
        let n2 = n.clone();
        let t = std::thread::spawn(move || block_on(n2.notified()));
        n.notify_one();
        t.join().unwrap();
    }
}
