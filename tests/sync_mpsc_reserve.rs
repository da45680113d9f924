//! `magpie::sync::mpsc`: counting (len, capacity, strong and weak senders),
//! reserving several slots at once, and permits that own their sender.

#[path = "support/sync_poll.rs"]
mod support;

use futures::executor::block_on;
use magpie::sync::mpsc::{self, error::TrySendError};
use std::pin::pin;
use support::{counting_waker, poll_once, poll_with, ready};

#[test]
fn len_counts_sent_values_but_not_reserved_slots() {
    let (tx, mut rx) = mpsc::channel(4);
    assert!(rx.is_empty());
    let permit = tx.try_reserve().unwrap();
    assert_eq!((rx.len(), rx.capacity(), rx.max_capacity()), (0, 3, 4));
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert_eq!((rx.len(), rx.capacity()), (2, 1));
    permit.send(3);
    assert_eq!(rx.len(), 3);
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!((rx.len(), rx.capacity()), (2, 2));
}

#[test]
fn the_unbounded_receiver_counts_what_is_waiting() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..100 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.len(), 100);
    assert_eq!(rx.try_recv(), Ok(0));
    assert_eq!(rx.len(), 99);
    drop(tx);
    assert!(rx.is_closed(), "no sender left");
    assert!(!rx.is_empty(), "but values are still there");
}

#[test]
fn weak_senders_are_counted_and_do_not_keep_the_channel_open() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let weak = tx.downgrade();
    let weak2 = weak.clone();
    assert_eq!((tx.strong_count(), tx.weak_count()), (1, 2));
    assert_eq!((rx.sender_strong_count(), rx.sender_weak_count()), (1, 2));
    let tx2 = weak.upgrade().unwrap();
    assert_eq!(weak2.strong_count(), 2);
    drop(weak2);
    assert_eq!(weak.weak_count(), 1);
    drop((tx, tx2));
    assert_eq!(weak.strong_count(), 0);
    assert!(weak.upgrade().is_none(), "no revival after the last sender");
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn reserve_many_takes_its_slots_all_at_once_and_in_queue_order() {
    let (tx, mut rx) = mpsc::channel(3);
    tx.try_send(0).unwrap();
    tx.try_send(0).unwrap();
    // Wants 3 with only 1 free: waits, holding none of them.
    let (woken, waker) = counting_waker();
    let mut many = pin!(tx.reserve_many(3));
    assert!(poll_with(many.as_mut(), &waker).is_pending());
    assert_eq!(tx.capacity(), 1, "nothing taken while waiting");
    // A single reserve queued behind it does not pass it.
    let mut one = pin!(tx.reserve());
    assert!(poll_once(one.as_mut()).is_pending());
    assert!(tx.try_reserve().is_err(), "no barging past the queue");
    rx.try_recv().unwrap();
    assert_eq!(woken.wakes(), 0, "2 free is still not 3");
    rx.try_recv().unwrap();
    assert_eq!(woken.wakes(), 1);
    let permits = ready(poll_once(many.as_mut())).unwrap();
    assert_eq!(permits.len(), 3);
    assert!(poll_once(one.as_mut()).is_pending());
    for (permit, v) in permits.zip(1..) {
        permit.send(v);
    }
    assert_eq!(rx.try_recv(), Ok(1));
    // The freed slot goes to the single reserve, next in line.
    let permit = ready(poll_once(one.as_mut())).unwrap();
    permit.send(4);
    let mut got = Vec::new();
    while let Ok(v) = rx.try_recv() {
        got.push(v);
    }
    assert_eq!(got, [2, 3, 4]);
}

#[test]
fn a_dropped_reserve_many_future_gives_back_what_it_was_handed() {
    let (tx, mut rx) = mpsc::channel(2);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    {
        let mut many = pin!(tx.reserve_many(2));
        assert!(poll_once(many.as_mut()).is_pending());
        rx.try_recv().unwrap();
        rx.try_recv().unwrap();
        // Granted both, never polled again: dropped here.
    }
    assert_eq!(tx.capacity(), 2);
    tx.try_send(3).unwrap();
    tx.try_send(4).unwrap();
}

