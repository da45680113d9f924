//! The task state word.
//!
//! One `AtomicUsize` holds the whole life of a task: six flags in the low
//! bits and the reference count above them. Every legal change is one method
//! here that returns what the caller must do next; no other file does bit
//! arithmetic on the word.
//!
//! ```text
//!  bit:   63 ..................... 6   5          4          3           2         1         0
//!        [ reference count         ][CANCELLED][JOIN_WAKER][JOIN_INTEREST][NOTIFIED][COMPLETE][RUNNING]
//! ```
//!
//! * `RUNNING`: a thread is polling the future (or cancelling it). Only the
//!   holder of `RUNNING` touches the future.
//! * `COMPLETE`: the future is gone; the output (or error) is stored.
//!   `RUNNING` and `COMPLETE` are never set together.
//! * `NOTIFIED`: a `Notified` handle for the task sits in (or is on its way
//!   to) a run queue. Guards "in at most one run queue at a time".
//! * `JOIN_INTEREST`: the `JoinHandle` is alive and wants the output.
//! * `JOIN_WAKER`: the `JoinHandle` stored a waker in the trailer. While it is
//!   set, the task side owns the waker slot for reading; while it is clear,
//!   the `JoinHandle` owns it for writing.
//! * `CANCELLED`: abort or shutdown asked the task to stop.
//!
//! References are held by: the owned-task list (one), a `Notified` in a run
//! queue (one), the `JoinHandle` (one), and every `Waker` (one each). The
//! task is freed when the count reaches zero.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};
use std::fmt;

const RUNNING: usize = 0b00_0001;
const COMPLETE: usize = 0b00_0010;
const LIFECYCLE_MASK: usize = RUNNING | COMPLETE;
const NOTIFIED: usize = 0b00_0100;
const JOIN_INTEREST: usize = 0b00_1000;
const JOIN_WAKER: usize = 0b01_0000;
const CANCELLED: usize = 0b10_0000;
const REF_COUNT_SHIFT: usize = 6;
const REF_ONE: usize = 1 << REF_COUNT_SHIFT;

/// A new task: three references (owned list, the first `Notified`, the
/// `JoinHandle`), join interest, and notified because it starts in a queue.
const INITIAL_STATE: usize = (REF_ONE * 3) | JOIN_INTEREST | NOTIFIED;

pub(crate) struct State {
    val: AtomicUsize,
}

/// A copy of the state word with named accessors.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

/// What `transition_to_running` tells the poller.
#[must_use]
pub(crate) enum TransitionToRunning {
    /// Poll the future.
    Success,
    /// Cancel the future instead of polling it.
    Cancelled,
    /// Someone else runs or finished it; drop the `Notified` reference.
    Failed,
    /// As `Failed`, and that was the last reference: free the task.
    Dealloc,
}

/// What `transition_to_idle` tells the poller after a `Pending` poll.
#[must_use]
pub(crate) enum TransitionToIdle {
    /// Idle; the `Notified` reference was released.
    Ok,
    /// Woken during the poll: a new reference was taken for a new
    /// `Notified`; the caller schedules it, then drops its own reference.
    OkNotified,
    /// Idle, and the released reference was the last: free the task.
    OkDealloc,
    /// Cancelled during the poll: the caller cancels the future.
    Cancelled,
}

/// What a wake that consumes the waker tells it.
#[must_use]
pub(crate) enum TransitionToNotified {
    /// Nothing to do (already queued, running, or complete).
    DoNothing,
    /// Push a `Notified` to a run queue.
    Submit,
    /// The reference dropped was the last: free the task.
    Dealloc,
}

/// What a wake through a borrowed waker tells it. There is no `Dealloc`:
/// the borrowed waker's reference stays, so the count cannot reach zero.
#[must_use]
pub(crate) enum TransitionToNotifiedByRef {
    /// Nothing to do (already queued, running, or complete).
    DoNothing,
    /// Push a `Notified` to a run queue (a reference was taken for it).
    Submit,
}

impl State {
    pub(crate) fn new() -> State {
        State {
            val: AtomicUsize::new(INITIAL_STATE),
        }
    }

    pub(crate) fn load(&self) -> Snapshot {
        // Acquire: pairs with the AcqRel of every transition, so the caller
        // sees the output or waker written before the bit it reads.
        Snapshot(self.val.load(Acquire))
    }

