//! The current-thread runtime: tasks run only inside `block_on`, on the
//! calling thread, with the same timers, I/O, blocking pool and
//! observability as the multi-thread runtime.

mod support;

use magpie::net::{TcpListener, TcpStream};
use magpie::runtime::{Builder, UnhandledPanic};
use magpie::sync::{mpsc, oneshot};
use magpie::task::{self, JoinSet};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::{BoundLog, ThreadBound};

fn rt() -> magpie::Runtime {
    Builder::new_current_thread().build().unwrap()
}

#[test]
fn every_task_runs_on_the_thread_in_block_on() {
    let rt = rt();
    let here = std::thread::current().id();
    let threads = rt.block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..20 {
            set.spawn(async {
                task::yield_now().await;
                std::thread::current().id()
            });
        }
        let mut threads = Vec::new();
        while let Some(t) = set.join_next().await {
            threads.push(t.unwrap());
        }
        threads
    });
    assert_eq!(threads.len(), 20);
    assert!(threads.iter().all(|t| *t == here));
    assert_eq!(rt.handle().metrics().num_workers(), 1);
}

#[test]
fn tasks_spawned_before_block_on_wait_for_it_and_resume_in_the_next_one() {
    let rt = rt();
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let h = rt.spawn(async move {
        r.fetch_add(1, Ordering::SeqCst);
    });
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(ran.load(Ordering::SeqCst), 0, "no block_on: nothing runs");
    rt.block_on(h).unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 1);

    // A task left pending by the first block_on resumes in the second.
    let (tx, rx) = oneshot::channel::<u32>();
    let progress = Rc::new(RefCell::new(Vec::new()));
    let p = progress.clone();
    // The handle leaves this block_on on purpose: the next one awaits it.
    #[allow(clippy::async_yields_async)]
    let waiter = rt.block_on(async move {
        let h = task::spawn_local(async move {
            p.borrow_mut().push("started");
            let v = rx.await.unwrap();
            p.borrow_mut().push("resumed");
            v
        });
        // Yielding lets the task run up to its await.
        task::yield_now().await;
        h
    });
    assert_eq!(*progress.borrow(), vec!["started"]);
    tx.send(9).unwrap();
    assert_eq!(rt.block_on(waiter).unwrap(), 9);
    assert_eq!(*progress.borrow(), vec!["started", "resumed"]);
}

#[test]
fn a_spawn_from_another_thread_wakes_the_thread_in_block_on() {
    let rt = rt();
    let handle = rt.handle().clone();
    let (tx, rx) = oneshot::channel::<&'static str>();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        // The task must run on the block_on thread, which is parked in the
        // driver right now.
        handle.spawn(async move {
            tx.send("from a remote spawn").unwrap();
        });
    });
    let got = rt.block_on(rx).unwrap();
    assert_eq!(got, "from a remote spawn");
    t.join().unwrap();
}

#[test]
fn timers_fire_and_sleep_order_holds() {
    let rt = rt();
    let order = rt.block_on(async {
        let order = Rc::new(RefCell::new(Vec::new()));
        let mut hs = Vec::new();
        for ms in [30u64, 10, 20] {
            let order = order.clone();
            hs.push(task::spawn_local(async move {
                magpie::time::sleep(Duration::from_millis(ms)).await;
                order.borrow_mut().push(ms);
            }));
        }
        for h in hs {
            h.await.unwrap();
        }
        let o = order.borrow().clone();
        o
    });
    assert_eq!(order, vec![10, 20, 30]);
}

#[test]
fn serves_tcp_on_one_thread() {
    let rt = rt();
    let here = std::thread::current().id();
    rt.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = task::spawn_local(async move {
            for _ in 0..10 {
                let (mut s, _) = listener.accept().await.unwrap();
                task::spawn_local(async move {
                    use magpie::io::{AsyncReadExt, AsyncWriteExt};
                    let mut buf = [0u8; 5];
                    s.read_exact(&mut buf).await.unwrap();
                    assert_eq!(std::thread::current().id(), here);
                    s.write_all(&buf).await.unwrap();
                });
            }
        });
        let mut clients = Vec::new();
        for _ in 0..10 {
            clients.push(task::spawn_local(async move {
                use magpie::io::{AsyncReadExt, AsyncWriteExt};
                let mut c = TcpStream::connect(addr).await.unwrap();
                c.write_all(b"hello").await.unwrap();
                let mut buf = [0u8; 5];
                c.read_exact(&mut buf).await.unwrap();
                assert_eq!(&buf, b"hello");
            }));
        }
        for c in clients {
            c.await.unwrap();
        }
        server.await.unwrap();
    });
}

