//! What a task carries for observers: where it was spawned, its optional
//! name, when it was spawned, how often it was polled and when last.
//!
//! Written once at spawn (location, name, spawn time) or only by the thread
//! that holds `RUNNING` (poll statistics, as plain relaxed stores), so
//! reading them never races with the task's protocol.

use crate::loom::sync::atomic::{Ordering::Relaxed, StatAtomicU64};
use std::panic::Location;
use std::time::Instant;

/// How a task was spawned.
pub(crate) struct Meta {
    pub(crate) location: &'static Location<'static>,
    pub(crate) name: Option<Box<str>>,
    /// Set only when the runtime tracks task times (dump or slow-poll
    /// detection enabled): reading the clock per spawn costs ~20 ns.
    pub(crate) spawned_at: Option<Instant>,
}

impl Meta {
    #[track_caller]
    pub(crate) fn here() -> Meta {
        Meta {
            location: Location::caller(),
            name: None,
            spawned_at: None,
        }
    }
}

/// Poll statistics, updated by the poller.
pub(crate) struct Stats {
    polls: StatAtomicU64,
    /// Nanoseconds after `spawned_at` when the last poll started; 0 = never.
    last_poll: StatAtomicU64,
}

impl Stats {
    pub(crate) fn new() -> Stats {
        Stats {
            polls: StatAtomicU64::new(0),
            last_poll: StatAtomicU64::new(0),
        }
    }

    /// Called by the holder of `RUNNING`-to-be (the worker that popped the
    /// task), so there is one writer: load + store, no read-modify-write.
    pub(crate) fn record_poll(&self, now: Option<Instant>, spawned_at: Option<Instant>) {
        self.polls.store(self.polls.load(Relaxed) + 1, Relaxed);
        if let (Some(now), Some(start)) = (now, spawned_at) {
            let ns = now.saturating_duration_since(start).as_nanos() as u64;
            self.last_poll.store(ns.max(1), Relaxed);
        }
    }

    pub(crate) fn polls(&self) -> u64 {
        self.polls.load(Relaxed)
    }

    pub(crate) fn last_poll_offset_ns(&self) -> Option<u64> {
        match self.last_poll.load(Relaxed) {
            0 => None,
            ns => Some(ns),
        }
    }
}
