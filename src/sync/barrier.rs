//! A rendezvous point for a fixed number of tasks.
//!
//! State (arrivals so far) and the waiters sit under one
//! lock. The `n`-th arrival resets the count, pops every waiter and
//! returns as the leader; the others complete when they see their node
//! popped. A `wait` future dropped before the barrier opens takes its
//! arrival back, so a cancelled waiter never lets a barrier open early.

use crate::loom::sync::Mutex;
use crate::util::wait_list::{Recheck, Status, WaitList, Waiter, WakeList};
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Lets `n` tasks wait until all of them have reached the same point.
///
/// ```
/// use std::sync::Arc;
/// use magpie::sync::Barrier;
///
/// let barrier = Arc::new(Barrier::new(3));
/// let threads: Vec<_> = (0..3)
///     .map(|_| {
///         let b = barrier.clone();
///         std::thread::spawn(move || futures::executor::block_on(b.wait()).is_leader())
///     })
///     .collect();
/// let leaders = threads.into_iter().map(|t| t.join().unwrap()).filter(|l| *l).count();
/// assert_eq!(leaders, 1);
/// ```
pub struct Barrier {
    n: usize,
    state: Mutex<State>,
}

struct State {
    arrived: usize,
    waiters: WaitList<()>,
}

/// What [`Barrier::wait`] returns: exactly one waiter per round is the leader.
///
/// ```
/// futures::executor::block_on(async {
///     let b = magpie::sync::Barrier::new(1);
///     assert!(b.wait().await.is_leader());
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Whether this waiter was the one that opened the barrier.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let b = magpie::sync::Barrier::new(1);
    ///     assert!(b.wait().await.is_leader());
    /// });
    /// ```
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl Barrier {
    /// A barrier that opens when `n` tasks wait on it (`n == 0` acts like 1).
    ///
    /// ```
    /// let _b = magpie::sync::Barrier::new(4);
    /// ```
    pub fn new(n: usize) -> Barrier {
        Barrier {
            n: n.max(1),
            state: Mutex::new(State {
                arrived: 0,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Waits until `n` tasks are waiting, then lets all of them go; the last
    /// to arrive is the leader. The barrier can be reused afterwards.
    ///
    /// Dropping the future before the barrier opens withdraws its arrival.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let b = magpie::sync::Barrier::new(1);
    ///     b.wait().await;
    ///     b.wait().await; // reusable
    /// });
    /// ```
    pub async fn wait(&self) -> BarrierWaitResult {
        let mut wait = std::pin::pin!(Wait {
            barrier: self,
            waiter: Waiter::new(()),
            queued: false,
        });
        poll_fn(|cx| wait.as_mut().poll_wait(cx)).await
    }
}

impl std::fmt::Debug for Barrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Barrier").field("n", &self.n).finish()
    }
}

struct Wait<'a> {
    barrier: &'a Barrier,
    waiter: Waiter<()>,
    queued: bool,
}

impl Wait<'_> {
    fn poll_wait(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        let coop = ready!(crate::runtime::task::coop::poll_proceed(cx));
        // SAFETY: we never move `waiter` out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        if this.queued {
            if !this.waiter.is_popped() {
                let mut state = this.barrier.state.lock();
                // SAFETY: our waiter is only used with this barrier's list (locked).
                let recheck = unsafe { state.waiters.still_queued(&this.waiter, cx.waker()) };
                if let Recheck::Queued(replaced) = recheck {
                    drop(state);
                    drop(replaced);
                    return Poll::Pending;
                }
            }
            this.waiter.take_popped(|e| e.status = Status::Idle);
            this.queued = false;
            coop.made_progress();
            return Poll::Ready(BarrierWaitResult(false));
        }
        let mut guard = this.barrier.state.lock();
        let state = &mut *guard;
        state.arrived += 1;
        if state.arrived < this.barrier.n {
            // SAFETY: idle, pinned, only used with this list, removed in Drop.
            unsafe {
                state
                    .waiters
                    .push_back(Pin::new_unchecked(&this.waiter), cx.waker().clone())
            };
            this.queued = true;
            return Poll::Pending;
        }
        state.arrived = 0;
        let mut wakers = WakeList::new();
        state.waiters.drain(&mut wakers, |_| {});
        drop(guard);
        wakers.wake_all();
        coop.made_progress();
        Poll::Ready(BarrierWaitResult(true))
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if !self.queued {
            return;
        }
        let mut state = self.barrier.state.lock();
        // SAFETY: our waiter is only used with this list (locked).
        if unsafe { state.waiters.remove(&self.waiter) } == Status::Queued {
            // The barrier has not opened for us: withdraw our arrival.
            state.arrived -= 1;
        }
    }
}
