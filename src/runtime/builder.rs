use super::blocking::{BlockingPool, PoolConfig};
use super::config::Config;
use super::driver::Driver;
use super::observe::{SlowPoll, StealBatch, UnhandledPanic};
use super::scheduler::Shared;
use super::{Handle, Runtime};
use std::fmt;
use std::io;
use std::sync::Arc as StdArc;
use std::time::Duration;

pub(crate) type ThreadNameFn = StdArc<dyn Fn() -> String + Send + Sync>;

/// Configures and builds a [`Runtime`].
///
/// magpie has one flavor: a multi-threaded, work-stealing scheduler.
/// `worker_threads(1)` gives the single-worker case.
///
/// ```
/// use magpie::runtime::Builder;
///
/// let rt = Builder::new()
///     .worker_threads(2)
///     .thread_name("my-worker")
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { 6 * 7 }), 42);
/// ```
pub struct Builder {
    pub(super) config: Config,
}

impl Builder {
    /// A multi-thread builder with the defaults: one worker per CPU, at
    /// most 512 blocking threads kept alive 10 s when idle, the injector
    /// checked every 31 polls and the driver every 61. The same as
    /// [`Builder::new_multi_thread`].
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn new() -> Builder {
        Builder {
            config: Config::default(),
        }
    }

