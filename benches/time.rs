//! Timer benchmarks: magpie side by side with tokio and smol's `async-io`,
//! one criterion group per workload so the ratios come from one run. Each
//! workload is written once against `TimeBench` (`support/time.rs`), which
//! hands it each runtime's own sleep and timeout.
//!
//! * `timer_churn`: make a timer, register it (one poll), cancel it (drop).
//! * `timer_fire`: 10,000 tasks each sleep 1 ms; all joined.
//! * `timeout_ready`: a `timeout` whose future is already ready.
//!
//! Every runtime gets the same number of worker threads (`workers()`, one
//! per CPU); tokio has only its timer driver enabled, smol's threads drive
//! the `async-io` reactor.
//!
//! Run: `cargo bench --bench time` (prints a ratio table at the end:
//! magpie's time over each peer's, below 1.0 means magpie is faster).

mod support;

use std::future::{ready, Future};
use std::pin::{pin, Pin};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use support::time::TimeBench;
use support::{report, Bench, Magpie, Smol, Spawn, Tokio};

const FIRE_TASKS: usize = 10_000;

/// Polls `future` once with a no-op waker (registers a timer).
fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(futures::task::noop_waker_ref()))
}

fn timer_churn<B: TimeBench>(group: &mut BenchmarkGroup<'_, WallTime>, rt: &B) {
    let far = Duration::from_secs(60);
    group.bench_function(B::NAME, |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let timer = pin!(B::sleep(far));
                    assert!(poll_once(timer).is_pending());
                }
                start.elapsed()
            })
        })
    });
}

fn timer_fire<B: TimeBench>(group: &mut BenchmarkGroup<'_, WallTime>, rt: &B) {
    let nap = Duration::from_millis(1);
    let spawner = rt.spawner();
    group.bench_function(B::NAME, |b| {
        b.iter(|| {
            rt.block_on(async {
                let tasks: Vec<_> = (0..FIRE_TASKS)
                    .map(|_| {
                        spawner.spawn_join(async move {
                            B::sleep(nap).await;
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await;
                }
            })
        })
    });
}

fn timeout_ready<B: TimeBench>(group: &mut BenchmarkGroup<'_, WallTime>, rt: &B) {
    let limit = Duration::from_secs(1);
    group.bench_function(B::NAME, |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for i in 0..iters {
                    let out = B::timeout(limit, ready(i)).await;
                    assert_eq!(out.ok(), Some(i));
                }
                start.elapsed()
            })
        })
    });
}

/// tokio with only its timer driver enabled: no I/O driver under its park.
fn tokio_timers() -> Tokio {
    Tokio::with(|b| {
        b.enable_time();
    })
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("timer_churn");
    on_each_runtime!(group, timer_churn, tokio_timers());
    let mut group = c.benchmark_group("timer_fire");
    group.sample_size(20);
    on_each_runtime!(group, timer_fire, tokio_timers());
    let mut group = c.benchmark_group("timeout_ready");
    on_each_runtime!(group, timeout_ready, tokio_timers());
    c.final_summary();
    report::print_ratio_table(
        &["timer_churn", "timer_fire", "timeout_ready"],
        &[Magpie::NAME, Tokio::NAME, Smol::NAME],
    );
}
