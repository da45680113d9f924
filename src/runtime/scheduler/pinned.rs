//! Tasks pinned to one worker: `!Send` futures on a multi-thread runtime
//! (`task::spawn_local` on a worker, `Handle::spawn_pinned`), and the local
//! tasks of a current-thread runtime.
//!
//! ```text
//!  wake on the owner's thread ──► owner's pinned queue (never stolen)
//!  wake from any other thread ──► owner's inbox (MPSC) ──► unpark *that* worker
//! ```
//!
//! A pinned task carries a [`PinnedScheduler`] instead of the runtime's
//! `Arc<Shared>`: its `schedule` routes every wake back to the owner, so
//! the task is only ever polled there. It lives in its owner's own
//! owned-task list, which the owner itself cancels when it stops, so the
//! future is dropped there too (the safety contract of `new_local_task`).
//!
//! No lost wake-up: a remote waker pushes under the inbox lock, then
//! unparks the owner; the owner checks the inbox after publishing that it
//! parks (the parker's token: an unpark before the park makes the park
//! return at once). Shutdown: the owner closes the inbox under its lock,
//! then drains it; a push that finds it closed drops its reference (the
//! task is cancelled by then, or about to be, by its owner).

use super::{Shared, Worker};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::runtime::context;
use crate::runtime::task::{self, JoinHandle, Meta, Notified, RawTask, Schedule};
use std::any::Any;
use std::collections::VecDeque;
use std::future::Future;

/// A pinned task as its owner's queues hold it.
pub(crate) type PinnedRef = Notified<PinnedScheduler>;

/// The scheduler of a task pinned to worker `worker`.
#[derive(Clone)]
pub(crate) struct PinnedScheduler {
    shared: Arc<Shared>,
    worker: usize,
}

impl Schedule for PinnedScheduler {
    fn schedule(&self, task: PinnedRef) {
        context::with_worker(|worker| match worker {
            Some(w) if w.owns_pinned(&self.shared, self.worker) => {
                self.shared.observer.on_wake(Some(self.worker), &task);
                w.schedule_pinned(task)
            }
            _ => {
                self.shared.observer.on_wake(None, &task);
                self.shared.push_pinned_remote(self.worker, task)
            }
        })
    }

    fn terminating(&self, task: RawTask) {
        self.shared.observer.on_terminate(task);
    }

    fn release(&self, task: RawTask) -> bool {
        let released = self.shared.pinned_tasks(self.worker).remove(task);
        self.shared.task_released(task);
        released
    }

    fn unhandled_panic(&self, id: task::Id, payload: &(dyn Any + Send)) {
        self.shared.unhandled_panic(id, payload);
    }
}

/// A worker's inbox for wakes of its pinned tasks from other threads.
pub(crate) struct Inbox {
    queue: Mutex<InboxQueue>,
    /// `queue.tasks.len()`, readable without the lock (the owner's fast
    /// "anything for me?" check on every turn).
    len: AtomicUsize,
}

struct InboxQueue {
    tasks: VecDeque<PinnedRef>,
    closed: bool,
}

impl Inbox {
    pub(super) fn new() -> Inbox {
        Inbox {
            queue: Mutex::new(InboxQueue {
                tasks: VecDeque::new(),
                closed: false,
            }),
            len: AtomicUsize::new(0),
        }
    }

    /// Queues a wake; false (and the reference dropped) if the owner has
    /// stopped.
    pub(super) fn push(&self, task: PinnedRef) -> bool {
        let mut queue = self.queue.lock();
        if queue.closed {
            drop(queue);
            drop(task);
            return false;
        }
        queue.tasks.push_back(task);
        self.len.store(queue.tasks.len(), Ordering::Release);
        true
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len.load(Ordering::Acquire) == 0
    }

    /// Moves everything queued to `into` (the owner's pinned queue).
    pub(super) fn drain_into(&self, into: &mut VecDeque<PinnedRef>) {
        if self.is_empty() {
            return;
        }
        let mut queue = self.queue.lock();
        into.extend(queue.tasks.drain(..));
        self.len.store(0, Ordering::Release);
    }

    /// The owner stops: no more pushes; returns what was queued (to drop
    /// outside the lock).
    pub(super) fn close(&self) -> VecDeque<PinnedRef> {
        let mut queue = self.queue.lock();
        queue.closed = true;
        self.len.store(0, Ordering::Release);
        std::mem::take(&mut queue.tasks)
    }

    pub(super) fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }
}

/// Spawns `future` pinned to `worker`, the worker running on this thread.
pub(super) fn spawn_here<F>(worker: &Worker, future: F, meta: Meta) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let shared = worker.shared();
    let index = worker.index();
    let id = shared.next_task_id();
    let mut meta = meta;
    meta.track = shared.observer.tracks_tasks();
    let scheduler = PinnedScheduler {
        shared: shared.clone(),
        worker: index,
    };
    // SAFETY: a `PinnedScheduler` for `index` polls the task only on the
    // thread of worker `index` (its `schedule` routes every wake there),
    // and only that worker cancels the tasks of its pinned list (when it
    // stops). We are on that thread now.
    let (task, notified, join) = unsafe { task::new_local_task(future, scheduler, id, meta) };
    shared.observer.on_spawn(notified.raw(), || Some(index));
    if let Some(notified) = shared.pinned_tasks(index).bind(task, notified) {
        worker.schedule_pinned(notified);
    }
    join
}

/// Runs `make()`'s future pinned to one worker (the one with the fewest
/// pinned tasks), from any thread.
pub(crate) fn spawn_pinned<M, F>(shared: &Arc<Shared>, make: M, meta: Meta) -> JoinHandle<F::Output>
where
    M: FnOnce() -> F + Send + 'static,
    F: Future + 'static,
    F::Output: Send + 'static,
{
    let index = shared.least_pinned_worker();
    let id = shared.next_task_id();
    let mut meta = meta;
    meta.track = shared.observer.tracks_tasks();
    let scheduler = PinnedScheduler {
        shared: shared.clone(),
        worker: index,
    };
    let router = scheduler.clone();
    // Before its first poll this future holds only `make`, which is Send;
    // it builds the real future on the owner, at its first poll.
    let future = async move { make().await };
    // SAFETY: as in `spawn_here` for polling and cancelling, with the one
    // exception the contract allows: the cell is created here, and if the
    // worker has stopped `bind` cancels it here, but only before its first
    // poll, when the future holds nothing but `make`.
    let (task, notified, join) = unsafe { task::new_local_task(future, scheduler, id, meta) };
    shared.observer.on_spawn(notified.raw(), || None);
    if let Some(notified) = shared.pinned_tasks(index).bind(task, notified) {
        // To the owner's inbox (or its queue, if that is us).
        router.schedule(notified);
    }
    join
}
