#![cfg(loom)]
//! mpsc: no message lost or duplicated, back-pressure hand-off, close races.

use loom::future::block_on;
use loom::thread;
use magpie::sync::mpsc;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Polls `fut` once with a waker that does nothing; it must be pending
/// (queued, or parked at a `yield_once`), to be finished elsewhere.
fn poll_pending<F: Future + ?Sized>(fut: Pin<&mut F>) {
    let mut cx = Context::from_waker(Waker::noop());
    assert!(fut.poll(&mut cx).is_pending());
}

/// Pending on its first poll (without a wake-up), ready on the next: a
/// test polls an async block up to this point with `poll_pending`, then
/// hands the rest to another thread.
async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|_| {
        if std::mem::replace(&mut yielded, true) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await
}

#[test]
fn bounded_two_senders_one_slot_every_message_arrives_once() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let tx2 = tx.clone();
        let t1 = thread::spawn(move || block_on(tx.send(1)).unwrap());
        let t2 = thread::spawn(move || block_on(tx2.send(2)).unwrap());
        let mut got = vec![block_on(rx.recv()).unwrap(), block_on(rx.recv()).unwrap()];
        got.sort();
        assert_eq!(got, [1, 2]);
        t1.join().unwrap();
        t2.join().unwrap();
        assert_eq!(block_on(rx.recv()), None);
    });
}

#[test]
fn unbounded_values_from_two_threads_all_arrive_then_none() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let tx2 = tx.clone();
        let t = thread::spawn(move || {
            tx2.send(1).unwrap();
        });
        tx.send(2).unwrap();
        drop(tx);
        let mut sum = 0;
        while let Some(v) = block_on(rx.recv()) {
            sum += v;
        }
        assert_eq!(sum, 3);
        t.join().unwrap();
    });
}

/// The send either is refused and hands the very value back, or is
/// accepted and the value is dropped (by the receiver's final drain or by
/// the send finding the receiver gone) by the time both are done. The
/// sender stays alive, so nothing else frees the buffer.
#[test]
fn a_send_racing_the_receivers_drop_either_arrives_or_comes_back() {
    loom::model(|| {
        let value = std::sync::Arc::new(());
        let (tx, rx) = mpsc::channel(1);
        let sent = value.clone();
        let t = thread::spawn(move || {
            let res = block_on(tx.send(sent)).map_err(|e| e.0);
            (res, tx)
        });
        drop(rx);
        let (res, tx) = t.join().unwrap();
        match res {
            Ok(()) => assert_eq!(std::sync::Arc::strong_count(&value), 1, "value kept alive"),
            Err(back) => assert!(
                std::sync::Arc::ptr_eq(&back, &value),
                "another value came back"
            ),
        }
        drop(tx);
    });
}

#[test]
fn a_waiting_sender_gets_its_value_back_when_the_receiver_closes() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(1).unwrap();
        let t = thread::spawn(move || block_on(tx.send(2)).map_err(|e| e.0));
        rx.close();
        let res = t.join().unwrap();
        assert_eq!(block_on(rx.recv()), Some(1));
        match res {
            Ok(()) => panic!("the send waited for a slot that closing removed"),
            Err(v) => assert_eq!(v, 2),
        }
    });
}

#[test]
fn the_receiver_wakes_for_a_send_from_another_thread() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let t = thread::spawn(move || tx.send(5).unwrap());
        assert_eq!(block_on(rx.recv()), Some(5));
        t.join().unwrap();
    });
}

#[test]
fn an_unbounded_send_racing_close_is_received_or_handed_back_never_lost() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let t = thread::spawn(move || tx.send(1).is_ok());
        rx.close();
        let sent = t.join().unwrap();
        // An accepted send is still buffered after the close; a refused
        // one left nothing behind.
        assert_eq!(rx.try_recv().is_ok(), sent);
    });
}

#[test]
fn a_bounded_send_racing_close_is_delivered_or_refused_never_lost() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let t = thread::spawn(move || match block_on(tx.reserve()) {
            Ok(permit) => {
                permit.send(1);
                true
            }
            Err(_) => false,
        });
        rx.close();
        let got = block_on(rx.recv()).is_some();
        assert_eq!(got, t.join().unwrap());
    });
}

