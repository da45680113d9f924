//! `magpie::sync::mpsc`: what the receiver leaves behind when it goes —
//! its waker, the values still buffered (even when dropping one panics),
//! and values that arrive after it went.

#[path = "support/sync_poll.rs"]
mod support;

use magpie::sync::mpsc;
use std::pin::pin;
use std::sync::Arc;
use support::{counting_waker, poll_with};

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
