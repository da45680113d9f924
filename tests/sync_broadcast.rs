//! `magpie::sync::broadcast`: every receiver sees every value; laggards are told.

#[path = "support/sync_poll.rs"]
mod support;

use futures::executor::block_on;
use magpie::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use std::pin::pin;
use support::{counting_waker, poll_once, poll_with, ready};

#[test]
fn every_receiver_sees_every_value() {
    let (tx, mut a) = broadcast::channel(8);
    let mut b = tx.subscribe();
    for i in 0..5 {
        assert_eq!(tx.send(i).unwrap(), 2);
    }
    for i in 0..5 {
        assert_eq!(a.try_recv(), Ok(i));
        assert_eq!(block_on(b.recv()), Ok(i));
    }
    assert_eq!(a.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn a_slow_receiver_is_told_how_many_it_missed() {
    let (tx, mut rx) = broadcast::channel(2);
    for i in 0..5 {
        tx.send(i).unwrap();
    }
    assert_eq!(block_on(rx.recv()), Err(RecvError::Lagged(3)));
    assert_eq!(block_on(rx.recv()), Ok(3));
    assert_eq!(block_on(rx.recv()), Ok(4));
}

#[test]
fn a_send_wakes_every_waiting_receiver() {
    let (tx, mut a) = broadcast::channel(1);
    let mut b = tx.subscribe();
    let (count, waker) = counting_waker();
    let mut ra = pin!(a.recv());
    let mut rb = pin!(b.recv());
    assert!(poll_with(ra.as_mut(), &waker).is_pending());
    assert!(poll_with(rb.as_mut(), &waker).is_pending());
    tx.send('x').unwrap();
    assert_eq!(count.wakes(), 2);
    assert_eq!(ready(poll_once(ra.as_mut())), Ok('x'));
    assert_eq!(ready(poll_once(rb.as_mut())), Ok('x'));
}

#[test]
fn receivers_see_closed_after_the_last_sender_and_the_backlog() {
    let (tx, mut rx) = broadcast::channel(4);
    let tx2 = tx.clone();
    tx.send(1).unwrap();
    drop(tx);
    tx2.send(2).unwrap();
    drop(tx2);
    assert_eq!(block_on(rx.recv()), Ok(1));
    assert_eq!(block_on(rx.recv()), Ok(2));
    assert_eq!(block_on(rx.recv()), Err(RecvError::Closed));
}

#[test]
fn send_fails_without_receivers() {
    let (tx, rx) = broadcast::channel(1);
    drop(rx);
    assert_eq!(tx.send(5).unwrap_err().0, 5);
    let _rx = tx.subscribe();
    assert!(tx.send(6).is_ok());
}

#[test]
fn dropping_a_recv_mid_wait_loses_nothing() {
    let (tx, mut rx) = broadcast::channel(2);
    {
        let mut recv = pin!(rx.recv());
        assert!(poll_once(recv.as_mut()).is_pending());
    }
    tx.send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn receivers_on_other_threads_see_every_value() {
    let (tx, rx) = broadcast::channel(1024);
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let mut rx = rx.resubscribe();
            std::thread::spawn(move || {
                block_on(async {
                    let mut sum = 0u64;
                    while let Ok(v) = rx.recv().await {
                        sum += v;
                    }
                    sum
                })
            })
        })
        .collect();
    drop(rx);
    for i in 0..1000u64 {
        tx.send(i).unwrap();
    }
    drop(tx);
    for t in threads {
        assert_eq!(t.join().unwrap(), 999 * 1000 / 2);
    }
}

#[test]
fn buffered_values_are_dropped_when_the_last_receiver_goes() {
    let drops = Drops::default();
    let (tx, rx) = broadcast::channel(4);
    let rx2 = tx.subscribe();
    for _ in 0..3 {
        tx.send(std::sync::Arc::new(drops.token())).unwrap();
    }
    drop(rx);
    assert_eq!(drops.count(), 0, "a receiver is still alive");
    drop(rx2);
    assert_eq!(drops.count(), 3, "the sender kept the values alive");
    // A receiver subscribed later starts empty, and the channel works on.
    let mut rx3 = tx.subscribe();
    assert_eq!(rx3.try_recv().unwrap_err(), TryRecvError::Empty);
    tx.send(std::sync::Arc::new(drops.token())).unwrap();
    assert!(rx3.try_recv().is_ok());
}

/// Counts the drops of its tokens.
#[derive(Default)]
struct Drops(std::sync::Arc<std::sync::atomic::AtomicUsize>);

#[derive(Debug)]
struct Token(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Drops {
    fn token(&self) -> Token {
        Token(self.0.clone())
    }
    fn count(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn len_counts_values_some_live_receiver_has_not_seen() {
    let (tx, mut a) = broadcast::channel(2);
    let mut b = tx.subscribe();
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    assert_eq!(a.try_recv(), Ok(1));
    assert_eq!(tx.len(), 2, "b has seen neither");
    assert_eq!(b.try_recv(), Ok(1));
    assert_eq!(tx.len(), 1);
    // A receiver that goes away stops holding values up.
    drop(b);
    assert_eq!(tx.len(), 1, "a has not seen 2");
    assert_eq!(a.try_recv(), Ok(2));
    assert!(tx.is_empty());
    // A laggard's overwritten values are not counted.
    for i in 0..5 {
        tx.send(i).unwrap();
    }
    assert_eq!(tx.len(), 2);
    assert_eq!(a.try_recv(), Err(TryRecvError::Lagged(3)));
    assert_eq!(a.try_recv(), Ok(3));
    assert_eq!(tx.len(), 1);
}

#[test]
fn a_sender_made_alone_sends_once_someone_subscribes() {
    let tx = broadcast::Sender::new(1);
    assert_eq!(tx.receiver_count(), 0);
    assert_eq!(tx.send(1).unwrap_err().0, 1);
    let mut rx = tx.subscribe();
    assert_eq!(tx.send(2), Ok(1));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn closed_waits_for_the_last_receiver() {
    let (tx, rx) = broadcast::channel::<u8>(1);
    let rx2 = rx.resubscribe();
    let (woken, waker) = counting_waker();
    let mut closed = pin!(tx.closed());
    assert!(poll_with(closed.as_mut(), &waker).is_pending());
    drop(rx);
    assert_eq!(woken.wakes(), 0, "one receiver is left");
    assert!(poll_with(closed.as_mut(), &waker).is_pending());
    drop(rx2);
    assert_eq!(woken.wakes(), 1);
    ready(poll_once(closed.as_mut()));
    block_on(tx.closed()); // at once now
}

#[test]
fn a_weak_sender_does_not_keep_receivers_waiting() {
    let (tx, mut rx) = broadcast::channel::<u8>(1);
    let weak = tx.downgrade();
    assert_eq!((tx.strong_count(), tx.weak_count()), (1, 1));
    let tx2 = weak.upgrade().expect("a strong sender lives");
    assert!(tx2.same_channel(&tx));
    drop((tx, tx2));
    assert_eq!(weak.strong_count(), 0);
    assert!(weak.upgrade().is_none());
    assert_eq!(block_on(rx.recv()), Err(RecvError::Closed));
    drop(weak.clone());
    assert_eq!(weak.weak_count(), 1);
}

#[test]
fn a_receivers_len_counts_what_it_has_yet_to_receive() {
    let (tx, mut a) = broadcast::channel(4);
    assert!(a.is_empty());
    tx.send(1).unwrap();
    let mut b = tx.subscribe(); // starts after the 1
    tx.send(2).unwrap();
    assert_eq!((a.len(), b.len()), (2, 1));
    assert_eq!(a.try_recv(), Ok(1));
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_eq!(b.try_recv(), Ok(2));
    assert!(b.is_empty());
    assert!(!a.is_empty());
}

#[test]
fn a_lagged_receivers_len_counts_the_values_it_missed() {
    let (tx, mut rx) = broadcast::channel(2);
    for i in 0..5 {
        tx.send(i).unwrap();
    }
    // Five sent and none received: more than the two the channel holds,
    // so the next receive reports the three it missed.
    assert_eq!(rx.len(), 5);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(3)));
    assert_eq!(rx.len(), 2, "what is still held");
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.len(), 1);
    assert_eq!(rx.try_recv(), Ok(4));
    assert!(rx.is_empty());
    drop(tx);
    assert!(rx.is_empty(), "closing adds nothing to receive");
}

#[test]
fn receivers_know_their_channel_and_its_senders() {
    let (tx, rx) = broadcast::channel::<u8>(1);
    let (other_tx, other) = broadcast::channel::<u8>(1);
    assert!(rx.same_channel(&rx.resubscribe()));
    assert!(rx.same_channel(&tx.subscribe()));
    assert!(!rx.same_channel(&other));
    drop(other_tx);
    assert_eq!(other.sender_strong_count(), 0);

    assert_eq!((rx.sender_strong_count(), rx.sender_weak_count()), (1, 0));
    let tx2 = tx.clone();
    let weak = tx.downgrade();
    let weak2 = weak.clone();
    assert_eq!((rx.sender_strong_count(), rx.sender_weak_count()), (2, 2));
    drop((tx, tx2, weak));
    assert_eq!((rx.sender_strong_count(), rx.sender_weak_count()), (0, 1));
    drop(weak2);
    assert_eq!(rx.sender_weak_count(), 0);
}