    /// A multi-thread builder; the same as [`Builder::new`], for code
    /// written against tokio.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new_multi_thread().build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn new_multi_thread() -> Builder {
        Builder::new()
    }

    /// A current-thread builder: the runtime has no worker threads; its
    /// tasks run only inside [`Runtime::block_on`], on the calling thread
    /// (asyncio's single-threaded event loop). It has the same I/O driver,
    /// timers, blocking pool, metrics, dump and trace as the multi-thread
    /// runtime, with one worker: the thread in `block_on`. Tasks spawned
    /// while no `block_on` runs wait for the next one.
    ///
    /// Inside its `block_on`, [`task::spawn_local`](crate::task::spawn_local)
    /// runs `!Send` futures; they belong to that thread (drop the runtime
    /// there too: local tasks cannot be dropped on another thread, and are
    /// leaked, with a message on stderr, if the runtime is shut down
    /// elsewhere). `worker_threads` is ignored.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    ///
    /// let rt = magpie::runtime::Builder::new_current_thread().build().unwrap();
    /// let here = std::thread::current().id();
    /// let count = rt.block_on(async move {
    ///     let count = Rc::new(RefCell::new(0));
    ///     let c = count.clone();
    ///     magpie::task::spawn_local(async move {
    ///         assert_eq!(std::thread::current().id(), here);
    ///         *c.borrow_mut() += 1;
    ///     })
    ///     .await
    ///     .unwrap();
    ///     let n = *count.borrow();
    ///     n
    /// });
    /// assert_eq!(count, 1);
    /// ```
    pub fn new_current_thread() -> Builder {
        let mut builder = Builder::new();
        builder.config.current_thread = true;
        builder
    }

    /// Accepted for code written against tokio: magpie's I/O and time
    /// drivers are always enabled, so this changes nothing.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().enable_all().build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn enable_all(&mut self) -> &mut Builder {
        self
    }

    /// Records, per worker, two latency histograms: each task's
    /// *scheduling delay* (from the wake or spawn that made it runnable to
    /// the start of its poll), split by where the worker found it (LIFO
    /// slot, local queue, injector, stolen, pinned), and each poll's
    /// duration. Read them with
    /// [`RuntimeMetrics::scheduling_delay_histogram`](super::RuntimeMetrics::scheduling_delay_histogram)
    /// and [`poll_time_histogram`](super::RuntimeMetrics::poll_time_histogram);
    /// `Handle::dump()` prints their percentiles.
    ///
    /// Off by default: it reads the clock at every wake and twice per poll
    /// (about 25 ns each here) and gives every task a small side
    /// allocation for its wake stamp; see BENCHMARKS.md for what that costs
    /// on the scheduler benchmarks. Off, it costs one branch per poll.
    ///
    /// ```
    /// use magpie::runtime::DelaySource;
    ///
    /// let rt = magpie::runtime::Builder::new().worker_threads(2).enable_histograms().build().unwrap();
    /// rt.block_on(async {
    ///     for _ in 0..100 {
    ///         magpie::spawn(async {}).await.unwrap();
    ///     }
    /// });
    /// let m = rt.handle().metrics();
    /// let delays: u64 = (0..2)
    ///     .map(|w| m.scheduling_delay_histogram(w, DelaySource::Injector).count())
    ///     .sum();
    /// assert!(delays >= 1); // spawned from `block_on`, outside the workers
    /// ```
    pub fn enable_histograms(&mut self) -> &mut Builder {
        self.config.histograms = true;
        self
    }

    /// Names the runtime ([`Handle::name`](super::Handle::name)), for logs
    /// and dumps when a program runs several.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().name("frontend").build().unwrap();
    /// assert_eq!(rt.handle().name(), Some("frontend"));
    /// ```
    pub fn name(&mut self, name: impl Into<String>) -> &mut Builder {
        self.config.name = Some(name.into());
        self
    }

    /// Number of worker threads (default: the number of CPUs). Panics if 0.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().worker_threads(1).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn worker_threads(&mut self, n: usize) -> &mut Builder {
        assert!(n > 0, "worker_threads must be at least 1");
        self.config.worker_threads = Some(n);
        self
    }

    /// Name of every thread the runtime starts (workers and blocking
    /// threads).
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().thread_name("app").build().unwrap();
    /// let name = rt.block_on(async {
    ///     magpie::spawn(async { std::thread::current().name().map(String::from) }).await.unwrap()
    /// });
    /// assert_eq!(name.as_deref(), Some("app"));
    /// ```
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Builder {
        let name: String = name.into();
        self.config.thread_name = StdArc::new(move || name.clone());
        self
    }

    /// A function that names each new thread.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// static N: AtomicUsize = AtomicUsize::new(0);
    /// let rt = magpie::runtime::Builder::new()
    ///     .thread_name_fn(|| format!("w{}", N.fetch_add(1, Ordering::Relaxed)))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_name_fn<F>(&mut self, f: F) -> &mut Builder
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.config.thread_name = StdArc::new(f);
        self
    }

    /// Stack size of every thread the runtime starts.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().thread_stack_size(4 << 20).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Builder {
        self.config.thread_stack_size = Some(bytes);
        self
    }

    /// Runs `f` on each runtime thread when it starts.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let started = Arc::new(AtomicUsize::new(0));
    /// let s = started.clone();
    /// let rt = magpie::runtime::Builder::new()
    ///     .worker_threads(2)
    ///     .on_thread_start(move || { s.fetch_add(1, Ordering::SeqCst); })
    ///     .build()
    ///     .unwrap();
    /// drop(rt);
    /// assert_eq!(started.load(Ordering::SeqCst), 2);
    /// ```
    pub fn on_thread_start<F>(&mut self, f: F) -> &mut Builder
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.config.on_thread_start = Some(StdArc::new(f));
        self
    }

    /// Runs `f` on each runtime thread before it stops.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let stopped = Arc::new(AtomicUsize::new(0));
    /// let s = stopped.clone();
    /// let rt = magpie::runtime::Builder::new()
    ///     .worker_threads(2)
    ///     .on_thread_stop(move || { s.fetch_add(1, Ordering::SeqCst); })
    ///     .build()
    ///     .unwrap();
    /// drop(rt);
    /// assert_eq!(stopped.load(Ordering::SeqCst), 2);
    /// ```
    pub fn on_thread_stop<F>(&mut self, f: F) -> &mut Builder
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.config.on_thread_stop = Some(StdArc::new(f));
        self
    }

    /// Most threads the blocking pool may run at once (default 512). More
    /// `spawn_blocking` calls queue until a thread frees up. Panics if 0.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().max_blocking_threads(4).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Builder {
        assert!(n > 0, "max_blocking_threads must be at least 1");
        self.config.max_blocking_threads = n;
        self
    }

    /// How long an idle blocking thread waits for work before it exits
    /// (default 10 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = magpie::runtime::Builder::new().thread_keep_alive(Duration::from_secs(1)).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_keep_alive(&mut self, d: Duration) -> &mut Builder {
        self.config.keep_alive = d;
        self
    }

    /// Every `n` scheduler ticks a worker takes from the shared injector
    /// queue before its own queue (default 31). Lower: tasks spawned from
    /// outside wait less; higher: less contention on the injector. Panics
    /// if 0.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().global_queue_interval(61).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn global_queue_interval(&mut self, n: u32) -> &mut Builder {
        assert!(n > 0, "global_queue_interval must be at least 1");
        self.config.global_queue_interval = n;
        self
    }

    /// Every `n` scheduler ticks a busy worker polls the I/O and timer
    /// driver without blocking (default 61). Lower: I/O and timers are
    /// serviced sooner under load; higher: less overhead per task. Panics
    /// if 0.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().event_interval(31).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn event_interval(&mut self, n: u32) -> &mut Builder {
        assert!(n > 0, "event_interval must be at least 1");
        self.config.event_interval = n;
        self
    }

    /// How many I/O events the driver takes from the poller per turn
    /// (default 1024). Events beyond it stay with the poller for the next
    /// turn, so a flood of ready sockets is served over several turns with
    /// tasks run in between. Panics if 0.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().max_io_events_per_tick(256).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn max_io_events_per_tick(&mut self, n: usize) -> &mut Builder {
        self.config.max_io_events_per_tick =
            std::num::NonZeroUsize::new(n).expect("max_io_events_per_tick must be at least 1");
        self
    }

    /// Turns off the LIFO slot: a task woken by the running task goes to
    /// the back of the local queue instead of running next.
    ///
    /// Trade-off: the LIFO slot cuts message-passing latency (the receiver
    /// runs while the message is hot in cache) but lets two tasks that ping
    /// each other run back to back (capped at 3 in a row) ahead of the
    /// queue. Turn it off to study that effect or for strict FIFO order.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().disable_lifo_slot().build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn disable_lifo_slot(&mut self) -> &mut Builder {
        self.config.lifo_enabled = false;
        self
    }

    /// How much an idle worker steals at once (default
    /// [`StealBatch::Half`]).
    ///
    /// ```
    /// use magpie::runtime::{Builder, StealBatch};
    /// let rt = Builder::new().steal_batch(StealBatch::One).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn steal_batch(&mut self, batch: StealBatch) -> &mut Builder {
        self.config.steal_batch = batch;
        self
    }

    /// Most workers that may search for work to steal at once (default:
    /// half the workers, rounded up). Higher: a burst of new work spreads
    /// faster; lower: fewer workers spin on the same queues and fewer
    /// wake-ups. Panics if 0.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().max_searching_workers(1).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn max_searching_workers(&mut self, n: usize) -> &mut Builder {
        assert!(n > 0, "max_searching_workers must be at least 1");
        self.config.max_searching = Some(n);
        self
    }

    /// Seeds the scheduler's randomness (the choice of steal victims), so
    /// that victim order is reproducible for a given seed.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().rng_seed(42).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn rng_seed(&mut self, seed: u64) -> &mut Builder {
        self.config.rng_seed = Some(seed);
        self
    }

    /// Reports every task poll that runs longer than `threshold` — a task
    /// that blocks its worker — with the task's id, name, spawn location
    /// and duration (asyncio debug mode's slow-callback warning). Reports
    /// go to [`on_slow_poll`](Builder::on_slow_poll), by default a line on
    /// stderr. Costs two clock reads per poll while enabled; implies
    /// [`enable_task_tracking`](Builder::enable_task_tracking).
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = magpie::runtime::Builder::new()
    ///     .slow_poll_threshold(Duration::from_millis(100))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn slow_poll_threshold(&mut self, threshold: Duration) -> &mut Builder {
        self.config.slow_poll_threshold = Some(threshold);
        self.config.track_tasks = true;
        self
    }

    /// Where slow-poll reports go (see
    /// [`slow_poll_threshold`](Builder::slow_poll_threshold)). Runs on the
    /// worker, right after the slow poll.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = magpie::runtime::Builder::new()
    ///     .slow_poll_threshold(Duration::from_millis(100))
    ///     .on_slow_poll(|report| eprintln!("SLOW: {report}"))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn on_slow_poll<F>(&mut self, f: F) -> &mut Builder
    where
        F: Fn(&SlowPoll<'_>) + Send + Sync + 'static,
    {
        self.config.on_slow_poll = Some(StdArc::new(f));
        self
    }

    /// Records when each task was spawned, how often it was polled and
    /// when last, so that [`Handle::dump`] shows ages, poll counts and idle
    /// times. Costs a small allocation and a clock read per spawn, and a
    /// clock read per poll. Without it the dump still lists every task with
    /// its id, name, location and state.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().enable_task_tracking().build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn enable_task_tracking(&mut self) -> &mut Builder {
        self.config.track_tasks = true;
        self
    }

    /// What a panic in a task does to the runtime (default
    /// [`UnhandledPanic::Ignore`]: only its `JoinHandle` sees it).
    ///
    /// ```
    /// use magpie::runtime::{Builder, UnhandledPanic};
    /// let rt = Builder::new().unhandled_panic(UnhandledPanic::ShutdownRuntime).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn unhandled_panic(&mut self, behavior: UnhandledPanic) -> &mut Builder {
        self.config.unhandled_panic = behavior;
        self
    }

    /// Records a scheduling trace (spawns, polls, wakes, steals, parks,
    /// timer firings) into a ring of `capacity` events per worker; write it
    /// with [`Handle::write_trace`] and open it in Perfetto or
    /// `chrome://tracing`. Off by default (then it costs one branch per
    /// event site).
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().trace_events(10_000).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn trace_events(&mut self, capacity: usize) -> &mut Builder {
        assert!(capacity > 0, "trace capacity must be at least 1");
        self.config.trace_capacity = Some(capacity);
        self
    }

    /// Builds the runtime and starts its worker threads.
    ///
    /// Fails if the OS refuses a thread or the I/O poller.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().worker_threads(2).build()?;
    /// rt.block_on(async {});
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn build(&mut self) -> io::Result<Runtime> {
        let config = self.config.resolve();
        if config.deterministic.is_some() && !config.current_thread {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "deterministic(seed) needs a current-thread runtime \
                 (Builder::new_current_thread()): the schedule of several worker threads \
                 is up to the OS",
            ));
        }
        if config.start_paused && !config.current_thread {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "start_paused(true) needs a current-thread runtime \
                 (Builder::new_current_thread()): on the multi-thread runtime, auto-advance \
                 could not know that no worker is running a task",
            ));
        }
        let blocking = BlockingPool::new(PoolConfig {
            max_threads: config.max_blocking_threads,
            keep_alive: config.keep_alive,
            thread_name: config.thread_name.clone(),
            stack_size: config.thread_stack_size,
            on_start: config.on_thread_start.clone(),
            on_stop: config.on_thread_stop.clone(),
        });
        let (driver, driver_handle) = Driver::new(config.max_io_events_per_tick)?;
        if config.start_paused {
            driver_handle.time.clock().pause_at_start();
        }
        let (shared, parts) = Shared::new(
            config.clone(),
            driver,
            driver_handle,
            blocking.spawner().clone(),
        );
        let handle = Handle { inner: shared };
        blocking.spawner().set_handle(handle.clone());
        let mut runtime = Runtime::from_parts(handle, blocking);
        if config.current_thread {
            // The one worker's parts wait for the first `block_on`.
            let shared = &runtime.handle().inner;
            for part in parts {
                shared.return_core(part);
            }
            return Ok(runtime);
        }
        for part in parts {
            let shared = runtime.handle().inner.clone();
            let start = config.on_thread_start.clone();
            let stop = config.on_thread_stop.clone();
            let name = (config.thread_name)();
            let thread =
                crate::loom::thread::spawn_named(name, config.thread_stack_size, move || {
                    if let Some(f) = start {
                        f();
                    }
                    super::scheduler::run_worker(shared, part);
                    if let Some(f) = stop {
                        f();
                    }
                });
            match thread {
                Ok(t) => runtime.push_worker_thread(t),
                // Dropping the runtime stops the workers already started.
                Err(e) => return Err(e),
            }
        }
        Ok(runtime)
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.config.fmt(f)
    }
}
