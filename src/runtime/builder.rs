use super::blocking::{BlockingPool, PoolConfig};
use super::config::{Callback, Config};
use super::driver::Driver;
use super::scheduler::Shared;
use super::{Handle, Runtime};
use crate::loom::sync::atomic::{Ordering, StaticAtomicU64};
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
    worker_threads: Option<usize>,
    thread_name: ThreadNameFn,
    thread_stack_size: Option<usize>,
    on_thread_start: Option<Callback>,
    on_thread_stop: Option<Callback>,
    max_blocking_threads: usize,
    keep_alive: Duration,
    global_queue_interval: u32,
    event_interval: u32,
}

impl Builder {
    /// A builder with the defaults: one worker per CPU, at most 512
    /// blocking threads kept alive 10 s when idle, the injector checked
    /// every 31 polls and the driver every 61.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn new() -> Builder {
        Builder {
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

    /// Number of worker threads (default: the number of CPUs). Panics if 0.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().worker_threads(1).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn worker_threads(&mut self, n: usize) -> &mut Builder {
        assert!(n > 0, "worker_threads must be at least 1");
        self.worker_threads = Some(n);
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
        self.thread_name = StdArc::new(move || name.clone());
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
        self.thread_name = StdArc::new(f);
        self
    }

    /// Stack size of every thread the runtime starts.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().thread_stack_size(4 << 20).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Builder {
        self.thread_stack_size = Some(bytes);
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
        self.on_thread_start = Some(StdArc::new(f));
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
        self.on_thread_stop = Some(StdArc::new(f));
        self
    }

    /// Most threads the blocking pool may run at once (default 512). More
    /// `spawn_blocking` calls queue until a thread frees up. Panics if 0.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().max_blocking_threads(4).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Builder {
        assert!(n > 0, "max_blocking_threads must be at least 1");
        self.max_blocking_threads = n;
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
        self.keep_alive = d;
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
    pub fn global_queue_interval(&mut self, n: u32) -> &mut Builder {
        assert!(n > 0, "global_queue_interval must be at least 1");
        self.global_queue_interval = n;
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
    pub fn event_interval(&mut self, n: u32) -> &mut Builder {
        assert!(n > 0, "event_interval must be at least 1");
        self.event_interval = n;
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
        let worker_threads = self.worker_threads.unwrap_or_else(num_cpus::get).max(1);
        let config = Config {
            worker_threads,
            global_queue_interval: self.global_queue_interval,
            event_interval: self.event_interval,
            on_thread_start: self.on_thread_start.clone(),
            on_thread_stop: self.on_thread_stop.clone(),
        };
        let blocking = BlockingPool::new(PoolConfig {
            max_threads: self.max_blocking_threads,
            keep_alive: self.keep_alive,
            thread_name: self.thread_name.clone(),
            stack_size: self.thread_stack_size,
            on_start: self.on_thread_start.clone(),
            on_stop: self.on_thread_stop.clone(),
        });
        let (driver, driver_handle) = Driver::new()?;
        let (shared, parts) =
            Shared::new(config, driver, driver_handle, blocking.spawner().clone());
        let handle = Handle { inner: shared };
        blocking.spawner().set_handle(handle.clone());
        let mut runtime = Runtime::from_parts(handle, blocking);
        for part in parts {
            let shared = runtime.handle().inner.clone();
            let name = (self.thread_name)();
            let thread =
                crate::loom::thread::spawn_named(name, self.thread_stack_size, move || {
                    let start = shared.config.on_thread_start.clone();
                    let stop = shared.config.on_thread_stop.clone();
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
        f.debug_struct("Builder")
            .field("worker_threads", &self.worker_threads)
            .field("thread_stack_size", &self.thread_stack_size)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_keep_alive", &self.keep_alive)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("event_interval", &self.event_interval)
            .finish_non_exhaustive()
    }
}
