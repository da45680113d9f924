//! The one observer of the scheduler: metrics, the trace, task tracking and
//! slow-poll reports, behind one call per event.
//!
//! The scheduling policy (`scheduler/worker.rs`, `scheduler/mod.rs`) calls
//! `on_*` at each event it wants seen — a poll, a steal, a park, a wake, a
//! driver turn — and never looks at what is enabled. Each call costs one
//! branch when its sinks are off (plus the owner-only counter store that
//! metrics always do: a plain load and store, no read-modify-write).
//!
//! Per-worker counters live in [`WorkerMetrics`], written only by their
//! worker; the trace is a ring per worker (see `trace/`).

use crate::loom::sync::atomic::{Ordering::Relaxed, StatAtomicU64};
use crate::runtime::config::{Config, SlowPollCallback};
use crate::runtime::driver::Turn;
use crate::runtime::hooks::{Hooks, TaskMeta};
use crate::runtime::metrics::histogram::{DelaySource, WorkerHistograms};
use crate::runtime::metrics::worker::{add, WorkerMetrics};
use crate::runtime::observe::SlowPoll;
use crate::runtime::task::{Notified, RawTask};
use crate::runtime::trace::{Kind, Trace, TraceClock, EXTERNAL};
use std::time::{Duration, Instant};

/// Everything that watches the workers, shared by them all.
pub(crate) struct Observer {
    metrics: Box<[WorkerMetrics]>,
    trace: Option<Trace>,
    /// A clock read per poll: task tracking (for the dump) or slow polls.
    track_tasks: bool,
    slow_poll: Option<(Duration, SlowPollCallback)>,
    /// Zero point of each worker's `awake_since` stamp.
    epoch: Instant,
    /// One stamp per worker (ns since `epoch`): when it last woke up.
    awake_since: Box<[StatAtomicU64]>,
    hooks: Hooks,
    /// Per-worker latency histograms, if enabled.
    histograms: Option<Box<[WorkerHistograms]>>,
    /// No tracking, trace, histograms or poll hook: a poll is just a poll
    /// (the one branch all of them cost when off).
    plain_poll: bool,
}

impl Observer {
    /// `clock`: where trace timestamps come from instead of the wall clock
    /// (a deterministic runtime's virtual clock).
    pub(crate) fn new(config: &Config, workers: usize, clock: Option<TraceClock>) -> Observer {
        let trace = config
            .trace_capacity
            .map(|cap| Trace::new(workers, cap, clock));
        Observer {
            metrics: (0..workers).map(|_| WorkerMetrics::default()).collect(),
            plain_poll: !config.track_tasks
                && !config.histograms
                && trace.is_none()
                && !config.hooks.on_poll(),
            histograms: config
                .histograms
                .then(|| (0..workers).map(|_| WorkerHistograms::new()).collect()),
            trace,
            track_tasks: config.track_tasks,
            slow_poll: config.slow_poll(),
            epoch: Instant::now(),
            awake_since: (0..workers).map(|_| StatAtomicU64::new(0)).collect(),
            hooks: config.hooks.clone(),
        }
    }

    /// Every worker's counters.
    pub(crate) fn metrics(&self) -> &[WorkerMetrics] {
        &self.metrics
    }

    /// The trace, if it was enabled.
    pub(crate) fn trace(&self) -> Option<&Trace> {
        self.trace.as_ref()
    }

    /// Whether spawns record tracking data (`Meta::track`): for the dump,
    /// or for the scheduling-delay stamp.
    pub(crate) fn tracks_tasks(&self) -> bool {
        self.track_tasks || self.histograms.is_some()
    }

    /// `worker`'s histograms, if enabled.
    pub(crate) fn histograms(&self, worker: usize) -> Option<&WorkerHistograms> {
        self.histograms.as_ref().map(|h| &h[worker])
    }

    fn record(&self, worker: Option<usize>, kind: Kind, task: u64, arg: u64) {
        if let Some(trace) = &self.trace {
            trace.record(worker, kind, task, arg);
        }
    }

