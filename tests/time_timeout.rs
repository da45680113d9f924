//! `timeout` and `timeout_at`: the future wins, or the deadline does.

use std::future::{pending, ready};

use magpie::time::{error::Elapsed, sleep, timeout, timeout_at, Duration, Instant};

mod support;
use support::rt;

#[test]
fn a_future_that_finishes_first_wins() {
    rt(2).block_on(async {
        assert_eq!(timeout(Duration::from_secs(5), ready(1)).await, Ok(1));
        let quick = async {
            sleep(Duration::from_millis(1)).await;
            2
        };
        assert_eq!(timeout(Duration::from_secs(5), quick).await, Ok(2));
    });
}

#[test]
fn a_ready_future_wins_even_against_a_zero_timeout() {
    rt(2).block_on(async {
        assert_eq!(timeout(Duration::ZERO, ready("now")).await, Ok("now"));
        let past = Instant::now();
        sleep(Duration::from_millis(1)).await;
        assert_eq!(timeout_at(past, ready(3)).await, Ok(3));
    });
}

#[test]
fn the_deadline_wins_against_a_slow_future_and_never_early() {
    rt(2).block_on(async {
        let start = Instant::now();
        let result = timeout(Duration::from_millis(15), pending::<()>()).await;
        assert!(matches!(result, Err(Elapsed { .. })));
        assert!(start.elapsed() >= Duration::from_millis(15));

        let deadline = Instant::now() + Duration::from_millis(5);
        let slow = sleep(Duration::from_secs(3600));
        assert!(timeout_at(deadline, slow).await.is_err());
        assert!(Instant::now() >= deadline);
    });
}

#[test]
fn elapsed_converts_to_a_timed_out_io_error() {
    rt(2).block_on(async {
        let err = timeout(Duration::from_millis(1), pending::<()>())
            .await
            .unwrap_err();
        let io: std::io::Error = err.into();
        assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    });
}

#[test]
fn a_timeout_around_a_budget_hungry_future_still_fires() {
    rt(2).block_on(async {
        // Always ready to yield: the inner future wakes itself forever.
        let busy = async {
            loop {
                magpie::task::yield_now().await;
            }
        };
        assert!(timeout(Duration::from_millis(5), busy).await.is_err());
    });
}

#[test]
fn a_ready_future_needs_no_timer_and_so_no_runtime() {
    // Futures do nothing until polled, and this one never has to wait: no
    // clock read, no timer, so it even works under a foreign executor.
    let out = futures::executor::block_on(timeout(Duration::from_secs(1), ready(3)));
    assert_eq!(out, Ok(3));
}

#[test]
fn the_limit_counts_from_the_first_poll_that_has_to_wait() {
    rt(1).block_on(async {
        let limit = Duration::from_millis(30);
        let guarded = timeout(limit, pending::<()>());
        // Time passing before the first poll does not use up the limit.
        std::thread::sleep(Duration::from_millis(40));
        let polled_at = Instant::now();
        assert!(guarded.await.is_err());
        assert!(polled_at.elapsed() >= limit, "timed out early");
    });
}

#[test]
fn timeout_at_keeps_its_fixed_deadline() {
    rt(1).block_on(async {
        let deadline = Instant::now() + Duration::from_millis(20);
        let guarded = timeout_at(deadline, pending::<()>());
        std::thread::sleep(Duration::from_millis(30));
        // The deadline passed before the first poll: it times out on its
        // first wait (at the latest on the next driver turn).
        assert!(guarded.await.is_err());
        assert!(Instant::now() >= deadline);
    });
}

#[test]
fn a_ready_value_wins_a_zero_timeout_even_when_the_budget_runs_out() {
    rt(1).block_on(async {
        // More buffered values than one task budget (128): some receives
        // are polled with the budget spent and return Pending for that
        // reason alone. A zero timeout must not turn those into `Elapsed`.
        let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
        for i in 0..1_000 {
            tx.send(i).unwrap();
        }
        drop(tx);
        let mut got = 0;
        loop {
            match timeout(Duration::ZERO, rx.recv()).await {
                Ok(Some(v)) => {
                    assert_eq!(v, got);
                    got += 1;
                }
                Ok(None) => break,
                Err(Elapsed { .. }) => panic!("a buffered value lost to a zero timeout"),
            }
        }
        assert_eq!(got, 1_000);
    });
}
