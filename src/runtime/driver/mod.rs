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
//! Under loom the poller is replaced by a stand-in with the same shape
//! (`io/model.rs`) and the clock moves only when a model advances it
//! (`time/clock.rs`); everything in this file runs the same in both builds,
//! timers included.

use std::time::Duration;

pub(crate) mod io;
pub(crate) mod time;

/// The owned half: whoever holds it may block in `park`.
pub(crate) struct Driver {
    io: io::Driver,
}

/// The shared half.
pub(crate) struct Handle {
    pub(crate) io: io::Handle,
    /// The timer wheel and the runtime's clock.
    pub(crate) time: time::Handle,
}

impl Driver {
    /// The drivers, taking at most `io_events` I/O events per turn.
    pub(crate) fn new(io_events: std::num::NonZeroUsize) -> std::io::Result<(Driver, Handle)> {
        let (io, io_handle) = io::Driver::with_capacity(io_events)?;
        let poller = io_handle.clone();
        Ok((
            Driver { io },
            Handle {
                io: io_handle,
                time: time::Handle::with_unpark(time::Clock::new(), move || poller.unpark()),
            },
        ))
    }

    /// Sleeps until an event, an unpark, the next timer deadline, or
    /// `timeout` (`Some(ZERO)` only polls), then dispatches what happened:
    /// I/O readiness, then every timer that is due. Returns what the turn
    /// dispatched.
    pub(crate) fn park(&mut self, handle: &Handle, timeout: Option<Duration>) -> Turn {
        let timeout = handle.until_next_timer(timeout);
        let io_events = self.io.turn(&handle.io, timeout);
        let timers = handle.time.process();
        Turn { io_events, timers }
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
        self.io.unpark();
    }

    /// The runtime is shutting down: wake every waiter with an error and
    /// refuse new registrations.
    pub(crate) fn shutdown(&self) {
        self.io.shutdown();
        self.time.shutdown();
    }
}
