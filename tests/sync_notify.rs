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

#[test]
fn notify_last_wakes_the_newest_waiter() {
    let n = Notify::new();
    let (first_woken, first_waker) = counting_waker();
    let (second_woken, second_waker) = counting_waker();
    let mut first = pin!(n.notified());
    let mut second = pin!(n.notified());
    assert!(poll_with(first.as_mut(), &first_waker).is_pending());
    assert!(poll_with(second.as_mut(), &second_waker).is_pending());
    n.notify_last();
    assert_eq!((first_woken.wakes(), second_woken.wakes()), (0, 1));
    ready(poll_once(second.as_mut()));
    n.notify_last();
    assert_eq!(first_woken.wakes(), 1);
}

#[test]
fn a_dropped_waiter_passes_a_notify_last_on_to_the_next_newest() {
    let n = Notify::new();
    let (oldest_woken, oldest_waker) = counting_waker();
    let (middle_woken, middle_waker) = counting_waker();
    let mut oldest = pin!(n.notified());
    let mut middle = pin!(n.notified());
    assert!(poll_with(oldest.as_mut(), &oldest_waker).is_pending());
    assert!(poll_with(middle.as_mut(), &middle_waker).is_pending());
    {
        let mut newest = pin!(n.notified());
        assert!(poll_once(newest.as_mut()).is_pending());
        n.notify_last();
        // Dropped holding the notification.
    }
    assert_eq!((oldest_woken.wakes(), middle_woken.wakes()), (0, 1));
    ready(poll_once(middle.as_mut()));
    assert!(poll_once(oldest.as_mut()).is_pending());
}

#[test]
fn notify_last_with_nobody_waiting_stores_the_permit() {
    let n = Notify::new();
    n.notify_last();
    block_on(n.notified());
    assert!(poll_once(pin!(n.notified())).is_pending());
}

#[test]
fn enable_queues_a_waiter_before_its_first_poll() {
    let n = Notify::new();
    let mut early = pin!(n.notified());
    let mut late = pin!(n.notified());
    assert!(!late.as_mut().enable(), "nothing stored yet");
    // Without `enable`, `early` would take this on its first poll.
    n.notify_one();
    assert!(late.as_mut().enable(), "the queued future got it");
    assert!(poll_once(early.as_mut()).is_pending());
    ready(poll_once(late.as_mut()));
    // enable after a poll keeps the poll's waker.
    let (woken, waker) = counting_waker();
    assert!(poll_with(early.as_mut(), &waker).is_pending());
    assert!(!early.as_mut().enable());
    n.notify_one();
    assert_eq!(woken.wakes(), 1);
}

#[test]
fn an_enabled_future_dropped_unpolled_passes_its_notification_on() {
    let n = Notify::new();
    let mut other = pin!(n.notified());
    assert!(poll_once(other.as_mut()).is_pending());
    {
        let mut enabled = pin!(n.notified());
        enabled.as_mut().enable();
        n.notify_one(); // goes to `other`, queued first
        n.notify_one(); // goes to `enabled`, which is dropped
    }
    ready(poll_once(other.as_mut()));
    // The forwarded notification found nobody: it is stored.
    block_on(n.notified());
}

#[test]
fn an_owned_notified_moves_into_a_thread_and_is_woken_there() {
    let n = Arc::new(Notify::new());
    let mut enabled = Box::pin(n.clone().notified_owned());
    assert!(!enabled.as_mut().enable());
    // Created before `notify_waiters`: completes even if polled later.
    let later = n.clone().notified_owned();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(10));
        block_on(later);
        block_on(enabled);
    });
    n.notify_waiters();
    t.join().unwrap();
}

static GLOBAL: Notify = Notify::new();

#[test]
fn a_static_notify_works_across_threads() {
    let t = std::thread::spawn(|| block_on(GLOBAL.notified()));
    GLOBAL.notify_one();
    t.join().unwrap();
}
