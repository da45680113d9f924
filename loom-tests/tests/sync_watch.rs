#![cfg(loom)]
//! watch: no change missed, close seen.

use loom::future::block_on;
use loom::thread;
use magpie::sync::watch;

#[test]
fn a_send_racing_changed_is_never_missed() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0);
        let t = thread::spawn(move || {
            tx.send(1).unwrap();
            tx
        });
        block_on(rx.changed()).unwrap();
        assert_eq!(*rx.borrow(), 1);
        drop(t.join().unwrap());
    });
}

#[test]
fn the_senders_drop_ends_changed() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0);
        let t = thread::spawn(move || drop(tx));
        assert!(block_on(rx.changed()).is_err());
        t.join().unwrap();
    });
}
