//! `task::block_in_place`: the worker's queue keeps running while the
//! calling thread blocks.

mod support;

use magpie::task;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn queued_tasks_run_while_the_worker_thread_blocks() {
    let rt = support::rt(1);
    let out = rt.block_on(rt.spawn(async {
        let (tx, rx) = std::sync::mpsc::channel();
        // These land in this worker's own queue (LIFO slot and local
        // queue): only a hand-off lets them run while `f` blocks.
        for i in 0..10 {
            let tx = tx.clone();
            magpie::spawn(async move {
                task::yield_now().await;
                tx.send(i).unwrap();
            });
        }
        task::block_in_place(move || {
            let mut got: Vec<u32> = (0..10)
                .map(|_| rx.recv_timeout(Duration::from_secs(10)).expect("tasks ran"))
                .collect();
            got.sort();
            got
        })
    }));
    assert_eq!(out.unwrap(), (0..10).collect::<Vec<_>>());
}

#[test]
fn timers_and_io_keep_working_during_the_block() {
    let rt = support::rt(1);
    let out = rt.block_on(rt.spawn(async {
        let (tx, rx) = std::sync::mpsc::channel();
        magpie::spawn(async move {
            magpie::time::sleep(Duration::from_millis(5)).await;
            tx.send("timer fired").unwrap();
        });
        task::block_in_place(move || rx.recv_timeout(Duration::from_secs(10)).unwrap())
    }));
    assert_eq!(out.unwrap(), "timer fired");
}

#[test]
fn block_on_is_allowed_inside_and_the_task_continues_after() {
    let rt = support::rt(2);
    let handle = rt.handle().clone();
    let out = rt.block_on(rt.spawn(async move {
        let inner = task::block_in_place(|| handle.block_on(async { 40 }));
        task::yield_now().await;
        inner + 2
    }));
    assert_eq!(out.unwrap(), 42);
}

#[test]
fn pinned_tasks_wait_for_their_own_thread() {
    let rt = support::rt(1);
    let log = support::BoundLog::new();
    let l = log.clone();
    let out = rt.block_on(rt.spawn(async move {
        let guard = support::ThreadBound::new(&l);
        let pinned = task::spawn_local(async move {
            guard.check();
            "pinned ran"
        });
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        magpie::spawn(async move {
            r.fetch_add(1, Ordering::SeqCst);
        });
        task::block_in_place(|| {
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while ran.load(Ordering::SeqCst) == 0 {
                assert!(std::time::Instant::now() < deadline, "Send task never ran");
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        pinned.await.unwrap()
    }));
    assert_eq!(out.unwrap(), "pinned ran");
    log.assert_clean(1);
}

#[test]
fn a_panic_in_f_propagates_and_the_worker_survives() {
    let rt = support::rt(1);
    let res = rt.block_on(rt.spawn(async {
        task::block_in_place(|| panic!("blocking code failed"));
    }));
    let err = res.unwrap_err();
    assert_eq!(
        support::panic_message(&*err.into_panic()),
        "blocking code failed"
    );
    assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
}

#[test]
fn outside_a_worker_it_just_runs_f() {
    assert_eq!(task::block_in_place(|| 3), 3);
    let rt = support::rt(1);
    assert_eq!(rt.block_on(async { task::block_in_place(|| 4) }), 4);
}

#[test]
fn on_a_current_thread_runtime_it_panics_with_the_reason() {
    let rt = magpie::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { task::block_in_place(|| ()) })
    }))
    .unwrap_err();
    assert!(support::panic_message(&*err).contains("current-thread"));
}

#[test]
fn runtime_drop_while_a_task_is_in_block_in_place_waits_and_ends_cleanly() {
    let rt = support::rt(1);
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let h = rt.spawn(async move {
        task::block_in_place(move || {
            let _ = rx.recv_timeout(Duration::from_millis(50));
        });
    });
    std::thread::sleep(Duration::from_millis(10));
    drop(tx);
    drop(rt);
    drop(h);
}
