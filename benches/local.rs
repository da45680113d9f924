//! Current-thread benchmarks: magpie's current-thread runtime, tokio's
//! `current_thread` runtime (with a `LocalSet`) and smol's `LocalExecutor`,
//! one criterion group per workload so the ratios come from one run. Each
//! workload is written once against `LocalBench` (`support/local.rs`).
//!
//! * `spawn_many_local`: 10,000 empty tasks with `spawn_local`, all joined.
//! * `spawn_many_send`: the same with `magpie::spawn` / `tokio::spawn`
//!   (smol has one spawn path: the same as above).
//! * `yield_many`: 100 tasks each yield 100 times.
//! * `ping_pong`: two tasks pass a message back and forth 1,000 times
//!   over the runtime's own bounded channels (async-channel for smol).
//! * `chained_spawn`: each task spawns the next, 1,000 deep; the last one
//!   signals the `block_on` future.
//! * `timer_fire`: 1,000 tasks each sleep 1 ms; all joined.
//!
//! Then what one task costs, for the analysis in BENCHMARKS.md:
//!
//! * `spawn_join`: spawn + run + join of one empty task, one after the
//!   other from the `block_on` future; beside the runtimes, `floor` (the
//!   same shape with no atomics, `support/floor.rs`) and `floor_20rmw`
//!   (the floor plus the 20 atomic read-modify-writes magpie's path makes).
//! * `atomic_rmw`: one uncontended `fetch_add`, back to back.
//!
//! Run: `cargo bench --bench local` (prints ratio tables of median times
//! at the end: magpie's time over each other's, below 1.0 means magpie is
//! faster).

mod support;

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::AcqRel};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use support::floor::{Floor, Rmws};
use support::local::{LocalBench, Magpie, Smol, Tokio};
use support::{report, yield_now};

const NUM_SPAWN: usize = 10_000;
const YIELD_TASKS: usize = 100;
const YIELDS: usize = 100;
const PINGS: u64 = 1_000;
const CHAIN_DEPTH: usize = 1_000;
const TIMER_TASKS: usize = 1_000;

fn spawn_many_local<R: LocalBench>(rt: &R) {
    rt.block_on(async {
        let tasks: Vec<_> = (0..NUM_SPAWN).map(|_| R::spawn_local(async {})).collect();
        for task in tasks {
            task.await;
        }
    })
}

fn spawn_many_send<R: LocalBench>(rt: &R) {
    rt.block_on_send(async {
        let tasks: Vec<_> = (0..NUM_SPAWN).map(|_| R::spawn(async {})).collect();
        for task in tasks {
            task.await;
        }
    })
}

fn yield_many<R: LocalBench>(rt: &R) {
    rt.block_on(async {
        let tasks: Vec<_> = (0..YIELD_TASKS)
            .map(|_| {
                R::spawn_local(async {
                    for _ in 0..YIELDS {
                        yield_now().await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await;
        }
    })
}

fn ping_pong<R: LocalBench>(rt: &R) {
    rt.block_on(async {
        let (ping_tx, mut ping_rx) = R::channel(1);
        let (pong_tx, mut pong_rx) = R::channel(1);
        let echo = R::spawn_local(async move {
            for _ in 0..PINGS {
                let v = R::recv(&mut ping_rx).await;
                R::send(&pong_tx, v).await;
            }
        });
        let ping = R::spawn_local(async move {
            for i in 0..PINGS {
                R::send(&ping_tx, i).await;
                assert_eq!(R::recv(&mut pong_rx).await, i);
            }
        });
        ping.await;
        echo.await;
    })
}

fn chained_spawn<R: LocalBench>(rt: &R) {
    fn link<R: LocalBench>(depth: usize, done: futures::channel::oneshot::Sender<()>) {
        if depth == 0 {
            done.send(()).unwrap();
            return;
        }
        R::spawn_detached(async move { link::<R>(depth - 1, done) });
    }
    rt.block_on(async {
        let (tx, rx) = futures::channel::oneshot::channel();
        link::<R>(CHAIN_DEPTH, tx);
        rx.await.unwrap();
    })
}

fn timer_fire<R: LocalBench>(rt: &R) {
    let nap = Duration::from_millis(1);
    rt.block_on_timers(async {
        let tasks: Vec<_> = (0..TIMER_TASKS)
            .map(|_| {
                R::spawn_local(async move {
                    R::sleep(nap).await;
                })
            })
            .collect();
        for task in tasks {
            task.await;
        }
    })
}

/// `iters` spawn + run + join of an empty task, one at a time.
fn spawn_join<R: LocalBench>(group: &mut BenchmarkGroup<'_, WallTime>, rt: &R) {
    group.bench_function(R::NAME, |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    R::spawn_local(async {}).await;
                }
                start.elapsed()
            })
        })
    });
    group.bench_function(format!("{}_spawn", R::NAME), |b| {
        b.iter_custom(|iters| {
            rt.block_on_send(async {
                let start = Instant::now();
                for _ in 0..iters {
                    R::spawn(async {}).await;
                }
                start.elapsed()
            })
        })
    });
}