#[test]
fn an_unbounded_send_racing_close_is_delivered_to_a_waiting_receiver() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let t = thread::spawn(move || tx.send(1).is_ok());
        rx.close();
        let got = block_on(rx.recv()).is_some();
        assert_eq!(got, t.join().unwrap());
    });
}

/// The "receiver is waiting" flag: senders skip the wake while it is clear,
/// so each of two receives must still see each send (a receiver that goes
/// to sleep between them, and one that clears the flag after a value).
#[test]
fn a_bounded_receiver_waiting_twice_is_woken_for_each_send() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(2);
        let t = thread::spawn(move || {
            block_on(tx.send(1)).unwrap();
            block_on(tx.send(2)).unwrap();
            // Keep the channel open: only the sends may wake the receiver.
            tx
        });
        assert_eq!(block_on(rx.recv()), Some(1));
        assert_eq!(block_on(rx.recv()), Some(2));
        drop(t.join().unwrap());
    });
}

#[test]
fn an_unbounded_receiver_is_woken_by_either_of_two_senders() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let tx2 = tx.clone();
        let t1 = thread::spawn(move || {
            tx.send(1).unwrap();
            tx
        });
        let t2 = thread::spawn(move || {
            tx2.send(2).unwrap();
            tx2
        });
        let a = block_on(rx.recv()).unwrap();
        let b = block_on(rx.recv()).unwrap();
        assert_eq!(a + b, 3);
        drop(t1.join().unwrap());
        drop(t2.join().unwrap());
    });
}

/// The ring enforces the capacity; a sender that found it full queues and
/// sets `senders_waiting`, and the receiver checks that flag after freeing
/// a slot (a fence on each side). The receiver here frees one slot and then
/// never receives again: the sender must still get it.
#[test]
fn a_sender_queued_on_a_full_ring_gets_the_slot_a_single_receive_frees() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(1).unwrap();
        let t = thread::spawn(move || {
            block_on(tx.send(2)).unwrap();
            // Keep the channel open: only the grant may let us finish.
            tx
        });
        assert_eq!(block_on(rx.recv()), Some(1));
        let tx = t.join().unwrap();
        assert_eq!(rx.try_recv(), Ok(2));
        drop(tx);
    });
}

/// A reservation turns the ring's fast path off and is counted under the
/// lock; a fast-path send racing it must never overfill the one slot (a
/// reserved push asserts its slot is free) and both values arrive.
#[test]
fn a_reservation_racing_a_fast_path_send_never_overfills_the_ring() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let tx2 = tx.clone();
        let t1 = thread::spawn(move || {
            let permit = block_on(tx2.reserve()).unwrap();
            permit.send(1);
        });
        let t2 = thread::spawn(move || block_on(tx.send(2)).unwrap());
        let mut got = vec![block_on(rx.recv()).unwrap(), block_on(rx.recv()).unwrap()];
        got.sort();
        assert_eq!(got, [1, 2]);
        t1.join().unwrap();
        t2.join().unwrap();
        assert_eq!(block_on(rx.recv()), None);
    });
}

/// A send that queued on a full channel and is dropped, possibly after the
/// receiver granted it the freed slot, passes the slot on: the other
/// waiting sender still gets in.
#[test]
fn a_dropped_send_passes_its_granted_slot_to_the_next_waiter() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(0).unwrap();
        let tx2 = tx.clone();
        let t1 = thread::spawn(move || {
            let mut send = Box::pin(tx2.send(1));
            let mut cx = Context::from_waker(Waker::noop());
            send.as_mut().poll(&mut cx).is_ready()
        });
        let t2 = thread::spawn(move || block_on(tx.send(2)).unwrap());
        assert_eq!(block_on(rx.recv()), Some(0));
        if t1.join().unwrap() {
            assert_eq!(block_on(rx.recv()), Some(1));
        }
        assert_eq!(block_on(rx.recv()), Some(2));
        t2.join().unwrap();
    });
}

