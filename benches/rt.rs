//! Scheduler benchmarks: the same workloads on magpie, tokio and smol's
//! async-executor, each with one worker per CPU, in one run so the ratios
//! are comparable.
//!
//! `cargo bench --bench rt`

mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use support::{Bench, Magpie, Smol, Spawn, Tokio};

const NUM_SPAWN: usize = 10_000;
const NUM_YIELD_TASKS: usize = 200;
const NUM_YIELDS: usize = 1_000;
const NUM_PINGS: usize = 1_000;
const CHAIN_DEPTH: usize = 1_000;

/// Counts completions; the last one signals the bench thread.
fn countdown(n: usize) -> (Arc<AtomicUsize>, mpsc::SyncSender<()>, mpsc::Receiver<()>) {
    let (tx, rx) = mpsc::sync_channel(1);
    (Arc::new(AtomicUsize::new(n)), tx, rx)
}

fn spawn_many_local<B: Bench>(rt: &B) {
    let s = rt.spawner();
    let (left, tx, rx) = countdown(NUM_SPAWN);
    let s2 = s.clone();
    s.spawn(async move {
        for _ in 0..NUM_SPAWN {
            let left = left.clone();
            let tx = tx.clone();
            s2.spawn(async move {
                if left.fetch_sub(1, Ordering::Relaxed) == 1 {
                    tx.send(()).unwrap();
                }
            });
        }
    });
    rx.recv().unwrap();
}

fn spawn_many_remote<B: Bench>(rt: &B) {
    let s = rt.spawner();
    let (left, tx, rx) = countdown(NUM_SPAWN);
    for _ in 0..NUM_SPAWN {
        let left = left.clone();
        let tx = tx.clone();
        s.spawn(async move {
            if left.fetch_sub(1, Ordering::Relaxed) == 1 {
                tx.send(()).unwrap();
            }
        });
    }
    rx.recv().unwrap();
}

fn yield_many<B: Bench>(rt: &B) {
    let s = rt.spawner();
    let (left, tx, rx) = countdown(NUM_YIELD_TASKS);
    for _ in 0..NUM_YIELD_TASKS {
        let left = left.clone();
        let tx = tx.clone();
        s.spawn(async move {
            for _ in 0..NUM_YIELDS {
                support::yield_now().await;
            }
            if left.fetch_sub(1, Ordering::Relaxed) == 1 {
                tx.send(()).unwrap();
            }
        });
    }
    rx.recv().unwrap();
}

fn ping_pong<B: Bench>(rt: &B) {
    let s = rt.spawner();
    let (left, tx, rx) = countdown(NUM_PINGS);
    let s2 = s.clone();
    s.spawn(async move {
        for _ in 0..NUM_PINGS {
            let left = left.clone();
            let tx = tx.clone();
            let s3 = s2.clone();
            s2.spawn(async move {
                let (ping_tx, ping_rx) = futures::channel::oneshot::channel::<()>();
                let (pong_tx, pong_rx) = futures::channel::oneshot::channel::<()>();
                s3.spawn(async move {
                    ping_rx.await.unwrap();
                    pong_tx.send(()).unwrap();
                });
                ping_tx.send(()).unwrap();
                pong_rx.await.unwrap();
                if left.fetch_sub(1, Ordering::Relaxed) == 1 {
                    tx.send(()).unwrap();
                }
            });
        }
    });
    rx.recv().unwrap();
}

fn chained_spawn<B: Bench>(rt: &B) {
    fn link<S: Spawn>(s: S, depth: usize, done: mpsc::SyncSender<()>) {
        if depth == 0 {
            done.send(()).unwrap();
            return;
        }
        let s2 = s.clone();
        s.spawn(async move { link(s2, depth - 1, done) });
    }
    let (tx, rx) = mpsc::sync_channel(1);
    link(rt.spawner(), CHAIN_DEPTH, tx);
    rx.recv().unwrap();
}

macro_rules! bench_all {
    ($c:expr, $name:literal, $work:ident, $magpie:expr, $tokio:expr, $smol:expr) => {{
        let mut g = $c.benchmark_group($name);
        g.bench_function(Magpie::NAME, |b| b.iter(|| $work($magpie)));
        g.bench_function(Tokio::NAME, |b| b.iter(|| $work($tokio)));
        g.bench_function(Smol::NAME, |b| b.iter(|| $work($smol)));
        g.finish();
    }};
}

fn benches(c: &mut Criterion) {
    let magpie = Magpie::new();
    let tokio = Tokio::new();
    let smol = Smol::new();
    bench_all!(
        c,
        "spawn_many_local",
        spawn_many_local,
        &magpie,
        &tokio,
        &smol
    );
    bench_all!(
        c,
        "spawn_many_remote",
        spawn_many_remote,
        &magpie,
        &tokio,
        &smol
    );
    bench_all!(c, "yield_many", yield_many, &magpie, &tokio, &smol);
    bench_all!(c, "ping_pong", ping_pong, &magpie, &tokio, &smol);
    bench_all!(c, "chained_spawn", chained_spawn, &magpie, &tokio, &smol);
}

criterion_group! {
    name = rt;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = benches
}
criterion_main!(rt);
