//! Fairness, stealing and blocking detection.

mod support;

use magpie::task;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::rt;

#[test]
fn tasks_progress_while_one_worker_is_stuck_in_a_blocking_call() {
    let rt = rt(2);
    let release = Arc::new(AtomicBool::new(false));
    let r = release.clone();
    rt.block_on(async move {
        // Occupies one worker until released, without yielding.
        let stuck = magpie::spawn(async move {
            while !r.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        // The other worker (stealing if needed) runs all of these.
        let mut hs = Vec::new();
        for i in 0..100u32 {
            hs.push(magpie::spawn(async move { i }));
        }
        let mut sum = 0;
        for h in hs {
            sum += h.await.unwrap();
        }
        assert_eq!(sum, 4950);
        release.store(true, Ordering::SeqCst);
        stuck.await.unwrap();
    });
}

#[test]
fn a_task_that_yields_forever_does_not_starve_others() {
    let rt = rt(1);
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let spinner = rt.spawn(async move {
        while !s.load(Ordering::SeqCst) {
            task::yield_now().await;
        }
    });
    // On a single worker, this can only run if the spinner yields its turn.
    rt.block_on(async {
        magpie::spawn(async {}).await.unwrap();
    });
    stop.store(true, Ordering::SeqCst);
    rt.block_on(spinner).unwrap();
}

#[test]
fn a_task_that_wakes_itself_in_a_loop_does_not_starve_others() {
    use std::future::poll_fn;
    use std::task::Poll;
    let rt = rt(1);
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let spinner = rt.spawn(poll_fn(move |cx| {
        if s.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }));
    rt.block_on(async {
        magpie::spawn(async {}).await.unwrap();
    });
    stop.store(true, Ordering::SeqCst);
    rt.block_on(spinner).unwrap();
}

#[test]
fn ping_pong_between_two_tasks_completes() {
    let rt = rt(2);
    rt.block_on(async {
        let mut value = 0u32;
        for _ in 0..1000 {
            value = magpie::spawn(async move { value + 1 }).await.unwrap();
        }
        assert_eq!(value, 1000);
    });
}

#[test]
fn block_on_inside_a_task_panics_instead_of_deadlocking() {
    let rt = rt(1);
    let handle = rt.handle().clone();
    let err = rt
        .block_on(rt.spawn(async move { handle.block_on(async {}) }))
        .unwrap_err();
    assert!(err.is_panic());
    let payload = err.into_panic();
    let msg = payload
        .downcast_ref::<&str>()
        .copied()
        .map(String::from)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap();
    assert!(msg.contains("cannot block the current thread"), "{msg}");
}

#[test]
fn nested_block_on_on_the_same_thread_panics() {
    let rt = rt(1);
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { rt.block_on(async {}) })
    }));
    assert!(res.is_err());
    // The runtime is still usable afterwards.
    assert_eq!(rt.block_on(async { 1 }), 1);
}
