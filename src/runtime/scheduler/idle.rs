//! Who is searching, who is asleep, and whom to wake.
//!
//! One atomic word packs two counts: workers *unparked* (awake: running
//! tasks or searching) and, of those, workers *searching* (awake with no
//! task, stealing). A list under a mutex holds the indices of the parked
//! workers.
//!
//! Rules:
//! 1. At most half the workers (`Builder::max_searching_workers`) search
//!    at once: a burst of wake-ups does
//!    not send every worker to contend on the same queues.
//! 2. New work wakes a sleeper only if nobody is searching (a searcher will
//!    find it) and somebody sleeps. The woken worker is counted as
//!    searching *before* it wakes, so a burst of pushes wakes one worker,
//!    not one per push.
//! 3. A searcher that finds work and was the last searcher wakes another
//!    sleeper, so the rest of the burst is picked up (a chain, one at a
//!    time).
//!
//! No lost wake-up: a notifier pushes its task, then (SeqCst) reads the
//! word. A worker going to sleep (SeqCst) decrements the word, and if it
//! was the last searcher it checks every queue once more before sleeping.
//! Either the notifier sees "nobody searching" and wakes a sleeper, or the
//! last searcher's check sees the task. Loom checks this in
//! `loom-tests/tests/rt_park.rs`.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Mutex;

const UNPARK_SHIFT: usize = 16;
const UNPARK_ONE: usize = 1 << UNPARK_SHIFT;
const SEARCH_MASK: usize = UNPARK_ONE - 1;

pub(crate) struct Idle {
    state: AtomicUsize,
    num_workers: usize,
    max_searching: usize,
    sleepers: Mutex<Vec<usize>>,
}

fn num_searching(state: usize) -> usize {
    state & SEARCH_MASK
}

fn num_unparked(state: usize) -> usize {
    state >> UNPARK_SHIFT
}

impl Idle {
    pub(crate) fn new(num_workers: usize, max_searching: usize) -> Idle {
        assert!(num_workers < SEARCH_MASK, "too many workers");
        Idle {
            state: AtomicUsize::new(num_workers << UNPARK_SHIFT),
            num_workers,
            max_searching,
            sleepers: Mutex::new(Vec::with_capacity(num_workers)),
        }
    }

    /// Picks a sleeper to wake for new work, counting it as searching.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        if !self.notify_should_wakeup() {
            return None;
        }
        let mut sleepers = self.sleepers.lock();
        // Re-check under the lock: another notifier may have won.
        if !self.notify_should_wakeup() {
            return None;
        }
        let worker = sleepers.pop()?;
        self.state.fetch_add(1 | UNPARK_ONE, SeqCst);
        Some(worker)
    }

    /// The worker goes to sleep. True if it was the last searcher (it must
    /// then check the queues once more).
    pub(crate) fn transition_worker_to_parked(&self, worker: usize, is_searching: bool) -> bool {
        let mut sleepers = self.sleepers.lock();
        let dec = UNPARK_ONE + is_searching as usize;
        let prev = self.state.fetch_sub(dec, SeqCst);
        sleepers.push(worker);
        is_searching && num_searching(prev) == 1
    }

    /// The worker wants to steal; refused when `max_searching` (by default
    /// half the workers, rounded up) are searching already.
    pub(crate) fn transition_worker_to_searching(&self) -> bool {
        let state = self.state.load(SeqCst);
        if num_searching(state) >= self.max_searching {
            return false;
        }
        self.state.fetch_add(1, SeqCst);
        true
    }

    /// The searcher found work. True if it was the last searcher.
    pub(crate) fn transition_worker_from_searching(&self) -> bool {
        let prev = self.state.fetch_sub(1, SeqCst);
        debug_assert!(num_searching(prev) > 0);
        num_searching(prev) == 1
    }

    /// A parked worker woke with work of its own (the driver fired into its
    /// queue). True if it was still listed as a sleeper (it was not woken by
    /// a notifier, so it is not counted as searching).
    pub(crate) fn unpark_worker_by_id(&self, worker: usize) -> bool {
        let mut sleepers = self.sleepers.lock();
        if let Some(i) = sleepers.iter().position(|&w| w == worker) {
            sleepers.swap_remove(i);
            self.state.fetch_add(UNPARK_ONE, SeqCst);
            true
        } else {
            false
        }
    }

    /// Whether the worker is still listed as asleep (a spurious wake-up).
    pub(crate) fn is_parked(&self, worker: usize) -> bool {
        self.sleepers.lock().contains(&worker)
    }

    fn notify_should_wakeup(&self) -> bool {
        // A read-modify-write, not a plain load: the notifier's queue push
        // (a Release store inside crossbeam) followed by a plain load could
        // be reordered against the last searcher's decrement-then-check
        // (the store-buffer pattern). The SeqCst RMW reads the latest value
        // in the word's modification order and orders the push before it.
        let state = self.state.fetch_add(0, SeqCst);
        num_searching(state) == 0 && num_unparked(state) < self.num_workers
    }
}