    /// Polls `task` on `worker`, with whatever bookkeeping is enabled.
    #[inline]
    pub(crate) fn poll<S: 'static>(&self, worker: usize, task: Notified<S>, from: DelaySource) {
        add(&self.metrics[worker].polls, 1);
        if self.plain_poll {
            task.run();
            return;
        }
        self.poll_observed(worker, task, from);
    }

    fn poll_observed<S: 'static>(&self, worker: usize, task: Notified<S>, from: DelaySource) {
        let id = task.id().as_u64();
        if let Some(h) = self.histograms(worker) {
            let start = self.stamp();
            if let Some(extra) = task.raw().meta().tracked() {
                h.delay[from.index()].record(start.saturating_sub(extra.scheduled()));
            }
            self.poll_hooked(worker, task);
            h.poll.record(self.stamp().saturating_sub(start));
        } else {
            self.poll_hooked(worker, task);
        }
        self.record(Some(worker), Kind::PollEnd, id, 0);
    }

    /// The poll with trace start, task tracking, hooks and slow-poll
    /// reports around it.
    fn poll_hooked<S: 'static>(&self, worker: usize, task: Notified<S>) {
        let id = task.id().as_u64();
        self.record(Some(worker), Kind::PollStart, id, 0);
        let start = self.track_tasks.then(Instant::now);
        if let (Some(extra), Some(now)) = (task.raw().meta().tracked(), start) {
            extra.record_poll(now);
        }
        if let Some(hook) = &self.hooks.before_poll {
            let raw = task.raw();
            guarded("on_before_task_poll", || hook(&TaskMeta::of(&raw)));
        }
        if let Some(hook) = &self.hooks.after_poll {
            // Keep the task alive past its poll to describe it.
            let observed = task.observe();
            self.run_timed(worker, task, start);
            let raw = observed.raw();
            guarded("on_after_task_poll", || hook(&TaskMeta::of(&raw)));
        } else {
            self.run_timed(worker, task, start);
        }
    }

    /// Runs the task, reporting a slow poll if it was one.
    fn run_timed<S: 'static>(&self, worker: usize, task: Notified<S>, start: Option<Instant>) {
        match (&self.slow_poll, start) {
            (Some((threshold, report)), Some(start)) => {
                // Keep the task alive past its poll to describe it.
                let observed = task.observe();
                task.run();
                let duration = start.elapsed();
                if duration >= *threshold {
                    let raw = observed.raw();
                    report(&SlowPoll {
                        id: raw.id(),
                        name: raw.meta().name(),
                        location: raw.meta().location,
                        duration,
                        worker,
                    });
                }
            }
            _ => task.run(),
        }
    }

    /// Whether the trace is on (so that samples worth a little work to
    /// take, like queue depths, are taken only then).
    pub(crate) fn tracing(&self) -> bool {
        self.trace.is_some()
    }

    /// A sample of `worker`'s local queue depth and the injector's.
    pub(crate) fn on_queue_depth(&self, worker: usize, local: usize, injector: usize) {
        self.record(
            Some(worker),
            Kind::QueueDepth,
            injector as u64,
            local as u64,
        );
    }

    /// A task ran from the LIFO slot right after another one.
    pub(crate) fn on_lifo_poll(&self, worker: usize) {
        add(&self.metrics[worker].lifo_polls, 1);
    }

    /// `worker` stole `count` tasks from `victim` in one operation.
    pub(crate) fn on_steal(&self, worker: usize, victim: usize, count: u64) {
        let m = &self.metrics[worker];
        add(&m.steals, count);
        add(&m.steal_operations, 1);
        self.record(Some(worker), Kind::Steal, victim as u64, count);
    }

    /// `worker` searched every victim and the injector and found nothing.
    pub(crate) fn on_steal_failure(&self, worker: usize) {
        add(&self.metrics[worker].steal_failures, 1);
    }

    /// A driver turn on `worker` dispatched `turn`.
    pub(crate) fn on_turn(&self, worker: usize, turn: Turn) {
        if turn.timers > 0 {
            self.record(Some(worker), Kind::TimerFire, 0, turn.timers as u64);
        }
        if turn.io_events > 0 {
            self.record(Some(worker), Kind::IoEvent, 0, turn.io_events as u64);
        }
    }

    /// `worker` is going to sleep: its busy time since waking is counted.
    pub(crate) fn on_park(&self, worker: usize) {
        let m = &self.metrics[worker];
        add(&m.parks, 1);
        let now = self.stamp();
        let since = self.awake_since[worker].load(Relaxed);
        add(&m.busy_ns, now.saturating_sub(since));
        self.record(Some(worker), Kind::Park, 0, 0);
        if let Some(hook) = &self.hooks.on_thread_park {
            guarded("on_thread_park", || hook());
        }
    }

    /// `worker` woke up from a park.
    pub(crate) fn on_unpark(&self, worker: usize) {
        add(&self.metrics[worker].unparks, 1);
        self.awake_since[worker].store(self.stamp(), Relaxed);
        self.record(Some(worker), Kind::Unpark, 0, 0);
        if let Some(hook) = &self.hooks.on_thread_unpark {
            guarded("on_thread_unpark", || hook());
        }
    }

    /// The first wake-up: the worker thread started.
    pub(crate) fn on_worker_start(&self, worker: usize) {
        self.awake_since[worker].store(self.stamp(), Relaxed);
    }

    /// A task was spawned; `worker` (asked only when tracing) is the
    /// spawning worker of this runtime, if any.
    pub(crate) fn on_spawn(&self, task: RawTask, worker: impl FnOnce() -> Option<usize>) {
        self.stamp_scheduled(task);
        if let Some(trace) = &self.trace {
            trace.record(worker(), Kind::Spawn, task.id().as_u64(), 0);
        }
        if let Some(hook) = &self.hooks.on_task_spawn {
            hook(&TaskMeta::of(&task));
        }
    }

    /// A task completed, panicked or was cancelled.
    pub(crate) fn on_terminate(&self, task: RawTask) {
        if let Some(hook) = &self.hooks.on_task_terminate {
            guarded("on_task_terminate", || hook(&TaskMeta::of(&task)));
        }
    }

    /// `task` was woken from `from` (a worker of this runtime) or from
    /// outside (`None`).
    pub(crate) fn on_wake<S: 'static>(&self, from: Option<usize>, task: &Notified<S>) {
        self.stamp_scheduled(task.raw());
        if let Some(trace) = &self.trace {
            let arg = from.map_or(EXTERNAL, |w| w as u64);
            trace.record(from, Kind::Wake, task.id().as_u64(), arg);
        }
    }

    /// With histograms on, notes when `task` became runnable.
    #[inline]
    fn stamp_scheduled(&self, task: RawTask) {
        if self.histograms.is_some() {
            if let Some(extra) = task.meta().tracked() {
                extra.set_scheduled(self.stamp());
            }
        }
    }

    fn stamp(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }
}

/// Runs a user hook where a panic must not unwind into the scheduler (it
/// would take a worker down): the panic is reported and swallowed.
fn guarded(name: &str, hook: impl FnOnce()) {
    if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(hook)) {
        let what = crate::runtime::task::panic_message(&*payload).unwrap_or("a non-string payload");
        eprintln!("magpie: the {name} hook panicked (ignored): {what}");
    }
}
