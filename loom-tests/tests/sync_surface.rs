#![cfg(loom)]
//! The newer sync surface where it races: a blocking receive against a
//! send, a weak sender's upgrade against the last sender's drop, split
//! permits released on two threads, a `notify_last` handed to a waiter that
//! is being dropped, `reserve_many` against the receiver freeing slots, and
//! broadcast's `closed` against the last receiver's drop.

use loom::future::block_on;
use loom::thread;
use magpie::sync::{broadcast, mpsc, Notify, Semaphore};
use std::pin::pin;

#[test]
fn blocking_recv_gets_a_value_sent_from_another_thread() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let t = thread::spawn(move || tx.try_send(7).unwrap());
        assert_eq!(rx.blocking_recv(), Some(7));
        t.join().unwrap();
        assert_eq!(rx.blocking_recv(), None);
    });
}

#[test]
fn blocking_recv_sees_the_end_when_the_last_sender_drops() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
        let t = thread::spawn(move || drop(tx));
        assert_eq!(rx.blocking_recv(), None);
        t.join().unwrap();
    });
}

#[test]
fn an_upgrade_racing_the_last_senders_drop_never_revives_the_channel() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(2);
        let weak = tx.downgrade();
        let t = thread::spawn(move || match weak.upgrade() {
            Some(tx) => {
                tx.try_send(1).unwrap();
                true
            }
            None => false,
        });
        drop(tx);
        // Either the upgrade won (its value arrives, then the end) or it
        // lost (the end at once); never a hang, never a lost value.
        let got = rx.blocking_recv();
        let upgraded = t.join().unwrap();
        match got {
            Some(v) => {
                assert!(upgraded);
                assert_eq!(v, 1);
                assert_eq!(rx.blocking_recv(), None);
            }
            None => assert!(!upgraded),
        }
    });
}

#[test]
fn split_permits_released_on_two_threads_reach_a_waiter() {
    loom::model(|| {
        let sem = std::sync::Arc::new(Semaphore::new(2));
        let mut a = sem.clone().try_acquire_many_owned(2).unwrap();
        let b = a.split(1).unwrap();
        let t = thread::spawn(move || drop(b));
        let s2 = sem.clone();
        let u = thread::spawn(move || drop(a));
        let all = block_on(s2.acquire_many(2)).unwrap();
        assert_eq!(all.num_permits(), 2);
        t.join().unwrap();
        u.join().unwrap();
    });
}

#[test]
fn a_notify_last_given_to_a_dropped_waiter_reaches_the_older_one() {
    loom::model(|| {
        let notify = std::sync::Arc::new(Notify::new());
        let mut older = Box::pin(notify.clone().notified_owned());
        let mut newer = Box::pin(notify.clone().notified_owned());
        older.as_mut().enable();
        newer.as_mut().enable();
        let n2 = notify.clone();
        let t = thread::spawn(move || n2.notify_last());
        drop(newer);
        block_on(older);
        t.join().unwrap();
    });
}

#[test]
fn reserve_many_completes_once_the_receiver_frees_enough() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(2);
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        let t = thread::spawn(move || {
            assert_eq!(rx.try_recv(), Ok(1));
            assert_eq!(rx.try_recv(), Ok(2));
            rx
        });
        let permits = block_on(tx.reserve_many(2)).unwrap();
        assert_eq!(permits.len(), 2);
        for (p, v) in permits.zip(3..) {
            p.send(v);
        }
        let mut rx = t.join().unwrap();
        assert_eq!(rx.try_recv(), Ok(3));
        assert_eq!(rx.try_recv(), Ok(4));
    });
}

#[test]
fn broadcast_closed_sees_the_last_receiver_drop() {
    loom::model(|| {
        let (tx, rx) = broadcast::channel::<u8>(1);
        let t = thread::spawn(move || drop(rx));
        block_on(tx.closed());
        assert_eq!(tx.receiver_count(), 0);
        t.join().unwrap();
    });
}

#[test]
fn a_waiting_reserve_many_is_turned_away_by_a_close() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        tx.try_send(1).unwrap();
        let t = thread::spawn(move || {
            rx.close();
            rx
        });
        {
            let many = pin!(tx.reserve_many(1));
            // Either the close came first, or the slot never freed: fails.
            assert!(block_on(many).is_err());
        }
        let mut rx = t.join().unwrap();
        assert_eq!(rx.try_recv(), Ok(1));
        assert!(rx.try_recv().is_err());
    });
}
