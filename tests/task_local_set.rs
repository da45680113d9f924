//! `LocalSet`: `!Send` tasks that run on the thread owning the set, inside
//! whatever polls it.

mod support;

use magpie::sync::{mpsc, oneshot};
use magpie::task::{self, LocalSet};
use std::cell::{Cell, RefCell};
use std::future::{pending, Future};
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};
use support::{panic_message, rt, DropCounter};

#[test]
fn rc_refcell_state_is_shared_by_many_local_tasks() {
    let rt = rt(2);
    let local = LocalSet::new();
    let log = Rc::new(RefCell::new(Vec::new()));
    for i in 0..100u32 {
        let log = log.clone();
        local.spawn_local(async move {
            log.borrow_mut().push(i);
            task::yield_now().await;
            log.borrow_mut().push(1000 + i);
        });
    }
    rt.block_on(local);
    let log = log.borrow();
    assert_eq!(log.len(), 200);
    assert_eq!(
        log.iter().sum::<u32>(),
        2 * (0..100).sum::<u32>() + 100 * 1000
    );
    // Spawn order is run order: every first half ran before any second.
    assert_eq!(log[..100], (0..100).collect::<Vec<_>>());
}

#[test]
fn run_until_returns_the_futures_output_while_tasks_progress() {
    let rt = rt(2);
    let local = LocalSet::new();
    let ticks = Rc::new(Cell::new(0u32));
    local.spawn_local({
        let ticks = ticks.clone();
        async move {
            loop {
                ticks.set(ticks.get() + 1);
                task::yield_now().await;
            }
        }
    });
    let out = local.block_on(&rt, async {
        while ticks.get() < 10 {
            task::yield_now().await;
        }
        "done"
    });
    assert_eq!(out, "done");
    assert!(ticks.get() >= 10);
}

#[test]
fn a_busy_task_does_not_keep_run_until_from_its_own_future() {
    let rt = rt(1);
    let local = LocalSet::new();
    let spins = Rc::new(Cell::new(0u64));
    local.spawn_local({
        let spins = spins.clone();
        async move {
            loop {
                spins.set(spins.get() + 1);
                task::yield_now().await;
            }
        }
    });
    // Without the per-poll bound, running the set would never return to
    // the timer.
    local.block_on(&rt, async {
        magpie::time::sleep(Duration::from_millis(20)).await
    });
    assert!(spins.get() > 61, "the busy task ran {} times", spins.get());
}

#[test]
fn awaiting_the_set_waits_for_every_task() {
    let rt = rt(2);
    let local = LocalSet::new();
    let finished = Rc::new(RefCell::new(Vec::new()));
    for ms in [30u64, 10, 20] {
        let finished = finished.clone();
        local.spawn_local(async move {
            magpie::time::sleep(Duration::from_millis(ms)).await;
            finished.borrow_mut().push(ms);
        });
    }
    let start = Instant::now();
    rt.block_on(local);
    assert!(start.elapsed() >= Duration::from_millis(30));
    assert_eq!(*finished.borrow(), [10, 20, 30]);
}

#[test]
fn awaiting_an_empty_set_finishes_at_once() {
    let rt = rt(1);
    rt.block_on(LocalSet::new());
}

#[test]
fn local_tasks_use_timers_and_channels() {
    let rt = rt(2);
    let local = LocalSet::new();
    let received = Rc::new(RefCell::new(Vec::new()));
    let (tx, mut rx) = mpsc::channel::<u32>(2);
    let (done_tx, done_rx) = oneshot::channel();
    local.spawn_local(async move {
        for i in 0..5 {
            magpie::time::sleep(Duration::from_millis(2)).await;
            tx.send(i).await.unwrap();
        }
    });
    local.spawn_local({
        let received = received.clone();
        async move {
            while let Some(i) = rx.recv().await {
                received.borrow_mut().push(i);
            }
            done_tx.send(received.borrow().len()).unwrap();
        }
    });
    let n = local.block_on(&rt, done_rx).unwrap();
    assert_eq!(n, 5);
    assert_eq!(*received.borrow(), [0, 1, 2, 3, 4]);
}

