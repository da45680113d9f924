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
use support::{counting_waker, poll_with};

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
