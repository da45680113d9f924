//! Runtime hooks, identity and the metrics tokio code reads.

mod support;

use magpie::runtime::Builder;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

#[test]
fn spawn_and_terminate_hooks_see_every_task_exactly_once() {
    let (spawned, ended) = (counter(), counter());
    let ids = Arc::new(Mutex::new(Vec::new()));
    let (s, e, i) = (spawned.clone(), ended.clone(), ids.clone());
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .on_task_spawn(move |meta| {
            s.fetch_add(1, Ordering::SeqCst);
            i.lock().unwrap().push(meta.id());
        })
        .on_task_terminate(move |_| {
            e.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    rt.block_on(async {
        let mut hs = Vec::new();
        for i in 0..50 {
            hs.push(magpie::spawn(async move {
                magpie::task::yield_now().await;
                if i == 7 {
                    panic!("one task panics");
                }
            }));
        }
        let pending = magpie::spawn(std::future::pending::<()>());
        pending.abort();
        let _ = pending.await;
        for h in hs {
            let _ = h.await;
        }
    });
    assert_eq!(spawned.load(Ordering::SeqCst), 51);
    assert_eq!(ended.load(Ordering::SeqCst), 51);
    let mut ids = ids.lock().unwrap().clone();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 51);
    assert_eq!(rt.handle().metrics().spawned_tasks_count(), 51);
}

#[test]
fn poll_hooks_bracket_every_poll() {
    let (before, after) = (counter(), counter());
    let (b, a) = (before.clone(), after.clone());
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .on_before_task_poll(move |_| {
            b.fetch_add(1, Ordering::SeqCst);
        })
        .on_after_task_poll(move |_| {
            a.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    rt.block_on(async {
        let mut hs = Vec::new();
        for _ in 0..20 {
            hs.push(magpie::spawn(async {
                for _ in 0..5 {
                    magpie::task::yield_now().await;
                }
            }));
        }
        for h in hs {
            h.await.unwrap();
        }
    });
    drop(rt);
    let (b, a) = (before.load(Ordering::SeqCst), after.load(Ordering::SeqCst));
    assert_eq!(b, a);
    assert!(b >= 20 * 6, "{b} polls");
}

#[test]
fn a_panicking_hook_does_not_take_a_worker_down() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .on_after_task_poll(|_| panic!("hook bug"))
        .on_task_terminate(|_| panic!("another hook bug"))
        .build()
        .unwrap();
    let out = rt.block_on(async {
        let mut sum = 0;
        for i in 0..10 {
            sum += magpie::spawn(async move { i }).await.unwrap();
        }
        sum
    });
    assert_eq!(out, 45);
}

#[test]
fn park_hooks_run_on_worker_threads() {
    let names = Arc::new(Mutex::new(Vec::new()));
    let n = names.clone();
    let unparks = counter();
    let u = unparks.clone();
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .on_thread_park(move || {
            n.lock()
                .unwrap()
                .push(std::thread::current().name().map(String::from));
        })
        .on_thread_unpark(move || {
            u.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    for _ in 0..5 {
        rt.block_on(async {
            magpie::time::sleep(std::time::Duration::from_millis(2)).await;
        });
    }
    drop(rt);
    let names = names.lock().unwrap();
    assert!(!names.is_empty());
    assert!(names
        .iter()
        .all(|n| n.as_deref().is_some_and(|n| n.starts_with("magpie-worker"))));
    assert!(unparks.load(Ordering::SeqCst) >= 1);
}

#[test]
fn runtimes_have_distinct_ids_and_their_names() {
    let a = Builder::new_current_thread().name("a").build().unwrap();
    let b = support::rt(1);
    assert_ne!(a.handle().id(), b.handle().id());
    assert_eq!(a.handle().name(), Some("a"));
    assert_eq!(b.handle().name(), None);
    let inside = a.block_on(async { magpie::runtime::Handle::current().id() });
    assert_eq!(inside, a.handle().id());
}

#[test]
fn the_budget_forces_yields_and_they_are_counted() {
    let rt = support::rt(1);
    assert_eq!(rt.handle().metrics().budget_forced_yield_count(), 0);
    rt.block_on(async {
        let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
        for i in 0..1000 {
            tx.send(i).unwrap();
        }
        magpie::spawn(async move {
            for _ in 0..1000 {
                rx.recv().await.unwrap();
            }
        })
        .await
        .unwrap();
    });
    // 1,000 ready receives at 128 per poll: at least 7 forced yields.
    assert!(rt.handle().metrics().budget_forced_yield_count() >= 7);
}

#[test]
fn mean_poll_time_is_busy_time_over_polls() {
    let rt = support::rt(1);
    rt.block_on(async {
        for _ in 0..10 {
            magpie::spawn(async {
                std::thread::sleep(std::time::Duration::from_millis(2));
            })
            .await
            .unwrap();
        }
    });
    // Let the worker park, which closes its busy interval.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let m = rt.handle().metrics();
    let polls = m.worker_poll_count(0);
    assert!(polls >= 10);
    assert_eq!(
        m.worker_mean_poll_time(0),
        m.worker_total_busy_duration(0) / polls as u32
    );
    assert!(m.worker_total_busy_duration(0) >= std::time::Duration::from_millis(20));
}