#[test]
fn a_wake_from_another_thread_runs_the_task_on_the_sets_thread() {
    let rt = rt(2);
    let local = LocalSet::new();
    let (tx, rx) = oneshot::channel();
    let ran_on = Rc::new(Cell::new(None));
    let h = local.spawn_local({
        let ran_on = ran_on.clone();
        async move {
            let v = rx.await.unwrap();
            ran_on.set(Some(thread::current().id()));
            v
        }
    });
    let sender = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        tx.send(7).unwrap();
    });
    assert_eq!(local.block_on(&rt, h).unwrap(), 7);
    sender.join().unwrap();
    assert_eq!(ran_on.get(), Some(thread::current().id()));
}

#[test]
fn aborting_a_local_task_drops_its_future_and_cancels_its_handle() {
    let rt = rt(1);
    let local = LocalSet::new();
    let drops = DropCounter::default();
    let token = drops.token();
    let h = local.spawn_local(async move {
        let _token = token;
        pending::<()>().await
    });
    local.block_on(&rt, task::yield_now()); // polled once, now waiting
    assert_eq!(drops.count(), 0);
    h.abort();
    let err = local.block_on(&rt, h).unwrap_err();
    assert!(err.is_cancelled());
    assert_eq!(drops.count(), 1);
}

#[test]
fn an_abort_from_another_thread_wakes_the_set() {
    let rt = rt(1);
    let local = LocalSet::new();
    let h = local.spawn_local(pending::<()>());
    let abort = h.abort_handle();
    let aborter = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        abort.abort();
    });
    // Awaiting the set returns only once its one task is gone.
    rt.block_on(local);
    aborter.join().unwrap();
    assert!(rt.block_on(h).unwrap_err().is_cancelled());
}

#[test]
fn dropping_the_set_drops_pending_futures_and_cancels_their_handles() {
    let rt = rt(1);
    let local = LocalSet::new();
    let drops = DropCounter::default();
    let mut handles = Vec::new();
    for _ in 0..3 {
        let token = drops.token();
        handles.push(local.spawn_local(async move {
            let _token = token;
            pending::<()>().await
        }));
    }
    // One never polled at all.
    let token = drops.token();
    handles.push(local.spawn_local(async move { drop(token) }));
    local.block_on(&rt, async {});
    drop(local);
    assert_eq!(drops.count(), 4);
    for h in handles {
        assert!(rt.block_on(h).unwrap_err().is_cancelled());
    }
}

#[test]
fn a_panicking_task_gives_its_handle_the_panic_and_the_set_keeps_working() {
    let rt = rt(1);
    let local = LocalSet::new();
    let count = Rc::new(Cell::new(0));
    let boom = local.spawn_local(async {
        task::yield_now().await;
        panic!("boom");
    });
    let other = local.spawn_local({
        let count = count.clone();
        async move {
            task::yield_now().await;
            count.set(count.get() + 1);
        }
    });
    local.block_on(&rt, async {
        let err = boom.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(panic_message(&*err.into_panic()), "boom");
        other.await.unwrap();
        let count = count.clone();
        local
            .spawn_local(async move { count.set(count.get() + 1) })
            .await
            .unwrap();
    });
    assert_eq!(count.get(), 2);
}

