#![cfg(loom)]
//! Notify: no lost notify_one, notify_waiters reaches futures created before it.

use loom::future::block_on;
use loom::sync::Arc;
use loom::thread;
use magpie::sync::Notify;

#[test]
fn notify_one_before_or_after_waiting_is_never_lost() {
    loom::model(|| {
        let notify = Arc::new(Notify::new());
        let n2 = notify.clone();
        let t = thread::spawn(move || n2.notify_one());
        block_on(notify.notified());
        t.join().unwrap();
    });
}

#[test]
fn notify_waiters_completes_a_future_created_before_it() {
    loom::model(|| {
        let notify = Arc::new(Notify::new());
        let n2 = notify.clone();
        let fut = notify.notified();
        let t = thread::spawn(move || n2.notify_waiters());
        block_on(fut);
        t.join().unwrap();
    });
}
