//! The paused clock: `time::pause`, `resume`, `advance`, `start_paused`,
//! and auto-advance, on the current-thread runtime.

mod support;

use magpie::runtime::Builder;
use magpie::sync::{mpsc, oneshot};
use magpie::time::{self, interval, sleep, timeout, Duration, Instant};

fn paused() -> magpie::Runtime {
    Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap()
}

#[test]
fn an_hour_of_interval_ticks_runs_in_virtual_time() {
    let rt = paused();
    // Without auto-advance this test would sleep a real hour.
    let (virtual_elapsed, ticks) = rt.block_on(async {
        let start = Instant::now();
        let mut every = interval(Duration::from_secs(1));
        let mut ticks = 0;
        for _ in 0..3601 {
            every.tick().await;
            ticks += 1;
        }
        (Instant::now() - start, ticks)
    });
    assert_eq!(ticks, 3601);
    assert_eq!(virtual_elapsed, Duration::from_secs(3600));
}

#[test]
fn the_clock_stands_still_while_tasks_run() {
    let rt = paused();
    rt.block_on(async {
        let a = Instant::now();
        // Real work, no timers: the clock must not move.
        for _ in 0..1000 {
            magpie::task::yield_now().await;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(Instant::now(), a);
    });
}

#[test]
fn timers_fire_in_deadline_order_at_their_exact_virtual_time() {
    let rt = paused();
    let fired = rt.block_on(async {
        let start = Instant::now();
        let (tx, mut rx) = mpsc::unbounded_channel();
        for ms in [250u64, 10, 1_000, 3, 999] {
            let tx = tx.clone();
            magpie::spawn(async move {
                sleep(Duration::from_millis(ms)).await;
                tx.send((ms, Instant::now() - start)).unwrap();
            });
        }
        drop(tx);
        let mut fired = Vec::new();
        while let Some(x) = rx.recv().await {
            fired.push(x);
        }
        fired
    });
    let order: Vec<u64> = fired.iter().map(|(ms, _)| *ms).collect();
    assert_eq!(order, vec![3, 10, 250, 999, 1_000]);
    for (ms, at) in fired {
        assert_eq!(
            at,
            Duration::from_millis(ms),
            "timer {ms} ms fired at {at:?}"
        );
    }
}

#[test]
fn a_timeout_fires_without_waiting_for_it() {
    let rt = paused();
    let res = rt.block_on(async {
        let (_tx, rx) = oneshot::channel::<()>();
        timeout(Duration::from_secs(24 * 3600), rx).await
    });
    assert!(res.is_err(), "the day-long timeout elapsed");
}

#[test]
fn advance_moves_the_clock_and_fires_what_is_due() {
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        time::pause();
        let start = Instant::now();
        let timer = magpie::spawn(sleep(Duration::from_millis(100)));
        magpie::task::yield_now().await; // let it file its timer
        time::advance(Duration::from_millis(99)).await;
        assert!(!timer.is_finished());
        assert_eq!(Instant::now() - start, Duration::from_millis(99));
        time::advance(Duration::from_millis(1)).await;
        assert!(timer.is_finished());
        assert_eq!(Instant::now() - start, Duration::from_millis(100));
    });
}

#[test]
fn resume_lets_the_clock_run_from_where_it_stood() {
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        time::pause();
        let frozen = Instant::now();
        time::advance(Duration::from_secs(3600)).await;
        time::resume();
        let resumed = Instant::now();
        assert!(resumed - frozen >= Duration::from_secs(3600));
        sleep(Duration::from_millis(5)).await; // real time now
        assert!(Instant::now() - resumed >= Duration::from_millis(5));
        // It can be paused again.
        time::pause();
        let again = Instant::now();
        assert_eq!(Instant::now(), again);
        time::resume();
    });
}

