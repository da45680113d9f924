//! Scheduling-delay and poll-time histograms, and the queue-depth counter
//! tracks in the trace.

mod support;

use magpie::runtime::{Builder, DelaySource, Histogram};
use magpie::sync::oneshot;
use std::time::Duration;

fn rt(workers: usize) -> magpie::Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_histograms()
        .build()
        .unwrap()
}

/// How many recorded values lie in buckets that end above `at`.
fn above(h: &Histogram, at: Duration) -> u64 {
    h.buckets()
        .filter(|(r, _)| r.end > at)
        .map(|(_, n)| n)
        .sum()
}

#[test]
fn a_poll_that_blocks_50_ms_lands_in_the_50_ms_bucket() {
    let rt = rt(1);
    rt.block_on(async {
        for _ in 0..20 {
            magpie::spawn(async {}).await.unwrap();
        }
        magpie::spawn(async { std::thread::sleep(Duration::from_millis(50)) })
            .await
            .unwrap();
    });
    // Dropping the runtime joins its workers: every poll is recorded.
    let handle = rt.handle().clone();
    drop(rt);
    let polls = handle.metrics().poll_time_histogram(0);
    assert!(polls.count() >= 21);
    assert_eq!(above(&polls, Duration::from_millis(50)), 1, "{polls}");
    assert!(polls.max() >= Duration::from_millis(50));
    assert!(polls.max() <= Duration::from_millis(50) * 2, "{polls}");
}

#[test]
fn a_ping_pong_pair_on_one_worker_is_served_from_the_lifo_slot() {
    let rt = rt(1);
    rt.block_on(rt.spawn(async {
        let (tx_a, mut rx_b) = magpie::sync::mpsc::channel::<u32>(1);
        let (tx_b, mut rx_a) = magpie::sync::mpsc::channel::<u32>(1);
        let pong = magpie::spawn(async move {
            while let Some(v) = rx_b.recv().await {
                if tx_b.send(v).await.is_err() {
                    break;
                }
            }
        });
        for i in 0..200 {
            tx_a.send(i).await.unwrap();
            assert_eq!(rx_a.recv().await, Some(i));
        }
        drop(tx_a);
        pong.await.unwrap();
    }))
    .unwrap();
    let m = rt.handle().metrics();
    let lifo = m
        .scheduling_delay_histogram(0, DelaySource::LifoSlot)
        .count();
    assert!(lifo >= 100, "LIFO-slot delays: {lifo}");
}

#[test]
fn a_task_woken_from_outside_is_counted_under_the_injector() {
    let rt = rt(1);
    for _ in 0..20 {
        let (tx, rx) = oneshot::channel::<()>();
        let h = rt.spawn(async move { rx.await.unwrap() });
        // Let the worker park with the task waiting, then wake it from
        // this (non-worker) thread.
        std::thread::sleep(Duration::from_millis(2));
        tx.send(()).unwrap();
        rt.block_on(h).unwrap();
    }
    let m = rt.handle().metrics();
    let injector = m
        .scheduling_delay_histogram(0, DelaySource::Injector)
        .count();
    assert!(injector >= 20, "injector delays: {injector}");
}

#[test]
fn every_poll_has_one_delay_and_percentiles_are_monotone() {
    let rt = rt(2);
    rt.block_on(async {
        let mut hs = Vec::new();
        for _ in 0..100 {
            hs.push(magpie::spawn(async {
                for _ in 0..3 {
                    magpie::task::yield_now().await;
                }
            }));
        }
        for h in hs {
            h.await.unwrap();
        }
    });
    let handle = rt.handle().clone();
    drop(rt);
    let m = handle.metrics();
    for w in 0..2 {
        let delay = m.scheduling_delay_histogram_all(w);
        let polls = m.poll_time_histogram(w);
        assert_eq!(delay.count(), polls.count(), "worker {w}");
        let qs = [
            delay.p50(),
            delay.p90(),
            delay.p99(),
            delay.p999(),
            delay.max(),
        ];
        assert!(qs.windows(2).all(|q| q[0] <= q[1]), "{qs:?}");
    }
    let total: u64 = (0..2).map(|w| m.poll_time_histogram(w).count()).sum();
    assert!(total >= 400);
}

#[test]
fn histograms_off_record_nothing_and_the_dump_says_nothing() {
    let rt = support::rt(1);
    rt.block_on(async { magpie::spawn(async {}).await.unwrap() });
    let m = rt.handle().metrics();
    assert!(!m.histograms_enabled());
    assert!(m.poll_time_histogram(0).is_empty());
    assert!(!rt.handle().dump().to_string().contains("scheduling delay"));
}

#[test]
fn the_dump_prints_each_workers_percentiles() {
    let rt = rt(2);
    rt.block_on(async { magpie::spawn(async {}).await.unwrap() });
    let dump = rt.handle().dump().to_string();
    assert!(dump.contains("worker 0 scheduling delay: n="), "{dump}");
    assert!(dump.contains("worker 1 poll time:"), "{dump}");
    assert!(dump.contains("p99="), "{dump}");
}

#[test]
fn the_trace_has_queue_depth_counter_tracks_per_worker_and_for_the_injector() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .trace_events(10_000)
        .build()
        .unwrap();
    rt.block_on(async {
        let mut hs = Vec::new();
        for _ in 0..200 {
            hs.push(magpie::spawn(async {
                magpie::task::yield_now().await;
            }));
        }
        for h in hs {
            h.await.unwrap();
        }
        magpie::time::sleep(Duration::from_millis(5)).await;
    });
    let path = std::env::temp_dir().join(format!("magpie-counters-{}.json", std::process::id()));
    rt.handle().write_trace(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let counters: Vec<&serde_json::Value> = json["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "C")
        .collect();
    assert!(!counters.is_empty(), "no counter events");
    for c in &counters {
        let name = c["name"].as_str().unwrap();
        let tid = c["tid"].as_u64().unwrap();
        assert!(tid < 2, "a counter from a worker");
        if name != "injector" {
            assert_eq!(name, format!("local queue, worker {tid}"));
        }
        assert!(c["args"]["depth"].as_u64().is_some(), "{c}");
    }
    assert!(counters.iter().any(|c| c["name"] == "injector"));
}
