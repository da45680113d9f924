//! `block_on` for threads that are not workers: poll the future, and sleep
//! on a thread parker between polls.

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
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let (parker, waker) = PARKER.with(|(p, w)| (p.clone(), w.clone()));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = coop::budget(|| future.as_mut().poll(&mut cx)) {
            return out;
        }
        parker.0.park();
    }
}
