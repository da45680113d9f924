//! `magpie::sync::mpsc`: what the receiver leaves behind when it goes —
//! its waker, the values still buffered (even when dropping one panics),
//! and values that arrive after it went.

#[path = "support/sync_poll.rs"]
mod support;

use magpie::sync::mpsc;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::{counting_waker, poll_once, poll_with, ready};

/// Counts its drops; the ones made `loud` panic when dropped.
struct Value {
    drops: Arc<AtomicUsize>,
    loud: bool,
}

impl Drop for Value {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        if self.loud {
            panic!("a value's drop panicked");
        }
    }
}

fn value(drops: &Arc<AtomicUsize>, loud: bool) -> Value {
    Value {
        drops: drops.clone(),
        loud,
    }
}

#[test]
fn dropping_a_bounded_receiver_releases_its_waker_while_senders_live() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let (count, waker) = counting_waker();
    assert!(poll_with(pin!(rx.recv()), &waker).is_pending());
    drop(waker);
    drop(rx);
    assert_eq!(
        Arc::strong_count(&count),
        1,
        "the channel still holds the waker"
    );
    drop(tx);
}

#[test]
fn dropping_an_unbounded_receiver_releases_its_waker_while_senders_live() {
    let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
    let (count, waker) = counting_waker();
    assert!(poll_with(pin!(rx.recv()), &waker).is_pending());
    drop(waker);
    drop(rx);
    assert_eq!(
        Arc::strong_count(&count),
        1,
        "the channel still holds the waker"
    );
    drop(tx);
}

#[test]
fn a_bounded_receiver_drops_every_buffered_value_even_when_one_panics() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel(4);
    tx.try_send(value(&drops, false)).unwrap();
    tx.try_send(value(&drops, true)).unwrap();
    tx.try_send(value(&drops, false)).unwrap();
    tx.try_send(value(&drops, true)).unwrap();
    let res = catch_unwind(AssertUnwindSafe(|| drop(rx)));
    assert!(res.is_err(), "the value's panic goes on after the drain");
    assert_eq!(drops.load(Ordering::SeqCst), 4);
    drop(tx);
    assert_eq!(drops.load(Ordering::SeqCst), 4);
}

#[test]
fn an_unbounded_receiver_drops_every_buffered_value_even_when_one_panics() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::unbounded_channel();
    tx.send(value(&drops, true)).unwrap();
    tx.send(value(&drops, false)).unwrap();
    tx.send(value(&drops, false)).unwrap();
    let res = catch_unwind(AssertUnwindSafe(|| drop(rx)));
    assert!(res.is_err(), "the value's panic goes on after the drain");
    assert_eq!(drops.load(Ordering::SeqCst), 3);
    drop(tx);
    assert_eq!(drops.load(Ordering::SeqCst), 3);
}

#[test]
fn a_value_sent_through_a_permit_after_the_receiver_dropped_is_dropped_at_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel(2);
    let permit = tx.try_reserve().unwrap();
    drop(rx);
    permit.send(value(&drops, false));
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "kept until the last sender goes"
    );
    // The slot is not lost either (the sender still sees a closed channel).
    assert_eq!(tx.capacity(), 2);
    drop(tx);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn a_value_that_lands_behind_a_handed_position_after_the_receiver_dropped_is_dropped_at_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = mpsc::channel(2);
    tx.try_send(value(&drops, false)).unwrap();
    let permit = tx.try_reserve().unwrap();
    let mut held = pin!(tx.send(value(&drops, false)));
    assert!(poll_once(held.as_mut()).is_pending());
    drop(rx.try_recv().unwrap()); // the freed slot is handed to `held`
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    drop(rx); // the drain stops at `held`'s unwritten position
    permit.send(value(&drops, false)); // lands behind that position
    assert_eq!(
        drops.load(Ordering::SeqCst),
        2,
        "kept until the last sender goes"
    );
    // `held` fails (the receiver is gone) and hands its value back.
    drop(ready(poll_once(held.as_mut())).unwrap_err());
    assert_eq!(drops.load(Ordering::SeqCst), 3);
    assert_eq!(tx.capacity(), 2);
}
