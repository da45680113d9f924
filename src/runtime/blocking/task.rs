//! A blocking closure dressed as a task, so its `JoinHandle` behaves like
//! any other (output, panics, abort before it starts).

use crate::runtime::task::{coop, Notified, RawTask, Schedule};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs the closure on its first poll.
pub(super) struct BlockingTask<F> {
    func: Option<F>,
}

impl<F> BlockingTask<F> {
    pub(super) fn new(func: F) -> BlockingTask<F> {
        BlockingTask { func: Some(func) }
    }
}

impl<F> Unpin for BlockingTask<F> {}

impl<F, R> Future for BlockingTask<F>
where
    F: FnOnce() -> R,
{
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let func = self
            .func
            .take()
            .expect("a blocking task is polled only once");
        // Blocking code is not subject to the cooperative budget.
        Poll::Ready(coop::with_unconstrained(func))
    }
}

/// Blocking tasks finish in their only poll, so nothing ever reschedules
/// them, and they are not in any owned list (the pool's queue owns them).
#[derive(Clone, Copy)]
pub(super) struct BlockingSchedule;

impl Schedule for BlockingSchedule {
    fn schedule(&self, task: Notified<Self>) {
        // Unreachable in practice: the closure never sees a waker, and an
        // abort of a queued or running blocking task only sets CANCELLED.
        // Should it happen, there is nothing to run: drop the reference.
        drop(task);
    }

    fn release(&self, _task: RawTask) -> bool {
        false
    }
}
