//! Parking a worker: on the driver, or on its own condition variable.
//!
//! Who may wait: a worker with nothing to do. The first one to park takes
//! the driver (a `try_lock`) and sleeps inside it — in `Poller::wait`, with
//! the next timer deadline as timeout — so I/O and timers make progress
//! while everyone sleeps. The others sleep on their own condvar.
//!
//! Who wakes whom: `Unparker::unpark` swaps the state to `NOTIFIED` and
//! looks at what it replaced: `PARKED_CONDVAR` → notify the condvar (taking
//! the mutex first, so the sleeper is either before its check or inside
//! `wait`); `PARKED_DRIVER` → `driver::Handle::unpark` (the poller's
//! notify); `EMPTY` → nothing, the worker will see `NOTIFIED` before it
//! sleeps.
//!
//! Why no wake-up is lost: the parker moves `EMPTY → PARKED_*` with a CAS;
//! if an unpark got in first the CAS fails on `NOTIFIED` and the parker
//! returns at once. After the CAS succeeds, an unpark sees `PARKED_*` and
//! wakes the matching sleep. A `NOTIFIED` left behind is consumed by the
//! next park (a spurious wake-up, which callers tolerate).

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::runtime::driver::{self, Driver, Turn};
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

struct Inner {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
}

/// The sleeping end, owned by one worker.
pub(crate) struct Parker {
    inner: Arc<Inner>,
}

/// The waking end, shared.
#[derive(Clone)]
pub(crate) struct Unparker {
    inner: Arc<Inner>,
}

pub(crate) fn pair() -> (Parker, Unparker) {
    let inner = Arc::new(Inner {
        state: AtomicUsize::new(EMPTY),
        mutex: Mutex::new(()),
        condvar: Condvar::new(),
    });
    (
        Parker {
            inner: inner.clone(),
        },
        Unparker { inner },
    )
}

impl Parker {
    /// Sleeps until unparked (or a spurious wake-up). Takes the driver if
    /// it is free and waits in it. Returns what the driver dispatched.
    pub(crate) fn park(&self, slot: &Mutex<Driver>, handle: &driver::Handle) -> Turn {
        if self.consume_notification() {
            return Turn::default();
        }
        match slot.try_lock() {
            Some(mut driver) => self.park_driver(&mut driver, handle, None),
            None => {
                self.park_condvar();
                Turn::default()
            }
        }
    }

    /// Polls the driver without sleeping, if it is free (maintenance).
    pub(crate) fn poll_driver(&self, slot: &Mutex<Driver>, handle: &driver::Handle) -> Turn {
        match slot.try_lock() {
            // Not a sleep, so the park state is untouched: an unpark that
            // arrives meanwhile leaves NOTIFIED for the next real park.
            Some(mut driver) => driver.park(handle, Some(Duration::ZERO)),
            None => Turn::default(),
        }
    }

    fn consume_notification(&self) -> bool {
        self.inner
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
    }

    fn park_driver(
        &self,
        driver: &mut Driver,
        handle: &driver::Handle,
        timeout: Option<Duration>,
    ) -> Turn {
        match self
            .inner
            .state
            .compare_exchange(EMPTY, PARKED_DRIVER, SeqCst, SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.inner.state.store(EMPTY, SeqCst);
                return Turn::default();
            }
            Err(actual) => unreachable!("inconsistent park state {actual}"),
        }
        let turn = driver.park(handle, timeout);
        match self.inner.state.swap(EMPTY, SeqCst) {
            NOTIFIED | PARKED_DRIVER => {}
            actual => unreachable!("inconsistent park state {actual}"),
        }
        turn
    }

    fn park_condvar(&self) {
        let mut guard = self.inner.mutex.lock();
        match self
            .inner
            .state
            .compare_exchange(EMPTY, PARKED_CONDVAR, SeqCst, SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.inner.state.store(EMPTY, SeqCst);
                return;
            }
            Err(actual) => unreachable!("inconsistent park state {actual}"),
        }
        loop {
            guard = self.inner.condvar.wait(guard);
            if self.consume_notification() {
                return;
            }
            // Spurious: keep sleeping.
        }
    }
}

impl Unparker {
    pub(crate) fn unpark(&self, handle: &driver::Handle) {
        match self.inner.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => {
                // Taking the mutex orders us after the sleeper's CAS and
                // before (or inside) its wait, so the notify reaches it.
                drop(self.inner.mutex.lock());
                self.inner.condvar.notify_one();
            }
            PARKED_DRIVER => handle.unpark(),
            actual => unreachable!("inconsistent park state {actual}"),
        }
    }
}
