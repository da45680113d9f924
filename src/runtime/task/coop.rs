//! Cooperative scheduling budget.
//!
//! A task that is always ready (a channel that always has a message, a
//! socket that always has bytes) would otherwise keep its worker forever and
//! starve every other task queued behind it. So each task poll gets a budget
//! of [`BUDGET`] operations. magpie's own leaf futures (channel receives,
//! socket reads, timers, lock acquisitions) call [`poll_proceed`] before
//! doing their work: while budget remains it is spent and they proceed; once
//! it is spent they wake their task and return `Pending` once, which sends
//! the task to the back of the run queue.
//!
//! The budget lives in a thread-local. Outside a magpie task poll (on a plain
//! thread, or inside another executor) it is unconstrained, so the sync
//! primitives work in any executor.

use crate::loom::sync::atomic::{AtomicU64, Ordering};
use crate::loom::sync::Arc;
use std::cell::{Cell, RefCell};
use std::task::{Context, Poll};

/// Operations one task poll may perform before magpie's leaf futures yield.
pub(crate) const BUDGET: u8 = 128;

crate::loom::const_thread_local! {
    static CURRENT: Cell<Budget> = Cell::new(Budget::UNCONSTRAINED);
}

crate::loom::const_thread_local! {
    /// Where this thread counts the yields the budget forced (the runtime
    /// it drives: `RuntimeMetrics::budget_forced_yield_count`).
    static FORCED_YIELDS: RefCell<Option<Arc<AtomicU64>>> = RefCell::new(None);
}

/// Counts this thread's forced yields in `counter` from now on (`None`:
/// stop); returns the previous counter, to restore.
pub(crate) fn count_forced_yields(counter: Option<Arc<AtomicU64>>) -> Option<Arc<AtomicU64>> {
    FORCED_YIELDS
        .try_with(|c| c.replace(counter))
        .ok()
        .flatten()
}

/// Remaining operations; `None` means unconstrained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget(Option<u8>);

impl Budget {
    const UNCONSTRAINED: Budget = Budget(None);

    /// A fresh budget for one task poll.
    pub(crate) const fn initial() -> Budget {
        Budget(Some(BUDGET))
    }
}

/// Runs `f` (one task poll) with a fresh budget, restoring the previous
/// budget afterwards, even if `f` panics.
pub(crate) fn budget<R>(f: impl FnOnce() -> R) -> R {
    with_budget(Budget::initial(), f)
}

/// Runs `f` with no budget limit: a blocking-pool task's closure
/// (`blocking/task.rs`), `timeout`'s deadline check after the inner
/// future spent the last unit (`time/timeout.rs`), and the non-async
/// `JoinSet::try_join_next`, which is no yield point.
pub(crate) fn with_unconstrained<R>(f: impl FnOnce() -> R) -> R {
    with_budget(Budget::UNCONSTRAINED, f)
}

fn with_budget<R>(budget: Budget, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Budget>);
    impl Drop for Reset {
        fn drop(&mut self) {
            if let Some(prev) = self.0 {
                let _ = CURRENT.try_with(|cell| cell.set(prev));
            }
        }
    }
    let prev = CURRENT.try_with(|cell| cell.replace(budget)).ok();
    let _reset = Reset(prev);
    f()
}

/// Whether the current task poll still has budget left.
#[inline]
pub(crate) fn has_budget_remaining() -> bool {
    CURRENT
        .try_with(|cell| cell.get().0 != Some(0))
        .unwrap_or(true)
}

