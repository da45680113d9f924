//! `sleep` and `sleep_until` on a running runtime: order, never early,
//! scale, reset, moving timers between threads, shutdown.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use magpie::time::{sleep, sleep_until, Duration, Instant, Sleep};

mod support;
use support::rt;

/// Sleeps for `duration` and checks it did not finish early.
async fn sleep_at_least(duration: Duration) {
    let start = Instant::now();
    sleep(duration).await;
    assert!(
        start.elapsed() >= duration,
        "woke early: {:?} < {duration:?}",
        start.elapsed()
    );
}

#[test]
fn a_10ms_sleep_finishes_before_a_20ms_one() {
    // Both sleeps are polled together, every time the task wakes: the 20 ms
    // one must never be complete while the 10 ms one is not. (Which *task*
    // runs first when both fire in one late driver pass is up to the
    // scheduler, so the order is checked on the timers themselves.)
    rt(2).block_on(async {
        let start = Instant::now();
        let mut short = std::pin::pin!(sleep_until(start + Duration::from_millis(10)));
        let mut long = std::pin::pin!(sleep_until(start + Duration::from_millis(20)));
        let mut order = Vec::new();
        std::future::poll_fn(|cx| {
            use std::future::Future;
            let short_done = order.contains(&10) || short.as_mut().poll(cx).is_ready();
            let long_done = order.contains(&20) || long.as_mut().poll(cx).is_ready();
            if short_done && !order.contains(&10) {
                order.push(10);
            }
            if long_done && !order.contains(&20) {
                assert!(short_done, "the 20 ms sleep completed before the 10 ms one");
                order.push(20);
            }
            if order.len() == 2 {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        })
        .await;
        assert_eq!(order, vec![10, 20]);
        assert!(start.elapsed() >= Duration::from_millis(20));
    });
}

#[test]
fn sleep_never_completes_before_its_deadline() {
    rt(2).block_on(async {
        for ms in [0, 1, 2, 3, 5, 8, 13, 21, 34] {
            sleep_at_least(Duration::from_millis(ms)).await;
            sleep_at_least(Duration::from_micros(ms * 100 + 1)).await;
        }
        let deadline = Instant::now() + Duration::from_millis(7);
        sleep_until(deadline).await;
        assert!(Instant::now() >= deadline);
    });
}

#[test]
fn a_sleep_until_a_past_instant_is_ready_at_once() {
    rt(1).block_on(async {
        let past = Instant::now();
        sleep(Duration::from_millis(2)).await;
        sleep_until(past).await;
        sleep(Duration::ZERO).await;
    });
}

#[test]
fn an_earlier_timer_wakes_a_driver_parked_for_a_later_one() {
    rt(2).block_on(async {
        let long = magpie::spawn(sleep(Duration::from_secs(3600)));
        // Let the workers go idle: the driver now waits for the hour.
        std::thread::sleep(Duration::from_millis(20));
        sleep_at_least(Duration::from_millis(10)).await;
        long.abort();
    });
}

#[test]
fn one_million_timers_registered_and_cancelled() {
    rt(2).block_on(async {
        for _ in 0..1_000_000 {
            let mut timer = pin!(sleep(Duration::from_secs(60)));
            assert!(futures::poll!(timer.as_mut()).is_pending());
        }
        // The wheel still works afterwards.
        sleep_at_least(Duration::from_millis(2)).await;
    });
}

#[test]
fn one_hundred_thousand_timers_all_fire_and_none_early() {
    rt(2).block_on(async {
        let fired = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..100_000_u64)
            .map(|i| {
                let fired = fired.clone();
                magpie::spawn(async move {
                    sleep_at_least(Duration::from_millis(1 + i % 50)).await;
                    fired.fetch_add(1, Ordering::Relaxed);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(fired.load(Ordering::Relaxed), 100_000);
    });
}

#[test]
fn reset_to_an_earlier_deadline_completes_then() {
    rt(1).block_on(async {
        let mut nap = pin!(sleep(Duration::from_secs(3600)));
        assert!(futures::poll!(nap.as_mut()).is_pending());
        let soon = Instant::now() + Duration::from_millis(10);
        nap.as_mut().reset(soon);
        assert_eq!(nap.deadline(), soon);
        nap.await;
        assert!(Instant::now() >= soon);
    });
}

#[test]
fn reset_to_a_later_deadline_is_not_early() {
    rt(1).block_on(async {
        let mut nap = pin!(sleep(Duration::from_millis(10)));
        let _ = futures::poll!(nap.as_mut()); // files it for 10 ms (if not yet due)
        let later = Instant::now() + Duration::from_millis(30);
        nap.as_mut().reset(later);
        nap.as_mut().await;
        assert!(Instant::now() >= later);
        // A completed sleep runs again after a reset.
        let again = Instant::now() + Duration::from_millis(3);
        nap.as_mut().reset(again);
        nap.await;
        assert!(Instant::now() >= again);
    });
}

#[test]
fn timers_made_on_one_worker_finish_or_drop_on_another_thread() {
    rt(2).block_on(async {
        // Filed by one task, awaited by another.
        let mut filed: std::pin::Pin<Box<Sleep>> = Box::pin(sleep(Duration::from_millis(20)));
        let _ = futures::poll!(filed.as_mut()); // files it (if not yet due)
        let deadline = filed.deadline();
        magpie::spawn(async move {
            filed.await;
            assert!(Instant::now() >= deadline);
        })
        .await
        .unwrap();

        // Filed by a task, dropped on a thread outside the runtime.
        let mut timers = Vec::new();
        for secs in 1..100 {
            let mut timer = Box::pin(sleep(Duration::from_secs(secs)));
            assert!(futures::poll!(timer.as_mut()).is_pending());
            timers.push(timer);
        }
        std::thread::spawn(move || drop(timers)).join().unwrap();
        sleep_at_least(Duration::from_millis(3)).await;
    });
}

#[test]
#[allow(clippy::async_yields_async)] // the sleep is carried out of the runtime on purpose
fn runtime_shutdown_with_pending_timers_neither_hangs_nor_leaks() {
    let runtime = rt(2);
    let escaped = runtime.block_on(async {
        for _ in 0..1_000 {
            magpie::spawn(async { sleep(Duration::from_secs(3600)).await });
        }
        let mut escaped = Box::pin(sleep(Duration::from_secs(3600)));
        assert!(futures::poll!(escaped.as_mut()).is_pending());
        sleep(Duration::from_millis(2)).await;
        escaped
    });
    drop(runtime);
    // Polling a timer whose runtime is gone panics with a clear message...
    let mut escaped = escaped;
    let waker = futures::task::noop_waker_ref();
    let polled = catch_unwind(AssertUnwindSafe(|| {
        let _ = escaped
            .as_mut()
            .poll(&mut std::task::Context::from_waker(waker));
    }));
    let message = support::panic_message(&*polled.expect_err("polling after shutdown must panic"));
    assert!(message.contains("shut down"), "{message}");
    // ...and dropping it afterwards is fine.
    drop(escaped);
}

#[test]
fn a_timer_outside_a_runtime_panics_saying_what_to_do() {
    let result = catch_unwind(|| sleep(Duration::from_millis(1)));
    let message = support::panic_message(&*result.expect_err("no runtime here"));
    assert!(message.contains("runtime"), "{message}");
}

#[test]
fn a_sleep_first_polled_after_its_deadline_completes() {
    // Polled late (the worker blocked past the deadline), a sleep completes:
    // at once if the first poll sees the deadline passed, else on the
    // wheel's next turn. Never stuck, never early.
    rt(1).block_on(async {
        for d in [Duration::from_millis(1), Duration::from_millis(5)] {
            let created = Instant::now();
            let nap = sleep(d);
            std::thread::sleep(d * 3);
            nap.await;
            assert!(created.elapsed() >= d);
        }
    });
}
