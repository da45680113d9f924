//! The poller's stand-in under loom, with the real driver's shape
//! (`Driver::new`, `Driver::turn`, `Handle::{unpark, shutdown}`), so that
//! `driver/mod.rs` runs the same park code in both builds.
//!
//! Loom cannot model a blocking system call, so the wait is a condvar on a
//! sticky "notified" flag, like the poller's notify:
//! - `turn(Some(ZERO))` polls: it consumes a pending notify and returns;
//! - any other `turn` waits until notified. Under loom time does not pass by
//!   itself (the clock moves only when a model advances it, see
//!   `time/clock.rs`), so a timed wait can end only by an unpark: a model
//!   that advances the clock unparks the driver, as the passing of real time
//!   would end the poller's wait.
//!
//! There are no I/O sources under loom, so a turn dispatches no events.

use crate::loom::sync::{Arc, Condvar, Mutex};
use std::io;
use std::time::Duration;

/// The owned half (nothing to own: the state is shared).
#[derive(Debug)]
pub(crate) struct Driver {
    signal: Arc<Signal>,
}

/// The shared half.
#[derive(Debug, Clone)]
pub(crate) struct Handle {
    signal: Arc<Signal>,
}

#[derive(Debug)]
struct Signal {
    notified: Mutex<bool>,
    condvar: Condvar,
}

impl Driver {
    /// The model has no poller, so no event buffer to size.
    pub(crate) fn with_capacity(_events: std::num::NonZeroUsize) -> io::Result<(Driver, Handle)> {
        Driver::new()
    }

    pub(crate) fn new() -> io::Result<(Driver, Handle)> {
        let signal = Arc::new(Signal {
            notified: Mutex::new(false),
            condvar: Condvar::new(),
        });
        Ok((
            Driver {
                signal: signal.clone(),
            },
            Handle { signal },
        ))
    }

    /// Waits as described in the module docs; returns 0 (no I/O events).
    pub(crate) fn turn(&mut self, _handle: &Handle, timeout: Option<Duration>) -> usize {
        let mut notified = self.signal.notified.lock();
        if timeout != Some(Duration::ZERO) {
            while !*notified {
                notified = self.signal.condvar.wait(notified);
            }
        }
        *notified = false;
        0
    }
}

impl Handle {
    /// Ends the current or next wait (sticky, like the poller's notify).
    pub(crate) fn unpark(&self) {
        *self.signal.notified.lock() = true;
        self.signal.condvar.notify_one();
    }

    /// No sources to fail under loom.
    pub(crate) fn shutdown(&self) {}
}
