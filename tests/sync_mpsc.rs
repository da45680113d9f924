//! `magpie::sync::mpsc`: order, back-pressure, close in every order,
//! cancellation, and no message lost or duplicated under load.

#[path = "support/sync_poll.rs"]
mod support;

use futures::executor::block_on;
use magpie::sync::mpsc::{self, error::TryRecvError, error::TrySendError};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::{counting_waker, poll_once, poll_with, ready};

#[test]
fn values_arrive_in_send_order() {
    let (tx, mut rx) = mpsc::channel(4);
    block_on(async {
        for i in 0..4 {
            tx.send(i).await.unwrap();
        }
        for i in 0..4 {
            assert_eq!(rx.recv().await, Some(i));
        }
    });
}

#[test]
fn a_full_channel_makes_the_sender_wait_until_the_receiver_takes_one() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))));
    let (count, waker) = counting_waker();
    let mut send = pin!(tx.send(2));
    assert!(poll_with(send.as_mut(), &waker).is_pending());
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(count.wakes(), 1);
    ready(poll_once(send.as_mut())).unwrap();
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn the_receiver_drains_everything_after_all_senders_drop() {
    let (tx, mut rx) = mpsc::channel(8);
    let tx2 = tx.clone();
    tx.try_send(1).unwrap();
    tx2.try_send(2).unwrap();
    drop(tx);
    assert!(!rx.is_closed());
    drop(tx2);
    block_on(async {
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, None);
    });
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn dropping_the_last_sender_wakes_a_waiting_receiver() {
    let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
    let (count, waker) = counting_waker();
    let mut recv = pin!(rx.recv());
    assert!(poll_with(recv.as_mut(), &waker).is_pending());
    drop(tx);
    assert_eq!(count.wakes(), 1);
    assert_eq!(ready(poll_once(recv.as_mut())), None);
}

#[test]
fn senders_get_their_value_back_when_the_receiver_is_gone() {
    let (tx, rx) = mpsc::channel(1);
    let (utx, urx) = mpsc::unbounded_channel();
    drop(rx);
    drop(urx);
    assert_eq!(block_on(tx.send(5)).unwrap_err().0, 5);
    assert!(matches!(tx.try_send(6), Err(TrySendError::Closed(6))));
    assert_eq!(utx.send(7).unwrap_err().0, 7);
    assert!(tx.is_closed() && utx.is_closed());
}

#[test]
fn a_sender_waiting_on_a_full_channel_gets_its_value_back_when_the_receiver_drops() {
    let (tx, rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut send = pin!(tx.send(2));
    assert!(poll_once(send.as_mut()).is_pending());
    drop(rx);
    assert_eq!(ready(poll_once(send.as_mut())).unwrap_err().0, 2);
}

#[test]
fn close_stops_sends_but_keeps_buffered_values() {
    let (tx, mut rx) = mpsc::channel(4);
    tx.try_send(1).unwrap();
    rx.close();
    assert!(tx.is_closed());
    assert!(tx.try_send(2).is_err());
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn sender_closed_completes_when_the_receiver_closes_or_drops() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let mut closed = pin!(tx.closed());
    assert!(poll_once(closed.as_mut()).is_pending());
    rx.close();
    ready(poll_once(closed.as_mut()));
    let (utx, urx) = mpsc::unbounded_channel::<u8>();
    let t = std::thread::spawn(move || block_on(utx.closed()));
    drop(urx);
    t.join().unwrap();
}

#[test]
fn dropping_a_send_waiting_on_a_full_channel_loses_no_slot() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut blocked = Box::pin(tx.send(2));
    assert!(poll_once(blocked.as_mut()).is_pending());
    let mut next = pin!(tx.send(3));
    assert!(poll_once(next.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // slot handed to `blocked`
    drop(blocked); // ... which passes it on
    ready(poll_once(next.as_mut())).unwrap();
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(tx.capacity(), 1);
}

#[test]
fn a_granted_send_dropped_with_nobody_behind_it_gives_its_slot_straight_back() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut blocked = Box::pin(tx.send(2));
    assert!(poll_once(blocked.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // the freed slot goes to `blocked`
    assert_eq!(tx.capacity(), 0);
    drop(blocked); // its claim was the last one: undone
    assert_eq!(tx.capacity(), 1);
    tx.try_send(3).unwrap();
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Empty));
}

#[test]
fn a_granted_send_dropped_after_later_sends_leaves_a_gap_the_receiver_steps_over() {
    let (tx, mut rx) = mpsc::channel(3);
    for i in 1..=3 {
        tx.try_send(i).unwrap();
    }
    let mut blocked = Box::pin(tx.send(4));
    assert!(poll_once(blocked.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // the freed slot goes to `blocked`
    assert_eq!(rx.try_recv(), Ok(2));
    tx.try_send(5).unwrap(); // claimed after `blocked`'s position
    drop(blocked); // nothing was sent; its slot is counted until passed
    assert_eq!(tx.capacity(), 0);
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Ok(5));
    assert_eq!(tx.capacity(), 3);
    drop(tx);
    assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected));
}

