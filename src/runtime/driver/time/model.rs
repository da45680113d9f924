//! The surface the loom models in `loom-tests/tests/time_*.rs` drive: the
//! real time driver and timer entries, with time passed in by hand (loom
//! needs every run to be deterministic, so nothing here reads the clock).
//!
//! Re-exported as `magpie::__loom::time` under `cfg(loom)` only.

use std::pin::Pin;
use std::task::{Context, Poll};

use super::{Clock, Handle, TimerEntry};

/// The time driver, advanced by hand.
#[derive(Debug, Clone)]
pub struct TimeDriver {
    handle: Handle,
}

impl TimeDriver {
    /// A driver with no timers, standing at tick 0.
    #[allow(clippy::new_without_default)]
    pub fn new() -> TimeDriver {
        TimeDriver {
            handle: Handle::new(Clock::new()),
        }
    }

    /// Fires every timer due at `tick`.
    pub fn process_at(&self, tick: u64) {
        self.handle.process_at(tick);
    }

    /// The earliest tick the driver must wake at.
    pub fn next_expiration(&self) -> Option<u64> {
        self.handle.next_expiration_tick()
    }

    /// Shuts the driver down.
    pub fn shutdown(&self) {
        self.handle.shutdown();
    }

    /// A timer for `tick`, not yet filed.
    pub fn timer(&self, tick: u64) -> Timer {
        Timer {
            entry: Box::pin(TimerEntry::new(&self.handle, tick)),
        }
    }
}

/// One timer (a boxed [`TimerEntry`]).
#[derive(Debug)]
pub struct Timer {
    entry: Pin<Box<TimerEntry>>,
}

impl Timer {
    /// Polls the timer: `Ready(true)` fired, `Ready(false)` shut down.
    pub fn poll(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        self.entry
            .as_mut()
            .poll_elapsed(cx, |_| {}, |_| false)
            .map(|result| result.is_ok())
    }

    /// Moves the deadline to `tick`.
    pub fn reset(&mut self, tick: u64) {
        self.entry.as_mut().reset(tick, |_| {});
    }
}
