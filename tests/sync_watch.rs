//! `magpie::sync::watch`: latest value, change notification, closing.

#[path = "support/sync_poll.rs"]
mod support;

use futures::executor::block_on;
use magpie::sync::watch;
use std::pin::pin;
use support::{counting_waker, poll_once, poll_with, ready};

#[test]
fn receivers_see_the_latest_value() {
    let (tx, rx) = watch::channel(0);
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    assert_eq!(*rx.borrow(), 2);
}

#[test]
fn changed_waits_for_a_new_value_and_marks_it_seen() {
    let (tx, mut rx) = watch::channel(0);
    let (count, waker) = counting_waker();
    {
        let mut changed = pin!(rx.changed());
        assert!(poll_with(changed.as_mut(), &waker).is_pending());
        tx.send(1).unwrap();
        assert_eq!(count.wakes(), 1);
        ready(poll_once(changed.as_mut())).unwrap();
    }
    assert!(!rx.has_changed().unwrap());
    let mut again = pin!(rx.changed());
    assert!(poll_once(again.as_mut()).is_pending());
}

#[test]
fn send_modify_and_send_replace_notify() {
    let (tx, mut rx) = watch::channel(vec![1]);
    tx.send_modify(|v| v.push(2));
    block_on(rx.changed()).unwrap();
    assert_eq!(*rx.borrow_and_update(), [1, 2]);
    assert_eq!(tx.send_replace(vec![]), [1, 2]);
    assert!(rx.has_changed().unwrap());
}

#[test]
fn dropping_the_sender_ends_changed_after_the_last_unseen_value() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(1).unwrap();
    drop(tx);
    assert!(block_on(rx.changed()).is_ok());
    assert!(block_on(rx.changed()).is_err());
}

#[test]
fn subscribers_start_having_seen_the_current_value() {
    let (tx, _rx) = watch::channel(0);
    tx.send(1).unwrap();
    let mut late = tx.subscribe();
    assert!(!late.has_changed().unwrap());
    assert_eq!(*late.borrow_and_update(), 1);
}

#[test]
fn send_fails_without_receivers_and_closed_completes() {
    let (tx, rx) = watch::channel(0);
    let rx2 = rx.clone();
    assert_eq!(tx.receiver_count(), 2);
    drop(rx);
    let t = std::thread::spawn(move || drop(rx2));
    block_on(tx.closed());
    t.join().unwrap();
    assert_eq!(tx.send(3).unwrap_err().0, 3);
}

#[test]
fn a_receiver_on_another_thread_sees_the_final_value() {
    let (tx, mut rx) = watch::channel(0u32);
    let t = std::thread::spawn(move || {
        block_on(async {
            let mut last = 0;
            while rx.changed().await.is_ok() {
                last = *rx.borrow_and_update();
            }
            last
        })
    });
    for i in 1..=1000 {
        tx.send(i).unwrap();
    }
    drop(tx);
    assert_eq!(t.join().unwrap(), 1000);
}

#[test]
fn mark_changed_makes_changed_return_at_once_and_only_once() {
    let (_tx, mut rx) = watch::channel(0);
    rx.mark_changed();
    assert_eq!(rx.has_changed(), Ok(true));
    assert!(rx.borrow().has_changed());
    ready(poll_once(pin!(rx.changed()))).unwrap();
    let mut again = pin!(rx.changed());
    assert!(poll_once(again.as_mut()).is_pending());
}

#[test]
fn wait_for_returns_the_first_value_that_satisfies_it() {
    let (tx, mut rx) = watch::channel(1);
    // Already satisfied: at once, and marked seen.
    assert_eq!(
        *ready(poll_once(pin!(rx.wait_for(|v| *v == 1)))).unwrap(),
        1
    );
    assert_eq!(rx.has_changed(), Ok(false));
    let (woken, waker) = counting_waker();
    {
        let mut even = pin!(rx.wait_for(|v| v % 2 == 0));
        assert!(poll_with(even.as_mut(), &waker).is_pending());
        tx.send(3).unwrap();
        assert_eq!(woken.wakes(), 1);
        assert!(poll_with(even.as_mut(), &waker).is_pending(), "3 is odd");
        tx.send(4).unwrap();
        let got = ready(poll_with(even.as_mut(), &waker)).unwrap();
        assert_eq!((*got, got.has_changed()), (4, true));
    }
    assert_eq!(rx.has_changed(), Ok(false));
}

#[test]
fn wait_for_fails_when_the_sender_goes_without_a_match() {
    let (tx, mut rx) = watch::channel(0);
    let t = std::thread::spawn(move || {
        tx.send(1).unwrap();
    });
    assert!(block_on(rx.wait_for(|v| *v > 5)).is_err());
    t.join().unwrap();
    // The last value is still there to look at.
    assert_eq!(*rx.borrow(), 1);
}
