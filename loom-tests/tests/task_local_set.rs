#![cfg(loom)]
//! `LocalSet`: a wake of a set's task from another thread races the set's
//! poll (its queue push and waker wake against the set's register-then-
//! look), and the task still runs; a wake racing the set's drop is only a
//! count. No runtime: `loom::future::block_on` polls the set, so a lost
//! wake-up is a deadlock loom reports.

use loom::future::block_on;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::{Arc, Mutex};
use loom::thread;
use magpie::task::LocalSet;
use std::future::poll_fn;
use std::task::{Poll, Waker};

/// A one-shot flag with a waker slot, written with loom primitives.
#[derive(Clone, Default)]
struct Flag(Arc<(AtomicBool, Mutex<Option<Waker>>)>);

impl Flag {
    fn set(&self) {
        self.0 .0.store(true, Ordering::SeqCst);
        if let Some(w) = self.0 .1.lock().unwrap().take() {
            w.wake();
        }
    }

    /// Whether a waiter's waker is stored (it waits, not yet woken).
    fn has_waker(&self) -> bool {
        self.0 .1.lock().unwrap().is_some()
    }

    async fn wait(&self) {
        poll_fn(|cx| {
            if self.0 .0.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            *self.0 .1.lock().unwrap() = Some(cx.waker().clone());
            if self.0 .0.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            Poll::Pending
        })
        .await
    }
}

#[test]
fn a_remote_wake_racing_run_until_runs_the_task() {
    loom::model(|| {
        let local = LocalSet::new();
        let flag = Flag::default();
        let f = flag.clone();
        let h = local.spawn_local(async move {
            f.wait().await;
            1
        });
        let setter = thread::spawn(move || flag.set());
        // Only the task's wake, through the set's waker, gets the task run
        // again once it waits: the join handle is woken only when it is done.
        assert_eq!(block_on(local.run_until(h)).unwrap(), 1);
        setter.join().unwrap();
    });
}

#[test]
fn a_remote_abort_racing_the_sets_await_ends_it() {
    loom::model(|| {
        let local = LocalSet::new();
        let h = local.spawn_local(std::future::pending::<()>());
        let abort = h.abort_handle();
        let aborter = thread::spawn(move || abort.abort());
        block_on(local);
        aborter.join().unwrap();
        assert!(block_on(h).unwrap_err().is_cancelled());
    });
}

#[test]
fn a_remote_wake_racing_the_sets_drop_cancels_the_task() {
    loom::model(|| {
        let local = LocalSet::new();
        let flag = Flag::default();
        let f = flag.clone();
        let h = local.spawn_local(async move { f.wait().await });
        // Run the set until the task has polled once and its waker sits in
        // the flag (`run_until` polls its own future first: one that is
        // ready at once would return before the task ever ran, and the
        // setter below would find no waker to wake).
        let registered = flag.clone();
        block_on(local.run_until(poll_fn(|cx| {
            if registered.has_waker() {
                Poll::Ready(())
            } else {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        })));
        let setter = thread::spawn(move || flag.set());
        drop(local);
        setter.join().unwrap();
        assert!(block_on(h).unwrap_err().is_cancelled());
    });
}