/// A waiting send granted a position and then dropped, racing a later
/// fast-path send and the receiver: its position is passed on, undone or
/// published empty (the receiver steps over it); every value that was sent
/// arrives exactly once, and the end is still seen.
#[test]
fn a_granted_send_dropped_among_later_sends_loses_and_duplicates_nothing() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(2);
        tx.try_send(0).unwrap();
        tx.try_send(9).unwrap();
        let tx2 = tx.clone();
        let t1 = thread::spawn(move || {
            let mut send = Box::pin(tx2.send(1));
            let mut cx = Context::from_waker(Waker::noop());
            send.as_mut().poll(&mut cx).is_ready()
        });
        let t2 = thread::spawn(move || block_on(tx.send(2)).unwrap());
        let mut got = vec![block_on(rx.recv()).unwrap(), block_on(rx.recv()).unwrap()];
        let sent1 = t1.join().unwrap();
        got.push(block_on(rx.recv()).unwrap());
        if sent1 {
            got.push(block_on(rx.recv()).unwrap());
        }
        t2.join().unwrap();
        assert_eq!(block_on(rx.recv()), None);
        got.sort();
        let mut want = vec![0, 2, 9];
        if sent1 {
            want.push(1);
        }
        want.sort();
        assert_eq!(got, want);
    });
}

/// A send of the value 1 (or a reserve then a send), pending on the
/// channel of `rx` and handed a slot, finished on another thread while the
/// receiver closes: its value is received, or it fails and hands its slot
/// back; the receiver reaches the end either way. And if the close was
/// over before that poll began, it fails (tokio: a send or reserve that
/// has not completed fails once the receiver closed).
fn a_grant_racing_close_is_delivered_or_handed_back(
    mut rx: mpsc::Receiver<i32>,
    send: Pin<Box<dyn Future<Output = Result<(), i32>> + Send>>,
) {
    use loom::sync::atomic::{AtomicBool, Ordering};
    let closed = loom::sync::Arc::new(AtomicBool::new(false));
    let closed2 = closed.clone();
    let t = thread::spawn(move || {
        let closed_before = closed2.load(Ordering::SeqCst);
        let res = block_on(send);
        match res {
            Ok(()) => assert!(!closed_before, "a send completed after close"),
            Err(v) => assert_eq!(v, 1),
        }
        res.is_ok()
    });
    rx.close();
    closed.store(true, Ordering::SeqCst);
    let got = block_on(rx.recv()).is_some();
    assert_eq!(got, t.join().unwrap());
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn a_granted_reserve_racing_close_sends_or_fails_and_the_receiver_ends() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(0).unwrap();
        let mut reserve: Pin<Box<dyn Future<Output = _> + Send>> = Box::pin(async move {
            let permit = tx.reserve().await.map_err(|_| 1)?;
            permit.send(1);
            Ok(())
        });
        poll_pending(reserve.as_mut());
        assert_eq!(rx.try_recv(), Ok(0)); // the freed slot goes to `reserve`
        a_grant_racing_close_is_delivered_or_handed_back(rx, reserve);
    });
}

#[test]
fn a_granted_send_racing_close_is_delivered_or_handed_back() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(0).unwrap();
        let mut send: Pin<Box<dyn Future<Output = _> + Send>> =
            Box::pin(async move { tx.send(1).await.map_err(|e| e.0) });
        poll_pending(send.as_mut());
        assert_eq!(rx.try_recv(), Ok(0)); // the freed slot goes to `send`
        a_grant_racing_close_is_delivered_or_handed_back(rx, send);
    });
}

