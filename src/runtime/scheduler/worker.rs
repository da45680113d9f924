use super::current_thread::MainWake;
use super::deterministic::Runnable;
use super::park::Parker;
use super::pinned::PinnedRef;
use super::queue::{LocalQueue, Steal};
use super::{Shared, TaskRef};
use crate::loom::sync::Arc;
use crate::loom::thread::{self, ThreadId};
use crate::runtime::context;
use crate::runtime::metrics::histogram::DelaySource;
use crate::runtime::observe::StealBatch;
use crate::runtime::observer::Observer;
use crate::runtime::task::Notified;
use crate::util::rng::FastRand;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

/// How many LIFO-slot tasks may run back to back before the local queue
/// gets a turn.
const MAX_LIFO_POLLS: u32 = 3;

/// What a worker thread is given at start; for the current-thread
/// runtime, the "core" that `block_on` takes, drives and gives back.
pub(crate) struct Parts {
    pub(super) index: usize,
    pub(super) local: LocalQueue<TaskRef>,
    pub(super) parker: Parker,
    /// Pinned tasks woken on the owner's own thread.
    pub(super) pinned: VecDeque<PinnedRef>,
    /// The thread that owns the pinned tasks. A multi-thread worker's is
    /// its own thread; a current-thread core's is the first thread that
    /// ran or spawned a local task on it.
    pub(super) pinned_owner: Option<ThreadId>,
    pub(super) tick: u32,
    /// A deterministic core's runnable list (`deterministic.rs`).
    pub(super) det: Option<Runnable>,
}

/// A worker, living on its thread's stack while it runs.
pub(crate) struct Worker {
    index: usize,
    shared: Arc<Shared>,
    local: LocalQueue<TaskRef>,
    lifo: Cell<Option<TaskRef>>,
    pinned: RefCell<VecDeque<PinnedRef>>,
    pinned_owner: Cell<Option<ThreadId>>,
    /// Whether this thread may poll the pinned tasks (it is their owner,
    /// or they have none yet).
    runs_pinned: bool,
    /// Lent to another thread by `block_in_place`: the pinned tasks wait
    /// for their own thread (see `block_in_place.rs`).
    pub(super) lent: Cell<bool>,
    is_searching: Cell<bool>,
    tick: Cell<u32>,
    rng: Cell<FastRand>,
    parker: Parker,
    /// The `block_on` future's wake flag, on a current-thread core.
    main: Option<std::sync::Arc<MainWake>>,
    /// A deterministic core: every woken task waits here for the seeded
    /// pick, instead of in the LIFO slot and the local queue.
    det: Option<RefCell<Runnable>>,
}

/// Runs a worker until the runtime shuts down.
pub(crate) fn run(shared: Arc<Shared>, mut parts: Parts) {
    parts.pinned_owner = Some(thread::current().id());
    let worker = Worker::new(shared, parts, None);
    let handle = crate::runtime::Handle {
        inner: worker.shared.clone(),
    };
    let _current = context::set_current(&handle);
    let _entered = context::enter_runtime();
    let _worker = context::set_worker(&worker);
    let _forced = worker.shared.count_forced_yields();
    worker.shared.observer.on_worker_start(worker.index);
    worker.run();
    worker.drain_queues();
}

