//! One worker thread's loop.
//!
//! Each turn of the loop, a worker looks for a task in this order:
//!
//! 1. every `global_queue_interval` ticks, the injector first (so tasks
//!    spawned from outside are never starved by a busy local queue);
//! 2. its LIFO slot, then its local FIFO queue;
//! 3. the injector (taking a batch into the local queue);
//! 4. as a *searcher* (at most half the workers at once, see `idle.rs`):
//!    steal half of a random victim's queue, then the injector again;
//! 5. park (see `park.rs`): the first parker sleeps in the driver.
//!
//! After a task's poll, a task it woke sits in the LIFO slot and runs next
//! (message-passing latency), at most `MAX_LIFO_POLLS` times in a row so
//! two tasks pinging each other cannot starve the local queue.
//!
//! Every `event_interval` ticks the worker polls the driver without
//! blocking, so I/O and timers are serviced while every worker is busy.
//!
//! Shutdown: `Shared::close` sets the flag and unparks everyone; a worker
//! that sees it drops the references in its queues (the owned list still
//! holds every task, and the shutting-down thread cancels them) and exits.

use super::park::Parker;
use super::queue::{Local, Steal};
use super::{Shared, TaskRef};
use crate::loom::sync::Arc;
use crate::runtime::context;
use std::cell::Cell;

/// How many LIFO-slot tasks may run back to back before the local queue
/// gets a turn.
const MAX_LIFO_POLLS: u32 = 3;

/// What a worker thread is given at start.
pub(crate) struct Parts {
    pub(super) index: usize,
    pub(super) local: Local<TaskRef>,
    pub(super) parker: Parker,
}

/// A worker, living on its thread's stack while it runs.
pub(crate) struct Worker {
    index: usize,
    shared: Arc<Shared>,
    local: Local<TaskRef>,
    lifo: Cell<Option<TaskRef>>,
    is_searching: Cell<bool>,
    tick: Cell<u32>,
    rng: Cell<u64>,
    parker: Parker,
}

/// Runs a worker until the runtime shuts down.
pub(crate) fn run(shared: Arc<Shared>, parts: Parts) {
    let worker = Worker {
        index: parts.index,
        local: parts.local,
        parker: parts.parker,
        lifo: Cell::new(None),
        is_searching: Cell::new(false),
        tick: Cell::new(0),
        rng: Cell::new(seed(parts.index)),
        shared,
    };
    let handle = crate::runtime::Handle {
        inner: worker.shared.clone(),
    };
    let _current = context::set_current(&handle);
    let _entered = context::enter_runtime();
    let _worker = context::set_worker(&worker);
    worker.run();
    worker.drain_queues();
}

fn seed(index: usize) -> u64 {
    // Any odd, distinct seed will do for victim choice.
    (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1
}

impl Worker {
    pub(crate) fn belongs_to(&self, shared: &Arc<Shared>) -> bool {
        Arc::ptr_eq(&self.shared, shared)
    }

    fn run(&self) {
        let config = &self.shared.config;
        while !self.shared.is_shutdown() {
            let tick = self.tick.get().wrapping_add(1);
            self.tick.set(tick);
            if tick % config.event_interval == 0 {
                self.parker
                    .poll_driver(&self.shared.driver, &self.shared.driver_handle);
            }
            if let Some(task) = self.next_task(tick) {
                self.run_task(task);
                continue;
            }
            if let Some(task) = self.steal_work() {
                self.run_task(task);
                continue;
            }
            self.park();
        }
    }

    fn next_task(&self, tick: u32) -> Option<TaskRef> {
        if tick % self.shared.config.global_queue_interval == 0 {
            self.next_remote().or_else(|| self.next_local())
        } else {
            self.next_local().or_else(|| self.next_remote())
        }
    }

    fn next_local(&self) -> Option<TaskRef> {
        self.lifo.take().or_else(|| self.local.pop())
    }

    fn next_remote(&self) -> Option<TaskRef> {
        loop {
            match self.shared.injector.steal_batch_and_pop(&self.local) {
                Steal::Success(task) => return Some(task),
                Steal::Empty => return None,
                Steal::Retry => continue,
            }
        }
    }

    /// Steals from a random victim, then the injector; only as a searcher.
    fn steal_work(&self) -> Option<TaskRef> {
        if !self.is_searching.get() {
            if !self.shared.idle.transition_worker_to_searching() {
                return None;
            }
            self.is_searching.set(true);
        }
        let remotes = &self.shared.remotes;
        let n = remotes.len();
        let start = self.next_rng() as usize % n;
        for i in 0..n {
            let victim = (start + i) % n;
            if victim == self.index {
                continue;
            }
            let mut retries = 0;
            loop {
                match remotes[victim].stealer.steal_batch_and_pop(&self.local) {
                    Steal::Success(task) => return Some(task),
                    Steal::Empty => break,
                    Steal::Retry if retries < 4 => retries += 1,
                    Steal::Retry => break,
                }
            }
        }
        self.next_remote()
    }

    fn next_rng(&self) -> u64 {
        // xorshift64*
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn run_task(&self, task: TaskRef) {
        if self.is_searching.replace(false) && self.shared.idle.transition_worker_from_searching() {
            // We were the last searcher and found work: there may be more,
            // so wake someone to keep looking.
            self.shared.notify_parked();
        }
        task.run();
        let mut lifo_polls = 0;
        while let Some(task) = self.lifo.take() {
            if lifo_polls >= MAX_LIFO_POLLS || self.shared.is_shutdown() {
                self.local.push(task);
                self.shared.notify_parked();
                break;
            }
            lifo_polls += 1;
            task.run();
        }
    }

    /// Queues a task woken on this worker's thread.
    pub(crate) fn schedule_local(&self, task: TaskRef, is_yield: bool) {
        let notify = if is_yield {
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

    fn park(&self) {
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
        while !self.shared.is_shutdown() {
            self.parker
                .park(&self.shared.driver, &self.shared.driver_handle);
            if self.transition_from_parked() {
                return;
            }
        }
    }

    fn transition_from_parked(&self) -> bool {
        let has_work = {
            let lifo = self.lifo.take();
            let some = lifo.is_some();
            self.lifo.set(lifo);
            some || !self.local.is_empty()
        };
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

    /// Drops the queue references on the way out (the owned list keeps the
    /// tasks alive until the shutting-down thread cancels them).
    fn drain_queues(&self) {
        drop(self.lifo.take());
        while let Some(task) = self.local.pop() {
            drop(task);
        }
    }
}