#[test]
fn spawn_blocking_results_come_back_to_the_block_on_thread() {
    let rt = rt();
    let here = std::thread::current().id();
    let (elsewhere, back_here) = rt.block_on(async move {
        let other = task::spawn_blocking(|| std::thread::current().id())
            .await
            .unwrap();
        (other, std::thread::current().id())
    });
    assert_ne!(elsewhere, here);
    assert_eq!(back_here, here);
}

#[test]
fn two_threads_in_block_on_share_the_runtime() {
    let rt = Arc::new(rt());
    let (tx, mut rx) = mpsc::channel::<u32>(4);
    let r = rt.clone();
    // One thread drives the runtime; the other waits for the core or for
    // its own future, and takes over when the first returns.
    let a = std::thread::spawn(move || {
        r.block_on(async move {
            for i in 0..50 {
                tx.send(i).await.unwrap();
                magpie::time::sleep(Duration::from_micros(200)).await;
            }
        })
    });
    let sum = rt.block_on(async move {
        let mut sum = 0;
        while let Some(v) = rx.recv().await {
            sum += v;
        }
        sum
    });
    a.join().unwrap();
    assert_eq!(sum, (0..50).sum::<u32>());
}

#[test]
fn a_local_future_is_polled_and_dropped_only_on_its_thread() {
    let log = BoundLog::new();
    let rt = rt();
    // Completion, abort, JoinSet drop, panic.
    rt.block_on(async {
        let g = ThreadBound::new(&log);
        task::spawn_local(async move {
            task::yield_now().await;
            g.check();
        })
        .await
        .unwrap();

        let g = ThreadBound::new(&log);
        let h = task::spawn_local(async move {
            g.check();
            std::future::pending::<()>().await
        });
        task::yield_now().await;
        // Abort from another thread: routed back here.
        let abort = h.abort_handle();
        std::thread::spawn(move || abort.abort()).join().unwrap();
        assert!(h.await.unwrap_err().is_cancelled());

        let mut set = JoinSet::new();
        for _ in 0..3 {
            let g = ThreadBound::new(&log);
            set.spawn_local(async move {
                g.check();
                std::future::pending::<()>().await
            });
        }
        task::yield_now().await;
        drop(set);
        task::yield_now().await;

        let g = ThreadBound::new(&log);
        let err = task::spawn_local(async move {
            g.check();
            panic!("local boom");
        })
        .await
        .unwrap_err();
        assert!(err.is_panic());
    });
    log.assert_clean(6);

    // Runtime drop with local tasks pending, on this thread.
    let g = ThreadBound::new(&log);
    rt.block_on(async move {
        task::spawn_local(async move {
            g.check();
            std::future::pending::<()>().await
        });
        task::yield_now().await;
    });
    drop(rt);
    log.assert_clean(7);
}

#[test]
fn a_runtime_moved_to_another_thread_leaks_its_local_tasks_rather_than_drop_them_there() {
    let log = BoundLog::new();
    let rt = rt();
    let g = ThreadBound::new(&log);
    rt.block_on(async move {
        task::spawn_local(async move {
            g.check();
            std::future::pending::<()>().await
        });
        task::yield_now().await;
    });
    // The local task belongs to this thread: it must never be dropped on
    // the other one (it is leaked, with a message).
    std::thread::spawn(move || drop(rt)).join().unwrap();
    log.assert_clean(0);
}

#[test]
fn block_on_from_another_thread_runs_send_tasks_but_leaves_local_ones() {
    let rt = Arc::new(rt());
    let log = BoundLog::new();
    let g = ThreadBound::new(&log);
    let (tx, rx) = oneshot::channel::<()>();
    #[allow(clippy::async_yields_async)]
    let local = rt.block_on(async move {
        task::spawn_local(async move {
            rx.await.unwrap();
            g.check();
            "local done"
        })
    });
    let r = rt.clone();
    let other = std::thread::spawn(move || {
        // This thread does not own the local task: Send tasks run, the
        // local one waits for its own thread.
        let out = r.block_on(async { magpie::spawn(async { 5 }).await.unwrap() });
        tx.send(()).unwrap();
        out
    })
    .join()
    .unwrap();
    assert_eq!(other, 5);
    assert_eq!(rt.block_on(local).unwrap(), "local done");
    log.assert_clean(1);
}

