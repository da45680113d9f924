//! `!Send` tasks on the multi-thread runtime: `task::spawn_local` pins a
//! task to the worker it is called on, `Handle::spawn_pinned` to the least
//! loaded worker. A pinned future is polled and dropped only on its
//! worker, on every path: completion, remote wake, abort, `JoinSet` drop,
//! runtime drop, panic.

mod support;

use magpie::sync::oneshot;
use magpie::task::{self, JoinSet};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::Duration;
use support::{BoundLog, ThreadBound};

/// Runs `f` (which may call `spawn_local`) inside a task on a worker of
/// `rt`, and returns its output.
fn on_worker<T: Send + 'static>(rt: &magpie::Runtime, f: impl FnOnce() -> T + Send + 'static) -> T {
    rt.block_on(rt.spawn(async move { f() })).unwrap()
}

#[test]
fn pinned_tasks_never_move_while_other_workers_steal() {
    let rt = support::rt(4);
    let log = BoundLog::new();
    let done = Arc::new(AtomicUsize::new(0));
    // Busy Send tasks that yield a lot: every worker steals all the time.
    let mut noise = Vec::new();
    for _ in 0..64 {
        noise.push(rt.spawn(async {
            for _ in 0..300 {
                task::yield_now().await;
            }
        }));
    }
    let (l, d) = (log.clone(), done.clone());
    let handles = on_worker(&rt, move || {
        (0..16)
            .map(|_| {
                let guard = ThreadBound::new(&l);
                let d = d.clone();
                task::spawn_local(async move {
                    for i in 0..200 {
                        guard.check();
                        if i % 50 == 0 {
                            // A timer fires on whichever worker holds the
                            // driver: the wake still comes back here.
                            magpie::time::sleep(Duration::from_micros(100)).await;
                        } else {
                            task::yield_now().await;
                        }
                    }
                    guard.check();
                    d.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect::<Vec<_>>()
    });
    rt.block_on(async {
        for h in handles {
            h.await.unwrap();
        }
        for h in noise {
            h.await.unwrap();
        }
    });
    assert_eq!(done.load(Ordering::SeqCst), 16);
    log.assert_clean(16);
}

#[test]
fn a_wake_from_another_thread_runs_the_task_on_its_own_worker() {
    let rt = support::rt(2);
    let log = BoundLog::new();
    let (tx, rx) = oneshot::channel::<u32>();
    let l = log.clone();
    let (home_tx, home_rx) = std::sync::mpsc::channel::<ThreadId>();
    let h = on_worker(&rt, move || {
        let guard = ThreadBound::new(&l);
        home_tx.send(guard.home()).unwrap();
        task::spawn_local(async move {
            let v = rx.await.unwrap();
            guard.check();
            (v, std::thread::current().id())
        })
    });
    let home = home_rx.recv().unwrap();
    std::thread::sleep(Duration::from_millis(20));
    std::thread::spawn(move || tx.send(7).unwrap())
        .join()
        .unwrap();
    let (v, ran_on) = rt.block_on(h).unwrap();
    assert_eq!(v, 7);
    assert_eq!(ran_on, home);
    log.assert_clean(1);
}

#[test]
fn rc_refcell_state_shared_by_many_pinned_tasks() {
    let rt = support::rt(2);
    let total = on_worker(&rt, || {
        task::spawn_local(async {
            let state = Rc::new(RefCell::new(Vec::new()));
            let mut handles = Vec::new();
            for i in 0..50 {
                let state = state.clone();
                handles.push(task::spawn_local(async move {
                    task::yield_now().await;
                    state.borrow_mut().push(i);
                }));
            }
            for h in handles {
                h.await.unwrap();
            }
            let sum: i32 = state.borrow().iter().sum();
            sum
        })
    });
    assert_eq!(rt.block_on(total).unwrap(), (0..50).sum::<i32>());
}

#[test]
fn a_pinned_task_spawns_send_tasks_and_awaits_them() {
    let rt = support::rt(2);
    let h = on_worker(&rt, || {
        task::spawn_local(async {
            let local = Rc::new(Cell::new(0u64));
            for i in 1..=10u64 {
                let out = magpie::spawn(async move { i * i }).await.unwrap();
                local.set(local.get() + out);
            }
            local.get()
        })
    });
    assert_eq!(rt.block_on(h).unwrap(), 385);
}

#[test]
fn abort_drops_the_pinned_future_on_its_worker() {
    let rt = support::rt(2);
    let log = BoundLog::new();
    let l = log.clone();
    let h = on_worker(&rt, move || {
        let guard = ThreadBound::new(&l);
        task::spawn_local(async move {
            guard.check();
            std::future::pending::<()>().await;
        })
    });
    // Abort from this (non-worker) thread: the cancellation is routed to
    // the owner, which drops the future there.
    h.abort();
    let err = rt.block_on(h).unwrap_err();
    assert!(err.is_cancelled());
    log.assert_clean(1);
}

#[test]
fn dropping_a_join_set_of_pinned_tasks_drops_them_on_their_worker() {
    let rt = support::rt(2);
    let log = BoundLog::new();
    let l = log.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let set = Arc::new(Mutex::new(None::<JoinSet<()>>));
    let s = set.clone();
    on_worker(&rt, move || {
        let mut js = JoinSet::new();
        for _ in 0..5 {
            let guard = ThreadBound::new(&l);
            js.spawn_local(async move {
                guard.check();
                std::future::pending::<()>().await;
            });
        }
        *s.lock().unwrap() = Some(js);
        tx.send(()).unwrap();
    });
    rx.recv().unwrap();
    // Dropped here, on the test thread: it aborts each task, and each
    // future is dropped by its owner.
    drop(set.lock().unwrap().take());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while log.drops.load(Ordering::SeqCst) < 5 {
        assert!(std::time::Instant::now() < deadline, "futures not dropped");
        std::thread::sleep(Duration::from_millis(1));
    }
    log.assert_clean(5);
}

#[test]
fn runtime_drop_drops_pending_pinned_futures_on_their_worker() {
    let rt = support::rt(2);
    let log = BoundLog::new();
    let l = log.clone();
    let handles = on_worker(&rt, move || {
        (0..4)
            .map(|_| {
                let guard = ThreadBound::new(&l);
                task::spawn_local(async move {
                    guard.check();
                    std::future::pending::<()>().await;
                })
            })
            .collect::<Vec<_>>()
    });
    let pinned = Arc::new(AtomicUsize::new(0));
    for _ in 0..4 {
        let p = pinned.clone();
        drop(rt.handle().spawn_pinned(move || {
            let guard = ThreadBound::new(&BoundLog::new());
            p.fetch_add(1, Ordering::SeqCst);
            async move {
                guard.check();
                std::future::pending::<()>().await
            }
        }));
    }
    drop(rt);
    log.assert_clean(4);
    for h in handles {
        // The tasks are gone; their handles resolve to cancelled.
        let rt = support::rt(1);
        assert!(rt.block_on(h).unwrap_err().is_cancelled());
    }
}

#[test]
fn a_panicking_pinned_task_unwinds_on_its_worker() {
    let rt = support::rt(2);
    let log = BoundLog::new();
    let l = log.clone();
    let h = on_worker(&rt, move || {
        let guard = ThreadBound::new(&l);
        task::spawn_local(async move {
            task::yield_now().await;
            guard.check();
            panic!("boom in a pinned task");
        })
    });
    let err = rt.block_on(h).unwrap_err();
    assert!(err.is_panic());
    assert_eq!(
        support::panic_message(&*err.into_panic()),
        "boom in a pinned task"
    );
    log.assert_clean(1);
    // The worker survived: more pinned work runs.
    let h = on_worker(&rt, || task::spawn_local(async { 1 }));
    assert_eq!(rt.block_on(h).unwrap(), 1);
}

#[test]
fn spawn_pinned_builds_and_runs_the_future_on_one_worker() {
    let rt = support::rt(2);
    let log = BoundLog::new();
    let l = log.clone();
    let h = rt.handle().spawn_pinned(move || {
        let guard = ThreadBound::new(&l);
        let name = std::thread::current().name().map(String::from);
        async move {
            for _ in 0..100 {
                task::yield_now().await;
                guard.check();
            }
            name
        }
    });
    let name = rt.block_on(h).unwrap().expect("a named worker thread");
    assert!(name.starts_with("magpie-worker"), "{name}");
    log.assert_clean(1);
}

#[test]
fn spawn_pinned_spreads_tasks_over_the_least_loaded_workers() {
    let rt = support::rt(2);
    let threads = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let mut handles = Vec::new();
    for _ in 0..4 {
        let (threads, tx) = (threads.clone(), tx.clone());
        handles.push(rt.handle().spawn_pinned(move || async move {
            threads.lock().unwrap().push(std::thread::current().id());
            tx.send(()).unwrap();
            std::future::pending::<()>().await
        }));
        // Let the task reach its worker before choosing the next one.
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
    }
    let mut threads = threads.lock().unwrap().clone();
    threads.sort_by_key(|t| format!("{t:?}"));
    threads.dedup();
    assert_eq!(threads.len(), 2, "4 pinned tasks on 2 workers use both");
    for h in handles {
        h.abort();
    }
}

#[test]
fn spawn_local_outside_a_local_executor_panics_with_where_to_call_it() {
    let err = std::panic::catch_unwind(|| {
        drop(task::spawn_local(async {}));
    })
    .unwrap_err();
    let msg = support::panic_message(&*err);
    assert!(msg.contains("LocalSet"), "{msg}");
    assert!(msg.contains("current-thread"), "{msg}");
    assert!(msg.contains("spawn_pinned"), "{msg}");

    // `block_on` of a multi-thread runtime is not a worker either.
    let rt = support::rt(1);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            drop(task::spawn_local(async {}));
        })
    }))
    .unwrap_err();
    assert!(support::panic_message(&*err).contains("spawn_local"));
}

