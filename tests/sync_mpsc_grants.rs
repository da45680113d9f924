//! `magpie::sync::mpsc`, bounded: what a waiting `send` or `reserve` that
//! was handed a slot, but has not been polled since, may still do — after
//! the receiver closes, and while the receiver has later values to take.

#[path = "support/sync_poll.rs"]
mod support;

use magpie::sync::mpsc::{self, error::SendError, error::TryRecvError};
use std::future::Future;
use std::pin::{pin, Pin};
use support::{poll_once, ready};

/// A full channel of capacity 2 holding `[1, 2]`.
fn full_channel_of_two() -> (mpsc::Sender<i32>, mpsc::Receiver<i32>) {
    let (tx, rx) = mpsc::channel(2);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    (tx, rx)
}

/// On a `full_channel_of_two`: a send of 3 queues, is handed the position
/// the receiver frees (it takes 1, then 2), is not polled again, and 4 is
/// sent behind that position. Returns the send.
fn a_send_of_3_handed_a_position_with_4_behind<'a>(
    tx: &'a mpsc::Sender<i32>,
    rx: &mut mpsc::Receiver<i32>,
) -> Pin<Box<impl Future<Output = Result<(), SendError<i32>>> + 'a>> {
    let mut held = Box::pin(tx.send(3));
    assert!(poll_once(held.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // the freed slot goes to `held`
    assert_eq!(rx.try_recv(), Ok(2));
    tx.try_send(4).unwrap();
    held
}

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

#[test]
fn the_receiver_takes_later_values_past_a_send_handed_a_position_and_never_polled() {
    let (tx, mut rx) = full_channel_of_two();
    let mut held = a_send_of_3_handed_a_position_with_4_behind(&tx, &mut rx);
    // tokio delivers 4 here; the position handed to `held` must not stall it.
    assert_eq!(rx.try_recv(), Ok(4));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    // `held` kept its slot: it sends when polled, after the later value.
    ready(poll_once(held.as_mut())).unwrap();
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(tx.capacity(), 2);
}

#[test]
fn a_send_whose_position_was_taken_back_keeps_its_turn_before_later_waiters() {
    let (tx, mut rx) = full_channel_of_two();
    let mut first = pin!(tx.send(3));
    assert!(poll_once(first.as_mut()).is_pending());
    let mut second = pin!(tx.send(4));
    assert!(poll_once(second.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // a position for `first`
    assert_eq!(rx.try_recv(), Ok(2)); // the next one for `second`
    ready(poll_once(second.as_mut())).unwrap();
    // `first` has not written: the receiver takes its position back and
    // goes on to `second`'s value.
    assert_eq!(rx.try_recv(), Ok(4));
    // `first` still holds one of the two slots: fill the other, so that a
    // third send queues. `first` does not queue behind it.
    tx.try_send(5).unwrap();
    let mut third = pin!(tx.send(6));
    assert!(poll_once(third.as_mut()).is_pending());
    ready(poll_once(first.as_mut())).unwrap();
    assert!(poll_once(third.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(5));
    assert_eq!(rx.try_recv(), Ok(3));
    ready(poll_once(third.as_mut())).unwrap();
    assert_eq!(rx.try_recv(), Ok(6));
    assert_eq!(tx.capacity(), 2);
}

#[test]
fn dropping_a_send_whose_position_was_taken_back_passes_its_slot_to_the_next_waiter() {
    let (tx, mut rx) = full_channel_of_two();
    let held = a_send_of_3_handed_a_position_with_4_behind(&tx, &mut rx);
    assert_eq!(rx.try_recv(), Ok(4)); // `held`'s position was taken back
    tx.try_send(5).unwrap();
    let mut next = pin!(tx.send(6));
    assert!(poll_once(next.as_mut()).is_pending());
    drop(held);
    ready(poll_once(next.as_mut())).unwrap();
    assert_eq!(rx.try_recv(), Ok(5));
    assert_eq!(rx.try_recv(), Ok(6));
    assert_eq!(tx.capacity(), 2);
}

#[test]
fn after_close_the_receiver_drains_past_an_unpolled_send_then_ends_when_it_gives_up() {
    let (tx, mut rx) = full_channel_of_two();
    let mut held = a_send_of_3_handed_a_position_with_4_behind(&tx, &mut rx);
    rx.close();
    assert_eq!(rx.try_recv(), Ok(4));
    // `held` still counts as in flight until it is polled (or dropped).
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(ready(poll_once(held.as_mut())).unwrap_err().0, 3);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn a_task_holding_an_unpolled_send_does_not_stall_other_senders_on_a_runtime() {
    // The shape of the report: a task races a send against something else
    // and keeps the losing send future; another task's values must still
    // reach the receiver.
    let rt = magpie::Runtime::new().unwrap();
    rt.block_on(async {
        let (tx, mut rx) = mpsc::channel(2);
        tx.send(1).await.unwrap();
        tx.send(2).await.unwrap();
        let mut held = pin!(tx.send(3));
        assert!(futures::poll!(held.as_mut()).is_pending());
        let other = tx.clone();
        let producer = magpie::spawn(async move {
            for v in 10..20 {
                other.send(v).await.unwrap();
            }
        });
        let mut got = Vec::new();
        let collect = async {
            while got.len() < 12 {
                got.push(rx.recv().await.unwrap());
            }
        };
        magpie::time::timeout(std::time::Duration::from_secs(10), collect)
            .await
            .expect("the receiver stalled behind the unpolled send");
        producer.await.unwrap();
        held.await.unwrap();
        assert_eq!(rx.recv().await, Some(3));
        assert_eq!(got[..2], [1, 2]);
        assert_eq!(got[2..], (10..20).collect::<Vec<_>>()[..]);
    });
}