#[test]
fn a_leaked_permit_does_not_keep_the_receiver_from_the_end() {
    let (tx, mut rx) = mpsc::channel::<u8>(4);
    tx.try_send(1).unwrap();
    std::mem::forget(tx.try_reserve().unwrap());
    drop(tx);
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected));
}

#[test]
fn try_send_after_a_close_with_a_sender_queued_says_closed() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut queued = Box::pin(tx.send(2));
    assert!(poll_once(queued.as_mut()).is_pending());
    rx.close();
    assert!(matches!(
        tx.try_send(3),
        Err(mpsc::error::TrySendError::Closed(3))
    ));
    assert!(matches!(
        tx.try_reserve(),
        Err(mpsc::error::TrySendError::Closed(()))
    ));
    assert_eq!(ready(poll_once(queued.as_mut())).unwrap_err().0, 2);
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn a_dropped_granted_send_never_reorders_another_senders_messages() {
    // From review: handing the dropped send's position to the next waiter
    // put that waiter's second value before its first.
    let (tx, mut rx) = mpsc::channel(2);
    tx.try_send(0).unwrap();
    tx.try_send(9).unwrap();
    let other = tx.clone();
    let mut a = Box::pin(other.send(1));
    assert!(poll_once(a.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(0)); // the freed slot goes to `a`
    assert_eq!(rx.try_recv(), Ok(9));
    futures::executor::block_on(tx.send(100)).unwrap();
    let mut b = Box::pin(tx.send(200));
    assert!(poll_once(b.as_mut()).is_pending());
    drop(a);
    assert_eq!(rx.try_recv(), Ok(100));
    ready(poll_once(b.as_mut())).unwrap();
    assert_eq!(rx.try_recv(), Ok(200));
}

#[test]
fn values_behind_a_leaked_send_are_received_once_every_sender_is_gone() {
    let (tx, mut rx) = mpsc::channel(3);
    for i in 1..=3 {
        tx.try_send(i).unwrap();
    }
    let mut leaked = Box::pin(tx.send(4));
    assert!(poll_once(leaked.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1)); // the freed slot goes to `leaked`
    std::mem::forget(leaked);
    assert_eq!(rx.try_recv(), Ok(2));
    tx.try_send(5).unwrap(); // placed behind the leaked position
    drop(tx);
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Ok(5));
    assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected));
}

#[test]
fn dropping_a_recv_mid_wait_loses_no_message() {
    let (tx, mut rx) = mpsc::channel(2);
    {
        let mut recv = pin!(rx.recv());
        assert!(poll_once(recv.as_mut()).is_pending());
    }
    tx.try_send(9).unwrap();
    assert_eq!(rx.try_recv(), Ok(9));
}

#[test]
fn an_unused_reserved_slot_goes_back() {
    let (tx, mut rx) = mpsc::channel(1);
    let permit = block_on(tx.reserve()).unwrap();
    assert!(tx.try_send(1).is_err());
    drop(permit);
    tx.try_send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn weak_senders_do_not_keep_the_channel_open() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let weak = tx.downgrade();
    let strong = weak.upgrade().unwrap();
    assert_eq!(tx.strong_count(), 2);
    drop(strong);
    drop(tx);
    assert!(weak.upgrade().is_none());
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn recv_many_takes_up_to_the_limit() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..5 {
        tx.send(i).unwrap();
    }
    let mut buf = Vec::new();
    assert_eq!(block_on(rx.recv_many(&mut buf, 3)), 3);
    assert_eq!(block_on(rx.recv_many(&mut buf, 10)), 2);
    assert_eq!(buf, [0, 1, 2, 3, 4]);
    drop(tx);
    assert_eq!(block_on(rx.recv_many(&mut buf, 10)), 0);
}

#[test]
fn receivers_are_streams() {
    use futures::StreamExt;
    let (tx, rx) = mpsc::channel(3);
    for i in 0..3 {
        tx.try_send(i).unwrap();
    }
    drop(tx);
    assert_eq!(block_on(rx.collect::<Vec<_>>()), [0, 1, 2]);
}

