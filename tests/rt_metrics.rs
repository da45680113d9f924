//! Runtime metrics: a known workload produces the expected counts.

mod support;

use std::time::{Duration, Instant};
use support::rt;

/// Waits (bounded) until `cond` holds; the counters are updated by worker
/// threads that may lag a moment behind the test thread.
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn each_spawned_task_that_finishes_in_one_poll_counts_one_poll() {
    let rt = rt(1);
    rt.block_on(async {
        let hs: Vec<_> = (0..10).map(|_| magpie::spawn(async {})).collect();
        for h in hs {
            h.await.unwrap();
        }
    });
    assert_eq!(rt.handle().metrics().worker_poll_count(0), 10);
}

#[test]
fn a_task_that_yields_five_times_is_polled_six_times() {
    let rt = rt(1);
    rt.block_on(async {
        magpie::spawn(async {
            for _ in 0..5 {
                magpie::task::yield_now().await;
            }
        })
        .await
        .unwrap();
    });
    assert_eq!(rt.handle().metrics().worker_poll_count(0), 6);
}

#[test]
fn a_task_woken_by_the_task_it_awaited_runs_from_the_lifo_slot() {
    let rt = rt(1);
    rt.block_on(async {
        magpie::spawn(async { magpie::spawn(async {}).await.unwrap() })
            .await
            .unwrap();
    });
    assert!(rt.handle().metrics().worker_lifo_count(0) >= 1);
}

#[test]
fn an_idle_worker_steals_from_a_blocked_one() {
    let rt = rt(2);
    rt.block_on(async {
        magpie::spawn(async {
            // Fill this worker's local queue, then block it until one of
            // the tasks ran: while it is blocked, only the other worker can
            // run them, and only by stealing.
            let ran = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let hs: Vec<_> = (0..100)
                .map(|_| {
                    let ran = ran.clone();
                    magpie::spawn(async move {
                        ran.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    })
                })
                .collect();
            let deadline = Instant::now() + Duration::from_secs(10);
            while ran.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                assert!(Instant::now() < deadline, "nobody stole the queued tasks");
                std::thread::sleep(Duration::from_millis(1));
            }
            for h in hs {
                h.await.unwrap();
            }
        })
        .await
        .unwrap();
    });
    let m = rt.handle().metrics();
    let steals: u64 = (0..2).map(|w| m.worker_steal_count(w)).sum();
    let ops: u64 = (0..2).map(|w| m.worker_steal_operations(w)).sum();
    assert!(ops >= 1, "no steal operation");
    assert!(steals >= ops, "a steal operation moves at least one task");
}

#[test]
fn an_idle_worker_parks_and_counts_busy_time() {
    let rt = rt(1);
    rt.block_on(rt.spawn(async {
        std::thread::sleep(Duration::from_millis(5));
    }))
    .unwrap();
    let m = rt.handle().metrics();
    eventually("the worker parks", || m.worker_park_count(0) >= 1);
    eventually("busy time is recorded", || {
        m.worker_total_busy_duration(0) >= Duration::from_millis(5)
    });
    // An unpark follows every park but the last (parks read first: the
    // counts only grow, so this order cannot race).
    let parks = m.worker_park_count(0);
    assert!(m.worker_unpark_count(0) + 1 >= parks);
}

#[test]
fn alive_tasks_and_queue_depths_are_gauges() {
    let rt = rt(1);
    let m = rt.handle().metrics();
    assert_eq!(m.num_alive_tasks(), 0);
    let h = rt.spawn(std::future::pending::<()>());
    assert_eq!(m.num_alive_tasks(), 1);
    h.abort();
    assert!(rt.block_on(h).unwrap_err().is_cancelled());
    eventually("the aborted task leaves", || m.num_alive_tasks() == 0);
    assert_eq!(m.global_queue_depth(), 0);
    assert_eq!(m.worker_local_queue_depth(0), 0);
}

#[test]
fn blocking_pool_and_timer_metrics_follow_their_work() {
    let rt = rt(1);
    let m = rt.handle().metrics();
    rt.block_on(rt.spawn_blocking(|| ())).unwrap();
    assert!(m.num_blocking_threads() >= 1);
    assert_eq!(m.blocking_queue_depth(), 0);
    rt.block_on(async {
        let long = magpie::time::sleep(Duration::from_secs(3600));
        let mut long = std::pin::pin!(long);
        // Register it (first poll), then look.
        assert!(futures::poll!(long.as_mut()).is_pending());
        assert_eq!(magpie::runtime::Handle::current().metrics().num_timers(), 1);
        // A sleep whose deadline passed before its first poll completes
        // without the wheel, so sleep until the wheel has fired one.
        let deadline = Instant::now() + Duration::from_secs(10);
        while magpie::runtime::Handle::current().metrics().timers_fired() == 0 {
            assert!(Instant::now() < deadline, "no timer fired");
            magpie::time::sleep(Duration::from_millis(1)).await;
        }
    });
    assert!(m.timers_fired() >= 1);
}

#[test]
#[should_panic(expected = "out of range")]
fn asking_for_a_worker_that_does_not_exist_panics_clearly() {
    let rt = rt(1);
    rt.handle().metrics().worker_poll_count(1);
}

#[test]
fn io_events_are_counted_when_a_socket_becomes_ready() {
    let rt = rt(2);
    let before = rt.handle().metrics().io_events_dispatched();
    rt.block_on(async {
        let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = magpie::spawn(async move { listener.accept().await.map(|_| ()) });
        // The listener was registered at bind, so the incoming connection
        // is a readiness event whether or not accept is already waiting.
        let _client = magpie::net::TcpStream::connect(addr).await.unwrap();
        server.await.unwrap().unwrap();
    });
    // The events are dispatched by the next driver turn, which a parking
    // worker makes.
    eventually("the connection's events are dispatched", || {
        rt.handle().metrics().io_events_dispatched() > before
    });
}
