//! Every sync type and future can cross threads where its contents can, so
//! they work in spawned tasks of any multi-thread executor.

use magpie::sync::{broadcast, mpsc, oneshot, watch};
use magpie::sync::{Barrier, Mutex, Notify, RwLock, Semaphore};
use std::sync::Arc;

fn send_sync<T: Send + Sync>(_: &T) {}
fn send<T: Send>(_: &T) {}

#[test]
fn primitives_and_their_futures_are_send_and_sync() {
    let m = Mutex::new(0);
    let rw = RwLock::new(0);
    let sem = Semaphore::new(1);
    let notify = Notify::new();
    let barrier = Barrier::new(1);
    send_sync(&m);
    send_sync(&rw);
    send_sync(&sem);
    send_sync(&notify);
    send_sync(&barrier);
    send(&m.lock());
    send(&Arc::new(Mutex::new(0)).lock_owned());
    send(&rw.read());
    send(&rw.write());
    send(&sem.acquire());
    send(&notify.notified());
    send(&barrier.wait());
}

#[test]
fn channel_halves_and_their_futures_are_send() {
    let (tx, mut rx) = mpsc::channel::<String>(1);
    send_sync(&tx);
    send(&tx.send(String::new()));
    send(&rx.recv());
    let (utx, urx) = mpsc::unbounded_channel::<String>();
    send_sync(&utx);
    send(&urx);
    let (otx, orx) = oneshot::channel::<String>();
    send(&otx);
    send(&orx);
    let (btx, mut brx) = broadcast::channel::<String>(1);
    send_sync(&btx);
    send(&brx.recv());
    let (wtx, mut wrx) = watch::channel(String::new());
    send_sync(&wtx);
    send(&wrx.changed());
}