#[test]
fn an_unused_permit_iterator_gives_back_the_rest_when_dropped() {
    let (tx, mut rx) = mpsc::channel(4);
    let mut permits = tx.try_reserve_many(4).unwrap();
    assert_eq!(tx.capacity(), 0);
    permits.next().unwrap().send('a');
    drop(permits.next().unwrap());
    assert_eq!(tx.capacity(), 1);
    drop(permits);
    assert_eq!(tx.capacity(), 3);
    assert_eq!(rx.try_recv(), Ok('a'));
    assert_eq!(tx.capacity(), 4);
}

#[test]
fn reserve_many_refuses_what_could_never_fit_and_a_closed_channel() {
    let (tx, mut rx) = mpsc::channel::<u8>(2);
    assert!(block_on(tx.reserve_many(3)).is_err());
    assert_eq!(tx.try_reserve_many(3).unwrap_err(), TrySendError::Full(()));
    assert_eq!(block_on(tx.reserve_many(0)).unwrap().len(), 0);
    rx.close();
    assert!(block_on(tx.reserve_many(0)).is_err());
    assert!(block_on(tx.reserve_many(1)).is_err());
    assert_eq!(
        tx.try_reserve_many(1).unwrap_err(),
        TrySendError::Closed(())
    );
}

#[test]
fn closing_fails_a_waiting_reserve_many_and_the_receiver_ends() {
    let (tx, mut rx) = mpsc::channel::<u8>(2);
    tx.try_send(1).unwrap();
    let mut many = pin!(tx.reserve_many(2));
    assert!(poll_once(many.as_mut()).is_pending());
    rx.close();
    assert!(ready(poll_once(many.as_mut())).is_err());
    assert_eq!(rx.try_recv(), Ok(1));
    assert!(rx.try_recv().is_err(), "nothing left in flight");
}

#[test]
fn an_owned_permit_sends_from_another_thread_and_hands_the_sender_back() {
    let (tx, mut rx) = mpsc::channel(1);
    let permit = block_on(tx.clone().reserve_owned()).unwrap();
    assert!(permit.same_channel(&tx));
    assert_eq!(tx.capacity(), 0);
    let back = std::thread::spawn(move || permit.send(7)).join().unwrap();
    assert!(back.same_channel(&tx));
    assert_eq!(block_on(rx.recv()), Some(7));
    drop((back, tx));
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn a_dropped_owned_permit_gives_its_slot_back_to_a_waiting_sender() {
    let (tx, mut rx) = mpsc::channel(1);
    let permit = tx.clone().try_reserve_owned().unwrap();
    let (woken, waker) = counting_waker();
    let mut send = pin!(tx.send(5));
    assert!(poll_with(send.as_mut(), &waker).is_pending());
    drop(permit);
    assert_eq!(woken.wakes(), 1);
    ready(poll_once(send.as_mut())).unwrap();
    assert_eq!(rx.try_recv(), Ok(5));
}

#[test]
fn try_reserve_owned_returns_the_sender_inside_the_error() {
    let (tx, rx) = mpsc::channel::<u8>(1);
    let held = tx.clone().try_reserve_owned().unwrap();
    let TrySendError::Full(tx) = tx.try_reserve_owned().unwrap_err() else {
        panic!("the channel is full, not closed");
    };
    let back = held.release();
    assert!(back.same_channel(&tx));
    assert!(tx.try_reserve_owned().is_ok(), "the slot came back");
    drop(rx);
    match back.try_reserve_owned() {
        Err(TrySendError::Closed(tx)) => assert!(tx.is_closed()),
        _ => panic!("the receiver is gone"),
    }
}

#[test]
fn an_owned_permit_still_sends_after_the_receiver_closed() {
    let (tx, mut rx) = mpsc::channel(1);
    let permit = tx.try_reserve_owned().unwrap();
    rx.close();
    // The receiver waits for the outstanding permit before it ends.
    {
        let mut recv = pin!(rx.recv());
        assert!(poll_once(recv.as_mut()).is_pending());
        drop(permit.send(1));
        assert_eq!(ready(poll_once(recv.as_mut())), Some(1));
    }
    assert_eq!(block_on(rx.recv()), None);
}
