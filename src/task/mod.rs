//! Tasks: spawning, joining, aborting and yielding.
//!
//! A task is a future handed to the runtime with [`spawn`]. It lives in
//! one heap cell (see the layout in `raw.rs`) shared by its
//! [`JoinHandle`], its wakers and the scheduler's queues, and goes through
//! this life:
//!
//! ```text
//!   spawn ──► queued ──poll──► running ──Pending──► idle ──wake──► queued
//!                 ▲              │  │                 │
//!                 └──wake while──┘  │ Ready/panic     │ abort / shutdown
//!                    running        ▼                 ▼
//!                               complete ◄──── cancelled (future dropped)
//!                                   │
//!                          JoinHandle reads the output
//! ```
//!
//! Futures that are not `Send` (they hold an `Rc`, a `RefCell` borrow, a
//! thread-bound handle) run on one thread in a [`LocalSet`].
//!
//! ```
//! use magpie::task::{self, JoinSet};
//!
//! let rt = magpie::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let mut set = JoinSet::new();
//!     for i in 0..4u32 {
//!         set.spawn(async move {
//!             task::yield_now().await;
//!             i * i
//!         });
//!     }
//!     let mut total = 0;
//!     while let Some(res) = set.join_next().await {
//!         total += res.unwrap();
//!     }
//!     assert_eq!(total, 0 + 1 + 4 + 9);
//! });
//! ```

mod builder;
pub mod coop;
mod join_set;
mod local_set;
mod task_local;
mod yield_now;

pub use crate::runtime::task::{AbortHandle, Id, JoinError, JoinHandle};
pub use builder::Builder;
pub use join_set::JoinSet;
pub use local_set::LocalSet;
pub use task_local::{AccessError, LocalKey, TaskLocalFuture};
pub use yield_now::yield_now;

use crate::runtime::task::Meta;
use std::future::Future;

/// Spawns a task on the current runtime and returns its [`JoinHandle`].
///
/// The task starts running at once on some worker; it does not wait for
/// the handle to be awaited. Panics if called outside a runtime (use
/// [`Handle::spawn`](crate::runtime::Handle::spawn) with a handle there).
///
/// ```
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     let h = magpie::task::spawn(async { "hello" });
///     assert_eq!(h.await.unwrap(), "hello");
/// });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let meta = Meta::here();
    crate::runtime::context::with_current(|handle| handle.spawn_with(future, meta))
}

/// Runs blocking code `f` on this thread without stalling the tasks
/// queued behind the current one: the worker's queue is handed to another
/// thread (from the blocking pool) while `f` runs, and taken back after.
/// The current task itself waits for `f`, as with any blocking call; use
/// [`spawn_blocking`] when the task need not wait.
///
/// Outside a runtime, or in a multi-thread runtime's `block_on` (which is
/// not a worker), it just runs `f`. Inside `f`, blocking on the runtime is
/// allowed (`Handle::block_on`). Tasks pinned to this worker
/// (`spawn_local`) wait for `f` to return: they never leave their thread.
///
/// # Panics
///
/// On a current-thread runtime's thread: nothing could run its tasks while
/// it blocks.
///
/// ```
/// let rt = magpie::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
/// let out = rt.block_on(rt.spawn(async {
///     let (tx, rx) = std::sync::mpsc::channel();
///     // Spawned onto this worker's queue, which `f` blocks: it runs on the
///     // thread the worker is lent to.
///     magpie::spawn(async move { tx.send(5).unwrap() });
///     magpie::task::block_in_place(move || rx.recv().unwrap())
/// }));
/// assert_eq!(out.unwrap(), 5);
/// ```
#[track_caller]
pub fn block_in_place<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    crate::runtime::scheduler::block_in_place::block_in_place(f)
}

/// The id of the task being polled.
///
/// # Panics
///
/// Outside a task (for example directly in `block_on`'s future); use
/// [`try_id`] there.
///
/// ```
/// let rt = magpie::Runtime::new().unwrap();
/// let h = rt.spawn(async { magpie::task::id() });
/// let id = h.id();
/// assert_eq!(rt.block_on(h).unwrap(), id);
/// ```
#[track_caller]
pub fn id() -> Id {
    try_id().expect("`task::id()` called outside a task: use `task::try_id()`")
}

/// The id of the task being polled, or `None` outside a task.
///
/// ```
/// assert!(magpie::task::try_id().is_none());
/// let rt = magpie::Runtime::new().unwrap();
/// assert!(rt.block_on(rt.spawn(async { magpie::task::try_id() })).unwrap().is_some());
/// ```
pub fn try_id() -> Option<Id> {
    crate::runtime::task::id::current()
}

/// Spawns a `!Send` future as a task that stays on this thread, and
/// returns its [`JoinHandle`] (which is `Send` only if the output is).
///
/// Where it may be called, and where the task runs:
/// - inside a [`LocalSet`] (`run_until`, `block_on`, or `.await` on it): a
///   task of that set;
/// - inside `block_on` of a current-thread runtime
///   ([`Builder::new_current_thread`](crate::runtime::Builder::new_current_thread)),
///   or in one of its tasks: a local task of that runtime, run by its
///   `block_on` on this thread;
/// - in a task on a multi-thread runtime's worker: a task *pinned* to that
///   worker. It is never stolen by other workers; a wake from any thread
///   puts it in that worker's own inbox and wakes that worker; it is
///   dropped there at shutdown.
///
/// Anywhere else (outside any runtime, or in `block_on` of a multi-thread
/// runtime, whose thread is not a worker) it panics; from there use
/// [`Handle::spawn_pinned`](crate::runtime::Handle::spawn_pinned) or a
/// [`LocalSet`].
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
///
/// let rt = magpie::Runtime::new().unwrap();
/// let total = rt.block_on(async {
///     // On a worker: the local task is pinned there, and may hold an `Rc`.
///     magpie::spawn(async {
///         magpie::task::spawn_local(async {
///             let log = Rc::new(RefCell::new(Vec::new())); // not Send
///             let mut handles = Vec::new();
///             for i in 0..3 {
///                 let log = log.clone();
///                 handles.push(magpie::task::spawn_local(async move {
///                     magpie::task::yield_now().await;
///                     log.borrow_mut().push(i);
///                 }));
///             }
///             for h in handles {
///                 h.await.unwrap();
///             }
///             let n = log.borrow().len();
///             n
///         })
///         .await
///         .unwrap()
///     })
///     .await
///     .unwrap()
/// });
/// assert_eq!(total, 3);
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_local_with(future, Meta::here())
}

/// `spawn_local` with the metadata given (`task::Builder` names tasks).
#[track_caller]
pub(crate) fn spawn_local_with<F>(future: F, meta: Meta) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match local_set::spawn_on_current(future, meta) {
        Ok(handle) => handle,
        Err((future, meta)) => {
            crate::runtime::spawn_local(future, meta).unwrap_or_else(|msg| panic!("{msg}"))
        }
    }
}

/// Runs a blocking function on the runtime's blocking-thread pool and
/// returns a handle to its result, so that it does not stall a worker.
///
/// ```
/// let rt = magpie::Runtime::new().unwrap();
/// let n = rt.block_on(async {
///     magpie::task::spawn_blocking(|| {
///         std::thread::sleep(std::time::Duration::from_millis(5));
///         42
///     })
///     .await
///     .unwrap()
/// });
/// assert_eq!(n, 42);
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let meta = Meta::here();
    crate::runtime::context::with_current(|handle| handle.spawn_blocking_with(f, meta))
}
