//! Timer benchmarks: magpie side by side with tokio and smol's `async-io`,
//! one criterion group per workload so the ratios come from one run.
//!
//! * `timer_churn`: make a timer, register it (one poll), cancel it (drop).
//! * `timer_fire`: 10,000 tasks each sleep 1 ms; all joined.
//! * `timeout_ready`: a `timeout` whose future is already ready.
//!
//! Every runtime gets the same two worker threads.
//!
//! Run: `cargo bench --bench time`.

use std::future::{ready, Future};
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

const WORKERS: usize = 2;
const FIRE_TASKS: usize = 10_000;

fn magpie_rt() -> magpie::Runtime {
    magpie::runtime::Builder::new()
        .worker_threads(WORKERS)
        .build()
        .expect("magpie runtime")
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_time()
        .build()
        .expect("tokio runtime")
}

/// smol's stack: an `async-executor` run by `WORKERS` threads, timers from
/// `async-io`.
struct Smol {
    executor: Arc<async_executor::Executor<'static>>,
    stop: Option<async_channel::Sender<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Smol {
    fn new() -> Smol {
        let executor = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let threads = (0..WORKERS)
            .map(|_| {
                let executor = executor.clone();
                let stopped = stopped.clone();
                std::thread::spawn(move || {
                    let _ = async_io::block_on(executor.run(stopped.recv()));
                })
            })
            .collect();
        Smol {
            executor,
            stop: Some(stop),
            threads,
        }
    }

    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        async_io::block_on(future)
    }
}

impl Drop for Smol {
    fn drop(&mut self) {
        drop(self.stop.take());
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Polls `future` once with a no-op waker (registers a timer).
fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(futures::task::noop_waker_ref()))
}

fn timer_churn(c: &mut Criterion) {
    let mut group = c.benchmark_group("timer_churn");
    let far = Duration::from_secs(60);

    let rt = magpie_rt();
    group.bench_function("magpie", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let timer = pin!(magpie::time::sleep(far));
                    assert!(poll_once(timer).is_pending());
                }
                start.elapsed()
            })
        })
    });
    drop(rt);

    let rt = tokio_rt();
    group.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let timer = pin!(tokio::time::sleep(far));
                    assert!(poll_once(timer).is_pending());
                }
                start.elapsed()
            })
        })
    });
    drop(rt);

    let smol = Smol::new();
    group.bench_function("smol", |b| {
        b.iter_custom(|iters| {
            smol.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let timer = pin!(async_io::Timer::after(far));
                    assert!(poll_once(timer).is_pending());
                }
                start.elapsed()
            })
        })
    });
    group.finish();
}

fn timer_fire(c: &mut Criterion) {
    let mut group = c.benchmark_group("timer_fire");
    group.sample_size(20);
    let nap = Duration::from_millis(1);

    let rt = magpie_rt();
    group.bench_function("magpie", |b| {
        b.iter(|| {
            rt.block_on(async {
                let tasks: Vec<_> = (0..FIRE_TASKS)
                    .map(|_| magpie::spawn(async move { magpie::time::sleep(nap).await }))
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
            })
        })
    });
    drop(rt);

    let rt = tokio_rt();
    group.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                let tasks: Vec<_> = (0..FIRE_TASKS)
                    .map(|_| tokio::spawn(async move { tokio::time::sleep(nap).await }))
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
            })
        })
    });
    drop(rt);

    let smol = Smol::new();
    group.bench_function("smol", |b| {
        b.iter(|| {
            smol.block_on(async {
                let tasks: Vec<_> = (0..FIRE_TASKS)
                    .map(|_| {
                        smol.executor.spawn(async move {
                            async_io::Timer::after(nap).await;
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await;
                }
            })
        })
    });
    group.finish();
}

fn timeout_ready(c: &mut Criterion) {
    let mut group = c.benchmark_group("timeout_ready");
    let limit = Duration::from_secs(1);

    let rt = magpie_rt();
    group.bench_function("magpie", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for i in 0..iters {
                    let out = magpie::time::timeout(limit, ready(i)).await;
                    assert_eq!(out, Ok(i));
                }
                start.elapsed()
            })
        })
    });
    drop(rt);

    let rt = tokio_rt();
    group.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for i in 0..iters {
                    let out = tokio::time::timeout(limit, ready(i)).await;
                    assert_eq!(out, Ok(i));
                }
                start.elapsed()
            })
        })
    });
    drop(rt);

    // smol has no `timeout`; its idiom is racing the future against a timer.
    let smol = Smol::new();
    group.bench_function("smol", |b| {
        b.iter_custom(|iters| {
            smol.block_on(async {
                use futures_lite::FutureExt;
                let start = Instant::now();
                for i in 0..iters {
                    let expired = async {
                        async_io::Timer::after(limit).await;
                        None
                    };
                    let out = async { Some(i) }.or(expired).await;
                    assert_eq!(out, Some(i));
                }
                start.elapsed()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, timer_churn, timer_fire, timeout_ready);
criterion_main!(benches);
