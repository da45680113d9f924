use super::context::{self, TryCurrentError};
use super::scheduler::Shared;
use crate::loom::sync::Arc;
use crate::task::JoinHandle;
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
        super::scheduler::spawn(&self.inner, future)
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
        self.inner.blocking.spawn(f)
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
        super::block_on::block_on(future)
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

    pub(crate) fn driver(&self) -> &super::driver::Handle {
        &self.inner.driver_handle
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
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