#[test]
fn a_pinned_future_whose_drop_spawns_locally_during_shutdown_is_cancelled_cleanly() {
    struct SpawnOnDrop(Arc<AtomicUsize>);
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            // The worker is shutting down: this spawn is cancelled at once.
            let c = self.0.clone();
            drop(task::spawn_local(async move {
                c.fetch_add(100, Ordering::SeqCst);
            }));
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let rt = support::rt(2);
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let pending = on_worker(&rt, move || {
        let guard = SpawnOnDrop(c);
        task::spawn_local(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        })
    });
    drop(rt);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    drop(pending);
}

#[test]
fn pinned_tasks_show_in_the_dump_and_the_alive_count() {
    let rt = support::rt(2);
    let h = on_worker(&rt, || {
        task::Builder::new()
            .name("pinned-one")
            .spawn_local(std::future::pending::<()>())
            .unwrap()
    });
    let dump = rt.handle().dump();
    assert!(
        dump.tasks()
            .iter()
            .any(|t| t.name.as_deref() == Some("pinned-one")),
        "{dump}"
    );
    // The helper task that spawned it leaves the owned list just after
    // its JoinHandle is ready: wait for that.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while rt.handle().metrics().num_alive_tasks() != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the pinned task is not counted alone"
        );
        std::thread::yield_now();
    }
    h.abort();
}
