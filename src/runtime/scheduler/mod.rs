//! The multi-threaded, work-stealing scheduler.
//!
//! ```text
//!  spawn/wake from outside ──► Injector ◄──────── steal batch ─┐
//!                                                              │
//!  worker i:  LIFO slot ─► local FIFO (crossbeam Worker) ◄─ steal ─ worker j
//! ```
//!
//! A task woken on a worker of this runtime goes to that worker's LIFO
//! slot (its previous occupant to the back of the local queue); anywhere
//! else it goes to the injector and one sleeping worker is woken. The
//! search order of an idle worker and the parking rules are in `worker.rs`
//! and `idle.rs`.

pub(crate) mod block_in_place;
pub(crate) mod current_thread;
mod deterministic;
mod idle;
mod park;
pub(crate) mod pinned;
pub(crate) mod queue;
mod worker;

pub(crate) use worker::{run as run_worker, Parts, Worker};

use self::idle::Idle;
use self::park::Unparker;
use self::pinned::{Inbox, PinnedRef};
use self::queue::{Injector, LocalQueue, RemoteQueue};
use crate::loom::sync::atomic::{fence, AtomicBool, AtomicU64, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::runtime::blocking::Spawner as BlockingSpawner;
use crate::runtime::config::Config;
use crate::runtime::driver::{self, Driver};
use crate::runtime::observe::UnhandledPanic;
use crate::runtime::observer::Observer;
use crate::runtime::task::{self, JoinHandle, Meta, Notified, OwnedTasks, RawTask, Schedule};
use crate::util::try_lock::TryLock;
use std::any::Any;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::task::Waker;

/// A task as the run queues hold it.
pub(crate) type TaskRef = Notified<Arc<Shared>>;

/// What every worker and every handle share.
pub(crate) struct Shared {
    injector: Injector<TaskRef>,
    remotes: Box<[Remote]>,
    pub(super) idle: Idle,
    owned: OwnedTasks,
    /// The driver, free for the first worker that parks.
    pub(super) driver: TryLock<Driver>,
    driver_handle: driver::Handle,
    blocking: BlockingSpawner,
    pub(super) config: Config,
    /// Metrics, trace, task tracking and slow-poll reports.
    pub(super) observer: Observer,
    shutdown: AtomicBool,
    /// Which task's panic shut the runtime down, and why (under
    /// `UnhandledPanic::ShutdownRuntime`), for the `block_on`s it ends.
    fatal: Mutex<Option<(task::Id, String)>>,
    /// Set once that task has completed (its `JoinHandle` is ready): from
    /// then on a `block_on` still waiting gives up.
    fatal_completed: AtomicBool,
    /// The wakers of the `block_on` calls running now, woken when the
    /// runtime shuts itself down so that they return.
    block_ons: Mutex<Vec<Waker>>,
    /// Current-thread runtime: worker 0's parts while no `block_on` drives
    /// them, and the `block_on`s waiting for them.
    core: Mutex<Option<Parts>>,
    core_waiters: Mutex<Vec<Waker>>,
    id: crate::runtime::Id,
    /// Yields the cooperative budget forced, counted by the workers'
    /// threads (`task/coop.rs`).
    forced_yields: Arc<AtomicU64>,
    /// A deterministic runtime's task ids: every task of the runtime,
    /// spawned from any thread, draws from it.
    det_ids: Option<Arc<AtomicU64>>,
}

/// A `block_on`'s registration in [`Shared::watch_fatal`].
pub(crate) struct WatchFatal<'a> {
    shared: &'a Shared,
    waker: Waker,
}

impl Drop for WatchFatal<'_> {
    fn drop(&mut self) {
        let mut list = self.shared.block_ons.lock();
        if let Some(i) = list.iter().position(|w| w.will_wake(&self.waker)) {
            let removed = list.swap_remove(i);
            drop(list);
            drop(removed);
        }
    }
}

/// Restores the thread's previous forced-yield counter.
pub(super) struct ForcedYieldsGuard {
    prev: Option<Arc<AtomicU64>>,
}

impl Drop for ForcedYieldsGuard {
    fn drop(&mut self) {
        task::coop::count_forced_yields(self.prev.take());
    }
}

