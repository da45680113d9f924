//! `magpie::sync::mpsc`, bounded: what a waiting `send` or `reserve` that
//! was handed a slot, but has not been polled since, may still do after the
//! receiver closes.

#[path = "support/sync_poll.rs"]
mod support;

use magpie::sync::mpsc::{self, error::TryRecvError};
use std::pin::pin;
use support::{poll_once, ready};

#[test]
fn a_reserve_handed_a_slot_but_not_yet_polled_fails_once_the_receiver_closes() {
    let (tx, mut rx) = mpsc::channel::<i32>(1);
    tx.try_send(1).unwrap();
    let mut reserve = pin!(tx.reserve());
    assert!(poll_once(reserve.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // the freed slot goes to `reserve`
    rx.close();
    assert!(ready(poll_once(reserve.as_mut())).is_err());
    // The slot came back: nothing is in flight, the receiver sees the end.
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn a_send_handed_a_position_but_not_yet_polled_gets_its_value_back_once_the_receiver_closes() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut send = pin!(tx.send(2));
    assert!(poll_once(send.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // the freed slot goes to `send`
    rx.close();
    assert_eq!(ready(poll_once(send.as_mut())).unwrap_err().0, 2);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn a_permit_returned_before_close_still_sends_after_it() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut reserve = pin!(tx.reserve());
    assert!(poll_once(reserve.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1));
    let permit = ready(poll_once(reserve.as_mut())).unwrap();
    rx.close();
    assert!(tx.try_reserve().is_err(), "no new reservation after close");
    permit.send(2);
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}
