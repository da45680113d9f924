//! Spawning tasks and getting their results.

mod support;

use magpie::task;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::rt;

#[test]
fn spawn_from_outside_the_runtime_runs_the_task() {
    let rt = rt(2);
    let h = rt.spawn(async { 1 + 1 });
    assert_eq!(rt.block_on(h).unwrap(), 2);
}

#[test]
fn spawn_from_another_thread_through_a_handle() {
    let rt = rt(2);
    let handle = rt.handle().clone();
    let h = std::thread::spawn(move || handle.spawn(async { "far" }))
        .join()
        .unwrap();
    assert_eq!(rt.block_on(h).unwrap(), "far");
}

#[test]
fn spawn_from_inside_a_task() {
    let rt = rt(2);
    let out = rt.block_on(async {
        magpie::spawn(async { magpie::spawn(async { 3 }).await.unwrap() * 2 })
            .await
            .unwrap()
    });
    assert_eq!(out, 6);
}

#[test]
fn a_million_tiny_tasks_all_complete() {
    let rt = rt(2);
    let done = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let mut handles = Vec::with_capacity(1_000_000);
        for _ in 0..1_000_000 {
            let done = done.clone();
            handles.push(magpie::spawn(async move {
                done.fetch_add(1, Ordering::Relaxed);
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
    });
    assert_eq!(done.load(Ordering::Relaxed), 1_000_000);
}

fn chain(depth: usize) -> task::JoinHandle<usize> {
    magpie::spawn(async move {
        if depth == 0 {
            0
        } else {
            chain(depth - 1).await.unwrap() + 1
        }
    })
}

#[test]
fn a_deep_chain_of_spawns_unwinds_to_the_root() {
    let rt = rt(2);
    assert_eq!(rt.block_on(async { chain(10_000).await.unwrap() }), 10_000);
}

#[test]
fn spawn_outside_a_runtime_panics_with_a_helpful_message() {
    let err = std::panic::catch_unwind(|| magpie::spawn(async {})).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("no magpie runtime"), "{msg}");
}

#[test]
fn task_ids_are_unique_and_match_their_handles() {
    let rt = rt(1);
    let a = rt.spawn(async {});
    let b = rt.spawn(async {});
    assert_ne!(a.id(), b.id());
    assert_eq!(a.abort_handle().id(), a.id());
}

#[test]
fn dropping_a_join_handle_detaches_the_task() {
    let rt = rt(2);
    let (tx, rx) = std::sync::mpsc::channel();
    drop(rt.spawn(async move {
        task::yield_now().await;
        tx.send(9).unwrap();
    }));
    assert_eq!(rx.recv().unwrap(), 9);
}

#[test]
fn a_single_worker_runtime_runs_everything() {
    let rt = rt(1);
    let sum = rt.block_on(async {
        let hs: Vec<_> = (0..1000u64)
            .map(|i| magpie::spawn(async move { i }))
            .collect();
        let mut s = 0;
        for h in hs {
            s += h.await.unwrap();
        }
        s
    });
    assert_eq!(sum, 499_500);
}

#[test]
fn handle_block_on_from_a_plain_thread() {
    let rt = rt(2);
    let handle = rt.handle().clone();
    let out = std::thread::spawn(move || {
        handle.block_on(async { magpie::spawn(async { 4 }).await.unwrap() })
    })
    .join()
    .unwrap();
    assert_eq!(out, 4);
}

#[test]
fn thread_start_and_stop_hooks_run_on_every_worker() {
    let started = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(AtomicUsize::new(0));
    let (s1, s2) = (started.clone(), stopped.clone());
    let rt = magpie::runtime::Builder::new()
        .worker_threads(3)
        .on_thread_start(move || {
            s1.fetch_add(1, Ordering::SeqCst);
        })
        .on_thread_stop(move || {
            s2.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    rt.block_on(async {});
    drop(rt);
    assert_eq!(started.load(Ordering::SeqCst), 3);
    assert_eq!(stopped.load(Ordering::SeqCst), 3);
}
