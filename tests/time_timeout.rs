//! `timeout` and `timeout_at`: the future wins, or the deadline does.

use std::future::{pending, ready};

use magpie::sync::mpsc::{self, error::SendTimeoutError};
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

// `mpsc::Sender::send_timeout`, on a paused clock so every deadline is exact.

fn paused() -> magpie::Runtime {
    magpie::runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap()
}

#[test]
fn send_timeout_takes_a_free_slot_at_once_even_with_a_zero_timeout() {
    paused().block_on(async {
        let (tx, mut rx) = mpsc::channel(1);
        let before = Instant::now();
        tx.send_timeout(1, Duration::ZERO).await.unwrap();
        assert_eq!(Instant::now(), before, "no wait for a free slot");
        assert_eq!(rx.recv().await, Some(1));
    });
}

#[test]
fn send_timeout_gives_the_value_back_after_the_timeout_and_keeps_no_slot() {
    paused().block_on(async {
        let (tx, mut rx) = mpsc::channel(1);
        tx.send(1).await.unwrap();
        let before = Instant::now();
        let err = tx.send_timeout(2, Duration::from_secs(5)).await;
        assert_eq!(err, Err(SendTimeoutError::Timeout(2)));
        assert_eq!(Instant::now() - before, Duration::from_secs(5));
        // The timed-out send took nothing: one message, then a free slot.
        assert_eq!(rx.recv().await, Some(1));
        assert!(rx.try_recv().is_err());
        assert_eq!(tx.capacity(), 1);
        tx.send_timeout(3, Duration::ZERO).await.unwrap();
        assert_eq!(rx.recv().await, Some(3));
    });
}

#[test]
fn send_timeout_sends_when_a_slot_frees_before_the_deadline() {
    paused().block_on(async {
        let (tx, mut rx) = mpsc::channel(1);
        tx.send("first").await.unwrap();
        let reader = magpie::spawn(async move {
            sleep(Duration::from_secs(1)).await;
            let a = rx.recv().await;
            let b = rx.recv().await;
            (a, b)
        });
        let before = Instant::now();
        tx.send_timeout("second", Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(Instant::now() - before, Duration::from_secs(1));
        assert_eq!(reader.await.unwrap(), (Some("first"), Some("second")));
    });
}

#[test]
fn send_timeout_reports_a_receiver_dropped_while_it_waits() {
    paused().block_on(async {
        let (tx, rx) = mpsc::channel(1);
        tx.send(1).await.unwrap();
        magpie::spawn(async move {
            sleep(Duration::from_secs(1)).await;
            drop(rx);
        });
        let before = Instant::now();
        let err = tx.send_timeout(2, Duration::from_secs(60)).await;
        assert_eq!(err, Err(SendTimeoutError::Closed(2)));
        assert_eq!(Instant::now() - before, Duration::from_secs(1));
    });
}

#[test]
fn a_timed_out_sender_ahead_in_the_queue_does_not_hold_up_the_next_one() {
    paused().block_on(async {
        let (tx, mut rx) = mpsc::channel(1);
        tx.send(0).await.unwrap();
        // First in the queue of waiting senders, gives up after 1 s.
        let impatient = magpie::spawn({
            let tx = tx.clone();
            async move { tx.send_timeout(1, Duration::from_secs(1)).await }
        });
        // Second in the queue, waits up to an hour.
        let patient = magpie::spawn({
            let tx = tx.clone();
            async move { tx.send_timeout(2, Duration::from_secs(3600)).await }
        });
        magpie::task::yield_now().await;
        assert_eq!(impatient.await.unwrap(), Err(SendTimeoutError::Timeout(1)));
        // The slot frees after the impatient sender left: it goes to the
        // patient one, not to nobody.
        assert_eq!(rx.recv().await, Some(0));
        patient.await.unwrap().unwrap();
        assert_eq!(rx.recv().await, Some(2));
    });
}

#[test]
#[should_panic(expected = "runtime")]
fn send_timeout_that_has_to_wait_outside_a_runtime_panics_with_a_reason() {
    let (tx, _rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    futures::executor::block_on(tx.send_timeout(2, Duration::from_secs(1))).ok();
}
