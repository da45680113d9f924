//! `block_on` for threads that are not workers: poll the future, and sleep
//! on a thread parker between polls.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Condvar, Mutex};
use crate::runtime::task::coop;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Wake, Waker};

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

/// Parks the calling thread; its waker unparks it. The same protocol as
/// the workers' condvar park (see `scheduler/park.rs`).
pub(crate) struct ThreadParker {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
}

impl ThreadParker {
    fn new() -> ThreadParker {
        ThreadParker {
            state: AtomicUsize::new(EMPTY),
            mutex: Mutex::new(()),
            condvar: Condvar::new(),
        }
    }

    fn park(&self) {
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        let mut guard = self.mutex.lock();
        match self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.store(EMPTY, SeqCst);
                return;
            }
            Err(actual) => unreachable!("inconsistent park state {actual}"),
        }
        loop {
            guard = self.condvar.wait(guard);
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return;
            }
        }
    }

    fn unpark(&self) {
        if self.state.swap(NOTIFIED, SeqCst) == PARKED {
            drop(self.mutex.lock());
            self.condvar.notify_one();
        }
    }
}

impl Wake for ThreadParker {
    fn wake(self: std::sync::Arc<Self>) {
        self.unpark();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.unpark();
    }
}

crate::loom::thread_local! {
    /// One parker per thread, reused by every `block_on` on it: no
    /// allocation per call.
    static PARKER: (std::sync::Arc<ThreadParker>, Waker) = {
        let parker = std::sync::Arc::new(ThreadParker::new());
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
        parker.park();
    }
}
