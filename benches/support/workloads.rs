//! The scheduler workloads, written once against `Bench`/`Spawn` so every
//! runtime runs exactly the same code.

use super::{Bench, Spawn};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

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

pub fn spawn_many_local<B: Bench>(rt: &B) {
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

pub fn spawn_many_remote<B: Bench>(rt: &B) {
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

pub fn yield_many<B: Bench>(rt: &B) {
    let s = rt.spawner();
    let (left, tx, rx) = countdown(NUM_YIELD_TASKS);
    for _ in 0..NUM_YIELD_TASKS {
        let left = left.clone();
        let tx = tx.clone();
        s.spawn(async move {
            for _ in 0..NUM_YIELDS {
                super::yield_now().await;
            }
            if left.fetch_sub(1, Ordering::Relaxed) == 1 {
                tx.send(()).unwrap();
            }
        });
    }
    rx.recv().unwrap();
}

pub fn ping_pong<B: Bench>(rt: &B) {
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

pub fn chained_spawn<B: Bench>(rt: &B) {
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