/// Another worker as seen from outside: how to steal from it and wake it,
/// and its pinned tasks (see `pinned.rs`).
pub(super) struct Remote {
    pub(super) stealer: RemoteQueue<TaskRef>,
    pub(super) unparker: Unparker,
    inbox: Inbox,
    pinned: OwnedTasks,
    /// `block_in_place` wants this worker back from the thread it lent it
    /// to (see `block_in_place.rs`).
    recall: AtomicBool,
}

impl Shared {
    /// Builds the shared state and the per-worker parts (one per worker,
    /// to be moved to the worker threads).
    pub(crate) fn new(
        config: Config,
        driver: Driver,
        driver_handle: driver::Handle,
        blocking: BlockingSpawner,
    ) -> (Arc<Shared>, Vec<worker::Parts>) {
        let n = config.num_workers();
        let det_ids = config.deterministic.map(|_| task::id::sequence());
        let mut parts = Vec::with_capacity(n);
        let mut remotes = Vec::with_capacity(n);
        for index in 0..n {
            // Nobody steals from a current-thread runtime's one worker.
            let local = if config.current_thread {
                LocalQueue::owned()
            } else {
                LocalQueue::stealable()
            };
            let (parker, unparker) = park::pair();
            remotes.push(Remote {
                stealer: local.remote(),
                unparker,
                inbox: Inbox::new(),
                pinned: OwnedTasks::new(1),
                recall: AtomicBool::new(false),
            });
            parts.push(worker::Parts {
                index,
                local,
                parker,
                pinned: VecDeque::new(),
                pinned_owner: None,
                tick: 0,
                det: config
                    .deterministic
                    .zip(det_ids.clone())
                    .map(|(seed, ids)| deterministic::Runnable::new(seed, ids)),
            });
        }
        let observer = Observer::new(&config, n, trace_clock(&config, &driver_handle));
        let shared = Arc::new(Shared {
            injector: Injector::new(),
            remotes: remotes.into_boxed_slice(),
            idle: Idle::new(n, config.max_searching.unwrap_or(n)),
            owned: OwnedTasks::new(n * 4),
            driver: TryLock::new(driver),
            driver_handle,
            blocking,
            observer,
            config,
            shutdown: AtomicBool::new(false),
            fatal: Mutex::new(None),
            fatal_completed: AtomicBool::new(false),
            block_ons: Mutex::new(Vec::new()),
            core: Mutex::new(None),
            core_waiters: Mutex::new(Vec::new()),
            id: crate::runtime::Id::next(),
            forced_yields: Arc::new(AtomicU64::new(0)),
            det_ids,
        });
        (shared, parts)
    }

    pub(crate) fn is_current_thread(&self) -> bool {
        self.config.current_thread
    }

    /// The id of a new task of this runtime.
    pub(crate) fn next_task_id(&self) -> task::Id {
        match &self.det_ids {
            Some(seq) => task::id::next_in(seq),
            None => task::Id::next(),
        }
    }

    pub(crate) fn id(&self) -> crate::runtime::Id {
        self.id
    }

    pub(crate) fn name(&self) -> Option<&str> {
        self.config.name.as_deref()
    }

    /// Tasks ever spawned (pinned ones included).
    pub(crate) fn spawned_tasks(&self) -> u64 {
        self.owned.spawned() + self.remotes.iter().map(|r| r.pinned.spawned()).sum::<u64>()
    }

    pub(crate) fn forced_yields(&self) -> u64 {
        self.forced_yields.load(Ordering::Relaxed)
    }

    /// Makes this thread count its forced yields for this runtime until
    /// the guard drops.
    pub(super) fn count_forced_yields(&self) -> ForcedYieldsGuard {
        ForcedYieldsGuard {
            prev: task::coop::count_forced_yields(Some(self.forced_yields.clone())),
        }
    }

    pub(crate) fn num_workers(&self) -> usize {
        self.remotes.len()
    }

    /// Calls `f` with every live task of the runtime, pinned ones
    /// included.
    pub(crate) fn for_each_task(&self, mut f: impl FnMut(RawTask)) {
        self.owned.for_each(&mut f);
        for remote in self.remotes.iter() {
            remote.pinned.for_each(&mut f);
        }
    }

