//! `magpie::sync::oneshot`: one value, every way either side can go away.

#[path = "support/sync_poll.rs"]
mod support;

use futures::executor::block_on;
use magpie::sync::oneshot::{self, error::TryRecvError};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::{counting_waker, poll_once, poll_with, ready};

#[test]
fn the_receiver_gets_the_value_sent_from_another_thread() {
    for _ in 0..100 {
        let (tx, rx) = oneshot::channel();
        std::thread::spawn(move || tx.send(42).unwrap());
        assert_eq!(block_on(rx), Ok(42));
    }
}

#[test]
fn sending_wakes_a_waiting_receiver() {
    let (tx, rx) = oneshot::channel();
    let (count, waker) = counting_waker();
    let mut rx = pin!(rx);
    assert!(poll_with(rx.as_mut(), &waker).is_pending());
    tx.send(1).unwrap();
    assert_eq!(count.wakes(), 1);
    assert_eq!(ready(poll_once(rx.as_mut())), Ok(1));
}

#[test]
fn send_hands_the_value_back_when_the_receiver_is_gone() {
    let (tx, rx) = oneshot::channel();
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send("v"), Err("v"));
}

#[test]
fn send_hands_the_value_back_after_close() {
    let (tx, mut rx) = oneshot::channel();
    rx.close();
    assert_eq!(tx.send(1), Err(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn a_value_sent_before_close_can_still_be_taken() {
    let (tx, mut rx) = oneshot::channel();
    tx.send(1).unwrap();
    rx.close();
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn dropping_the_sender_fails_the_receiver() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    drop(tx);
    assert!(block_on(&mut rx).is_err());
}

#[test]
fn sender_closed_waits_for_the_receiver_to_go() {
    let (mut tx, rx) = oneshot::channel::<u8>();
    {
        let mut closed = pin!(tx.closed());
        assert!(poll_once(closed.as_mut()).is_pending());
    }
    let t = std::thread::spawn(move || drop(rx));
    block_on(tx.closed());
    t.join().unwrap();
}

#[test]
fn a_value_nobody_received_is_dropped_exactly_once() {
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = oneshot::channel();
    assert!(tx.send(Counted(drops.clone())).is_ok());
    drop(rx);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn send_and_receiver_drop_racing_never_leak_or_double_drop() {
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    for _ in 0..1_000 {
        let (tx, rx) = oneshot::channel();
        let v = Counted(drops.clone());
        let t = std::thread::spawn(move || drop(tx.send(v)));
        drop(rx);
        t.join().unwrap();
    }
    assert_eq!(drops.load(Ordering::SeqCst), 1_000);
}

#[test]
fn is_empty_and_is_terminated_follow_the_value() {
    let (tx, mut rx) = oneshot::channel();
    assert!(rx.is_empty() && !rx.is_terminated());
    tx.send(3).unwrap();
    assert!(!rx.is_empty());
    assert_eq!(ready(poll_once(pin!(&mut rx))), Ok(3));
    assert!(rx.is_empty() && rx.is_terminated());
    // Polled again: an error, not a second value or a hang.
    assert!(ready(poll_once(pin!(&mut rx))).is_err());
}

#[test]
fn a_receiver_whose_sender_left_terminates_on_its_error() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    drop(tx);
    assert!(rx.is_empty() && !rx.is_terminated());
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    assert!(rx.is_terminated());
    assert!(futures::future::FusedFuture::is_terminated(&rx));
}

#[test]
fn a_value_sent_before_close_is_not_empty() {
    let (tx, mut rx) = oneshot::channel();
    tx.send(1).unwrap();
    rx.close();
    assert!(!rx.is_empty());
    assert_eq!(rx.try_recv(), Ok(1));
    assert!(rx.is_empty());
}