#[test]
fn nested_sets_each_run_their_own_tasks() {
    let rt = rt(1);
    let outer = LocalSet::new();
    let order = Rc::new(RefCell::new(Vec::new()));
    outer.block_on(&rt, async {
        let inner = LocalSet::new();
        let (tx, rx) = oneshot::channel();
        let got = inner.spawn_local({
            let order = order.clone();
            async move {
                let v = rx.await.unwrap();
                order.borrow_mut().push("inner");
                v
            }
        });
        // An outer task wakes the inner one while only the outer set runs;
        // then the inner set runs inside the outer's `run_until`.
        outer.spawn_local({
            let order = order.clone();
            async move {
                order.borrow_mut().push("outer");
                tx.send(5).unwrap();
            }
        });
        assert_eq!(inner.run_until(got).await.unwrap(), 5);
        // And the other way round: an inner task wakes an outer one.
        let (tx, rx) = oneshot::channel();
        let outer_task = outer.spawn_local(async move { rx.await.unwrap() });
        inner.spawn_local(async move { tx.send("back").unwrap() });
        inner.await;
        assert_eq!(outer_task.await.unwrap(), "back");
    });
    assert_eq!(*order.borrow(), ["outer", "inner"]);
}

#[test]
fn a_set_runs_inside_block_on_of_a_runtime_handle_on_another_thread() {
    let rt = rt(2);
    let handle = rt.handle().clone();
    let out = thread::spawn(move || {
        let local = LocalSet::new();
        let rc = Rc::new(3);
        let h = local.spawn_local(async move {
            magpie::time::sleep(Duration::from_millis(1)).await;
            *rc * 2
        });
        handle.block_on(local.run_until(h)).unwrap()
    })
    .join()
    .unwrap();
    assert_eq!(out, 6);
}

// ---- thread check: a !Send future is only ever polled and dropped on the
// ---- set's thread, whatever happens to it.

/// What a `ThreadBound` saw: polls and drops, and how many of those were
/// on a thread other than the one it was made on.
#[derive(Default)]
struct ThreadChecks {
    polls: AtomicUsize,
    drops: AtomicUsize,
    wrong_thread: AtomicUsize,
}

impl ThreadChecks {
    fn assert_polled_and_dropped_at_home(&self) {
        assert_eq!(self.wrong_thread.load(Ordering::SeqCst), 0);
        assert!(self.polls.load(Ordering::SeqCst) > 0, "never polled");
        assert_eq!(self.drops.load(Ordering::SeqCst), 1);
    }
}

/// Wraps a future; records the thread it is made on and checks it on
/// every poll and on drop. `!Send`, like the futures `LocalSet` is for.
struct ThreadBound<F> {
    home: ThreadId,
    checks: Arc<ThreadChecks>,
    inner: Pin<Box<F>>,
    _not_send: PhantomData<Rc<()>>,
}

fn thread_bound<F: Future>(checks: &Arc<ThreadChecks>, inner: F) -> ThreadBound<F> {
    ThreadBound {
        home: thread::current().id(),
        checks: checks.clone(),
        inner: Box::pin(inner),
        _not_send: PhantomData,
    }
}

impl<F> ThreadBound<F> {
    fn check(&self, what: &str) {
        if thread::current().id() != self.home {
            self.checks.wrong_thread.fetch_add(1, Ordering::SeqCst);
            if !thread::panicking() {
                panic!(
                    "{what} on {:?}, made on {:?}",
                    thread::current().id(),
                    self.home
                );
            }
        }
    }
}

impl<F: Future> Future for ThreadBound<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.check("poll");
        self.checks.polls.fetch_add(1, Ordering::SeqCst);
        self.inner.as_mut().poll(cx)
    }
}

impl<F> Drop for ThreadBound<F> {
    fn drop(&mut self) {
        self.checks.drops.fetch_add(1, Ordering::SeqCst);
        self.check("drop");
    }
}

/// Sends `value` on `tx` from another thread after a short wait, so the
/// task is woken from there.
fn send_later<T: Send + 'static>(tx: oneshot::Sender<T>, value: T) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        thread::sleep(Duration::from_millis(10));
        let _ = tx.send(value);
    })
}

