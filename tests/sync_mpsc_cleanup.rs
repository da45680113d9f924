//! `magpie::sync::mpsc`: what the receiver leaves behind when it goes —
//! its waker, the values still buffered (even when dropping one panics),
//! and values that arrive after it went.

#[path = "support/sync_poll.rs"]
mod support;

use futures::Stream;
use magpie::sync::mpsc;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Context;
use support::{counting_waker, poll_once, ready};

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

/// Polls `rx` once with a counting waker, then drops it while `tx` keeps
/// the channel alive: the channel must not keep the waker.
fn the_receivers_waker_goes_with_it<S, R: Stream + Unpin>((tx, mut rx): (S, R)) {
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    assert!(Pin::new(&mut rx).poll_next(&mut cx).is_pending());
    drop(waker);
    drop(rx);
    let held = Arc::strong_count(&count) - 1;
    assert_eq!(held, 0, "the channel still holds the waker");
    drop(tx);
}

#[test]
fn dropping_a_bounded_receiver_releases_its_waker_while_senders_live() {
    the_receivers_waker_goes_with_it(mpsc::channel::<u8>(1));
}

#[test]
fn dropping_an_unbounded_receiver_releases_its_waker_while_senders_live() {
    the_receivers_waker_goes_with_it(mpsc::unbounded_channel::<u8>());
}

/// Sends a value per entry of `loud` (those `true` panic when dropped),
/// drops the receiver, and checks that the panic came out of that drop and
/// every value was dropped, while `tx` still keeps the channel alive.
fn the_receivers_drop_drops_every_value<S, R>(
    (tx, rx): (S, R),
    send: fn(&S, Value),
    loud: &[bool],
) {
    let drops = Arc::new(AtomicUsize::new(0));
    for &loud in loud {
        send(&tx, value(&drops, loud));
    }
    let res = catch_unwind(AssertUnwindSafe(|| drop(rx)));
    assert!(res.is_err(), "the value's panic goes on after the drain");
    assert_eq!(drops.load(Ordering::SeqCst), loud.len());
    drop(tx);
    assert_eq!(drops.load(Ordering::SeqCst), loud.len());
}

#[test]
fn a_bounded_receiver_drops_every_buffered_value_even_when_one_panics() {
    the_receivers_drop_drops_every_value(
        mpsc::channel(4),
        |tx, v| assert!(tx.try_send(v).is_ok()),
        &[false, true, false, true],
    );
}

#[test]
fn an_unbounded_receiver_drops_every_buffered_value_even_when_one_panics() {
    the_receivers_drop_drops_every_value(
        mpsc::unbounded_channel(),
        |tx, v| assert!(tx.send(v).is_ok()),
        &[true, false, false],
    );
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