    /// `NOTIFIED` → `RUNNING`, taken by the thread that popped the task.
    pub(crate) fn transition_to_running(&self) -> TransitionToRunning {
        self.fetch_update_action(|mut next| {
            debug_assert!(next.is_notified());
            if !next.is_idle() {
                // Running elsewhere or complete: this queue entry is stale.
                next.ref_dec();
                let action = if next.ref_count() == 0 {
                    TransitionToRunning::Dealloc
                } else {
                    TransitionToRunning::Failed
                };
                return (action, Some(next));
            }
            next.0 |= RUNNING;
            next.0 &= !NOTIFIED;
            let action = if next.is_cancelled() {
                TransitionToRunning::Cancelled
            } else {
                TransitionToRunning::Success
            };
            (action, Some(next))
        })
    }

    /// `RUNNING` → idle after a `Pending` poll.
    pub(crate) fn transition_to_idle(&self) -> TransitionToIdle {
        self.fetch_update_action(|curr| {
            debug_assert!(curr.is_running());
            if curr.is_cancelled() {
                return (TransitionToIdle::Cancelled, None);
            }
            let mut next = curr;
            next.0 &= !RUNNING;
            let action = if !next.is_notified() {
                // The poll consumed the reference of the `Notified` it ran.
                next.ref_dec();
                if next.ref_count() == 0 {
                    TransitionToIdle::OkDealloc
                } else {
                    TransitionToIdle::Ok
                }
            } else {
                // Woken while running: a new `Notified` needs a reference;
                // the caller still holds the old one and drops it later.
                next.ref_inc();
                TransitionToIdle::OkNotified
            };
            (action, Some(next))
        })
    }

    /// `RUNNING` → `COMPLETE`. Returns the state after the change.
    pub(crate) fn transition_to_complete(&self) -> Snapshot {
        const DELTA: usize = RUNNING | COMPLETE;
        // AcqRel: Release publishes the stored output to the JoinHandle
        // (which loads COMPLETE with Acquire); Acquire sees the waker the
        // JoinHandle stored before setting JOIN_WAKER.
        let prev = Snapshot(self.val.fetch_xor(DELTA, AcqRel));
        debug_assert!(prev.is_running() && !prev.is_complete());
        Snapshot(prev.0 ^ DELTA)
    }

    /// Drops `count` references after completion; true if the task must be
    /// freed.
    pub(crate) fn transition_to_terminal(&self, count: usize) -> bool {
        let prev = Snapshot(self.val.fetch_sub(count * REF_ONE, AcqRel));
        debug_assert!(prev.ref_count() >= count, "refcount underflow");
        prev.ref_count() == count
    }

    /// A wake that consumes the waker's reference.
    pub(crate) fn transition_to_notified_by_val(&self) -> TransitionToNotified {
        self.fetch_update_action(|mut next| {
            let action = if next.is_running() {
                // The poller will reschedule; the waker's reference goes.
                next.0 |= NOTIFIED;
                next.ref_dec();
                debug_assert!(next.ref_count() > 0, "a running task holds a reference");
                TransitionToNotified::DoNothing
            } else if next.is_complete() || next.is_notified() {
                next.ref_dec();
                if next.ref_count() == 0 {
                    TransitionToNotified::Dealloc
                } else {
                    TransitionToNotified::DoNothing
                }
            } else {
                // The waker's reference becomes the `Notified`'s.
                next.0 |= NOTIFIED;
                TransitionToNotified::Submit
            };
            (action, Some(next))
        })
    }

    /// A wake through a borrowed waker: drops no reference, and takes one
    /// for the `Notified` when it submits.
    pub(crate) fn transition_to_notified_by_ref(&self) -> TransitionToNotifiedByRef {
        self.fetch_update_action(|mut next| {
            if next.is_complete() || next.is_notified() {
                (TransitionToNotifiedByRef::DoNothing, None)
            } else if next.is_running() {
                next.0 |= NOTIFIED;
                (TransitionToNotifiedByRef::DoNothing, Some(next))
            } else {
                next.0 |= NOTIFIED;
                next.ref_inc();
                (TransitionToNotifiedByRef::Submit, Some(next))
            }
        })
    }

    /// Abort: marks the task cancelled and, if it is idle and not queued,
    /// queues it so a worker drops the future. True means "submit a new
    /// `Notified`" (a reference was taken for it).
    pub(crate) fn transition_to_notified_and_cancel(&self) -> bool {
        self.fetch_update_action(|mut next| {
            if next.is_cancelled() || next.is_complete() {
                (false, None)
            } else if next.is_running() {
                // The poller sees CANCELLED when it goes idle.
                next.0 |= NOTIFIED | CANCELLED;
                (false, Some(next))
            } else if next.is_notified() {
                // Already queued: the worker sees CANCELLED when it runs it.
                next.0 |= CANCELLED;
                (false, Some(next))
            } else {
                next.0 |= NOTIFIED | CANCELLED;
                next.ref_inc();
                (true, Some(next))
            }
        })
    }