/// The victim-choice generator of worker `index`: a function of
/// `rng_seed` if given, otherwise seeded from entropy (per runtime).
pub(crate) fn victim_rng(rng_seed: Option<u64>, index: usize) -> FastRand {
    let base = rng_seed.unwrap_or_else(|| FastRand::from_entropy().next_u64());
    FastRand::new(base ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// The order in which a worker seeded with `seed` picks its first steal
/// victims among `n` workers: the same computation as `steal_work`.
#[cfg(test)]
fn victim_sequence(mut rng: FastRand, n: usize, count: usize) -> Vec<usize> {
    (0..count).map(|_| rng.below(n)).collect()
}

impl Worker {
    pub(super) fn new(
        shared: Arc<Shared>,
        parts: Parts,
        main: Option<std::sync::Arc<MainWake>>,
    ) -> Worker {
        let me = thread::current().id();
        Worker {
            index: parts.index,
            local: parts.local,
            parker: parts.parker,
            lifo: Cell::new(None),
            runs_pinned: parts.pinned_owner.is_none_or(|owner| owner == me),
            lent: Cell::new(false),
            pinned: RefCell::new(parts.pinned),
            pinned_owner: Cell::new(parts.pinned_owner),
            is_searching: Cell::new(false),
            tick: Cell::new(parts.tick),
            rng: Cell::new(victim_rng(shared.config.rng_seed, parts.index)),
            main,
            det: parts.det.map(RefCell::new),
            shared,
        }
    }

    /// Gives the core back (current-thread runtime): the LIFO slot's task
    /// goes to the back of the local queue.
    pub(super) fn into_parts(self) -> Parts {
        if let Some(task) = self.lifo.take() {
            self.local.push(task);
        }
        if self.is_searching.get() {
            // Leave the idle accounting as a running worker's, or the next
            // driver would never be woken (a searcher is assumed to find
            // new work by itself).
            self.shared.idle.transition_worker_from_searching();
        }
        Parts {
            index: self.index,
            local: self.local,
            parker: self.parker,
            pinned: self.pinned.into_inner(),
            pinned_owner: self.pinned_owner.get(),
            tick: self.tick.get(),
            det: self.det.map(RefCell::into_inner),
        }
    }

    pub(crate) fn belongs_to(&self, shared: &Arc<Shared>) -> bool {
        Arc::ptr_eq(&self.shared, shared)
    }

    pub(crate) fn index(&self) -> usize {
        self.index
    }

    pub(super) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    fn observer(&self) -> &Observer {
        &self.shared.observer
    }

    /// Whether this is worker `index` of `shared`, running on the thread
    /// that owns its pinned tasks.
    pub(super) fn owns_pinned(&self, shared: &Arc<Shared>, index: usize) -> bool {
        self.index == index && self.pinned_here() && self.belongs_to(shared)
    }

    /// Whether the pinned tasks may run on this thread now.
    pub(super) fn pinned_here(&self) -> bool {
        self.runs_pinned && !self.lent.get()
    }

    /// Whether this is a current-thread runtime's core.
    pub(crate) fn is_current_thread_core(&self) -> bool {
        self.main.is_some()
    }

    /// Whether `task::spawn_local` may pin a task here; claims the pinned
    /// tasks for this thread if they had no owner yet.
    pub(crate) fn can_spawn_local(&self) -> bool {
        if self.runs_pinned {
            self.claim_pinned();
        }
        self.runs_pinned
    }

    pub(super) fn claim_pinned(&self) {
        if self.pinned_owner.get().is_none() {
            self.pinned_owner.set(Some(thread::current().id()));
        }
    }

    /// Spawns a `!Send` future pinned to this worker (the caller checked
    /// `can_spawn_local`).
    pub(crate) fn spawn_local<F>(
        &self,
        future: F,
        meta: crate::runtime::task::Meta,
    ) -> crate::runtime::task::JoinHandle<F::Output>
    where
        F: std::future::Future + 'static,
        F::Output: 'static,
    {
        debug_assert!(self.runs_pinned);
        super::pinned::spawn_here(self, future, meta)
    }

    fn run(&self) {
        while !self.shared.is_shutdown() {
            if !self.turn() {
                self.park();
            }
        }
    }

    /// One turn of the loop: run one task (and its LIFO chain) if there is
    /// one anywhere this worker may look. False if there was none.
    pub(super) fn turn(&self) -> bool {
        let tick = self.tick.get().wrapping_add(1);
        self.tick.set(tick);
        if tick.is_multiple_of(self.shared.config.event_interval) {
            self.maintenance();
        }
        // Pinned tasks get every other first look, so neither kind starves
        // the other.
        let pinned_first = tick & 1 == 0;
        if pinned_first && self.run_pinned() {
            return true;
        }
        if let Some((task, from)) = self.next_task(tick) {
            self.run_task(task, from);
            return true;
        }
        if !pinned_first && self.run_pinned() {
            return true;
        }
        if let Some((task, from)) = self.steal_work() {
            self.run_task(task, from);
            return true;
        }
        false
    }

    /// Polls the driver without blocking, so I/O and timers progress while
    /// the worker is busy.
    pub(super) fn maintenance(&self) {
        let turn = self
            .parker
            .poll_driver(&self.shared.driver, self.shared.driver_handle());
        self.observer().on_turn(self.index, turn);
        self.sample_queues();
    }

    /// With the trace on, records the queue depths (a counter track in
    /// the trace): at each park and unpark and every `event_interval`
    /// ticks.
    fn sample_queues(&self) {
        if self.observer().tracing() {
            let local = self.local.len() + usize::from(self.has_lifo());
            self.observer()
                .on_queue_depth(self.index, local, self.shared.injector_depth());
        }
    }

    fn has_lifo(&self) -> bool {
        let lifo = self.lifo.take();
        let some = lifo.is_some();
        self.lifo.set(lifo);
        some
    }

    /// Runs one pinned task if this thread owns any that are due.
    fn run_pinned(&self) -> bool {
        if !self.pinned_here() {
            return false;
        }
        let task = {
            let mut pinned = self.pinned.borrow_mut();
            self.shared.pinned_inbox(self.index).drain_into(&mut pinned);
            pinned.pop_front()
        };
        match task {
            Some(task) => {
                self.claim_pinned();
                self.run_task(task, DelaySource::Pinned);
                true
            }
            None => false,
        }
    }

    fn has_pinned_work(&self) -> bool {
        self.pinned_here()
            && (!self.pinned.borrow().is_empty()
                || !self.shared.pinned_inbox(self.index).is_empty())
    }

    /// Queues a pinned task woken on its owner's thread.
    pub(super) fn schedule_pinned(&self, task: PinnedRef) {
        if let Some(det) = &self.det {
            det.borrow_mut().push_pinned(task);
            return;
        }
        self.pinned.borrow_mut().push_back(task);
    }

    /// The runnable list of a deterministic core.
    pub(super) fn det(&self) -> &RefCell<Runnable> {
        self.det.as_ref().expect("a deterministic core")
    }

    pub(super) fn is_deterministic(&self) -> bool {
        self.det.is_some()
    }

    fn next_task(&self, tick: u32) -> Option<(TaskRef, DelaySource)> {
        if tick.is_multiple_of(self.shared.config.global_queue_interval) {
            self.next_remote().or_else(|| self.next_local())
        } else {
            self.next_local().or_else(|| self.next_remote())
        }
    }

    fn next_local(&self) -> Option<(TaskRef, DelaySource)> {
        match self.lifo.take() {
            Some(task) => Some((task, DelaySource::LifoSlot)),
            None => self.local.pop().map(|t| (t, DelaySource::LocalQueue)),
        }
    }

    fn next_remote(&self) -> Option<(TaskRef, DelaySource)> {
        // Plain loads: crossbeam's steal from an empty injector still
        // issues a SeqCst fence. A push racing with this check is found by
        // the search or the pre-park re-check (see idle.rs).
        if self.shared.injector.is_empty() {
            return None;
        }
        loop {
            match self.local.take_from(&self.shared.injector) {
                Steal::Success(task) => return Some((task, DelaySource::Injector)),
                Steal::Empty => return None,
                Steal::Retry => continue,
            }
        }
    }

    /// Steals from a random victim, then the injector; only as a searcher.
    fn steal_work(&self) -> Option<(TaskRef, DelaySource)> {
        if !self.is_searching.get() {
            if !self.shared.idle.transition_worker_to_searching() {
                return None;
            }
            self.is_searching.set(true);
        }
        let remotes = &self.shared.remotes;
        let n = remotes.len();
        let start = self.random_below(n);
        for i in 0..n {
            let victim = (start + i) % n;
            if victim == self.index {
                continue;
            }
            let mut retries = 0;
            loop {
                let before = self.local.len();
                let stolen = match self.shared.config.steal_batch {
                    StealBatch::Half => remotes[victim].stealer.steal_batch_and_pop(&self.local),
                    StealBatch::One => remotes[victim].stealer.steal(),
                };
                match stolen {
                    Steal::Success(task) => {
                        let count = (self.local.len().saturating_sub(before) + 1) as u64;
                        self.observer().on_steal(self.index, victim, count);
                        return Some((task, DelaySource::Stolen));
                    }
                    Steal::Empty => break,
                    Steal::Retry if retries < 4 => retries += 1,
                    Steal::Retry => break,
                }
            }
        }
        let task = self.next_remote();
        if task.is_none() {
            self.observer().on_steal_failure(self.index);
        }
        task
    }

    fn random_below(&self, n: usize) -> usize {
        let mut rng = self.rng.get();
        let r = rng.below(n);
        self.rng.set(rng);
        r
    }

    pub(super) fn run_task<S: 'static>(&self, task: Notified<S>, from: DelaySource) {
        if self.is_searching.replace(false) && self.shared.idle.transition_worker_from_searching() {
            // We were the last searcher and found work: there may be more,
            // so wake someone to keep looking.
            self.shared.notify_parked();
        }
        self.observer().poll(self.index, task, from);
        let mut lifo_polls = 0;
        while let Some(task) = self.lifo.take() {
            if lifo_polls >= MAX_LIFO_POLLS || self.shared.is_shutdown() {
                self.local.push(task);
                // Wake a thief only if there is more than the one task we
                // are about to run ourselves: stealing that one would just
                // move it across threads (a syscall on each side) and leave
                // us idle. Two tasks ping-ponging a lock or a channel hit
                // this every few polls.
                if self.local.len() > 1 {
                    self.shared.notify_parked();
                }
                break;
            }
            lifo_polls += 1;
            self.observer().on_lifo_poll(self.index);
            self.observer()
                .poll(self.index, task, DelaySource::LifoSlot);
        }
    }

    /// Queues a task woken on this worker's thread.
    pub(crate) fn schedule_local(&self, task: TaskRef, is_yield: bool) {
        if let Some(det) = &self.det {
            det.borrow_mut().push(task);
            return;
        }
        let notify = if is_yield || !self.shared.config.lifo_enabled {
            self.local.push(task);
            true
        } else {
            match self.lifo.replace(Some(task)) {
                Some(prev) => {
                    self.local.push(prev);
                    true
                }
                None => false,
            }
        };
        // Work others could steal: make sure someone is looking.
        if notify && self.shared.num_workers() > 1 {
            self.shared.notify_parked();
        }
    }

    pub(super) fn park(&self) {
        let was_searching = self.is_searching.replace(false);
        if self
            .shared
            .idle
            .transition_worker_to_parked(self.index, was_searching)
            && self.shared.has_stealable_work()
        {
            // The last searcher re-checks before sleeping (no lost
            // wake-up, see idle.rs); work appeared, so wake a worker —
            // possibly this one.
            self.shared.notify_parked();
        }
        self.sample_queues();
        self.observer().on_park(self.index);
        while !self.shared.is_shutdown() {
            let turn = self
                .parker
                .park(&self.shared.driver, self.shared.driver_handle());
            self.observer().on_turn(self.index, turn);
            if self.transition_from_parked() {
                break;
            }
        }
        self.observer().on_unpark(self.index);
        self.sample_queues();
    }

    /// Whether this worker's own queues (LIFO slot, local queue, pinned
    /// queue and inbox) hold a task.
    pub(super) fn has_work(&self) -> bool {
        self.has_lifo()
            || !self.local.is_empty()
            || self.has_pinned_work()
            || self
                .det
                .as_ref()
                .is_some_and(|d| d.borrow().has_runnable(self.pinned_here()))
    }

    fn transition_from_parked(&self) -> bool {
        // A current-thread core goes back to its `block_on` loop on any
        // wake-up: that loop re-checks everything, auto-advance included
        // (a `spawn_blocking` job that ends unparks it for that).
        let has_work = self.has_work()
            || self.main_woken()
            || self.is_current_thread_core()
            || self.shared.is_recalled(self.index);
        if has_work {
            // The driver woke tasks into our queues. If a notifier also
            // picked us, it counted us as searching.
            let was_listed = self.shared.idle.unpark_worker_by_id(self.index);
            self.is_searching.set(!was_listed);
            return true;
        }
        if self.shared.idle.is_parked(self.index) {
            return false;
        }
        // Woken by a notifier, which counted us as searching.
        self.is_searching.set(true);
        true
    }

    /// Whether the `block_on` future of a current-thread core was woken.
    pub(super) fn main_woken(&self) -> bool {
        self.main.as_ref().is_some_and(|main| main.is_woken())
    }

    /// Drops the queue references on the way out (the owned list keeps the
    /// tasks alive until the shutting-down thread cancels them), and
    /// cancels the pinned tasks here, on their own thread.
    pub(super) fn drain_queues(&self) {
        drop(self.lifo.take());
        while let Some(task) = self.local.pop() {
            drop(task);
        }
        if let Some(det) = &self.det {
            // Dropped outside the borrow: a reference can be the last one.
            let queued = det.borrow_mut().take_queued();
            drop(queued);
        }
        if self.runs_pinned {
            self.shared.shutdown_pinned(self.index, &self.pinned);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn the_same_rng_seed_gives_the_same_victim_order() {
        for worker in 0..4 {
            let a = victim_sequence(victim_rng(Some(42), worker), 8, 64);
            let b = victim_sequence(victim_rng(Some(42), worker), 8, 64);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn different_seeds_and_workers_give_different_victim_orders() {
        let a = victim_sequence(victim_rng(Some(1), 0), 8, 64);
        let b = victim_sequence(victim_rng(Some(2), 0), 8, 64);
        let c = victim_sequence(victim_rng(Some(1), 1), 8, 64);
        assert_ne!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn victims_cover_every_worker() {
        let seq = victim_sequence(victim_rng(Some(7), 0), 8, 256);
        for w in 0..8 {
            assert!(seq.contains(&w), "worker {w} never chosen");
        }
    }
}
