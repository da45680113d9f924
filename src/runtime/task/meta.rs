//! What a task carries for observers: where it was spawned and, only when
//! asked for, its name, when it was spawned, how often it was polled and
//! when last.
//!
//! The header keeps just the spawn location and one pointer: the rest lives
//! in a separate allocation made only for named tasks or when the runtime
//! tracks tasks. Keeping the task cell small matters: on glibc a cell of up
//! to 128 bytes is freed through a lock-free fast bin, and a bigger one
//! takes the arena lock, which a spawner and a completer on two workers then
//! fight over (measured: 2x slower spawn-heavy benchmarks).
//!
//! Written once at spawn, or only by the worker that polls the task (poll
//! statistics, plain relaxed stores), so reading them never races with the
//! task's protocol.

use crate::loom::sync::atomic::{Ordering::Relaxed, StatAtomicU64};
use std::panic::Location;
use std::time::Instant;

/// How a task is being spawned (input to `new_task`).
pub(crate) struct Meta {
    pub(crate) location: &'static Location<'static>,
    pub(crate) name: Option<Box<str>>,
    /// Record spawn time and poll statistics.
    pub(crate) track: bool,
}

impl Meta {
    #[track_caller]
    pub(crate) fn here() -> Meta {
        Meta {
            location: Location::caller(),
            name: None,
            track: false,
        }
    }
}

/// The header's part: 16 bytes.
pub(crate) struct TaskMeta {
    pub(crate) location: &'static Location<'static>,
    extra: Option<Box<Extra>>,
}

/// Only for named or tracked tasks.
pub(crate) struct Extra {
    pub(crate) name: Option<Box<str>>,
    pub(crate) spawned_at: Option<Instant>,
    polls: StatAtomicU64,
    /// Nanoseconds after `spawned_at` when the last poll started; 0 = never.
    last_poll: StatAtomicU64,
    /// When the task last became runnable (spawned or woken), on the
    /// runtime observer's clock: the start of its scheduling delay. Written
    /// by whoever wakes it (a plain store: the last waker wins, and the
    /// queue push that follows publishes it to the polling worker).
    scheduled_ns: StatAtomicU64,
}

impl TaskMeta {
    pub(crate) fn new(meta: Meta) -> TaskMeta {
        let extra = (meta.name.is_some() || meta.track).then(|| {
            Box::new(Extra {
                name: meta.name,
                spawned_at: meta.track.then(Instant::now),
                polls: StatAtomicU64::new(0),
                last_poll: StatAtomicU64::new(0),
                scheduled_ns: StatAtomicU64::new(0),
            })
        });
        TaskMeta {
            location: meta.location,
            extra,
        }
    }

    pub(crate) fn name(&self) -> Option<&str> {
        self.extra.as_ref()?.name.as_deref()
    }

    /// Present for tracked tasks.
    pub(crate) fn tracked(&self) -> Option<&Extra> {
        self.extra.as_deref().filter(|e| e.spawned_at.is_some())
    }
}

impl Extra {
    /// Called by the worker about to poll the task (one writer: load +
    /// store, no read-modify-write).
    pub(crate) fn record_poll(&self, now: Instant) {
        self.polls.store(self.polls.load(Relaxed) + 1, Relaxed);
        if let Some(start) = self.spawned_at {
            let ns = now.saturating_duration_since(start).as_nanos() as u64;
            self.last_poll.store(ns.max(1), Relaxed);
        }
    }

    /// The task became runnable at `ns` (observer clock).
    pub(crate) fn set_scheduled(&self, ns: u64) {
        self.scheduled_ns.store(ns, Relaxed);
    }

    pub(crate) fn scheduled(&self) -> u64 {
        self.scheduled_ns.load(Relaxed)
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
