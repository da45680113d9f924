//! The thread-local runtime context.
//!
//! * `handle`: the runtime that `spawn`, timers and sockets use on this
//!   thread (set by workers, `block_on` and `Handle::enter`).
//! * `worker`: the worker running on this thread, if any, so a waker that
//!   fires here can put its task in this worker's LIFO slot.
//! * "entered": this thread is driving a runtime (a worker, or inside
//!   `block_on`); a nested `block_on` would deadlock, so it panics. The
//!   flag itself lives in `util/blocking.rs`, below `sync/`, whose
//!   `blocking_*` bridges read it too; this file only sets it.

use super::scheduler::Worker;
use super::Handle;
use crate::util::blocking;
use std::cell::{Cell, RefCell};
use std::fmt;

struct Context {
    handle: RefCell<Option<Handle>>,
    /// How many `set_current` guards are alive on this thread: each guard
    /// knows its own depth, so one dropped out of order is caught.
    depth: Cell<usize>,
    worker: Cell<*const Worker>,
}

crate::loom::const_thread_local! {
    static CONTEXT: Context = Context {
        handle: RefCell::new(None),
        depth: Cell::new(0),
        worker: Cell::new(std::ptr::null()),
    };
}

const NO_RUNTIME: &str = "there is no magpie runtime on this thread: \
    call this from a task spawned on a runtime, inside `Runtime::block_on`, \
    within `#[magpie::main]`, or after `Handle::enter()`";

/// Runs `f` with the current runtime's handle; panics with a clear message
/// outside a runtime.
///
/// Always inlined: spawning passes the whole future through `f`, and only
/// inlined does the compiler avoid copying it at every closure layer.
#[track_caller]
#[inline(always)]
pub(crate) fn with_current<R>(f: impl FnOnce(&Handle) -> R) -> R {
    match try_with_current(f) {
        Ok(r) => r,
        Err(_) => panic!("{}", NO_RUNTIME),
    }
}

#[inline(always)]
pub(crate) fn try_with_current<R>(f: impl FnOnce(&Handle) -> R) -> Result<R, TryCurrentError> {
    CONTEXT
        .try_with(|ctx| match &*ctx.handle.borrow() {
            Some(handle) => Ok(f(handle)),
            None => Err(TryCurrentError { destroyed: false }),
        })
        .unwrap_or(Err(TryCurrentError { destroyed: true }))
}

/// Makes `handle` current until the guard drops. Guards nest and must be
/// dropped in reverse order of creation (the guard panics otherwise).
///
/// During thread-local teardown (a `Runtime` kept in a `thread_local!` and
/// dropped as its thread exits) the context may already be gone: the guard
/// then does nothing, and the code it covers runs with no current runtime.
pub(crate) fn set_current(handle: &Handle) -> SetCurrentGuard {
    let entry = CONTEXT
        .try_with(|ctx| {
            let prev = ctx.handle.replace(Some(handle.clone()));
            let depth = ctx.depth.get() + 1;
            ctx.depth.set(depth);
            (prev, depth)
        })
        .ok();
    SetCurrentGuard {
        entry,
        _not_send: std::marker::PhantomData,
    }
}