/// A full channel of capacity 2 (`[0, 9]`) and a send of 1 queued on it,
/// then handed the position the receiver frees (`0` taken), the receiver
/// taking `9` too and a value `2` claimed behind that position: the state
/// in which the receiver takes the position back when it next receives.
/// Returns the channel and the polled send future (which owns a sender).
#[allow(clippy::type_complexity)]
fn a_handed_send_with_a_value_behind_it() -> (
    mpsc::Sender<i32>,
    mpsc::Receiver<i32>,
    Pin<Box<dyn Future<Output = Result<(), i32>> + Send>>,
) {
    let (tx, mut rx) = mpsc::channel(2);
    tx.try_send(0).unwrap();
    tx.try_send(9).unwrap();
    let tx2 = tx.clone();
    let mut send: Pin<Box<dyn Future<Output = _> + Send>> =
        Box::pin(async move { tx2.send(1).await.map_err(|e| e.0) });
    poll_pending(send.as_mut());
    assert_eq!(rx.try_recv(), Ok(0)); // the freed slot: a position for `send`
    assert_eq!(rx.try_recv(), Ok(9));
    tx.try_send(2).unwrap(); // claimed behind that position
    (tx, rx, send)
}

/// The handed send, polled on another thread, races the receiver, which
/// finds its position unwritten with a value behind it and takes it back:
/// one CAS each on the position's stamp, so exactly one of them owns it.
/// Both values arrive exactly once, the send's slot is not lost (both are
/// free at the end), and the end is seen.
#[test]
fn a_handed_send_writing_races_the_receiver_taking_its_position_back() {
    loom::model(|| {
        let (tx, mut rx, send) = a_handed_send_with_a_value_behind_it();
        let t = thread::spawn(move || block_on(send).unwrap());
        let mut got = vec![block_on(rx.recv()).unwrap(), block_on(rx.recv()).unwrap()];
        t.join().unwrap();
        got.sort();
        assert_eq!(got, [1, 2]);
        assert_eq!(tx.capacity(), 2);
        drop(tx);
        assert_eq!(block_on(rx.recv()), None);
    });
}

/// The handed send is dropped on another thread while the receiver takes
/// its position back: whichever comes first, the position is published
/// empty or given back, and the slot is not lost (two sends fit again).
#[test]
fn a_handed_send_dropped_while_the_receiver_takes_its_position_back_loses_no_slot() {
    loom::model(|| {
        let (tx, mut rx, send) = a_handed_send_with_a_value_behind_it();
        let t = thread::spawn(move || drop(send));
        assert_eq!(block_on(rx.recv()), Some(2));
        t.join().unwrap();
        tx.try_send(3).unwrap();
        tx.try_send(4).unwrap();
        assert_eq!(rx.try_recv(), Ok(3));
        assert_eq!(rx.try_recv(), Ok(4));
    });
}

/// A send handed a position by another thread (a dropped `Permit`) and
/// never polled does not hold up a value claimed behind it: the receiver
/// sees the position is handed (the mark is stored before anything behind
/// it can wake the receiver) and takes it back.
#[test]
fn a_send_handed_a_position_by_another_thread_and_never_polled_holds_up_nothing() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(2);
        let tx1 = tx.clone();
        // Reserves a slot, lets the main thread go on, then gives the slot
        // back (to the queued send) and sends 5.
        let mut other = Box::pin(async move {
            let permit = tx1.try_reserve().unwrap();
            yield_once().await;
            drop(permit);
            tx1.send(5).await.unwrap();
        });
        poll_pending(other.as_mut());
        tx.try_send(0).unwrap();
        let mut held = Box::pin(tx.send(1));
        poll_pending(held.as_mut());
        let t = thread::spawn(move || block_on(other));
        assert_eq!(block_on(rx.recv()), Some(0));
        assert_eq!(block_on(rx.recv()), Some(5), "held up by the unpolled send");
        t.join().unwrap();
        drop(held);
    });
}

/// As above for a send whose position the receiver took back (it holds a
/// reserved slot instead).
#[test]
fn a_send_whose_position_was_taken_back_racing_close_sends_or_fails() {
    loom::model(|| {
        let (tx, mut rx, send) = a_handed_send_with_a_value_behind_it();
        assert_eq!(rx.try_recv(), Ok(2)); // takes the position back
        drop(tx);
        a_grant_racing_close_is_delivered_or_handed_back(rx, send);
    });
}