    /// How many tasks are alive, pinned ones included.
    pub(crate) fn num_alive_tasks(&self) -> usize {
        self.owned.len() + self.remotes.iter().map(|r| r.pinned.len()).sum::<usize>()
    }

    pub(crate) fn driver_handle(&self) -> &driver::Handle {
        &self.driver_handle
    }

    pub(crate) fn blocking(&self) -> &BlockingSpawner {
        &self.blocking
    }

    pub(crate) fn observer(&self) -> &Observer {
        &self.observer
    }

    /// How many tasks wait in the injector.
    pub(crate) fn injector_depth(&self) -> usize {
        self.injector.len()
    }

    /// How many tasks wait in `worker`'s local queue.
    pub(crate) fn local_queue_depth(&self, worker: usize) -> usize {
        self.remotes[worker].stealer.len()
    }

    /// Queues a task from outside the workers and wakes one if needed.
    pub(super) fn push_remote(&self, task: TaskRef) {
        self.injector.push(task);
        // Pairs with the SeqCst store in `close`: either we see the
        // shutdown and drain what we pushed, or the closer's final drain
        // sees our task.
        fence(Ordering::SeqCst);
        if self.shutdown.load(Ordering::SeqCst) {
            self.drain_injector();
            return;
        }
        self.notify_parked();
    }

    /// Wakes one sleeping worker if nobody is searching.
    pub(super) fn notify_parked(&self) {
        if let Some(index) = self.idle.worker_to_notify() {
            self.unpark_worker(index);
        }
    }

    /// Wakes worker `index` whatever it is doing (a spurious wake-up if it
    /// is not asleep).
    pub(super) fn unpark_worker(&self, index: usize) {
        self.remotes[index].unparker.unpark(&self.driver_handle);
    }

    /// The blocking pool has no job in flight any more: a current-thread
    /// core that parked instead of auto-advancing its paused clock must
    /// look again.
    pub(crate) fn blocking_idle(&self) {
        if self.is_current_thread() && self.driver_handle.time.clock().is_paused() {
            self.unpark_worker(0);
        }
    }

    /// Asks the thread worker `index` is lent to for it back (`false`:
    /// clears the request, as a loan starts).
    pub(super) fn set_recall(&self, index: usize, recall: bool) {
        self.remotes[index].recall.store(recall, Ordering::SeqCst);
        if recall {
            self.unpark_worker(index);
        }
    }

    pub(super) fn is_recalled(&self, index: usize) -> bool {
        self.remotes[index].recall.load(Ordering::SeqCst)
    }

    /// The owned list of the tasks pinned to worker `index`.
    pub(super) fn pinned_tasks(&self, index: usize) -> &OwnedTasks {
        &self.remotes[index].pinned
    }

    pub(super) fn pinned_inbox(&self, index: usize) -> &Inbox {
        &self.remotes[index].inbox
    }

    /// A pinned task of worker `index` was woken on another thread: queue
    /// it in that worker's inbox and wake that worker (not "some" worker:
    /// nobody else may run it).
    pub(super) fn push_pinned_remote(&self, index: usize, task: PinnedRef) {
        if self.remotes[index].inbox.push(task) {
            self.unpark_worker(index);
        }
    }

    /// The worker `spawn_pinned` should use: the fewest pinned tasks, then
    /// the shortest run queue.
    pub(super) fn least_pinned_worker(&self) -> usize {
        (0..self.remotes.len())
            .min_by_key(|&i| {
                let r = &self.remotes[i];
                (r.pinned.len(), r.stealer.len() + r.inbox.len())
            })
            .unwrap_or(0)
    }

    /// Worker `index` stops (on the thread that owns its pinned tasks):
    /// cancel them here, then drop every queued reference to them.
    pub(super) fn shutdown_pinned(&self, index: usize, queue: &RefCell<VecDeque<PinnedRef>>) {
        let remote = &self.remotes[index];
        remote.pinned.close_and_shutdown_all();
        drop(remote.inbox.close());
        let queued = std::mem::take(&mut *queue.borrow_mut());
        drop(queued);
    }

