//! The task cell: one heap allocation per task, holding its state word,
//! its future (then its output), its scheduler and its join waker.
//!
//! This floor knows nothing of the scheduler: whoever runs tasks implements
//! [`Schedule`] for them. The public face (`spawn`, `JoinSet`, ...) lives in
//! `crate::task`, which re-exports the handle and error types defined here.
//!
//! | file | what it holds |
//! |---|---|
//! | `state.rs` | the state word: flags and reference count, one method per legal transition |
//! | `raw.rs` | the cell's layout and its vtable |
//! | `harness.rs` | poll, complete, cancel, drop: what the vtable entries do |
//! | `waker.rs` | the `RawWaker` vtable over the cell |
//! | `list.rs` | the owned-task list a scheduler keeps for shutdown |
//! | `join.rs` | `JoinHandle` and `AbortHandle` |
//! | `error.rs` | `JoinError` |
//! | `id.rs`, `meta.rs` | task ids and spawn metadata (name, location) |
//! | `coop.rs` | the cooperative budget every leaf future spends |

pub(crate) mod coop;
mod error;
mod harness;
pub(crate) mod id;
mod join;
mod list;
mod meta;
mod raw;
mod state;
mod waker;

pub(crate) use error::panic_message;
pub use error::JoinError;
pub use id::Id;
pub use join::{AbortHandle, JoinHandle};

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

    /// The task is about to complete (its output, panic or cancellation is
    /// stored; its `JoinHandle` is not woken yet): for termination hooks.
    fn terminating(&self, task: RawTask) {
        let _ = task;
    }

    /// Task `id`'s poll panicked with `payload` (which is then stored for
    /// its `JoinHandle`).
    fn unhandled_panic(&self, id: Id, payload: &(dyn std::any::Any + Send)) {
        let _ = (id, payload);
    }
}

/// The owned-list reference to a task.
pub(crate) struct Task<S: 'static> {
    raw: RawTask,
    _p: PhantomData<S>,
}

/// A reference to a task that is due to be polled: what run queues hold.
pub(crate) struct Notified<S: 'static>(Task<S>);

// SAFETY: a task's future and output are Send (checked by `new_task`), or
// its scheduler polls and drops them only on their own thread
// (`new_local_task`'s contract): a `Task` moving between threads moves a
// reference count, never the future. Everything shared goes through the
// atomic state word.
unsafe impl<S> Send for Task<S> {}
// SAFETY: as for `Send`: `&Task` only reads the id and copies the pointer;
// what it reaches is shared through the atomic state word.
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

/// Allocates a task whose future (and perhaps output) is not `Send`.
///
/// The `JoinHandle` is `Send` only if the output is.
///
/// # Safety
///
/// The scheduler `S` must poll the task, and cancel it (which drops the
/// future), only on the thread this is called on: its `schedule` routes
/// every `Notified` back to that thread, and whoever shuts its tasks down
/// does so there. A `Notified`, `Task` or waker may still travel to other
/// threads and be dropped there: that only moves a reference count (the
/// future is gone by the time the last reference can be dropped, because
/// the owned-task list keeps the task alive until it completes or is
/// cancelled).
///
/// One exception makes `Handle::spawn_pinned` possible: the future may be
/// created and *dropped before its first poll* on another thread if the
/// value it holds then is `Send` (a wrapper that builds the real future on
/// its first poll).
pub(crate) unsafe fn new_local_task<F, S>(
    future: F,
    scheduler: S,
    id: Id,
    meta: Meta,
) -> (Task<S>, Notified<S>, JoinHandle<F::Output>)
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    let raw = RawTask::new(future, scheduler, id, meta);
    (
        Task::from_raw(raw),
        Notified(Task::from_raw(raw)),
        JoinHandle::new(raw),
    )
}
