//! Runtime metrics: what each worker did, and how deep the queues are.
//!
//! The counters are always on. Each worker writes its own (on its own cache
//! line, with plain relaxed stores), so keeping them costs a few
//! instructions per poll; reading them is a relaxed load. Gauges (queue
//! depths, live tasks, timers) are read on demand and may take a lock.

pub(crate) mod histogram;
pub(crate) mod worker;

use super::Handle;
use histogram::{DelaySource, Histogram};
use std::time::Duration;
use worker::get;

/// A view of a runtime's metrics, from [`Handle::metrics`].
///
/// Counters only grow; sample twice and subtract to get rates.
///
/// ```
/// let rt = magpie::runtime::Builder::new().worker_threads(2).build().unwrap();
/// rt.block_on(async {
///     for _ in 0..10 {
///         magpie::spawn(async {}).await.unwrap();
///     }
/// });
/// let m = rt.handle().metrics();
/// let polls: u64 = (0..m.num_workers()).map(|w| m.worker_poll_count(w)).sum();
/// assert!(polls >= 10);
/// ```
#[derive(Clone, Debug)]
pub struct RuntimeMetrics {
    handle: Handle,
}

impl RuntimeMetrics {
    pub(crate) fn new(handle: Handle) -> RuntimeMetrics {
        RuntimeMetrics { handle }
    }

    fn worker(&self, worker: usize) -> &worker::WorkerMetrics {
        let all = &self.handle.inner.observer().metrics();
        assert!(
            worker < all.len(),
            "worker index {worker} out of range: the runtime has {} workers",
            all.len()
        );
        &all[worker]
    }

    /// Number of worker threads.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().worker_threads(3).build().unwrap();
    /// assert_eq!(rt.handle().metrics().num_workers(), 3);
    /// ```
    pub fn num_workers(&self) -> usize {
        self.handle.inner.num_workers()
    }

    /// Tasks spawned and not yet finished.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let h = rt.spawn(std::future::pending::<()>());
    /// assert_eq!(rt.handle().metrics().num_alive_tasks(), 1);
    /// # drop(h);
    /// ```
    pub fn num_alive_tasks(&self) -> usize {
        self.handle.inner.num_alive_tasks()
    }

    /// Tasks waiting in the shared injector queue.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let _ = rt.handle().metrics().global_queue_depth();
    /// ```
    pub fn global_queue_depth(&self) -> usize {
        self.handle.inner.injector_depth()
    }

    /// Threads in the blocking pool (busy or idle).
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(rt.spawn_blocking(|| ())).unwrap();
    /// assert!(rt.handle().metrics().num_blocking_threads() >= 1);
    /// ```
    pub fn num_blocking_threads(&self) -> usize {
        self.handle.inner.blocking().num_threads()
    }

    /// Blocking jobs queued and not yet started.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// assert_eq!(rt.handle().metrics().blocking_queue_depth(), 0);
    /// ```
    pub fn blocking_queue_depth(&self) -> usize {
        self.handle.inner.blocking().queue_depth()
    }

    /// Timers currently filed in the timer wheel.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// assert_eq!(rt.handle().metrics().num_timers(), 0);
    /// ```
    pub fn num_timers(&self) -> usize {
        self.handle.inner.driver_handle().time.num_timers()
    }