    /// Takes the current-thread core, if no `block_on` drives it now.
    pub(crate) fn take_core(&self) -> Option<Parts> {
        self.core.lock().take()
    }

    pub(crate) fn core_is_free(&self) -> bool {
        self.core.lock().is_some()
    }

    /// Puts the core back and wakes the `block_on`s waiting for it.
    pub(crate) fn return_core(&self, parts: Parts) {
        *self.core.lock() = Some(parts);
        let waiting = std::mem::take(&mut *self.core_waiters.lock());
        waiting.into_iter().for_each(Waker::wake);
    }

    /// Wakes `waker` when the core is given back. The caller then tries
    /// `take_core` again (registering first, so a return in between is not
    /// missed).
    pub(crate) fn wait_for_core(&self, waker: &Waker) {
        let mut waiting = self.core_waiters.lock();
        if !waiting.iter().any(|w| w.will_wake(waker)) {
            waiting.push(waker.clone());
        }
    }

    /// Shutdown of a current-thread runtime whose core nobody drives: drop
    /// its queue references and cancel its pinned tasks, if this thread
    /// owns them. A local task is never dropped on another thread: if the
    /// runtime is shut down elsewhere, its local tasks are leaked (and
    /// reported on stderr), the only sound choice left.
    pub(crate) fn shutdown_idle_core(&self) {
        let Some(mut parts) = self.take_core() else {
            return;
        };
        while let Some(task) = parts.local.pop() {
            drop(task);
        }
        if let Some(det) = parts.det.as_mut() {
            // Queued references would keep the runtime alive through the
            // tasks' own `Arc<Shared>`: a cycle.
            drop(det.take_queued());
        }
        let me = crate::loom::thread::current().id();
        if parts.pinned_owner.is_none_or(|owner| owner == me) {
            let queue = RefCell::new(std::mem::take(&mut parts.pinned));
            self.shutdown_pinned(parts.index, &queue);
        } else {
            let remote = &self.remotes[parts.index];
            let leaked = remote.pinned.close();
            drop(remote.inbox.close());
            drop(std::mem::take(&mut parts.pinned));
            if leaked > 0 {
                eprintln!(
                    "magpie: a current-thread runtime was shut down on a thread other than \
                     the one that owns its {leaked} local (!Send) task(s); they cannot be \
                     dropped here and are leaked. Drop the runtime on the thread that ran \
                     `block_on`."
                );
            }
        }
        *self.core.lock() = Some(parts);
    }

    /// Whether the injector or any worker's local queue holds work.
    pub(super) fn has_stealable_work(&self) -> bool {
        !self.injector.is_empty() || self.remotes.iter().any(|r| !r.stealer.is_empty())
    }

    /// Registers a running `block_on`'s waker until the guard drops.
    pub(crate) fn watch_fatal(&self, waker: &Waker) -> WatchFatal<'_> {
        self.block_ons.lock().push(waker.clone());
        WatchFatal {
            shared: self,
            waker: waker.clone(),
        }
    }

    /// Why the runtime shut itself down, once the task whose panic did it
    /// has completed.
    pub(crate) fn fatal(&self) -> Option<String> {
        if !self.fatal_completed.load(Ordering::Acquire) {
            return None;
        }
        self.fatal.lock().as_ref().map(|(_, why)| why.clone())
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    /// Step 1 of shutdown: stop the workers. Each drains its own queues
    /// (dropping the queue references; the tasks stay in the owned list)
    /// and exits.
    pub(crate) fn close(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
        for remote in self.remotes.iter() {
            remote.unparker.unpark(&self.driver_handle);
        }
    }

    /// Step 2, after the workers stopped (or the timeout passed): cancel
    /// every task still alive, drop queued references, stop the driver.
    pub(crate) fn shutdown_tasks(&self) {
        self.shutdown_idle_core();
        self.owned.close_and_shutdown_all();
        self.drain_injector();
        self.driver_handle.shutdown();
    }

    fn drain_injector(&self) {
        loop {
            match self.injector.steal() {
                queue::Steal::Success(task) => drop(task),
                queue::Steal::Empty => break,
                queue::Steal::Retry => continue,
            }
        }
    }
}