pub(crate) struct SetCurrentGuard {
    /// The handle this guard replaced and the depth it set; `None` if the
    /// context was already destroyed.
    entry: Option<(Option<Handle>, usize)>,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for SetCurrentGuard {
    fn drop(&mut self) {
        let Some((prev, depth)) = self.entry.take() else {
            return;
        };
        let in_order = CONTEXT.try_with(|ctx| {
            if ctx.depth.get() != depth {
                return false;
            }
            ctx.depth.set(depth - 1);
            let old = ctx.handle.replace(prev);
            drop(old);
            true
        });
        if matches!(in_order, Ok(false)) && !std::thread::panicking() {
            panic!(
                "`EnterGuard`s dropped out of order: a runtime context guard \
                 (from `Handle::enter` or `Runtime::enter`) must be dropped \
                 before any guard created before it on the same thread"
            );
        }
    }
}

/// Marks this thread as driving a runtime; panics if it already is.
#[track_caller]
pub(crate) fn enter_runtime() -> EnteredGuard {
    if blocking::is_entered() {
        panic!(
            "cannot block the current thread from within a magpie runtime: \
             `block_on` was called on a thread that is already running async \
             tasks (a worker or another `block_on`), which would deadlock it. \
             `.await` the future instead, or run the blocking code in \
             `magpie::task::spawn_blocking`"
        );
    }
    // `None` only during thread-local teardown: nothing left to enter.
    blocking::enter()
}

/// Clears the "drives a runtime" flag when dropped (if it set it).
pub(crate) type EnteredGuard = Option<blocking::EnteredGuard>;

/// Whether this thread is driving a runtime (a worker, or inside
/// `block_on`): code here must not block waiting for other tasks.
pub(crate) fn is_entered() -> bool {
    blocking::is_entered()
}

/// Registers the worker running on this thread until the guard drops.
pub(crate) fn set_worker(worker: &Worker) -> WorkerGuard {
    let _ = CONTEXT.try_with(|ctx| ctx.worker.set(worker as *const Worker));
    WorkerGuard {
        _not_send: std::marker::PhantomData,
    }
}

pub(crate) struct WorkerGuard {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|ctx| ctx.worker.set(std::ptr::null()));
    }
}

/// Leaves the runtime on this thread until the guard drops (for
/// `block_in_place`): no worker is registered and the thread is not
/// "entered", so blocking calls (`Handle::block_on`) are allowed and wakes
/// go through the runtime's queues, not this thread's worker. The guard
/// restores both.
pub(crate) fn leave_worker() -> LeaveGuard {
    let worker = CONTEXT
        .try_with(|ctx| ctx.worker.replace(std::ptr::null()))
        .unwrap_or(std::ptr::null());
    LeaveGuard {
        worker,
        entered: blocking::replace_entered(false),
    }
}

pub(crate) struct LeaveGuard {
    worker: *const Worker,
    entered: bool,
}

impl Drop for LeaveGuard {
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|ctx| ctx.worker.set(self.worker));
        blocking::replace_entered(self.entered);
    }
}

/// Runs `f` with the worker of this thread, if any.
pub(crate) fn with_worker<R>(f: impl FnOnce(Option<&Worker>) -> R) -> R {
    let ptr = CONTEXT
        .try_with(|ctx| ctx.worker.get())
        .unwrap_or(std::ptr::null());
    // SAFETY: the pointer is set by `set_worker` from a `&Worker` that
    // outlives the guard (it lives on a worker thread's stack, or, while
    // `block_in_place` lends it to a pool thread, on the lender's stack,
    // which waits for the loan to end), and the guard clears it first.
    // Only one thread uses a worker at a time (`block_in_place.rs`).
    let worker = unsafe { ptr.as_ref() };
    f(worker)
}

/// Returned by [`Handle::try_current`](crate::runtime::Handle::try_current)
/// when no runtime is current on this thread.
///
/// ```
/// let err = magpie::runtime::Handle::try_current().unwrap_err();
/// assert!(err.is_missing_context());
/// ```
#[derive(Debug)]
pub struct TryCurrentError {
    destroyed: bool,
}

impl TryCurrentError {
    /// No runtime was entered on this thread.
    ///
    /// ```
    /// assert!(magpie::runtime::Handle::try_current().unwrap_err().is_missing_context());
    /// ```
    pub fn is_missing_context(&self) -> bool {
        !self.destroyed
    }

    /// The thread-local context was already destroyed (thread exit).
    ///
    /// ```
    /// assert!(!magpie::runtime::Handle::try_current().unwrap_err().is_thread_local_destroyed());
    /// ```
    pub fn is_thread_local_destroyed(&self) -> bool {
        self.destroyed
    }
}

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.destroyed {
            f.write_str("the magpie context thread-local was destroyed (thread is exiting)")
        } else {
            f.write_str(NO_RUNTIME)
        }
    }
}

impl std::error::Error for TryCurrentError {}
