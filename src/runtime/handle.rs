use super::context::{self, TryCurrentError};
use super::dump::{Dump, TaskDump};
use super::metrics::RuntimeMetrics;
use super::scheduler::Shared;
use crate::loom::sync::Arc;
use crate::runtime::task::{JoinHandle, Meta};
use std::fmt;
use std::future::Future;

/// A cheap, cloneable reference to a runtime, usable from any thread:
/// spawn onto it, block on it, or make it current.
///
/// ```
/// let rt = magpie::Runtime::new().unwrap();
/// let handle = rt.handle().clone();
/// let t = std::thread::spawn(move || {
///     handle.block_on(handle.spawn(async { 5 })).unwrap()
/// });
/// assert_eq!(t.join().unwrap(), 5);
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: Arc<Shared>,
}

impl Handle {
    /// The handle of the runtime current on this thread.
    ///
    /// Panics outside a runtime context, with a message that says where a
    /// runtime is available; use [`Handle::try_current`] to check instead.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let handle = magpie::runtime::Handle::current();
    ///     handle.spawn(async {}).await.unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        context::with_current(Handle::clone)
    }

    /// The current runtime's handle, or an error outside a runtime.
    ///
    /// ```
    /// assert!(magpie::runtime::Handle::try_current().is_err());
    /// let rt = magpie::Runtime::new().unwrap();
    /// let _guard = rt.enter();
    /// assert!(magpie::runtime::Handle::try_current().is_ok());
    /// ```
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        context::try_with_current(Handle::clone)
    }

    /// Spawns a task onto this runtime.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let h = rt.handle().spawn(async { 1 });
    /// assert_eq!(rt.block_on(h).unwrap(), 1);
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_with(future, Meta::here())
    }

    pub(crate) fn spawn_with<F>(&self, future: F, meta: Meta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        super::scheduler::spawn(&self.inner, future, meta)
    }

    /// Runs a `!Send` future on one worker of this runtime, from any
    /// thread: `make` (which is `Send`) is sent to the worker with the
    /// fewest pinned tasks and builds the future there, and the task stays
    /// on that worker for its whole life: it is never stolen, a wake from
    /// any thread brings it back to that worker, and it is dropped there.
    /// (tokio-util's `LocalPoolHandle::spawn_pinned`, without a separate
    /// pool.)
    ///
    /// On a current-thread runtime, the task runs inside `block_on`, on the
    /// thread that owns the runtime's local tasks.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    ///
    /// let rt = magpie::Runtime::new().unwrap();
    /// let h = rt.handle().spawn_pinned(|| async {
    ///     let hits = Rc::new(Cell::new(0)); // not Send: fine here
    ///     for _ in 0..3 {
    ///         magpie::task::yield_now().await;
    ///         hits.set(hits.get() + 1);
    ///     }
    ///     hits.get()
    /// });
    /// assert_eq!(rt.block_on(h).unwrap(), 3);
    /// ```
    #[track_caller]
    pub fn spawn_pinned<M, F>(&self, make: M) -> JoinHandle<F::Output>
    where
        M: FnOnce() -> F + Send + 'static,
        F: Future + 'static,
        F::Output: Send + 'static,
    {
        super::scheduler::pinned::spawn_pinned(&self.inner, make, Meta::here())
    }

    /// Runs a blocking function on this runtime's blocking pool.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let h = rt.handle().spawn_blocking(|| std::thread::current().name().map(String::from));
    /// assert!(rt.block_on(h).unwrap().is_some());
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.spawn_blocking_with(f, Meta::here())
    }

    pub(crate) fn spawn_blocking_with<F, R>(&self, f: F, meta: Meta) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        if self.inner.config.deterministic.is_some() {
            // A deterministic runtime runs the closure as an ordinary task:
            // its result arrives at a seeded point of the schedule.
            return super::scheduler::spawn(&self.inner, async move { f() }, meta);
        }
        self.inner.blocking().spawn(f, meta)
    }

    /// Runs a future to completion on the calling thread, with this runtime
    /// current (so it can spawn, sleep and do I/O).
    ///
    /// Panics if called from a thread that is already running async code
    /// (a worker, or inside another `block_on`) — that would deadlock.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// assert_eq!(handle.block_on(async { 2 }), 2);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _entered = context::enter_runtime();
        let _current = context::set_current(self);
        super::block_on::block_on(&self.inner, future)
    }

    /// Makes this runtime current on this thread until the guard drops, so
    /// that `magpie::spawn` and friends work from synchronous code.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let _guard = rt.handle().enter();
    /// let h = magpie::spawn(async { 3 });
    /// assert_eq!(rt.block_on(h).unwrap(), 3);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _guard: context::set_current(self),
            _handle: std::marker::PhantomData,
        }
    }

    /// This runtime's id, unique in the process.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let id = rt.handle().id();
    /// assert_eq!(rt.block_on(async { magpie::runtime::Handle::current().id() }), id);
    /// ```
    pub fn id(&self) -> super::Id {
        self.inner.id()
    }

    /// The name given with [`Builder::name`](super::Builder::name), if any.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new_current_thread().name("ingest").build().unwrap();
    /// assert_eq!(rt.handle().name(), Some("ingest"));
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.inner.name()
    }

    /// Which scheduler the runtime runs: one thread in `block_on`, or
    /// worker threads.
    ///
    /// ```
    /// use magpie::runtime::{Handle, RuntimeFlavor};
    /// let rt = magpie::Runtime::new().unwrap();
    /// let flavor = rt.block_on(async { Handle::current().runtime_flavor() });
    /// assert_eq!(flavor, RuntimeFlavor::MultiThread);
    /// ```
    pub fn runtime_flavor(&self) -> super::RuntimeFlavor {
        if self.inner.is_current_thread() {
            super::RuntimeFlavor::CurrentThread
        } else {
            super::RuntimeFlavor::MultiThread
        }
    }

    /// The runtime's metrics: per-worker counters and queue depths.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().worker_threads(2).build().unwrap();
    /// let m = rt.handle().metrics();
    /// assert_eq!(m.num_workers(), 2);
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        RuntimeMetrics::new(self.clone())
    }

    /// A snapshot of every live task: id, name, spawn location, state (and,
    /// with [`enable_task_tracking`](super::Builder::enable_task_tracking),
    /// age, poll count and time since the last poll). `Display` prints a table — the first
    /// thing to look at when a program seems stuck.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let h = magpie::task::Builder::new()
    ///     .name("waiter")
    ///     .spawn_on(std::future::pending::<()>(), rt.handle())
    ///     .unwrap();
    /// let dump = rt.handle().dump();
    /// assert_eq!(dump.tasks()[0].name.as_deref(), Some("waiter"));
    /// # drop(h);
    /// ```
    pub fn dump(&self) -> Dump {
        let now = std::time::Instant::now();
        let mut tasks = Vec::new();
        self.inner
            .for_each_task(|raw| tasks.push(TaskDump::of(raw, now)));
        let metrics = self.metrics();
        let latency = if metrics.histograms_enabled() {
            (0..metrics.num_workers())
                .map(|w| {
                    (
                        metrics.scheduling_delay_histogram_all(w),
                        metrics.poll_time_histogram(w),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        Dump::new(tasks, latency)
    }

    /// Writes the scheduling trace recorded so far (see
    /// [`Builder::trace_events`](super::Builder::trace_events)) as Chrome
    /// trace-event JSON, to open in Perfetto or `chrome://tracing`. Fails
    /// with `InvalidInput` if tracing was not enabled.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().trace_events(1000).build().unwrap();
    /// rt.block_on(rt.spawn(async {})).unwrap();
    /// let path = std::env::temp_dir().join("magpie-doc-trace.json");
    /// rt.handle().write_trace(&path).unwrap();
    /// # std::fs::remove_file(path).ok();
    /// ```
    pub fn write_trace(&self, path: impl AsRef<std::path::Path>) -> std::io::Result<()> {
        let trace = self.inner.observer().trace().ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "tracing is off: enable it with Builder::trace_events(capacity)",
            )
        })?;
        let file = std::fs::File::create(path)?;
        let mut out = std::io::BufWriter::new(file);
        trace.write_chrome(&mut out)?;
        std::io::Write::flush(&mut out)
    }

    pub(crate) fn driver(&self) -> &super::driver::Handle {
        self.inner.driver_handle()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("id", &self.inner.id())
            .field("name", &self.inner.name())
            .field("workers", &self.inner.num_workers())
            .finish_non_exhaustive()
    }
}

/// Keeps a runtime current on this thread; returned by
/// [`Handle::enter`] and [`Runtime::enter`](crate::Runtime::enter).
///
/// ```
/// let rt = magpie::Runtime::new().unwrap();
/// {
///     let _guard = rt.enter();
///     assert!(magpie::runtime::Handle::try_current().is_ok());
/// }
/// assert!(magpie::runtime::Handle::try_current().is_err());
/// ```
#[must_use = "the runtime stays current only while the guard lives"]
pub struct EnterGuard<'a> {
    _guard: context::SetCurrentGuard,
    _handle: std::marker::PhantomData<&'a Handle>,
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnterGuard")
    }
}
