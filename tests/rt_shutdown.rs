//! Shutting a runtime down with work in flight.

mod support;

use std::future::pending;
use std::time::Duration;
use support::{rt, DropCounter};

#[test]
fn dropping_the_runtime_drops_every_pending_task() {
    let drops = DropCounter::default();
    let rt = rt(2);
    let mut handles = Vec::new();
    for _ in 0..1000 {
        let t = drops.token();
        handles.push(rt.spawn(async move {
            let _t = t;
            pending::<()>().await
        }));
    }
    drop(rt);
    assert_eq!(drops.count(), 1000);
    // Every handle sees the cancellation.
    for h in handles {
        let err = futures::executor::block_on(h).unwrap_err();
        assert!(err.is_cancelled());
    }
}

#[test]
fn tasks_queued_but_never_polled_are_dropped_at_shutdown() {
    let drops = DropCounter::default();
    let rt = rt(1);
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    // Occupy the only worker so the rest stay queued.
    rt.spawn(async move {
        let _ = rx.recv_timeout(Duration::from_millis(200));
    });
    for _ in 0..100 {
        let t = drops.token();
        rt.spawn(async move {
            let _t = t;
        });
    }
    drop(tx);
    drop(rt);
    assert_eq!(drops.count(), 100);
}

#[test]
fn shutdown_timeout_does_not_wait_for_a_stuck_blocking_task() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let rt = rt(1);
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let done = Arc::new(AtomicBool::new(false));
    let d = done.clone();
    rt.spawn_blocking(move || {
        started_tx.send(()).unwrap();
        let _ = release_rx.recv_timeout(Duration::from_secs(30));
        d.store(true, Ordering::SeqCst);
    });
    started_rx.recv().unwrap();
    // The blocking task is stuck until released: shutdown must return
    // without it.
    rt.shutdown_timeout(Duration::from_millis(50));
    assert!(
        !done.load(Ordering::SeqCst),
        "shutdown waited for the stuck task"
    );
    release_tx.send(()).unwrap();
}

#[test]
fn a_task_dropped_at_shutdown_may_spawn_in_its_destructor() {
    struct SpawnOnDrop;
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            // The runtime is closing: the new task is cancelled, not leaked.
            let h = magpie::spawn(async {});
            drop(h);
        }
    }
    let rt = rt(1);
    rt.spawn(async {
        let _g = SpawnOnDrop;
        pending::<()>().await
    });
    drop(rt);
}

#[test]
fn spawn_after_shutdown_gives_a_cancelled_handle() {
    let rt = rt(1);
    let handle = rt.handle().clone();
    drop(rt);
    let h = handle.spawn(async { 1 });
    let err = futures::executor::block_on(h).unwrap_err();
    assert!(err.is_cancelled());
}

#[test]
fn wakers_outliving_the_runtime_are_harmless() {
    let rt = rt(1);
    let (tx, rx) = std::sync::mpsc::channel();
    rt.spawn(std::future::poll_fn(move |cx| {
        let _ = tx.send(cx.waker().clone());
        std::task::Poll::<()>::Pending
    }));
    let waker = rx.recv().unwrap();
    drop(rt);
    waker.wake_by_ref();
    waker.wake();
}

#[test]
fn dropping_a_runtime_inside_a_task_panics_instead_of_blocking_the_worker() {
    let outer = support::rt(1);
    let inner = support::rt(1);
    let err = outer
        .block_on(outer.spawn(async move { drop(inner) }))
        .expect_err("the drop must be refused");
    let message = support::panic_message(&*err.into_panic());
    assert!(message.contains("async code"), "unclear message: {message}");
}

#[test]
fn dropping_a_runtime_inside_block_on_panics_but_shutdown_background_is_allowed() {
    let outer = support::rt(1);
    let inner = support::rt(1);
    let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        outer.block_on(async move { drop(inner) })
    }));
    assert!(support::panic_message(&*refused.unwrap_err()).contains("async code"));
    let other = support::rt(1);
    outer.block_on(async move { other.shutdown_background() });
}

#[test]
fn a_task_dropping_its_own_runtime_is_refused_and_the_runtime_still_stops() {
    let rt = support::rt(2);
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = rt.handle().clone();
    let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(rt)));
    let s2 = slot.clone();
    handle.spawn(async move {
        let rt = s2.lock().unwrap().take().unwrap();
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(rt)));
        tx.send(dropped.is_err()).unwrap();
    });
    assert!(
        rx.recv().unwrap(),
        "a task dropping its own runtime must panic"
    );
    // It was shut down all the same: new tasks are cancelled at once.
    let late = futures::executor::block_on(handle.spawn(async {}));
    assert!(late.unwrap_err().is_cancelled());
}