#[test]
fn values_left_in_a_dropped_channel_are_dropped_once() {
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel(4);
    let (utx, urx) = mpsc::unbounded_channel();
    for _ in 0..3 {
        tx.try_send(Counted(drops.clone())).unwrap();
        utx.send(Counted(drops.clone())).unwrap();
    }
    drop(rx);
    drop(urx);
    assert_eq!(drops.load(Ordering::SeqCst), 6);
    drop((tx, utx));
    assert_eq!(drops.load(Ordering::SeqCst), 6);
}

const PRODUCERS: u64 = 8;
const PER_PRODUCER: u64 = 100_000;

fn check_every_message_once(got: Vec<u64>) {
    assert_eq!(got.len() as u64, PRODUCERS * PER_PRODUCER);
    let mut next = vec![0u64; PRODUCERS as usize];
    for v in got {
        let (p, i) = ((v / PER_PRODUCER) as usize, v % PER_PRODUCER);
        // Per-producer FIFO also rules out loss and duplication.
        assert_eq!(next[p], i, "producer {p} out of order");
        next[p] += 1;
    }
}

#[test]
fn eight_producers_lose_and_duplicate_nothing_on_a_bounded_channel() {
    let (tx, mut rx) = mpsc::channel(1024);
    for p in 0..PRODUCERS {
        let tx = tx.clone();
        std::thread::spawn(move || {
            block_on(async {
                for i in 0..PER_PRODUCER {
                    tx.send(p * PER_PRODUCER + i).await.unwrap();
                }
            })
        });
    }
    drop(tx);
    let got = block_on(async {
        let mut got = Vec::new();
        while let Some(v) = rx.recv().await {
            got.push(v);
        }
        got
    });
    check_every_message_once(got);
}

#[test]
fn eight_producers_lose_and_duplicate_nothing_on_an_unbounded_channel() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for p in 0..PRODUCERS {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for i in 0..PER_PRODUCER {
                tx.send(p * PER_PRODUCER + i).unwrap();
            }
        });
    }
    drop(tx);
    let got = block_on(async {
        let mut got = Vec::new();
        let mut buf = Vec::with_capacity(256);
        while rx.recv_many(&mut buf, 256).await > 0 {
            got.append(&mut buf);
        }
        got
    });
    check_every_message_once(got);
}

#[test]
fn error_types_display_like_tokio() {
    use magpie::sync::mpsc::error::SendError;
    assert_eq!(SendError(1).to_string(), "channel closed");
    assert_eq!(TrySendError::Full(1).to_string(), "no available capacity");
    assert_eq!(TrySendError::Closed(1).to_string(), "channel closed");
    assert_eq!(
        TryRecvError::Empty.to_string(),
        "receiving on an empty channel"
    );
    let _: &dyn std::error::Error = &TryRecvError::Disconnected;
}

#[test]
fn a_value_sent_through_a_slot_reserved_before_close_is_still_received() {
    let (tx, mut rx) = mpsc::channel(2);
    let permit = tx.try_reserve().unwrap();
    rx.close();
    let (count, waker) = counting_waker();
    {
        let mut recv = pin!(rx.recv());
        assert!(poll_with(recv.as_mut(), &waker).is_pending());
        permit.send(7);
        assert_eq!(count.wakes(), 1);
        assert_eq!(ready(poll_once(recv.as_mut())), Some(7));
    }
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn dropping_a_slot_reserved_before_close_lets_the_receiver_finish() {
    let (tx, mut rx) = mpsc::channel::<u8>(2);
    let permit = tx.try_reserve().unwrap();
    rx.close();
    let (count, waker) = counting_waker();
    let mut recv = pin!(rx.recv());
    assert!(poll_with(recv.as_mut(), &waker).is_pending());
    drop(permit);
    assert_eq!(count.wakes(), 1);
    assert_eq!(ready(poll_once(recv.as_mut())), None);
}

#[test]
fn close_in_every_order_ends_with_everything_accepted_received() {
    // senders drop, then receiver closes
    let (tx, mut rx) = mpsc::channel(2);
    tx.try_send(1).unwrap();
    drop(tx);
    rx.close();
    assert_eq!(block_on(rx.recv()), Some(1));
    assert_eq!(block_on(rx.recv()), None);
    // receiver closes, then senders drop
    let (tx, mut rx) = mpsc::unbounded_channel();
    tx.send(1).unwrap();
    rx.close();
    assert!(tx.send(2).is_err());
    drop(tx);
    assert_eq!(block_on(rx.recv()), Some(1));
    assert_eq!(block_on(rx.recv()), None);
    // receiver drops, then senders try
    let (tx, rx) = mpsc::channel(2);
    tx.try_send(1).unwrap();
    drop(rx);
    assert!(tx.try_send(2).is_err());
    assert!(block_on(tx.reserve()).is_err());
}