/// Spends one unit of budget, or — when none is left — wakes the task and
/// returns `Pending` so it yields to the scheduler.
///
/// Call it at the top of a leaf future's `poll`. If the operation then turns
/// out not to be ready, let the returned [`RestoreOnPending`] drop so the
/// unit is given back; if it made progress, call
/// [`RestoreOnPending::made_progress`].
///
/// ```ignore
/// let coop = std::task::ready!(crate::runtime::task::coop::poll_proceed(cx));
/// match self.try_recv() {
///     Some(msg) => { coop.made_progress(); Poll::Ready(msg) }
///     None => Poll::Pending, // `coop` restores the unit here
/// }
/// ```
#[inline]
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    let step = CURRENT.try_with(|cell| {
        let mut budget = cell.get();
        match budget.0 {
            None => Poll::Ready(RestoreOnPending(Cell::new(Budget::UNCONSTRAINED))),
            Some(0) => Poll::Pending,
            Some(n) => {
                let prev = budget;
                budget.0 = Some(n - 1);
                cell.set(budget);
                Poll::Ready(RestoreOnPending(Cell::new(prev)))
            }
        }
    });
    match step {
        Ok(Poll::Pending) => forced_yield(cx),
        Ok(ready) => ready,
        // Thread-local already destroyed (thread exit): do not limit.
        Err(_) => Poll::Ready(RestoreOnPending(Cell::new(Budget::UNCONSTRAINED))),
    }
}

/// `Pending` (after waking the task) when the task's budget is spent, without
/// spending any: the check at the top of every `select!` poll. Without it, a
/// loop around a `select!` with one branch that is always ready and does not
/// spend budget (a `std::future::ready`, a future from another library) never
/// yields once the budget runs out: the magpie branches return `Pending`, the
/// other one wins, and the loop goes round again.
#[inline]
pub(crate) fn poll_budget_available(cx: &mut Context<'_>) -> Poll<()> {
    if has_budget_remaining() {
        Poll::Ready(())
    } else {
        forced_yield(cx)
    }
}

/// The budget is spent: count the forced yield and wake the task, which goes
/// to the back of its run queue when it returns `Pending`.
#[cold]
fn forced_yield<T>(cx: &mut Context<'_>) -> Poll<T> {
    // The rare path: one read-modify-write is fine here.
    let _ = FORCED_YIELDS.try_with(|c| {
        if let Some(counter) = &*c.borrow() {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    cx.waker().wake_by_ref();
    Poll::Pending
}

/// Spends one unit of budget, first yielding (once) if the budget is spent:
/// the yield point of a leaf future whose fast path completes without
/// waiting (a `watch::Receiver::changed` whose value already changed).
pub(crate) async fn consume_budget() {
    std::future::poll_fn(|cx| {
        let coop = std::task::ready!(poll_proceed(cx));
        coop.made_progress();
        Poll::Ready(())
    })
    .await
}

/// Gives the unit spent by [`poll_proceed`] back when dropped, unless
/// [`made_progress`](RestoreOnPending::made_progress) was called.
#[derive(Debug)]
pub(crate) struct RestoreOnPending(Cell<Budget>);

impl RestoreOnPending {
    /// The operation completed: keep the unit spent.
    #[inline]
    pub(crate) fn made_progress(&self) {
        self.0.set(Budget::UNCONSTRAINED);
    }
}

impl Drop for RestoreOnPending {
    fn drop(&mut self) {
        let prev = self.0.get();
        if prev.0.is_some() {
            let _ = CURRENT.try_with(|cell| cell.set(prev));
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::task::Waker;

    fn noop_cx() -> Context<'static> {
        Context::from_waker(Waker::noop())
    }

    #[test]
    fn unconstrained_outside_a_task_poll() {
        let mut cx = noop_cx();
        for _ in 0..1000 {
            let coop = poll_proceed(&mut cx);
            assert!(coop.is_ready());
            if let Poll::Ready(c) = coop {
                c.made_progress();
            }
        }
    }

    #[test]
    fn budget_runs_out_after_budget_operations() {
        let mut cx = noop_cx();
        budget(|| {
            for _ in 0..BUDGET {
                match poll_proceed(&mut cx) {
                    Poll::Ready(c) => c.made_progress(),
                    Poll::Pending => panic!("budget spent too early"),
                }
            }
            assert!(poll_proceed(&mut cx).is_pending());
            assert!(!has_budget_remaining());
        });
        assert!(has_budget_remaining());
    }

    #[test]
    fn a_pending_operation_gives_its_unit_back() {
        let mut cx = noop_cx();
        budget(|| {
            for _ in 0..(BUDGET as usize * 2) {
                // dropped without made_progress: restored
                assert!(poll_proceed(&mut cx).is_ready());
            }
        });
    }
}