#[test]
fn no_auto_advance_while_a_blocking_job_is_in_flight() {
    let rt = paused();
    let (first, virtual_elapsed) = rt.block_on(async {
        let start = Instant::now();
        let blocking = magpie::task::spawn_blocking(|| {
            std::thread::sleep(std::time::Duration::from_millis(30));
            "blocking"
        });
        let timer = async {
            sleep(Duration::from_secs(1)).await;
            "timer"
        };
        // The blocking job's result is real-time input: the clock must not
        // jump to the timer's deadline while it runs.
        let first = magpie::select! {
            b = blocking => b.unwrap(),
            t = timer => t,
        };
        (first, Instant::now() - start)
    });
    assert_eq!(first, "blocking");
    assert_eq!(virtual_elapsed, Duration::ZERO);
}

#[test]
fn a_remote_wake_is_not_overtaken_by_auto_advance_when_it_came_first() {
    let rt = paused();
    let handle = rt.handle().clone();
    rt.block_on(async move {
        let (tx, rx) = oneshot::channel();
        // Sent before we park: the task it wakes runs before any timer.
        std::thread::spawn(move || tx.send(1).unwrap())
            .join()
            .unwrap();
        let v = magpie::select! {
            biased;
            v = rx => v.unwrap(),
            _ = sleep(Duration::from_secs(5)) => 0,
        };
        assert_eq!(v, 1);
        drop(handle);
    });
}

#[test]
fn pause_on_a_multi_thread_runtime_panics_with_the_reason() {
    let rt = support::rt(2);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { time::pause() })
    }))
    .unwrap_err();
    let msg = support::panic_message(&*err);
    assert!(msg.contains("current-thread"), "{msg}");

    let err = Builder::new_multi_thread()
        .start_paused(true)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("current-thread"), "{err}");
}

#[test]
fn pausing_twice_or_resuming_a_running_clock_panics() {
    let rt = paused();
    let twice = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { time::pause() })
    }))
    .unwrap_err();
    assert!(support::panic_message(&*twice).contains("already paused"));
    let rt = Builder::new_current_thread().build().unwrap();
    let resume = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { time::resume() })
    }))
    .unwrap_err();
    assert!(support::panic_message(&*resume).contains("not paused"));
}

#[test]
fn instant_now_outside_the_paused_runtime_is_the_system_clock() {
    let rt = paused();
    let inside = rt.block_on(async {
        time::advance(Duration::from_secs(1000)).await;
        Instant::now()
    });
    // Another thread with no runtime reads the real clock.
    let outside = std::thread::spawn(Instant::now).join().unwrap();
    assert!(inside > outside, "the paused runtime's clock ran ahead");
}

#[magpie::test(start_paused = true)]
async fn the_test_attribute_starts_paused() {
    let start = Instant::now();
    sleep(Duration::from_secs(7 * 24 * 3600)).await;
    assert_eq!(Instant::now() - start, Duration::from_secs(7 * 24 * 3600));
}

#[test]
fn is_elapsed_follows_the_runtime_clock_and_a_reset() {
    paused().block_on(async {
        let mut nap = std::pin::pin!(sleep(Duration::from_secs(10)));
        assert!(!nap.is_elapsed());
        time::advance(Duration::from_secs(9)).await;
        assert!(!nap.is_elapsed(), "one second early");
        time::advance(Duration::from_secs(1)).await;
        assert!(nap.is_elapsed(), "due, though not yet polled");
        nap.as_mut().await;
        nap.as_mut().reset(Instant::now() + Duration::from_secs(5));
        assert!(!nap.is_elapsed(), "a reset to a later deadline");
        nap.as_mut().await;
        assert!(nap.is_elapsed());
    });
}

#[test]
fn interval_resets_move_the_next_tick_and_keep_the_period() {
    paused().block_on(async {
        let start = Instant::now();
        let mut every = interval(Duration::from_secs(10));
        assert_eq!(every.tick().await, start);
        every.reset_immediately();
        assert_eq!(every.tick().await, start, "due at once");
        assert_eq!(every.tick().await, start + Duration::from_secs(10));
        every.reset_after(Duration::from_secs(3));
        let t = every.tick().await;
        assert_eq!(t, start + Duration::from_secs(13));
        assert_eq!(every.tick().await, t + Duration::from_secs(10));
        let at = Instant::now() + Duration::from_secs(1);
        every.reset_at(at);
        assert_eq!(every.tick().await, at);
        assert_eq!(every.tick().await, at + Duration::from_secs(10));
    });
}