/// A deterministic runtime's trace reads the virtual clock, so that the
/// same seed gives the same timestamps.
fn trace_clock(
    config: &Config,
    driver: &driver::Handle,
) -> Option<crate::runtime::trace::TraceClock> {
    config.deterministic?;
    let time = driver.time.clone();
    Some(Box::new(move || {
        let clock = time.clock();
        clock.nanos(clock.now())
    }))
}

/// Spawns a future as a task of the runtime `shared` belongs to.
pub(crate) fn spawn<F>(shared: &Arc<Shared>, future: F, mut meta: Meta) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let id = shared.next_task_id();
    meta.track = shared.observer.tracks_tasks();
    let (task, notified, join) = task::new_task(future, shared.clone(), id, meta);
    shared
        .observer
        .on_spawn(notified.raw(), || current_worker_index(shared));
    if let Some(notified) = shared.owned.bind(task, notified) {
        schedule_task(shared, notified, false);
    }
    join
}

/// This thread's worker index, if it is a worker of this runtime.
fn current_worker_index(shared: &Arc<Shared>) -> Option<usize> {
    crate::runtime::context::with_worker(|worker| match worker {
        Some(worker) if worker.belongs_to(shared) => Some(worker.index()),
        _ => None,
    })
}

/// Queues a woken (or new) task: on this thread's worker if it is one of
/// this runtime's, otherwise in the injector.
fn schedule_task(shared: &Arc<Shared>, task: TaskRef, is_yield: bool) {
    crate::runtime::context::with_worker(|worker| {
        let worker = worker.filter(|w| w.belongs_to(shared));
        shared.observer.on_wake(worker.map(Worker::index), &task);
        match worker {
            Some(worker) => worker.schedule_local(task, is_yield),
            None => shared.push_remote(task),
        }
    })
}

impl Schedule for Arc<Shared> {
    fn schedule(&self, task: TaskRef) {
        schedule_task(self, task, false);
    }

    fn yield_now(&self, task: TaskRef) {
        schedule_task(self, task, true);
    }

    fn terminating(&self, task: RawTask) {
        self.observer.on_terminate(task);
    }

    fn release(&self, task: RawTask) -> bool {
        let released = self.owned.remove(task);
        self.task_released(task);
        released
    }

    fn unhandled_panic(&self, id: task::Id, payload: &(dyn Any + Send)) {
        Shared::unhandled_panic(self, id, payload);
    }
}

impl Shared {
    /// A task of this runtime (pinned or not) completed: if it is the one
    /// whose panic shut the runtime down, its `JoinHandle` is ready now, so
    /// end every `block_on` (what it waits for may never come).
    pub(super) fn task_released(&self, task: RawTask) {
        let fatal_done =
            self.is_shutdown() && matches!(&*self.fatal.lock(), Some((id, _)) if *id == task.id());
        if fatal_done {
            // Release pairs with the Acquire in `fatal`.
            self.fatal_completed.store(true, Ordering::Release);
            let waiting = std::mem::take(&mut *self.block_ons.lock());
            waiting.into_iter().for_each(Waker::wake);
        }
    }

    /// A task's poll panicked: under `UnhandledPanic::ShutdownRuntime`, the
    /// first such panic shuts the runtime down.
    pub(super) fn unhandled_panic(&self, id: task::Id, payload: &(dyn Any + Send)) {
        if self.config.unhandled_panic != UnhandledPanic::ShutdownRuntime {
            return;
        }
        let first = {
            let mut fatal = self.fatal.lock();
            let first = fatal.is_none();
            if first {
                let what = task::panic_message(payload).unwrap_or("a non-string payload");
                let why = format!(
                    "the runtime shut down because task {id} panicked \
                     (UnhandledPanic::ShutdownRuntime): {what}"
                );
                *fatal = Some((id, why));
            }
            first
        };
        if !first {
            return;
        }
        // Stop the workers and cancel every task; the runtime's own
        // shutdown later finds nothing left to do. The `block_on`s are
        // woken in `release`, once this task has completed: one that waits
        // for this very task's `JoinHandle` then gets its panic.
        self.close();
        self.owned.close_and_shutdown_all();
    }
}