#[test]
fn a_local_future_stays_on_the_sets_thread_when_it_completes() {
    let rt = rt(2);
    let local = LocalSet::new();
    let checks = Arc::new(ThreadChecks::default());
    let (tx, rx) = oneshot::channel();
    let h = local.spawn_local(thread_bound(&checks, async move {
        let v = rx.await.unwrap();
        magpie::time::sleep(Duration::from_millis(1)).await;
        v + 1
    }));
    let sender = send_later(tx, 1);
    assert_eq!(local.block_on(&rt, h).unwrap(), 2);
    sender.join().unwrap();
    checks.assert_polled_and_dropped_at_home();
}

#[test]
fn a_local_future_stays_on_the_sets_thread_when_it_is_aborted() {
    let rt = rt(2);
    let local = LocalSet::new();
    let checks = Arc::new(ThreadChecks::default());
    let h = local.spawn_local(thread_bound(&checks, pending::<()>()));
    local.block_on(&rt, task::yield_now());
    let abort = h.abort_handle();
    thread::spawn(move || abort.abort()).join().unwrap();
    assert!(local.block_on(&rt, h).unwrap_err().is_cancelled());
    checks.assert_polled_and_dropped_at_home();
}

#[test]
fn a_local_future_stays_on_the_sets_thread_when_the_set_is_dropped() {
    let rt = rt(2);
    let local = LocalSet::new();
    let checks = Arc::new(ThreadChecks::default());
    let (tx, rx) = oneshot::channel::<()>();
    let (_never_tx, never_rx) = oneshot::channel::<()>();
    let h = local.spawn_local(thread_bound(&checks, async move {
        rx.await.unwrap();
        never_rx.await.unwrap();
    }));
    // Woken from another thread once, then left waiting.
    let sender = send_later(tx, ());
    local.block_on(&rt, async {
        magpie::time::sleep(Duration::from_millis(40)).await
    });
    sender.join().unwrap();
    assert_eq!(checks.drops.load(Ordering::SeqCst), 0);
    assert!(checks.polls.load(Ordering::SeqCst) >= 2);
    drop(local);
    checks.assert_polled_and_dropped_at_home();
    assert!(rt.block_on(h).unwrap_err().is_cancelled());
}

#[test]
fn a_local_future_stays_on_the_sets_thread_when_it_panics() {
    let rt = rt(2);
    let local = LocalSet::new();
    let checks = Arc::new(ThreadChecks::default());
    let (tx, rx) = oneshot::channel::<()>();
    let h = local.spawn_local(thread_bound(&checks, async move {
        rx.await.unwrap();
        panic!("local boom");
    }));
    let sender = send_later(tx, ());
    let err = local.block_on(&rt, h).unwrap_err();
    sender.join().unwrap();
    assert_eq!(panic_message(&*err.into_panic()), "local boom");
    checks.assert_polled_and_dropped_at_home();
}

#[test]
fn a_join_set_collects_tasks_spawned_onto_a_local_set_and_aborts_them_on_drop() {
    let rt = magpie::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let local = magpie::task::LocalSet::new();
    let dropped = Rc::new(Cell::new(0));
    struct CountDrop(Rc<Cell<u32>>);
    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }
    let mut set = magpie::task::JoinSet::new();
    for i in 0..3u32 {
        let guard = CountDrop(dropped.clone());
        set.spawn_local_on(
            async move {
                let _guard = guard;
                i * 10
            },
            &local,
        );
    }
    let mut sum = 0;
    rt.block_on(local.run_until(async {
        while let Some(out) = set.join_next().await {
            sum += out.unwrap();
        }
    }));
    assert_eq!(sum, 30);
    assert_eq!(dropped.get(), 3);

    // Still waiting when the JoinSet goes: aborted, dropped on this thread.
    let guard = CountDrop(dropped.clone());
    set.spawn_local_on(
        async move {
            let _guard = guard;
            std::future::pending::<u32>().await
        },
        &local,
    );
    rt.block_on(local.run_until(magpie::task::yield_now()));
    drop(set);
    rt.block_on(local.run_until(magpie::task::yield_now()));
    assert_eq!(dropped.get(), 4);
}
