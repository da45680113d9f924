//! Settings fixed at build time, read by the workers.

use std::sync::Arc as StdArc;

pub(crate) type Callback = StdArc<dyn Fn() + Send + Sync>;

pub(crate) struct Config {
    pub(crate) worker_threads: usize,
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) on_thread_start: Option<Callback>,
    pub(crate) on_thread_stop: Option<Callback>,
}