#[test]
fn a_panic_under_shutdown_runtime_ends_block_on_with_the_reason() {
    let rt = Builder::new_current_thread()
        .unhandled_panic(UnhandledPanic::ShutdownRuntime)
        .build()
        .unwrap();
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            magpie::spawn(async { panic!("fatal task") });
            std::future::pending::<()>().await
        })
    }))
    .unwrap_err();
    let msg = support::panic_message(&*err);
    assert!(msg.contains("fatal task"), "{msg}");
}

#[test]
fn a_block_on_future_that_keeps_yielding_does_not_starve_tasks() {
    let rt = rt();
    let flag = Rc::new(std::cell::Cell::new(false));
    let f = flag.clone();
    rt.block_on(async move {
        task::spawn_local(async move {
            for _ in 0..10 {
                task::yield_now().await;
            }
            f.set(true);
        });
        // Busy-waits by yielding: only fair scheduling lets the task finish.
        while !flag.get() {
            task::yield_now().await;
        }
    });
}

#[test]
fn a_panic_in_the_block_on_future_keeps_the_runtime_usable() {
    let rt = rt();
    let h = rt.spawn(async { 3 });
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { panic!("main future") })
    }));
    assert!(res.is_err());
    // The core was given back during the unwind.
    assert_eq!(rt.block_on(h).unwrap(), 3);
}

#[test]
fn dump_trace_and_metrics_work_with_one_worker() {
    let rt = Builder::new_current_thread()
        .trace_events(1000)
        .enable_task_tracking()
        .build()
        .unwrap();
    rt.block_on(async {
        let _h = task::Builder::new()
            .name("idle-local")
            .spawn_local(std::future::pending::<()>())
            .unwrap();
        for _ in 0..10 {
            magpie::spawn(async {}).await.unwrap();
        }
        let dump = magpie::runtime::Handle::current().dump();
        assert!(
            dump.tasks()
                .iter()
                .any(|t| t.name.as_deref() == Some("idle-local")),
            "{dump}"
        );
    });
    let m = rt.handle().metrics();
    assert_eq!(m.num_workers(), 1);
    assert!(m.worker_poll_count(0) >= 10);
    let path = std::env::temp_dir().join(format!("magpie-ct-trace-{}.json", std::process::id()));
    rt.handle().write_trace(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert!(text.contains("traceEvents"));
}

#[test]
fn a_local_set_runs_inside_a_current_thread_runtime_and_task_spawn_local_targets_it() {
    let rt = rt();
    let set = task::LocalSet::new();
    let here = std::thread::current().id();
    let out = set.block_on(&rt, async move {
        let state = Rc::new(RefCell::new(0));
        let s = state.clone();
        // Inside the set, `task::spawn_local` spawns onto the set.
        task::spawn_local(async move {
            magpie::time::sleep(Duration::from_millis(2)).await;
            *s.borrow_mut() += 1;
            std::thread::current().id()
        })
        .await
        .map(|t| (t, *state.borrow()))
        .unwrap()
    });
    assert_eq!(out, (here, 1));
}

thread_local! {
    static KEPT: RefCell<Option<magpie::Runtime>> = const { RefCell::new(None) };
}

#[test]
fn a_current_thread_runtime_in_a_thread_local_drops_its_local_tasks_at_thread_exit() {
    let log = BoundLog::new();
    let l = log.clone();
    std::thread::spawn(move || {
        KEPT.with(|slot| *slot.borrow_mut() = Some(rt()));
        KEPT.with(|slot| {
            let slot = slot.borrow();
            let rt = slot.as_ref().unwrap();
            let g = ThreadBound::new(&l);
            rt.block_on(async move {
                task::spawn_local(async move {
                    g.check();
                    std::future::pending::<()>().await
                });
                task::yield_now().await;
            });
        });
    })
    .join()
    .expect("the thread exits cleanly");
    log.assert_clean(1);
}