    /// Timers fired by the driver, over all workers.
    ///
    /// ```
    /// use magpie::time::{sleep, Duration};
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async { sleep(Duration::from_millis(2)).await });
    /// // Usually 1: a sleep first polled after its deadline completes
    /// // without going through the wheel.
    /// println!("timers fired: {}", rt.handle().metrics().timers_fired());
    /// ```
    pub fn timers_fired(&self) -> u64 {
        self.handle.inner.driver_handle().time.fired()
    }

    /// I/O readiness events the driver dispatched (each wakes the tasks
    /// waiting on one socket).
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let l = magpie::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let addr = l.local_addr().unwrap();
    ///     let server = magpie::spawn(async move { l.accept().await.map(|_| ()) });
    ///     let _client = magpie::net::TcpStream::connect(addr).await.unwrap();
    ///     server.await.unwrap().unwrap();
    /// });
    /// assert!(rt.handle().metrics().io_events_dispatched() >= 1);
    /// ```
    pub fn io_events_dispatched(&self) -> u64 {
        #[cfg(not(loom))]
        return self.handle.inner.driver_handle().io.events_dispatched();
        // Under loom the driver has no poller.
        #[cfg(loom)]
        return 0;
    }

    /// tokio's name for [`io_events_dispatched`](Self::io_events_dispatched),
    /// so ported dashboards keep working.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let m = rt.handle().metrics();
    /// assert_eq!(m.io_driver_ready_count(), m.io_events_dispatched());
    /// ```
    pub fn io_driver_ready_count(&self) -> u64 {
        self.io_events_dispatched()
    }

    /// Task polls run by `worker`.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().worker_threads(1).build().unwrap();
    /// rt.block_on(rt.spawn(async {})).unwrap();
    /// assert!(rt.handle().metrics().worker_poll_count(0) >= 1);
    /// ```
    pub fn worker_poll_count(&self, worker: usize) -> u64 {
        get(&self.worker(worker).polls)
    }

    /// Tasks `worker` stole from others (including the one it ran at once).
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let _ = rt.handle().metrics().worker_steal_count(0);
    /// ```
    pub fn worker_steal_count(&self, worker: usize) -> u64 {
        get(&self.worker(worker).steals)
    }

    /// Successful steal operations by `worker` (each moves one or more
    /// tasks).
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let _ = rt.handle().metrics().worker_steal_operations(0);
    /// ```
    pub fn worker_steal_operations(&self, worker: usize) -> u64 {
        get(&self.worker(worker).steal_operations)
    }

    /// Searches by `worker` that found nothing to steal anywhere.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let _ = rt.handle().metrics().worker_steal_failures(0);
    /// ```
    pub fn worker_steal_failures(&self, worker: usize) -> u64 {
        get(&self.worker(worker).steal_failures)
    }

    /// Times `worker` went to sleep.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().worker_threads(1).build().unwrap();
    /// rt.block_on(rt.spawn(async {})).unwrap();
    /// let _ = rt.handle().metrics().worker_park_count(0);
    /// ```
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        get(&self.worker(worker).parks)
    }

    /// Times `worker` woke up from sleep.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let _ = rt.handle().metrics().worker_unpark_count(0);
    /// ```
    pub fn worker_unpark_count(&self, worker: usize) -> u64 {
        get(&self.worker(worker).unparks)
    }

    /// Polls of tasks `worker` took from its LIFO slot (a task woken by the
    /// task it had just run).
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let _ = rt.handle().metrics().worker_lifo_count(0);
    /// ```
    pub fn worker_lifo_count(&self, worker: usize) -> u64 {
        get(&self.worker(worker).lifo_polls)
    }

    /// Tasks waiting in `worker`'s local queue (and LIFO slot is not
    /// counted).
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// assert_eq!(rt.handle().metrics().worker_local_queue_depth(0), 0);
    /// ```
    pub fn worker_local_queue_depth(&self, worker: usize) -> usize {
        let _ = self.worker(worker);
        self.handle.inner.local_queue_depth(worker)
    }

    /// Time `worker` spent awake (running or looking for tasks), from each
    /// wake-up to the next sleep.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().worker_threads(1).build().unwrap();
    /// rt.block_on(rt.spawn(async {})).unwrap();
    /// let _busy = rt.handle().metrics().worker_total_busy_duration(0);
    /// ```
    pub fn worker_total_busy_duration(&self, worker: usize) -> Duration {
        Duration::from_nanos(get(&self.worker(worker).busy_ns))
    }

    /// Tasks spawned on the runtime since it started (pinned ones
    /// included; `spawn_blocking` jobs not).
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     for _ in 0..3 {
    ///         magpie::spawn(async {}).await.unwrap();
    ///     }
    /// });
    /// assert_eq!(rt.handle().metrics().spawned_tasks_count(), 3);
    /// ```
    pub fn spawned_tasks_count(&self) -> u64 {
        self.handle.inner.spawned_tasks()
    }

    /// How many times `worker`'s local queue overflowed into the injector.
    /// Always 0: magpie's local queues (crossbeam-deque, or a `VecDeque`
    /// on the current-thread runtime) grow instead of overflowing; the
    /// method exists for code written against tokio, whose local queue
    /// holds 256 tasks.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().worker_threads(1).build().unwrap();
    /// assert_eq!(rt.handle().metrics().worker_overflow_count(0), 0);
    /// ```
    pub fn worker_overflow_count(&self, worker: usize) -> u64 {
        let _ = self.worker(worker);
        0
    }

    /// How many times the cooperative budget (128 operations per poll)
    /// made one of magpie's leaf futures yield, across all workers.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
    ///     for i in 0..1000 {
    ///         tx.send(i).unwrap();
    ///     }
    ///     // A task that always has a message is made to yield now and then.
    ///     magpie::spawn(async move { for _ in 0..1000 { rx.recv().await; } })
    ///         .await
    ///         .unwrap();
    /// });
    /// assert!(rt.handle().metrics().budget_forced_yield_count() >= 1);
    /// ```
    pub fn budget_forced_yield_count(&self) -> u64 {
        self.handle.inner.forced_yields()
    }

    /// `worker`'s mean time per poll: its busy time (see
    /// [`worker_total_busy_duration`](Self::worker_total_busy_duration),
    /// counted up to its last sleep) over its polls, so the scheduler's own
    /// work between polls is included. Zero before the first poll.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().worker_threads(1).build().unwrap();
    /// rt.block_on(rt.spawn(async {})).unwrap();
    /// let _mean = rt.handle().metrics().worker_mean_poll_time(0);
    /// ```
    pub fn worker_mean_poll_time(&self, worker: usize) -> Duration {
        let polls = get(&self.worker(worker).polls);
        match polls {
            0 => Duration::ZERO,
            n => Duration::from_nanos(get(&self.worker(worker).busy_ns) / n),
        }
    }

    /// Whether the latency histograms are recorded
    /// ([`Builder::enable_histograms`](super::Builder::enable_histograms)).
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// assert!(!rt.handle().metrics().histograms_enabled());
    /// ```
    pub fn histograms_enabled(&self) -> bool {
        self.handle.inner.observer().histograms(0).is_some()
    }

    /// `worker`'s poll durations (empty unless histograms are enabled).
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new_current_thread().enable_histograms().build().unwrap();
    /// rt.block_on(async { magpie::spawn(async {}).await.unwrap() });
    /// assert_eq!(rt.handle().metrics().poll_time_histogram(0).count(), 1);
    /// ```
    pub fn poll_time_histogram(&self, worker: usize) -> Histogram {
        let _ = self.worker(worker);
        self.handle
            .inner
            .observer()
            .histograms(worker)
            .map_or_else(Histogram::empty, |h| h.poll.snapshot())
    }

    /// `worker`'s scheduling delays (wake or spawn to poll start) of the
    /// tasks it found in `from` (empty unless histograms are enabled).
    ///
    /// ```
    /// use magpie::runtime::DelaySource;
    ///
    /// let rt = magpie::runtime::Builder::new_current_thread().enable_histograms().build().unwrap();
    /// rt.block_on(async {
    ///     // Spawned on the worker: it waits in the LIFO slot.
    ///     magpie::spawn(async {}).await.unwrap();
    /// });
    /// let m = rt.handle().metrics();
    /// assert_eq!(m.scheduling_delay_histogram(0, DelaySource::LifoSlot).count(), 1);
    /// ```
    pub fn scheduling_delay_histogram(&self, worker: usize, from: DelaySource) -> Histogram {
        let _ = self.worker(worker);
        self.handle
            .inner
            .observer()
            .histograms(worker)
            .map_or_else(Histogram::empty, |h| h.delay[from.index()].snapshot())
    }

    /// `worker`'s scheduling delays from every source together.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new_current_thread().enable_histograms().build().unwrap();
    /// rt.block_on(async { magpie::spawn(async {}).await.unwrap() });
    /// assert_eq!(rt.handle().metrics().scheduling_delay_histogram_all(0).count(), 1);
    /// ```
    pub fn scheduling_delay_histogram_all(&self, worker: usize) -> Histogram {
        let mut all = Histogram::empty();
        for from in DelaySource::ALL {
            all.merge(&self.scheduling_delay_histogram(worker, from));
        }
        all
    }
}
