//! Settings fixed at build time, read by the workers.

use super::observe::{SlowPoll, StealBatch, UnhandledPanic};
use std::sync::Arc as StdArc;
use std::time::Duration;

pub(crate) type Callback = StdArc<dyn Fn() + Send + Sync>;
pub(crate) type SlowPollCallback = StdArc<dyn Fn(&SlowPoll<'_>) + Send + Sync>;

pub(crate) struct Config {
    pub(crate) worker_threads: usize,
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) on_thread_start: Option<Callback>,
    pub(crate) on_thread_stop: Option<Callback>,
    pub(crate) lifo_enabled: bool,
    pub(crate) steal_batch: StealBatch,
    pub(crate) max_searching: usize,
    pub(crate) rng_seed: Option<u64>,
    pub(crate) slow_poll: Option<(Duration, SlowPollCallback)>,
    /// Read the clock at spawn and at each poll (for the dump's ages and
    /// slow-poll detection).
    pub(crate) track_tasks: bool,
    pub(crate) unhandled_panic: UnhandledPanic,
    pub(crate) trace_capacity: Option<usize>,
}