    /// Shutdown: marks the task cancelled; if it was idle, also takes
    /// `RUNNING` so the caller may drop the future. True if the caller now
    /// holds `RUNNING`.
    pub(crate) fn transition_to_shutdown(&self) -> bool {
        let mut prevailed = false;
        let _ = self.fetch_update(|mut next| {
            prevailed = false;
            if next.is_idle() {
                next.0 |= RUNNING;
                prevailed = true;
            }
            next.0 |= CANCELLED;
            Some(next)
        });
        prevailed
    }

    /// Fast path for dropping a `JoinHandle` of a task that was never
    /// polled. Fails if anything else happened to the task.
    pub(crate) fn drop_join_handle_fast(&self) -> Result<(), ()> {
        self.val
            .compare_exchange_weak(
                INITIAL_STATE,
                (INITIAL_STATE - REF_ONE) & !JOIN_INTEREST,
                Release,
                Relaxed,
            )
            .map(|_| ())
            .map_err(|_| ())
    }

    /// Clears `JOIN_INTEREST` (and, if not complete, `JOIN_WAKER`, which
    /// hands the waker slot back to the `JoinHandle`). Returns the state
    /// after the change: if complete, the `JoinHandle` drops the output; if
    /// `JOIN_WAKER` is clear, it drops the waker.
    pub(crate) fn transition_to_join_handle_dropped(&self) -> Snapshot {
        self.fetch_update_action(|mut next| {
            debug_assert!(next.is_join_interested());
            next.0 &= !JOIN_INTEREST;
            if !next.is_complete() {
                next.0 &= !JOIN_WAKER;
            }
            (next, Some(next))
        })
    }

    /// Publishes the waker the `JoinHandle` just stored. Fails with the
    /// current state if the task completed meanwhile.
    pub(crate) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|curr| {
            debug_assert!(curr.is_join_interested() && !curr.is_join_waker_set());
            if curr.is_complete() {
                return None;
            }
            Some(Snapshot(curr.0 | JOIN_WAKER))
        })
    }

    /// Takes the waker slot back so the `JoinHandle` may replace the waker.
    /// Fails with the current state if the task completed meanwhile.
    pub(crate) fn unset_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|curr| {
            debug_assert!(curr.is_join_interested() && curr.is_join_waker_set());
            if curr.is_complete() {
                return None;
            }
            Some(Snapshot(curr.0 & !JOIN_WAKER))
        })
    }

    /// After completion and waking the join waker: hands the slot back.
    /// If the `JoinHandle` is gone, the caller drops the waker.
    pub(crate) fn unset_waker_after_complete(&self) -> Snapshot {
        let prev = Snapshot(self.val.fetch_and(!JOIN_WAKER, AcqRel));
        debug_assert!(prev.is_complete() && prev.is_join_waker_set());
        Snapshot(prev.0 & !JOIN_WAKER)
    }

    pub(crate) fn ref_inc(&self) {
        // Relaxed: a new reference is made from an existing one, which
        // already keeps the task alive (the same argument as `Arc::clone`).
        let prev = self.val.fetch_add(REF_ONE, Relaxed);
        // Guard against overflow into nonsense (leaking wakers in a loop).
        if prev > isize::MAX as usize {
            std::process::abort();
        }
    }

    /// Drops one reference; true if it was the last.
    pub(crate) fn ref_dec(&self) -> bool {
        // AcqRel: Release so our writes happen before the free; Acquire so
        // the freeing thread sees everyone's writes (as `Arc::drop`).
        let prev = Snapshot(self.val.fetch_sub(REF_ONE, AcqRel));
        debug_assert!(prev.ref_count() >= 1, "refcount underflow");
        prev.ref_count() == 1
    }

    fn fetch_update_action<T>(&self, mut f: impl FnMut(Snapshot) -> (T, Option<Snapshot>)) -> T {
        let mut curr = self.load();
        loop {
            let (output, next) = f(curr);
            let next = match next {
                Some(next) => next,
                None => return output,
            };
            // AcqRel on success: every transition both publishes the
            // writes made before it and sees those published before the
            // transition it follows.
            match self
                .val
                .compare_exchange_weak(curr.0, next.0, AcqRel, Acquire)
            {
                Ok(_) => return output,
                Err(actual) => curr = Snapshot(actual),
            }
        }
    }

    fn fetch_update(
        &self,
        mut f: impl FnMut(Snapshot) -> Option<Snapshot>,
    ) -> Result<Snapshot, Snapshot> {
        let mut curr = self.load();
        loop {
            let next = match f(curr) {
                Some(next) => next,
                None => return Err(curr),
            };
            match self
                .val
                .compare_exchange_weak(curr.0, next.0, AcqRel, Acquire)
            {
                Ok(_) => return Ok(next),
                Err(actual) => curr = Snapshot(actual),
            }
        }
    }
}

