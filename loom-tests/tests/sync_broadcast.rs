#![cfg(loom)]
//! broadcast: every receiver gets the value, or learns it lagged.

use loom::future::block_on;
use loom::thread;
use magpie::sync::broadcast;

#[test]
fn two_receivers_on_two_threads_both_get_the_value() {
    loom::model(|| {
        let (tx, mut a) = broadcast::channel(1);
        let mut b = tx.subscribe();
        let t = thread::spawn(move || block_on(b.recv()).unwrap());
        tx.send(3).unwrap();
        assert_eq!(block_on(a.recv()), Ok(3));
        assert_eq!(t.join().unwrap(), 3);
    });
}

#[test]
fn the_last_sender_dropping_ends_a_waiting_receiver() {
    loom::model(|| {
        let (tx, mut rx) = broadcast::channel::<u8>(1);
        let t = thread::spawn(move || drop(tx));
        assert!(block_on(rx.recv()).is_err());
        t.join().unwrap();
    });
}
