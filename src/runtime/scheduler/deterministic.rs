//! Deterministic runs: a current-thread runtime whose every scheduling
//! choice is a function of a seed (`Builder::deterministic(seed)`).
//!
//! The loop is the current-thread one (`current_thread.rs`) with its FIFO
//! replaced by a seeded pick:
//!
//! * **Who runs next.** Every runnable task (woken here, woken from another
//!   thread, or pinned) waits in one list; each turn the seeded generator
//!   picks one of them, or the `block_on` future if it was woken. FIFO would
//!   hide most interleavings; a uniform pick explores them.
//! * **Time.** The clock is paused from the start and auto-advances to the
//!   next timer when nothing is runnable: no wall-clock time leaks in.
//! * **Everything else that could vary:** task ids count from 1 per runtime
//!   (`task/id.rs`), `select!`'s random branch order draws from a generator
//!   seeded here (`util/rng.rs`), and `spawn_blocking` runs its closure as
//!   an ordinary task, so its result arrives at a seeded point of the
//!   schedule rather than whenever an OS thread finishes.
//!
//! What stays outside: real I/O (a socket's readiness depends on the OS and
//! the peer), other threads, and wall-clock reads by the program itself.
//! With those out of the picture, the same seed gives the same sequence of
//! scheduling events: the trace (with virtual timestamps) is identical,
//! byte for byte.

use super::current_thread::{auto_advance, MainWake};
use super::pinned::PinnedRef;
use super::queue::Steal;
use super::worker::Worker;
use super::{Shared, TaskRef};
use crate::loom::sync::atomic::{AtomicU64, Ordering};
use crate::loom::sync::Arc;
use crate::runtime::metrics::histogram::DelaySource;
use crate::runtime::task::{coop, id};
use crate::util::rng::{self, FastRand};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The runnable tasks of a deterministic core and the generators that
/// choose among them; kept in the core between `block_on`s.
pub(crate) struct Runnable {
    tasks: Vec<TaskRef>,
    pinned: Vec<PinnedRef>,
    /// Picks the next task.
    pick: FastRand,
    /// Installed as this thread's generator while the core is driven
    /// (`select!`, `future::race`).
    select: Option<FastRand>,
    /// This runtime's task ids (also `Shared::det_ids`).
    ids: Arc<AtomicU64>,
}

impl Runnable {
    pub(crate) fn new(seed: u64, ids: Arc<AtomicU64>) -> Runnable {
        Runnable {
            tasks: Vec::new(),
            pinned: Vec::new(),
            pick: FastRand::new(seed),
            select: Some(FastRand::new(seed ^ 0x5E1E_C7ED)),
            ids,
        }
    }

    pub(super) fn push(&mut self, task: TaskRef) {
        self.tasks.push(task);
    }

    pub(super) fn push_pinned(&mut self, task: PinnedRef) {
        self.pinned.push(task);
    }

    /// Whether a task is queued that `pinned_too` says this thread may
    /// run (the pinned ones only on their owner's thread).
    pub(super) fn has_runnable(&self, pinned_too: bool) -> bool {
        !self.tasks.is_empty() || (pinned_too && !self.pinned.is_empty())
    }

    /// The thread starts driving the core: ids and `select!` draw from
    /// this runtime's sequences.
    pub(super) fn enter(&mut self) {
        id::begin_local_ids(self.ids.clone());
        self.select = rng::replace_thread_rng(self.select.take());
    }

    /// The thread stops driving the core: the sequences are saved for the
    /// next `block_on`, and the thread's own generator is given back.
    pub(super) fn exit(&mut self) {
        id::end_local_ids();
        self.select = rng::replace_thread_rng(self.select.take());
    }

    /// Takes every queued reference (shutdown).
    pub(super) fn take_queued(&mut self) -> (Vec<TaskRef>, Vec<PinnedRef>) {
        (
            std::mem::take(&mut self.tasks),
            std::mem::take(&mut self.pinned),
        )
    }
}

/// What the next turn runs.
enum Pick {
    Main,
    Task(TaskRef),
    Pinned(PinnedRef),
}

impl Worker {
    /// Moves what other threads queued (the injector, the pinned inbox)
    /// into the runnable list, in arrival order.
    fn collect_remote(&self, runnable: &mut Runnable) {
        let shared = self.shared();
        loop {
            match shared.injector.steal() {
                Steal::Success(task) => runnable.tasks.push(task),
                Steal::Empty => break,
                Steal::Retry => continue,
            }
        }
        let mut inbox = std::collections::VecDeque::new();
        shared.pinned_inbox(self.index()).drain_into(&mut inbox);
        runnable.pinned.extend(inbox);
    }

    /// Picks the next thing to run: one of `n` (the runnable tasks, and the
    /// main future if it was woken), uniformly from the seeded generator.
    fn pick(&self, main_woken: bool) -> Option<Pick> {
        let mut guard = self.det().borrow_mut();
        let runnable = &mut *guard;
        self.collect_remote(runnable);
        let tasks = runnable.tasks.len();
        let pinned = if self.pinned_here() {
            runnable.pinned.len()
        } else {
            0
        };
        let n = tasks + pinned + usize::from(main_woken);
        if n == 0 {
            return None;
        }
        let i = runnable.pick.below(n);
        Some(if i < tasks {
            Pick::Task(runnable.tasks.swap_remove(i))
        } else if i < tasks + pinned {
            Pick::Pinned(runnable.pinned.swap_remove(i - tasks))
        } else {
            Pick::Main
        })
    }
}

/// The deterministic `block_on` loop (see the module docs).
pub(super) fn run<F: Future>(
    shared: &Shared,
    worker: &Worker,
    main: &MainWake,
    mut future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Option<F::Output> {
    loop {
        if shared.is_shutdown() {
            return None;
        }
        match worker.pick(main.is_woken()) {
            Some(Pick::Main) => {
                main.woken.store(false, Ordering::Release);
                if let Poll::Ready(out) = coop::budget(|| future.as_mut().poll(cx)) {
                    return Some(out);
                }
            }
            Some(Pick::Task(task)) => worker.run_task(task, DelaySource::LocalQueue),
            Some(Pick::Pinned(task)) => {
                // This thread becomes the pinned tasks' owner, as on the
                // FIFO path: none may run anywhere else from now on.
                worker.claim_pinned();
                worker.run_task(task, DelaySource::Pinned)
            }
            None => {
                if !auto_advance(shared, worker, main) {
                    worker.park();
                }
            }
        }
    }
}