impl Snapshot {
    pub(crate) fn is_idle(self) -> bool {
        self.0 & LIFECYCLE_MASK == 0
    }
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING == RUNNING
    }
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE == COMPLETE
    }
    pub(crate) fn is_notified(self) -> bool {
        self.0 & NOTIFIED == NOTIFIED
    }
    pub(crate) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED == CANCELLED
    }
    pub(crate) fn is_join_interested(self) -> bool {
        self.0 & JOIN_INTEREST == JOIN_INTEREST
    }
    pub(crate) fn is_join_waker_set(self) -> bool {
        self.0 & JOIN_WAKER == JOIN_WAKER
    }
    pub(crate) fn ref_count(self) -> usize {
        self.0 >> REF_COUNT_SHIFT
    }
    fn ref_inc(&mut self) {
        self.0 += REF_ONE;
    }
    fn ref_dec(&mut self) {
        debug_assert!(self.ref_count() > 0);
        self.0 -= REF_ONE;
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is_running())
            .field("complete", &self.is_complete())
            .field("notified", &self.is_notified())
            .field("cancelled", &self.is_cancelled())
            .field("join_interested", &self.is_join_interested())
            .field("join_waker", &self.is_join_waker_set())
            .field("refs", &self.ref_count())
            .finish()
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.load().fmt(f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_new_task_is_queued_with_three_references() {
        let s = State::new().load();
        assert!(s.is_notified() && s.is_join_interested() && s.is_idle());
        assert_eq!(s.ref_count(), 3);
    }

    #[test]
    fn a_wake_while_running_only_sets_notified() {
        let state = State::new();
        assert!(matches!(
            state.transition_to_running(),
            TransitionToRunning::Success
        ));
        state.ref_inc(); // a waker
        assert!(matches!(
            state.transition_to_notified_by_val(),
            TransitionToNotified::DoNothing
        ));
        assert!(matches!(
            state.transition_to_idle(),
            TransitionToIdle::OkNotified
        ));
        // owned + join + the new Notified + the poller's own
        assert_eq!(state.load().ref_count(), 4);
    }

    #[test]
    fn a_wake_by_ref_of_an_idle_task_submits_it_once_with_a_new_reference() {
        let state = State::new();
        let _ = state.transition_to_running();
        let _ = state.transition_to_idle();
        // owned + join; the first `Notified`'s reference went with the poll
        assert_eq!(state.load().ref_count(), 2);
        assert!(matches!(
            state.transition_to_notified_by_ref(),
            TransitionToNotifiedByRef::Submit
        ));
        assert!(state.load().is_notified());
        assert_eq!(state.load().ref_count(), 3);
        // Already queued: a second wake changes nothing.
        assert!(matches!(
            state.transition_to_notified_by_ref(),
            TransitionToNotifiedByRef::DoNothing
        ));
        assert_eq!(state.load().ref_count(), 3);
    }

    #[test]
    fn abort_of_an_idle_task_submits_it_once() {
        let state = State::new();
        let _ = state.transition_to_running();
        let _ = state.transition_to_idle();
        assert!(state.transition_to_notified_and_cancel());
        assert!(!state.transition_to_notified_and_cancel());
        assert!(matches!(
            state.transition_to_running(),
            TransitionToRunning::Cancelled
        ));
    }

    #[test]
    fn shutdown_takes_running_only_from_an_idle_task() {
        let state = State::new();
        let _ = state.transition_to_running();
        assert!(!state.transition_to_shutdown());
        assert!(matches!(
            state.transition_to_idle(),
            TransitionToIdle::Cancelled
        ));
    }

    #[test]
    fn join_waker_cannot_be_set_after_completion() {
        let state = State::new();
        let _ = state.transition_to_running();
        let _ = state.transition_to_complete();
        assert!(state.set_join_waker().is_err());
    }
}
