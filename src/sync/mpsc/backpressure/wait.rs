//! [`Wait`]: a sender queued for a slot (or a reservation), and what its
//! drop gives back. The protocol is in the parent module's docs.

use super::{Bounded, Grant, Want};
use crate::loom::sync::atomic::full_fence;
use crate::sync::permits::{Closed, TryAcquire};
use crate::util::wait_list::{Recheck, Status, Waiter, WakeList};
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Future of [`Bounded::wait`]:
/// resolves to a [`Grant`], or `Closed`. Cancellation-safe: dropped after
/// being granted, it gives the grant back (see the module docs).
pub(crate) struct Wait<'a, T> {
    pub(super) chan: &'a Bounded<T>,
    /// A `send` (wants a position) rather than a `reserve`.
    pub(super) position: bool,
    /// Slots wanted (see [`Bounded::wait`]).
    pub(super) n: usize,
    pub(super) waiter: Waiter<Want>,
    /// Pushed and not yet consumed (so `Drop` must look).
    pub(super) queued: bool,
}

impl<T> Wait<'_, T> {
    fn poll_wait(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Grant, Closed>> {
        // SAFETY: we never move `waiter` out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        let chan = this.chan;
        if !this.queued {
            let mut q = chan.queue.lock();
            let now = if this.position {
                chan.claim_now(&mut q).map(Grant::Position)
            } else {
                chan.reserve_locked(&mut q, this.n)
                    .map(|()| Grant::Reserved)
            };
            match now {
                Ok(grant) => return Poll::Ready(Ok(grant)),
                Err(TryAcquire::Closed) => return Poll::Ready(Err(Closed)),
                Err(TryAcquire::NoPermits) => {}
            }
            // SAFETY: our waiter is idle, pinned (we are), only used with
            // this queue, and `Drop` removes it under the lock.
            unsafe { chan.enqueue(&mut q, Pin::new_unchecked(&this.waiter), cx) };
            this.queued = true;
            // SeqCst fence between setting `senders_waiting` and reading the
            // head; pairs with the receiver's fence in `Bounded::pop`.
            full_fence();
            let mut wakers = WakeList::new();
            chan.grant_locked(&mut q, chan.ring.head(), &mut wakers);
            drop(q);
            // Possibly our own waker (we were granted just now): harmless.
            wakers.wake_all();
            if !this.waiter.is_popped() {
                return Poll::Pending;
            }
        } else if !this.waiter.is_popped() {
            let mut q = chan.queue.lock();
            // SAFETY: our waiter is only used with this queue.
            let recheck = unsafe { q.waiters.still_queued(&this.waiter, cx.waker()) };
            if let Recheck::Queued(replaced) = recheck {
                drop(q);
                drop(replaced);
                return Poll::Pending;
            }
        }
        this.queued = false;
        let grant = this
            .waiter
            .take_popped(|e| {
                e.status = Status::Idle;
                e.data.grant.take()
            })
            .expect("a waiter that left the queue was popped");
        Poll::Ready(grant.ok_or(Closed))
    }
}

impl<T> Future for Wait<'_, T> {
    type Output = Result<Grant, Closed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = ready!(crate::runtime::task::coop::poll_proceed(cx));
        let res = ready!(self.poll_wait(cx));
        coop.made_progress();
        Poll::Ready(res)
    }
}

impl<T> Drop for Wait<'_, T> {
    fn drop(&mut self) {
        if !self.queued {
            return;
        }
        let chan = self.chan;
        let mut q = chan.queue.lock();
        // SAFETY: our waiter is only used with this queue, whose lock we hold.
        let grant = unsafe {
            let status = q.waiters.remove(&self.waiter);
            match status {
                Status::Notified => q.waiters.with_entry(&self.waiter, |e| e.data.grant.take()),
                Status::Queued | Status::Idle => None,
            }
        };
        match grant {
            Some(Grant::Reserved) => chan.unreserve(&mut q, self.n),
            Some(Grant::Handed(pos)) if chan.ring.take_grant(pos) => chan.abandon(pos),
            // Taken back by the receiver, which reserved a slot for us.
            Some(Grant::Handed(_)) => chan.unreserve(&mut q, 1),
            // (Only a first poll claims a position itself, and returns it.)
            Some(Grant::Position(pos)) => chan.abandon(pos),
            None => {}
        }
        // Even with nothing to give back: if we were the last one queued,
        // this turns the fast path back on.
        chan.regrant(q);
    }
}
