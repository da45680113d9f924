use super::blocking::BlockingPool;
use super::{context, EnterGuard, Handle};
use crate::loom::thread;
use crate::runtime::task::JoinHandle;
use std::fmt;
use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

/// The magpie runtime: worker threads with work-stealing run queues, an
/// I/O and timer driver, and a blocking-thread pool.
///
/// Dropping it shuts it down: the workers stop, every task still alive is
/// cancelled (its future dropped; its `JoinHandle` sees
/// [`JoinError::is_cancelled`](crate::task::JoinError::is_cancelled)), and
/// all threads are joined.
///
/// ```
/// use magpie::Runtime;
///
/// let rt = Runtime::new()?;
/// let out = rt.block_on(async {
///     let a = magpie::spawn(async { 20 });
///     let b = magpie::spawn(async { 22 });
///     a.await.unwrap() + b.await.unwrap()
/// });
/// assert_eq!(out, 42);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Runtime {
    handle: Handle,
    blocking: BlockingPool,
    workers: Vec<thread::JoinHandle<()>>,
    shut_down: bool,
}

impl Runtime {
    /// A runtime with the default settings (one worker per CPU). See
    /// [`Builder`](crate::runtime::Builder) for the knobs.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// # drop(rt);
    /// ```
    pub fn new() -> io::Result<Runtime> {
        super::Builder::new().build()
    }

    pub(crate) fn from_parts(handle: Handle, blocking: BlockingPool) -> Runtime {
        Runtime {
            handle,
            blocking,
            workers: Vec::new(),
            shut_down: false,
        }
    }

    pub(crate) fn push_worker_thread(&mut self, t: thread::JoinHandle<()>) {
        self.workers.push(t);
    }

    /// Runs a future to completion on the calling thread, with this runtime
    /// current; the usual entry point of a program (asyncio's
    /// `asyncio.run`). Spawned tasks run on the worker threads meanwhile.
    ///
    /// Panics if called from a thread already running async code (a worker
    /// or another `block_on`), which would deadlock.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }

    /// Spawns a task onto the runtime.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let h = rt.spawn(async { "done" });
    /// assert_eq!(rt.block_on(h).unwrap(), "done");
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs a blocking function on the blocking pool.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let h = rt.spawn_blocking(|| 7);
    /// assert_eq!(rt.block_on(h).unwrap(), 7);
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(f)
    }

    /// The runtime's handle.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// std::thread::spawn(move || handle.spawn(async {})).join().unwrap();
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Makes the runtime current on this thread until the guard drops.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let _guard = rt.enter();
    /// let h = magpie::spawn(async { 1 });
    /// # drop(h);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// Shuts down, waiting at most `timeout` for the worker and blocking
    /// threads to stop. Tasks are cancelled either way; a thread stuck in a
    /// blocking call past the timeout is left behind (detached).
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.spawn_blocking(|| std::thread::sleep(Duration::from_millis(200)));
    /// rt.shutdown_timeout(Duration::from_millis(10)); // does not wait 200 ms
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.shutdown(Some(timeout));
    }

    /// Shuts down without waiting for any thread.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.shutdown_background();
    /// ```
    pub fn shutdown_background(mut self) {
        self.shutdown(Some(Duration::ZERO));
    }

    /// The shutdown protocol:
    /// 1. close: set the flag, unpark every worker; each drops its queue
    ///    references and exits;
    /// 2. join the workers (until the deadline);
    /// 3. cancel every task still in the owned list, on this thread, and
    ///    drop whatever is left in the injector; stop the driver;
    /// 4. stop the blocking pool (queued jobs are cancelled) and join its
    ///    threads (until the deadline).
    ///
    /// On Windows no thread is joined under the loader lock (see
    /// `util/loader_lock.rs`): steps 2 and 4 then give up at once.
    ///
    /// Waiting (any `timeout` but zero) is refused on a thread that drives a
    /// runtime, a worker or a `block_on`: it would block async code, and
    /// could wait for the very task doing the drop. The runtime is then shut
    /// down without waiting, and the call panics (as tokio does).
    #[track_caller]
    fn shutdown(&mut self, timeout: Option<Duration>) {
        if self.shut_down {
            return;
        }
        if timeout != Some(Duration::ZERO) && context::is_entered() && !std::thread::panicking() {
            self.shutdown(Some(Duration::ZERO));
            panic!(
                "cannot drop or shut down a magpie runtime from async code (a task, or \
                 inside `block_on`): that would block a thread that runs async tasks. \
                 Drop it outside the runtime, move it into `spawn_blocking`, or call \
                 `Runtime::shutdown_background()`"
            );
        }
        self.shut_down = true;
        let shared = &self.handle.inner;
        shared.close();
        let deadline = timeout.map(|t| Instant::now() + t);
        let me = thread::current().id();
        for t in self.workers.drain(..) {
            if t.thread().id() == me {
                continue; // dropped from one of its own workers
            }
            if thread::join_until(t, deadline).is_err() {
                // Past the deadline: leave the rest running detached.
                break;
            }
        }
        {
            // Cancelling tasks drops their futures here; keep the runtime
            // current so their destructors can reach it (and spawn, which is
            // refused cleanly once the owned list is closed).
            let _current = context::set_current(&self.handle);
            shared.shutdown_tasks();
        }
        let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        self.blocking.shutdown(remaining);
    }
}

impl Drop for Runtime {
    /// Shuts down and waits for the worker and blocking threads.
    ///
    /// On Windows, from a thread-local destructor (a runtime kept in a
    /// `thread_local!`, dropped as its thread exits), it cannot wait: std
    /// runs those destructors under the loader lock, which every exiting
    /// thread needs. Tasks are still cancelled there, but the threads are
    /// left to exit on their own, as with
    /// [`shutdown_background`](Runtime::shutdown_background).
    ///
    /// # Panics
    ///
    /// On a thread that runs async code (inside a task or a `block_on`):
    /// dropping would block it. The runtime is then shut down without
    /// waiting first; use [`shutdown_background`](Runtime::shutdown_background)
    /// there instead.
    fn drop(&mut self) {
        self.shutdown(None);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("workers", &self.handle.inner.num_workers())
            .finish_non_exhaustive()
    }
}