/// Runs `other` on another thread while the receiver `rx` drops; `other`
/// sends `value` (a clone) somehow and returns the sender it used, which
/// stays alive. Whether the receiver's drain finds the value, the sender
/// finds the receiver gone and drops it, or the send is refused and the
/// value comes back, it is gone once both are done (it used to stay until
/// the last sender went).
fn no_value_is_left_when_the_receiver_drops_during<S: Send + 'static, R>(
    rx: R,
    value: std::sync::Arc<()>,
    other: impl FnOnce() -> S + Send + 'static,
) {
    let t = thread::spawn(other);
    drop(rx);
    let sender = t.join().unwrap();
    assert_eq!(std::sync::Arc::strong_count(&value), 1, "value kept alive");
    drop(sender);
}

#[test]
fn a_bounded_send_racing_the_receivers_drop_leaves_no_value_behind() {
    loom::model(|| {
        let value = std::sync::Arc::new(());
        let (tx, rx) = mpsc::channel(1);
        let sent = value.clone();
        no_value_is_left_when_the_receiver_drops_during(rx, value, move || {
            let _ = tx.try_send(sent);
            tx
        });
    });
}

#[test]
fn an_unbounded_send_racing_the_receivers_drop_leaves_no_value_behind() {
    loom::model(|| {
        let value = std::sync::Arc::new(());
        let (tx, rx) = mpsc::unbounded_channel();
        let sent = value.clone();
        no_value_is_left_when_the_receiver_drops_during(rx, value, move || {
            let _ = tx.send(sent);
            tx
        });
    });
}

/// Two sends racing the receiver's drop and each other: at most one of the
/// three drains at a time (the first to add a request), and a request that
/// comes during a drain makes it go round again. No value is left behind.
#[test]
fn two_sends_racing_the_receivers_drop_leave_no_value_behind() {
    loom::model(|| {
        let value = std::sync::Arc::new(());
        let (tx, rx) = mpsc::unbounded_channel();
        let spawn_send = |tx: mpsc::UnboundedSender<std::sync::Arc<()>>| {
            let sent = value.clone();
            thread::spawn(move || {
                let _ = tx.send(sent);
                tx
            })
        };
        let t1 = spawn_send(tx.clone());
        let t2 = spawn_send(tx);
        drop(rx);
        let senders = (t1.join().unwrap(), t2.join().unwrap());
        assert_eq!(std::sync::Arc::strong_count(&value), 1, "value kept alive");
        drop(senders);
    });
}

/// A `Permit` taken before the receiver drops sends while the receiver's
/// final drain runs: the drain takes the value, or the sender, finding the
/// receiver gone, drains (or has the running drain go round again). The
/// value is gone once both are done, although the sender still lives.
#[test]
fn a_permit_sending_while_the_receiver_drops_leaves_no_value_behind() {
    loom::model(|| {
        let value = std::sync::Arc::new(());
        let (tx, rx) = mpsc::channel(1);
        let sent = value.clone();
        let mut send = Box::pin(async move {
            let permit = tx.try_reserve().unwrap();
            yield_once().await;
            permit.send(sent);
            tx
        });
        poll_pending(send.as_mut()); // reserved
        no_value_is_left_when_the_receiver_drops_during(rx, value, move || block_on(send));
    });
}

/// A handed send polled while the receiver drops, with a value behind its
/// position: the receiver takes the position back and drains past it, or
/// the send took it first and, finding the receiver closed, gives it up
/// empty and drains what it held up (or writes, if it saw no close, and
/// the drain takes both). No value is left once both are done.
#[test]
fn a_handed_send_giving_up_its_position_as_the_receiver_drops_leaves_no_value_behind() {
    loom::model(|| {
        let value = std::sync::Arc::new(());
        let (tx, mut rx) = mpsc::channel(2);
        tx.try_send(value.clone()).unwrap();
        tx.try_send(value.clone()).unwrap();
        let tx2 = tx.clone();
        let sent = value.clone();
        let mut send = Box::pin(async move {
            let _ = tx2.send(sent).await;
            tx2
        });
        poll_pending(send.as_mut());
        drop(rx.try_recv().unwrap()); // the freed slot: a position for `send`
        drop(rx.try_recv().unwrap());
        tx.try_send(value.clone()).unwrap(); // behind that position
        drop(tx);
        no_value_is_left_when_the_receiver_drops_during(rx, value, move || block_on(send));
    });
}
