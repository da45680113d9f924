//! The one park: I/O readiness and timers, waited on together.
//!
//! A runtime has one `Driver`. It sits in a slot (a mutex that is only ever
//! `try_lock`ed) in the scheduler's shared state; the first worker to run
//! out of work takes it and sleeps in `Driver::park`, which waits in the
//! poller until an I/O event, the next timer deadline, or an unpark. The
//! `Handle` half is shared by everyone: sockets register with it, timers
//! file themselves in its wheel, and `Handle::unpark` wakes the thread
//! that sleeps in the driver.
//!
//! Under loom there is no poller (loom cannot model a blocking system
//! call): the driver's park is a condvar wait that an unpark ends.

use std::time::Duration;

pub(crate) mod io;

/// The owned half: whoever holds it may block in `park`.
pub(crate) struct Driver {
    #[cfg(not(loom))]
    io: io::Driver,
}

/// The shared half.
pub(crate) struct Handle {
    #[cfg(not(loom))]
    pub(crate) io: io::Handle,
    #[cfg(loom)]
    signal: loom_park::Signal,
}

impl Driver {
    pub(crate) fn new() -> std::io::Result<(Driver, Handle)> {
        #[cfg(not(loom))]
        {
            let (io, io_handle) = io::Driver::new()?;
            Ok((Driver { io }, Handle { io: io_handle }))
        }
        #[cfg(loom)]
        {
            Ok((
                Driver {},
                Handle {
                    signal: loom_park::Signal::new(),
                },
            ))
        }
    }

    /// Sleeps until an event, an unpark, or `timeout` (`Some(ZERO)` only
    /// polls), then dispatches what happened.
    pub(crate) fn park(&mut self, handle: &Handle, timeout: Option<Duration>) {
        #[cfg(not(loom))]
        self.io.turn(&handle.io, timeout);
        #[cfg(loom)]
        handle.signal.wait(timeout);
    }
}

impl Handle {
    /// Wakes the thread parked in the driver (or makes its next park
    /// return at once).
    pub(crate) fn unpark(&self) {
        #[cfg(not(loom))]
        self.io.unpark();
        #[cfg(loom)]
        self.signal.notify();
    }

    /// The runtime is shutting down: wake every waiter with an error and
    /// refuse new registrations.
    pub(crate) fn shutdown(&self) {
        #[cfg(not(loom))]
        self.io.shutdown();
    }
}

#[cfg(loom)]
mod loom_park {
    use crate::loom::sync::{Condvar, Mutex};
    use std::time::Duration;

    /// A binary semaphore standing in for the poller's wait/notify.
    pub(super) struct Signal {
        notified: Mutex<bool>,
        condvar: Condvar,
    }

    impl Signal {
        pub(super) fn new() -> Signal {
            Signal {
                notified: Mutex::new(false),
                condvar: Condvar::new(),
            }
        }

        pub(super) fn wait(&self, timeout: Option<Duration>) {
            let mut notified = self.notified.lock();
            if timeout.is_none() {
                while !*notified {
                    notified = self.condvar.wait(notified);
                }
            }
            *notified = false;
        }

        pub(super) fn notify(&self) {
            *self.notified.lock() = true;
            self.condvar.notify_one();
        }
    }
}
