//! Parking a worker: on the driver, or on its own condition variable.
//!
//! Who may wait: a worker with nothing to do. The first one to park takes
//! the driver (a [`TryLock`]: nobody ever waits for it) and sleeps inside it — in `Poller::wait`, with
//! the next timer deadline as timeout — so I/O and timers make progress
//! while everyone sleeps. The others sleep on their own condvar.
//!
//! The state machine that keeps wake-ups from being lost is the one in
//! `util/parker.rs`; this file adds the driver: a worker that parks in the
//! driver parks "elsewhere", and an unpark that finds it there wakes the
//! poller (`driver::Handle::unpark`).

use crate::loom::sync::Arc;
use crate::runtime::driver::{self, Driver, Turn};
use crate::util::parker::{self, Unparked};
use crate::util::try_lock::TryLock;
use std::time::Duration;

/// The sleeping end, owned by one worker.
pub(crate) struct Parker {
    inner: Arc<parker::Parker>,
}

/// The waking end, shared.
#[derive(Clone)]
pub(crate) struct Unparker {
    inner: Arc<parker::Parker>,
}

pub(crate) fn pair() -> (Parker, Unparker) {
    let inner = Arc::new(parker::Parker::new());
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
    pub(crate) fn park(&self, slot: &TryLock<Driver>, handle: &driver::Handle) -> Turn {
        if self.inner.consume_notification() {
            return Turn::default();
        }
        let in_driver = slot.try_with(|driver| {
            self.inner
                .park_elsewhere(|| driver.park(handle, None))
                .unwrap_or_default()
        });
        in_driver.unwrap_or_else(|| {
            self.inner.park();
            Turn::default()
        })
    }

    /// Polls the driver without sleeping, if it is free (maintenance).
    pub(crate) fn poll_driver(&self, slot: &TryLock<Driver>, handle: &driver::Handle) -> Turn {
        // Not a sleep, so the park state is untouched: an unpark that
        // arrives meanwhile leaves NOTIFIED for the next real park.
        slot.try_with(|driver| driver.park(handle, Some(Duration::ZERO)))
            .unwrap_or_default()
    }
}

impl Unparker {
    pub(crate) fn unpark(&self, handle: &driver::Handle) {
        if self.inner.unpark() == Unparked::Elsewhere {
            handle.unpark();
        }
    }
}
