//! The `blocking_*` bridges: they park a plain thread until the async side
//! acts, and refuse, with a message saying why, on a thread that drives a
//! runtime.

#[path = "support/mod.rs"]
mod support;

use magpie::sync::{mpsc, oneshot, Mutex, RwLock};
use std::sync::Arc;
use std::time::Duration;
use support::panic_message;

/// Runs `f` inside `block_on` and returns its panic message.
fn panic_inside_block_on(f: impl FnOnce() + Send + 'static) -> String {
    let rt = support::rt(1);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async move { f() })
    }))
    .expect_err("a blocking call inside the runtime panics");
    panic_message(&*err)
}

#[test]
fn blocking_recv_waits_for_a_send_from_a_task() {
    let rt = support::rt(2);
    let (tx, mut rx) = mpsc::channel(1);
    let consumer = std::thread::spawn(move || {
        let mut got = Vec::new();
        while let Some(v) = rx.blocking_recv() {
            got.push(v);
        }
        got
    });
    rt.spawn(async move {
        for i in 0..5 {
            magpie::time::sleep(Duration::from_millis(2)).await;
            tx.send(i).await.unwrap();
        }
    });
    assert_eq!(consumer.join().unwrap(), [0, 1, 2, 3, 4]);
}

#[test]
fn blocking_send_waits_for_room_that_a_task_makes() {
    let rt = support::rt(2);
    let (tx, mut rx) = mpsc::channel(1);
    let producer = std::thread::spawn(move || {
        for i in 0..10 {
            tx.blocking_send(i).unwrap();
        }
    });
    let got = rt.block_on(async move {
        let mut got = Vec::new();
        while let Some(v) = rx.recv().await {
            got.push(v);
        }
        got
    });
    producer.join().unwrap();
    assert_eq!(got, (0..10).collect::<Vec<_>>());
}

#[test]
fn blocking_send_fails_with_the_value_once_the_receiver_is_dropped() {
    let (tx, rx) = mpsc::channel(1);
    tx.blocking_send(1).unwrap();
    let t = std::thread::spawn(move || tx.blocking_send(2));
    std::thread::sleep(Duration::from_millis(20));
    drop(rx);
    assert_eq!(t.join().unwrap().unwrap_err().0, 2);
}

#[test]
fn blocking_recv_on_an_unbounded_channel_ends_when_the_senders_go() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let t = std::thread::spawn(move || (rx.blocking_recv(), rx.blocking_recv()));
    tx.send(1).unwrap();
    std::thread::sleep(Duration::from_millis(10));
    drop(tx);
    assert_eq!(t.join().unwrap(), (Some(1), None));
}

#[test]
fn oneshot_blocking_recv_gets_the_value_or_the_error() {
    let (tx, rx) = oneshot::channel();
    let t = std::thread::spawn(move || rx.blocking_recv());
    std::thread::sleep(Duration::from_millis(10));
    tx.send("v").unwrap();
    assert_eq!(t.join().unwrap(), Ok("v"));
    let (tx, rx) = oneshot::channel::<u8>();
    let t = std::thread::spawn(move || rx.blocking_recv());
    drop(tx);
    assert!(t.join().unwrap().is_err());
}

#[test]
fn blocking_lock_waits_for_a_task_to_unlock() {
    let rt = support::rt(2);
    let m = Arc::new(Mutex::new(0));
    let guard = rt.block_on(m.clone().lock_owned());
    let m2 = m.clone();
    let t = std::thread::spawn(move || {
        *m2.blocking_lock() += 1;
    });
    rt.spawn(async move {
        magpie::time::sleep(Duration::from_millis(20)).await;
        drop(guard);
    });
    t.join().unwrap();
    assert_eq!(*m.blocking_lock(), 1);
}

#[test]
fn blocking_read_and_write_queue_fairly_with_async_users() {
    let lock = Arc::new(RwLock::new(0));
    let read = lock.blocking_read();
    let l2 = lock.clone();
    let writer = std::thread::spawn(move || *l2.blocking_write() = 5);
    std::thread::sleep(Duration::from_millis(20));
    assert!(
        lock.try_read().is_err(),
        "a queued writer holds new readers back"
    );
    drop(read);
    writer.join().unwrap();
    assert_eq!(*lock.blocking_read(), 5);
}

#[test]
fn spawn_blocking_may_use_the_blocking_bridges() {
    let rt = support::rt(2);
    let (tx, mut rx) = mpsc::channel(1);
    let got = rt.block_on(async move {
        let reader = magpie::task::spawn_blocking(move || rx.blocking_recv());
        tx.send(9).await.unwrap();
        reader.await.unwrap()
    });
    assert_eq!(got, Some(9));
}

#[test]
fn every_bridge_refuses_a_thread_that_drives_a_runtime() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let msg = panic_inside_block_on(move || {
        let _ = rx.blocking_recv();
    });
    assert!(
        msg.contains("`Receiver::blocking_recv` called from within a magpie runtime"),
        "{msg}"
    );
    assert!(msg.contains("spawn_blocking"), "{msg}");
    let msg = panic_inside_block_on(move || {
        let _ = tx.blocking_send(1);
    });
    assert!(msg.contains("`Sender::blocking_send`"), "{msg}");
    let (_utx, mut urx) = mpsc::unbounded_channel::<u8>();
    let msg = panic_inside_block_on(move || {
        let _ = urx.blocking_recv();
    });
    assert!(msg.contains("`UnboundedReceiver::blocking_recv`"), "{msg}");
    let (_otx, orx) = oneshot::channel::<u8>();
    let msg = panic_inside_block_on(move || {
        let _ = orx.blocking_recv();
    });
    assert!(msg.contains("`oneshot::Receiver::blocking_recv`"), "{msg}");
    let m = Arc::new(Mutex::new(()));
    let msg = panic_inside_block_on(move || drop(m.blocking_lock()));
    assert!(msg.contains("`Mutex::blocking_lock`"), "{msg}");
    let l = Arc::new(RwLock::new(()));
    let l2 = l.clone();
    let msg = panic_inside_block_on(move || drop(l.blocking_read()));
    assert!(msg.contains("`RwLock::blocking_read`"), "{msg}");
    let msg = panic_inside_block_on(move || drop(l2.blocking_write()));
    assert!(msg.contains("`RwLock::blocking_write`"), "{msg}");
}

#[test]
fn a_worker_thread_is_refused_too() {
    let rt = support::rt(2);
    let (_tx, mut rx) = mpsc::channel::<u8>(1);
    let err = rt
        .block_on(rt.spawn(async move { rx.blocking_recv() }))
        .expect_err("the task panicked");
    assert!(err.is_panic());
    // After the refusal the thread is not left marked: block_on still works.
    assert_eq!(rt.block_on(async { 1 }), 1);
}
