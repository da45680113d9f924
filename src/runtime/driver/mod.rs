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
pub(crate) mod time;

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
    /// The timer wheel and the runtime's clock.
    pub(crate) time: time::Handle,
}

impl Driver {
    pub(crate) fn new() -> std::io::Result<(Driver, Handle)> {
        #[cfg(not(loom))]
        {
            let (io, io_handle) = io::Driver::new()?;
            let poller = io_handle.clone();
            Ok((
                Driver { io },
                Handle {
                    io: io_handle,
                    time: time::Handle::with_unpark(time::Clock::new(), move || poller.unpark()),
                },
            ))
        }
        #[cfg(loom)]
        {
            Ok((
                Driver {},
                Handle {
                    signal: loom_park::Signal::new(),
                    time: time::Handle::new(time::Clock::new()),
                },
            ))
        }
    }

    /// Sleeps until an event, an unpark, the next timer deadline, or
    /// `timeout` (`Some(ZERO)` only polls), then dispatches what happened:
    /// I/O readiness, then every timer that is due.
    ///
    /// Under loom the timers are left out of the park: the runtime's loom
    /// models use none, and two more locks per park would only multiply the
    /// states loom explores. The wheel has its own models
    /// (`loom-tests/tests/time_wheel.rs`).
    /// Returns what the turn dispatched.
    pub(crate) fn park(&mut self, handle: &Handle, timeout: Option<Duration>) -> Turn {
        #[cfg(not(loom))]
        {
            let timeout = handle.until_next_timer(timeout);
            let io_events = self.io.turn(&handle.io, timeout);
            let timers = handle.time.process();
            Turn { io_events, timers }
        }
        #[cfg(loom)]
        {
            handle.signal.wait(timeout);
            Turn::default()
        }
    }
}

/// What one turn of the driver dispatched (for metrics and the trace).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Turn {
    pub(crate) io_events: usize,
    pub(crate) timers: usize,
}

impl Handle {
    /// `timeout`, shortened to reach the next timer deadline. Asked right
    /// before the driver waits: it also tells the wheel what the driver
    /// waits for, so a timer filed from now on for an earlier time unparks
    /// it (and the unpark is sticky, so none is lost).
    #[cfg(not(loom))]
    fn until_next_timer(&self, timeout: Option<Duration>) -> Option<Duration> {
        match self.time.next_expiration() {
            Some(deadline) => {
                let until = deadline.saturating_duration_since(self.time.clock().now());
                Some(timeout.map_or(until, |t| t.min(until)))
            }
            None => timeout,
        }
    }

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
        self.time.shutdown();
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
