//! The I/O half of the driver: one `polling::Poller` per runtime.
//!
//! This minimal version only provides the park path (wait and notify);
//! socket registrations and readiness dispatch live beside it.

use std::time::Duration;

/// Owned by the thread holding the driver: the event buffer.
pub(crate) struct Driver {
    events: polling::Events,
}

/// Shared: the poller.
pub(crate) struct Handle {
    poller: polling::Poller,
}

impl Driver {
    pub(crate) fn new() -> std::io::Result<(Driver, Handle)> {
        Ok((
            Driver {
                events: polling::Events::new(),
            },
            Handle {
                poller: polling::Poller::new()?,
            },
        ))
    }

    /// Waits up to `timeout` for events or an unpark.
    pub(crate) fn turn(&mut self, handle: &Handle, timeout: Option<Duration>) {
        self.events.clear();
        // An error here is EINTR or similar: treat it as a spurious wake-up.
        let _ = handle.poller.wait(&mut self.events, timeout);
    }
}

impl Handle {
    pub(crate) fn unpark(&self) {
        // Fails only if the poller is broken; the sleeper then wakes on its
        // own timeout, which is the best that can be done.
        let _ = self.poller.notify();
    }

    pub(crate) fn shutdown(&self) {}
}
