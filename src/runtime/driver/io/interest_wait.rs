//! `InterestWait`: one `async` wait on one or both directions of a source
//! (`ready(Interest::READABLE | Interest::WRITABLE)`), as a list waiter in
//! each direction's list.
//!
//! The protocol, on top of `scheduled_io.rs`'s (which it uses unchanged,
//! one direction at a time):
//!
//! 1. Each poll asks every direction the interest names, in order, through
//!    `ScheduledIo::poll_ready_queued` with that direction's own node: a
//!    direction that is ready answers with its event; one that is not is
//!    queued in its list (or stays queued, its waker refreshed).
//! 2. The dispatcher takes whole lists by direction: a READABLE-only event
//!    pops the read node, a WRITABLE-only event the write node, an event
//!    with both bits pops both (two wakes of the same task, harmless). A
//!    popped node is consumed by the next poll, which then re-checks the
//!    word for its direction.
//! 3. When any direction answered, the wait is over: every node still
//!    queued leaves its list before the poll returns, so a finished wait
//!    holds no node in any list.
//! 4. A wait dropped while queued leaves its lists the same way (`cancel`,
//!    under the waiter lock). A dispatcher that popped a node first has
//!    unlinked it already, and it takes *every* waiter of the direction, so
//!    the other waiters of that list are woken whatever this one does: no
//!    wake-up has to be passed on.

use std::pin::Pin;
use std::task::{Context, Poll};

use super::interest::Interest;
#[cfg(loom)]
use super::ready::ReadyEvent;
use super::ready::{Direction, Observed};
use super::scheduled_io::{IoWaiter, ScheduledIo};

/// The nodes and queued flags of one wait; see the module docs. The owner
/// keeps it pinned and calls [`cancel`](Self::cancel) before dropping it.
pub(crate) struct InterestWait {
    /// Structurally pinned: `waiters[0]` is linked into the source's read
    /// list while `queued[0]`, `waiters[1]` into its write list.
    waiters: [IoWaiter; 2],
    queued: [bool; 2],
}

/// The slot of `direction` in [`InterestWait`]'s arrays.
fn index(direction: Direction) -> usize {
    match direction {
        Direction::Read => 0,
        Direction::Write => 1,
    }
}

impl InterestWait {
    /// A wait not yet queued anywhere.
    pub(crate) fn new() -> InterestWait {
        InterestWait {
            waiters: [IoWaiter::new(()), IoWaiter::new(())],
            queued: [false; 2],
        }
    }

    /// Steps 1 and 3: what the ready directions of `interest` saw, or
    /// `Pending` with this task queued in the list of each. Pass the same
    /// `io` and `interest` to every call.
    pub(crate) fn poll(
        self: Pin<&mut Self>,
        io: &ScheduledIo,
        interest: Interest,
        cx: &mut Context<'_>,
    ) -> Poll<Observed> {
        // SAFETY: the waiters are never moved out of the pinned wait (each
        // is only re-pinned in place below); `queued` is not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let mut seen = Observed::default();
        for direction in interest.directions() {
            let i = index(direction);
            // SAFETY: as above: `this.waiters[i]` stays where it is.
            let waiter = unsafe { Pin::new_unchecked(&mut this.waiters[i]) };
            if let Poll::Ready(event) =
                io.poll_ready_queued(waiter, &mut this.queued[i], cx, direction)
            {
                seen.set(direction, event);
            }
        }
        if seen.is_empty() {
            return Poll::Pending;
        }
        // The other direction (if any) stays queued no longer.
        this.cancel(io);
        Poll::Ready(seen)
    }

    /// Step 4: takes every still-queued node out of its list.
    pub(crate) fn cancel(&mut self, io: &ScheduledIo) {
        for direction in [Direction::Read, Direction::Write] {
            let i = index(direction);
            if self.queued[i] {
                io.cancel(&self.waiters[i], direction);
                self.queued[i] = false;
            }
        }
    }
}

/// A `ready(interest)` wait as the loom models drive it: what
/// `PollEvented::ready` is, without the socket. Yields the event of each
/// direction that was ready (read, write).
#[cfg(loom)]
pub struct ReadyWait {
    io: crate::loom::sync::Arc<ScheduledIo>,
    interest: Interest,
    wait: InterestWait,
}

#[cfg(loom)]
impl ReadyWait {
    /// A wait for the directions `interest` names on `io`, not yet queued.
    pub fn new(io: crate::loom::sync::Arc<ScheduledIo>, interest: Interest) -> ReadyWait {
        ReadyWait {
            io,
            interest,
            wait: InterestWait::new(),
        }
    }
}

#[cfg(loom)]
impl std::future::Future for ReadyWait {
    type Output = (Option<ReadyEvent>, Option<ReadyEvent>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `wait` is never moved out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above.
        let wait = unsafe { Pin::new_unchecked(&mut this.wait) };
        wait.poll(&this.io, this.interest, cx)
            .map(|seen| (seen.read, seen.write))
    }
}

#[cfg(loom)]
impl Drop for ReadyWait {
    fn drop(&mut self) {
        self.wait.cancel(&self.io);
    }
}

/// An `async` operation's wait on one direction (`readable()`, `recv`):
/// a [`ReadyWait`] for that direction alone, yielding its event.
#[cfg(loom)]
pub struct ListWait(ReadyWait);

#[cfg(loom)]
impl ListWait {
    /// A wait for `direction` of `io`, not yet queued.
    pub fn new(io: crate::loom::sync::Arc<ScheduledIo>, direction: Direction) -> ListWait {
        ListWait(ReadyWait::new(io, Interest::from(direction)))
    }
}

#[cfg(loom)]
impl std::future::Future for ListWait {
    type Output = ReadyEvent;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ReadyEvent> {
        // SAFETY: a projection to the only field, which is never moved.
        let inner = unsafe { self.map_unchecked_mut(|wait| &mut wait.0) };
        inner.poll(cx).map(|(read, write)| {
            read.or(write)
                .expect("a finished wait saw its one direction")
        })
    }
}