fn spawn_join_floor(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, rmws: Rmws) {
    let floor = Floor::new(rmws);
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let join = floor.spawn(async {});
                floor.run();
                black_box(join).take();
            }
            start.elapsed()
        })
    });
}

/// The read-modify-writes of magpie's spawn_local + run + join from the
/// `block_on` future, where they happen (counted in BENCHMARKS.md).
const MAGPIE_RMWS: Rmws = Rmws {
    spawn: 6,
    run: 8,
    join: 6,
};

macro_rules! on_each {
    ($c:expr, $name:literal, $work:ident, $magpie:expr, $tokio:expr, $smol:expr) => {{
        let mut g = $c.benchmark_group($name);
        g.bench_function(Magpie::NAME, |b| b.iter(|| $work($magpie)));
        g.bench_function(Tokio::NAME, |b| b.iter(|| $work($tokio)));
        g.bench_function(Smol::NAME, |b| b.iter(|| $work($smol)));
        g.finish();
    }};
}

const WORKLOADS: &[&str] = &[
    "spawn_many_local",
    "spawn_many_send",
    "yield_many",
    "ping_pong",
    "chained_spawn",
    "timer_fire",
];

fn main() {
    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let (magpie, tokio, smol) = (Magpie::new(), Tokio::new(), Smol);
    on_each!(
        c,
        "spawn_many_local",
        spawn_many_local,
        &magpie,
        &tokio,
        &smol
    );
    on_each!(
        c,
        "spawn_many_send",
        spawn_many_send,
        &magpie,
        &tokio,
        &smol
    );
    on_each!(c, "yield_many", yield_many, &magpie, &tokio, &smol);
    on_each!(c, "ping_pong", ping_pong, &magpie, &tokio, &smol);
    on_each!(c, "chained_spawn", chained_spawn, &magpie, &tokio, &smol);
    on_each!(c, "timer_fire", timer_fire, &magpie, &tokio, &smol);

    let mut g = c.benchmark_group("spawn_join");
    spawn_join(&mut g, &magpie);
    spawn_join(&mut g, &tokio);
    spawn_join(&mut g, &smol);
    spawn_join_floor(&mut g, "floor", Rmws::default());
    spawn_join_floor(&mut g, "floor_20rmw", MAGPIE_RMWS);
    g.finish();

    let mut g = c.benchmark_group("atomic_rmw");
    let word = AtomicUsize::new(0);
    g.bench_function("fetch_add", |b| {
        b.iter(|| black_box(&word).fetch_add(1, AcqRel))
    });
    g.finish();

    c.final_summary();
    println!("\nmedian times:");
    report::print_ratio_table_of(
        "median",
        WORKLOADS,
        &[Magpie::NAME, Tokio::NAME, Smol::NAME],
    );
    report::print_ratio_table_of(
        "median",
        &["spawn_join"],
        &[
            "magpie",
            "magpie_spawn",
            "tokio",
            "tokio_spawn",
            "smol",
            "smol_spawn",
            "floor",
            "floor_20rmw",
        ],
    );
    if let Some(ns) = report::estimate_ns("atomic_rmw", "fetch_add", "median") {
        println!(
            "\natomic_rmw: {} per uncontended fetch_add",
            report::human(ns)
        );
    }
}
