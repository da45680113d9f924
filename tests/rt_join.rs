//! Results, panics and aborts through `JoinHandle`, and `JoinSet`.

mod support;

use magpie::task::{self, JoinSet};
use std::future::pending;
use support::{rt, DropCounter};

#[test]
fn a_panic_in_a_task_reaches_its_join_handle() {
    let rt = rt(2);
    let err = rt
        .block_on(rt.spawn(async { panic!("oh no") }))
        .unwrap_err();
    assert!(err.is_panic());
    assert!(err.to_string().contains("oh no"));
    assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "oh no");
}

#[test]
fn a_panicking_task_does_not_take_its_worker_down() {
    let rt = rt(1);
    for _ in 0..10 {
        assert!(rt.block_on(rt.spawn(async { panic!("again") })).is_err());
    }
    assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
}

#[test]
fn abort_before_the_task_ever_runs_drops_its_future() {
    let rt = rt(1);
    let drops = DropCounter::default();
    let token = drops.token();
    // Spawned and aborted while the only worker is busy elsewhere.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    rt.spawn(async move {
        let _ = rx.recv();
    });
    let h = rt.spawn(async move {
        let _t = token;
        pending::<()>().await
    });
    h.abort();
    drop(tx);
    assert!(rt.block_on(h).unwrap_err().is_cancelled());
    assert_eq!(drops.count(), 1);
}

#[test]
fn abort_of_a_task_waiting_in_the_middle_drops_its_future() {
    let rt = rt(2);
    let drops = DropCounter::default();
    let token = drops.token();
    let (tx, rx) = std::sync::mpsc::channel();
    let h = rt.spawn(async move {
        let _t = token;
        tx.send(()).unwrap();
        pending::<()>().await
    });
    rx.recv().unwrap(); // it is running (or idle) now
    h.abort();
    let err = rt.block_on(h).unwrap_err();
    assert!(err.is_cancelled(), "{err}");
    assert_eq!(drops.count(), 1);
}

#[test]
fn abort_of_a_finished_task_keeps_its_output() {
    let rt = rt(1);
    let h = rt.spawn(async { 5 });
    while !h.is_finished() {
        std::thread::yield_now();
    }
    h.abort();
    assert_eq!(rt.block_on(h).unwrap(), 5);
}

#[test]
fn abort_handle_cancels_without_the_join_handle() {
    let rt = rt(2);
    let h = rt.spawn(pending::<()>());
    let abort = h.abort_handle();
    drop(h);
    abort.abort();
    while !abort.is_finished() {
        std::thread::yield_now();
    }
}

#[test]
fn join_set_returns_every_result_in_completion_order() {
    let rt = rt(2);
    rt.block_on(async {
        let mut set = JoinSet::new();
        for i in 0..100u32 {
            set.spawn(async move {
                for _ in 0..(i % 7) {
                    task::yield_now().await;
                }
                i
            });
        }
        assert_eq!(set.len(), 100);
        let mut got = Vec::new();
        while let Some(r) = set.join_next().await {
            got.push(r.unwrap());
        }
        got.sort();
        assert_eq!(got, (0..100).collect::<Vec<_>>());
        assert!(set.is_empty());
    });
}

#[test]
fn join_set_abort_all_cancels_its_tasks() {
    let rt = rt(2);
    let drops = DropCounter::default();
    rt.block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..10 {
            let t = drops.token();
            set.spawn(async move {
                let _t = t;
                pending::<()>().await
            });
        }
        set.abort_all();
        let mut cancelled = 0;
        while let Some(r) = set.join_next().await {
            assert!(r.unwrap_err().is_cancelled());
            cancelled += 1;
        }
        assert_eq!(cancelled, 10);
    });
    assert_eq!(drops.count(), 10);
}

#[test]
fn dropping_a_join_set_aborts_its_tasks() {
    let rt = rt(2);
    let drops = DropCounter::default();
    let handles = rt.block_on(async {
        let mut set = JoinSet::new();
        let mut aborts = Vec::new();
        for _ in 0..5 {
            let t = drops.token();
            aborts.push(set.spawn(async move {
                let _t = t;
                pending::<()>().await
            }));
        }
        drop(set);
        aborts
    });
    for a in handles {
        while !a.is_finished() {
            std::thread::yield_now();
        }
    }
    assert_eq!(drops.count(), 5);
}

#[test]
fn join_set_reports_panics_as_errors() {
    let rt = rt(2);
    rt.block_on(async {
        let mut set = JoinSet::new();
        set.spawn(async { panic!("member") });
        set.spawn(async { 1 });
        let mut panics = 0;
        let mut oks = 0;
        while let Some(r) = set.join_next().await {
            match r {
                Ok(_) => oks += 1,
                Err(e) if e.is_panic() => panics += 1,
                Err(e) => panic!("unexpected {e}"),
            }
        }
        assert_eq!((oks, panics), (1, 1));
    });
}

#[test]
fn spawn_blocking_returns_its_value_and_panics() {
    let rt = rt(1);
    assert_eq!(rt.block_on(rt.spawn_blocking(|| 10)).unwrap(), 10);
    let err = rt
        .block_on(rt.spawn_blocking(|| panic!("blocking boom")))
        .unwrap_err();
    assert!(err.is_panic());
}

#[test]
fn the_blocking_pool_respects_its_thread_cap() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let rt = magpie::runtime::Builder::new()
        .worker_threads(1)
        .max_blocking_threads(2)
        .build()
        .unwrap();
    let now = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..8)
        .map(|_| {
            let (now, max) = (now.clone(), max.clone());
            rt.spawn_blocking(move || {
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(n, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(5));
                now.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    for h in hs {
        rt.block_on(h).unwrap();
    }
    assert!(max.load(Ordering::SeqCst) <= 2);
}

#[test]
fn join_next_after_the_budget_is_spent_still_wakes_up() {
    use std::future::poll_fn;
    let rt = rt(1);
    rt.block_on(async {
        magpie::spawn(async {
            let mut set = JoinSet::new();
            set.spawn(async { 1 });
            // Spend the whole budget on ready JoinHandles of finished tasks.
            let done: Vec<_> = (0..200).map(|_| magpie::spawn(async {})).collect();
            for h in done {
                h.await.unwrap();
            }
            // A fresh poll: join_next must not leave us pending forever.
            let got = poll_fn(|cx| set.poll_join_next(cx).map(|r| r.map(|(_, r)| r)))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(got, 1);
        })
        .await
        .unwrap();
    });
}

#[test]
fn try_join_next_returns_every_finished_task_whatever_the_budget() {
    let rt = magpie::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let mut set = magpie::task::JoinSet::new();
        for i in 0..1000u32 {
            set.spawn(async move { i });
        }
        // Wait until every task has finished, without joining any (the
        // block_on future is not a task).
        let metrics = magpie::runtime::Handle::current().metrics();
        while metrics.num_alive_tasks() > 0 {
            magpie::task::yield_now().await;
        }
        let mut got = 0;
        while let Some(res) = set.try_join_next() {
            res.unwrap();
            got += 1;
        }
        assert_eq!(got, 1000, "try_join_next stopped early");
        assert!(set.is_empty());
    });
}
