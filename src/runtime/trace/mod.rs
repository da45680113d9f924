//! The scheduling trace: a fixed ring of events per worker (plus one for
//! threads outside the runtime), written as Chrome trace-event JSON.
//!
//! Off by default; then recording costs one branch (`Option::is_some` on
//! the shared trace). On, each event is a clock read and a store into the
//! recording worker's own ring under an uncontended lock. When a ring is
//! full the oldest events are overwritten.

mod chrome;

use crate::loom::sync::Mutex;
use std::time::Instant;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A task was spawned (`task`).
    Spawn,
    /// A poll of `task` started.
    PollStart,
    /// A poll of `task` ended.
    PollEnd,
    /// `task` was woken; `arg` is the waking worker (`EXTERNAL` outside).
    Wake,
    /// `arg` tasks were stolen from worker `task` (the victim's index).
    Steal,
    /// The worker went to sleep.
    Park,
    /// The worker woke up.
    Unpark,
    /// `arg` timers fired in the driver.
    TimerFire,
    /// `arg` I/O readiness events were dispatched by the driver.
    IoEvent,
    /// A sample of the queue depths: the worker's local queue (`arg`) and
    /// the injector (`task`), drawn as counter tracks.
    QueueDepth,
}

/// Stands for "not a worker" in `arg`.
pub(crate) const EXTERNAL: u64 = u64::MAX;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Event {
    pub(crate) ts_ns: u64,
    pub(crate) kind: Kind,
    pub(crate) task: u64,
    pub(crate) arg: u64,
}

struct Ring {
    events: Vec<Event>,
    /// Index of the next write.
    next: usize,
    full: bool,
}

impl Ring {
    fn push(&mut self, e: Event) {
        let cap = self.events.capacity();
        if self.events.len() < cap {
            self.events.push(e);
        } else {
            self.events[self.next] = e;
            self.full = true;
        }
        self.next = (self.next + 1) % cap;
    }

    /// Events oldest first.
    fn ordered(&self) -> Vec<Event> {
        if !self.full {
            return self.events.clone();
        }
        let mut out = Vec::with_capacity(self.events.len());
        out.extend_from_slice(&self.events[self.next..]);
        out.extend_from_slice(&self.events[..self.next]);
        out
    }
}

/// Where a trace reads its timestamps: nanoseconds since the runtime
/// started (the runtime's virtual clock on a deterministic runtime).
pub(crate) type TraceClock = Box<dyn Fn() -> u64 + Send + Sync>;

pub(crate) struct Trace {
    epoch: Instant,
    /// A virtual clock to read instead of `epoch.elapsed()`.
    clock: Option<TraceClock>,
    /// One ring per worker, then one for everything else.
    rings: Box<[Mutex<Ring>]>,
}

impl Trace {
    pub(crate) fn new(num_workers: usize, capacity: usize, clock: Option<TraceClock>) -> Trace {
        let capacity = capacity.max(1);
        Trace {
            epoch: Instant::now(),
            clock,
            rings: (0..=num_workers)
                .map(|_| {
                    Mutex::new(Ring {
                        events: Vec::with_capacity(capacity),
                        next: 0,
                        full: false,
                    })
                })
                .collect(),
        }
    }

    /// Records an event in `worker`'s ring (`None`: the external ring).
    pub(crate) fn record(&self, worker: Option<usize>, kind: Kind, task: u64, arg: u64) {
        let ts_ns = match &self.clock {
            Some(clock) => clock(),
            None => self.epoch.elapsed().as_nanos() as u64,
        };
        let ring = worker.unwrap_or(self.rings.len() - 1);
        self.rings[ring].lock().push(Event {
            ts_ns,
            kind,
            task,
            arg,
        });
    }

    /// A copy of every ring, oldest event first; the last is the external
    /// ring.
    pub(crate) fn snapshot(&self) -> Vec<Vec<Event>> {
        self.rings.iter().map(|r| r.lock().ordered()).collect()
    }

    /// Writes the trace as Chrome trace-event JSON.
    pub(crate) fn write_chrome(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        chrome::write(&self.snapshot(), out)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_full_ring_keeps_the_newest_events_in_order() {
        let trace = Trace::new(1, 3, None);
        for i in 0..5 {
            trace.record(Some(0), Kind::Spawn, i, 0);
        }
        let rings = trace.snapshot();
        let tasks: Vec<u64> = rings[0].iter().map(|e| e.task).collect();
        assert_eq!(tasks, vec![2, 3, 4]);
        assert!(rings[1].is_empty());
    }
}
