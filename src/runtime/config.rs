//! Every setting of a runtime, as the [`Builder`](super::Builder) collects
//! them and the workers read them. The builder holds one `Config` and its
//! methods set its fields; `build` resolves the defaults that depend on the
//! machine (the worker count) and hands a copy to the runtime.

use super::builder::ThreadNameFn;
use super::observe::{report_to_stderr, SlowPoll, StealBatch, UnhandledPanic};
use crate::loom::sync::atomic::{Ordering, StaticAtomicU64};
use std::fmt;
use std::sync::Arc as StdArc;
use std::time::Duration;

pub(crate) type Callback = StdArc<dyn Fn() + Send + Sync>;
pub(crate) type SlowPollCallback = StdArc<dyn Fn(&SlowPoll<'_>) + Send + Sync>;

#[derive(Clone)]
pub(crate) struct Config {
    /// The current-thread flavor: one worker, driven by `block_on`.
    pub(crate) current_thread: bool,
    /// Build with the clock paused (current-thread only).
    pub(crate) start_paused: bool,
    /// Deterministic runs from this seed (current-thread only).
    pub(crate) deterministic: Option<u64>,
    /// `None`: one per CPU (resolved by [`Config::resolve`]).
    pub(crate) worker_threads: Option<usize>,
    pub(crate) thread_name: ThreadNameFn,
    pub(crate) thread_stack_size: Option<usize>,
    pub(crate) on_thread_start: Option<Callback>,
    pub(crate) on_thread_stop: Option<Callback>,
    pub(crate) max_blocking_threads: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    /// Events the I/O driver takes from the poller per turn.
    pub(crate) max_io_events_per_tick: std::num::NonZeroUsize,
    pub(crate) lifo_enabled: bool,
    pub(crate) steal_batch: StealBatch,
    /// `None`: half the workers, rounded up.
    pub(crate) max_searching: Option<usize>,
    pub(crate) rng_seed: Option<u64>,
    pub(crate) slow_poll_threshold: Option<Duration>,
    pub(crate) on_slow_poll: Option<SlowPollCallback>,
    /// Read the clock at spawn and at each poll (for the dump's ages and
    /// slow-poll detection).
    pub(crate) track_tasks: bool,
    pub(crate) unhandled_panic: UnhandledPanic,
    pub(crate) trace_capacity: Option<usize>,
    pub(crate) hooks: super::hooks::Hooks,
    /// The runtime's name (`Handle::name`).
    pub(crate) name: Option<String>,
    /// Scheduling-delay and poll-time histograms.
    pub(crate) histograms: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            current_thread: false,
            start_paused: false,
            deterministic: None,
            worker_threads: None,
            thread_name: StdArc::new(|| {
                static NEXT: StaticAtomicU64 = StaticAtomicU64::new(0);
                format!("magpie-worker-{}", NEXT.fetch_add(1, Ordering::Relaxed))
            }),
            thread_stack_size: None,
            on_thread_start: None,
            on_thread_stop: None,
            max_blocking_threads: 512,
            keep_alive: Duration::from_secs(10),
            global_queue_interval: 31,
            event_interval: 61,
            max_io_events_per_tick: crate::runtime::driver::io::DEFAULT_EVENTS_PER_TICK,
            lifo_enabled: true,
            steal_batch: StealBatch::Half,
            max_searching: None,
            rng_seed: None,
            slow_poll_threshold: None,
            on_slow_poll: None,
            track_tasks: false,
            unhandled_panic: UnhandledPanic::Ignore,
            trace_capacity: None,
            hooks: Default::default(),
            name: None,
            histograms: false,
        }
    }
}

impl Config {
    /// This config with the machine-dependent defaults filled in.
    pub(crate) fn resolve(&self) -> Config {
        let workers = if self.current_thread {
            1
        } else {
            self.worker_threads.unwrap_or_else(num_cpus::get).max(1)
        };
        Config {
            worker_threads: Some(workers),
            max_searching: Some(
                self.max_searching
                    .unwrap_or(workers.div_ceil(2))
                    .clamp(1, workers),
            ),
            ..self.clone()
        }
    }

    /// The worker count (of a resolved config).
    pub(crate) fn num_workers(&self) -> usize {
        self.worker_threads.unwrap_or(1)
    }

    /// The slow-poll threshold and where its reports go, if enabled.
    pub(crate) fn slow_poll(&self) -> Option<(Duration, SlowPollCallback)> {
        self.slow_poll_threshold.map(|t| {
            let report = self
                .on_slow_poll
                .clone()
                .unwrap_or_else(|| StdArc::new(report_to_stderr));
            (t, report)
        })
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field(
                "flavor",
                &if self.current_thread {
                    "current_thread"
                } else {
                    "multi_thread"
                },
            )
            .field("start_paused", &self.start_paused)
            .field("deterministic", &self.deterministic)
            .field("worker_threads", &self.worker_threads)
            .field("thread_stack_size", &self.thread_stack_size)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_keep_alive", &self.keep_alive)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("event_interval", &self.event_interval)
            .field("lifo_slot", &self.lifo_enabled)
            .field("steal_batch", &self.steal_batch)
            .field("max_searching_workers", &self.max_searching)
            .field("rng_seed", &self.rng_seed)
            .field("slow_poll_threshold", &self.slow_poll_threshold)
            .field("task_tracking", &self.track_tasks)
            .field("unhandled_panic", &self.unhandled_panic)
            .field("trace_events", &self.trace_capacity)
            .finish_non_exhaustive()
    }
}
