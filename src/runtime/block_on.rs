//! `block_on` for threads that are not workers: poll the future, and sleep
//! on a thread parker between polls.

use crate::runtime::scheduler::Shared;
use crate::runtime::task::coop;
use crate::util::parker::Parker;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Wake, Waker};

/// Parks the calling thread on the one park protocol (`util/parker.rs`);
/// its waker unparks it.
pub(crate) struct ThreadParker(Parker);

impl Wake for ThreadParker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.0.unpark();
    }
}

crate::loom::thread_local! {
    /// One parker per thread, reused by every `block_on` on it: no
    /// allocation per call.
    static PARKER: (std::sync::Arc<ThreadParker>, Waker) = {
        let parker = std::sync::Arc::new(ThreadParker(Parker::new()));
        let waker = Waker::from(parker.clone());
        (parker, waker)
    };
}

/// Runs `future` to completion on this thread. The caller has entered the
/// runtime context (nested calls panic before reaching here).
///
/// Panics if `shared`'s runtime shut itself down because a task panicked
/// (`UnhandledPanic::ShutdownRuntime`) and the future is still waiting:
/// what it waits for may never come then. (A future that is ready, such as
/// the `JoinHandle` of a cancelled task, still returns its output.)
#[track_caller]
pub(crate) fn block_on<F: Future>(shared: &Shared, future: F) -> F::Output {
    let mut future = pin!(future);
    let (parker, waker) = PARKER.with(|(p, w)| (p.clone(), w.clone()));
    let mut cx = Context::from_waker(&waker);
    let _watch = shared.watch_fatal(&waker);
    loop {
        if let Poll::Ready(out) = coop::budget(|| future.as_mut().poll(&mut cx)) {
            return out;
        }
        // Still waiting: if the runtime shut itself down, what we wait for
        // may never come (no worker drives timers or I/O any more).
        if shared.is_shutdown() {
            if let Some(reason) = shared.fatal() {
                panic!("{reason}");
            }
        }
        parker.0.park();
    }
}
