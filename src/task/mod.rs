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
pub(crate) mod coop;
mod error;
mod harness;
mod id;
mod join;
mod join_set;
mod list;
mod meta;
mod raw;
mod state;
mod waker;
mod yield_now;

pub use builder::Builder;
pub use error::JoinError;
pub use id::Id;
pub use join::{AbortHandle, JoinHandle};
pub use join_set::JoinSet;
pub use yield_now::yield_now;

pub(crate) use list::OwnedTasks;
pub(crate) use meta::Meta;
pub(crate) use raw::RawTask;

use std::future::Future;
use std::marker::PhantomData;

/// What the task system needs from whoever runs tasks. The runtime
/// implements it; the task system never names the runtime.
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// Queues a woken task.
    fn schedule(&self, task: Notified<Self>);

    /// Queues a task that was woken while it ran (it yielded): fairness
    /// wants it behind the others.
    fn yield_now(&self, task: Notified<Self>) {
        self.schedule(task);
    }

    /// The task completed: take it out of the owned-task list. True if it
    /// was there (the list's reference is then dropped by the caller).
    fn release(&self, task: RawTask) -> bool;

    /// A task's poll panicked (the panic is stored for its `JoinHandle`).
    fn unhandled_panic(&self) {}
}

/// The owned-list reference to a task.
pub(crate) struct Task<S: 'static> {
    raw: RawTask,
    _p: PhantomData<S>,
}

/// A reference to a task that is due to be polled: what run queues hold.
pub(crate) struct Notified<S: 'static>(Task<S>);

// SAFETY: a task's future and output are Send (checked by `new_task`);
// everything shared goes through its atomic state word.
unsafe impl<S> Send for Task<S> {}
unsafe impl<S> Sync for Task<S> {}

impl<S: 'static> Task<S> {
    pub(super) fn from_raw(raw: RawTask) -> Task<S> {
        Task {
            raw,
            _p: PhantomData,
        }
    }

    pub(crate) fn id(&self) -> Id {
        self.raw.id()
    }

    fn into_raw(self) -> RawTask {
        let raw = self.raw;
        std::mem::forget(self);
        raw
    }
}

impl<S: 'static> Drop for Task<S> {
    fn drop(&mut self) {
        self.raw.drop_reference();
    }
}

impl<S: 'static> Notified<S> {
    /// Polls the task once, consuming this reference.
    pub(crate) fn run(self) {
        self.0.into_raw().poll();
    }

    pub(crate) fn id(&self) -> Id {
        self.0.id()
    }

    /// The task, for observers (metrics, trace, slow-poll reports). Valid
    /// while this `Notified` lives.
    pub(crate) fn raw(&self) -> RawTask {
        self.0.raw
    }

    /// A counted reference that outlives the poll (for reporting after it).
    pub(crate) fn observe(&self) -> Observed {
        self.0.raw.ref_inc();
        Observed(self.0.raw)
    }

    /// Cancels the task instead of running it (shutdown of a queue).
    pub(crate) fn shutdown(self) {
        self.0.into_raw().shutdown();
    }
}

/// A reference held only to read a task's metadata after its poll.
pub(crate) struct Observed(RawTask);

impl Observed {
    pub(crate) fn raw(&self) -> RawTask {
        self.0
    }
}

impl Drop for Observed {
    fn drop(&mut self) {
        self.0.drop_reference();
    }
}

impl<S> std::fmt::Debug for Notified<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Notified({})", self.id())
    }
}

/// Allocates a task: the owned-list reference, the first queue entry, and
/// the join handle.
pub(crate) fn new_task<F, S>(
    future: F,
    scheduler: S,
    id: Id,
    meta: Meta,
) -> (Task<S>, Notified<S>, JoinHandle<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let raw = RawTask::new(future, scheduler, id, meta);
    (
        Task::from_raw(raw),
        Notified(Task::from_raw(raw)),
        JoinHandle::new(raw),
    )
}

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
