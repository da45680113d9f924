//! The I/O driver under loom: no poller (loom cannot model syscalls), the
//! same API as `driver.rs`, so the runtime's park path compiles and runs
//! unchanged in the loom models. `turn` returns at once, as a `wait` that
//! found no events would; `unpark` has nothing to wake.

use std::io;
use std::time::Duration;

use super::registrations::Registrations;
use crate::loom::sync::Arc;

/// Stand-in for the driver that waits on the poller.
#[derive(Debug)]
pub(crate) struct Driver {
    _private: (),
}

/// Stand-in for the shared driver handle.
#[derive(Clone, Debug)]
pub(crate) struct Handle {
    registrations: Arc<Registrations>,
}

impl Driver {
    pub(crate) fn new() -> io::Result<(Driver, Handle)> {
        let handle = Handle {
            registrations: Arc::new(Registrations::new()),
        };
        Ok((Driver { _private: () }, handle))
    }

    pub(crate) fn turn(&mut self, _handle: &Handle, _timeout: Option<Duration>) {}
}

impl Handle {
    pub(crate) fn unpark(&self) {}

    pub(crate) fn shutdown(&self) {
        self.registrations.shutdown();
    }
}
