//! One source's share of the driver: its readiness word and its waiters.
//!
//! The protocol, between the driver turning (the *dispatcher*) and the tasks
//! doing I/O on the source (the *operations*):
//!
//! 1. The dispatcher ORs the event's bits into the readiness word and stamps
//!    it with the turn's tick (one atomic read-modify-write), then, under the
//!    waiter lock, takes **every** waiter of each direction the event
//!    concerns, and wakes them after releasing the lock. Each woken
//!    operation re-checks the word and tries its syscall; one may win the
//!    data, the others see `WouldBlock` and wait again.
//! 2. An operation loads the word. If its direction's bits are set it tries
//!    the syscall; if that says `WouldBlock` it clears exactly the bits it
//!    saw, and only if the tick is still the one it saw. A newer event
//!    (another tick) is therefore never cleared by an older observation.
//! 3. If the bits are not set, the operation registers under the waiter
//!    lock and loads the word again *while holding the lock*. Either that
//!    load sees the dispatcher's bits (the dispatcher's RMW came first), or
//!    the dispatcher takes the lock after us and finds us. No wake-up is
//!    lost.
//!
//! Waiters come in two kinds, per direction:
//! * **a slot** for the `poll_*` methods (`AsyncRead::poll_read`,
//!   `poll_accept`, ...), which have nowhere to keep a list node: one waker,
//!   the last poller's (as in tokio: one task at a time may drive a
//!   direction through `poll_*`);
//! * **a list** ([`WaitList`], `util/wait_list.rs`) for the `async` methods
//!   (`accept`, `recv`, `readable`, ...), whose futures carry their own node:
//!   any number of tasks may wait on the same direction of the same socket.
//!
//! No waker is dropped under the lock (a waker's `Drop` may run arbitrary
//! code): replaced wakers are handed back and dropped after it.
//!
//! Shutdown sets a bit that ends every wait, present and future, with an
//! event whose `is_shutdown()` is true.

use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::ready::{Direction, Ready, ReadyEvent, Snapshot};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};
use crate::util::wait_list::{Recheck, Status, WaitList, Waiter};

/// Readiness word plus the waiters of one registered source.
#[derive(Debug)]
pub struct ScheduledIo {
    /// See `ready.rs` for the layout.
    readiness: AtomicUsize,
    waiters: Mutex<Waiters>,
}

/// A list node of an `async` operation waiting on one direction.
pub(crate) type IoWaiter = Waiter<()>;

#[derive(Debug, Default)]
struct Waiters {
    reader: Option<Waker>,
    writer: Option<Waker>,
    readers: WaitList<()>,
    writers: WaitList<()>,
}

impl Waiters {
    fn slot(&mut self, direction: Direction) -> &mut Option<Waker> {
        match direction {
            Direction::Read => &mut self.reader,
            Direction::Write => &mut self.writer,
        }
    }

    fn list(&mut self, direction: Direction) -> &mut WaitList<()> {
        match direction {
            Direction::Read => &mut self.readers,
            Direction::Write => &mut self.writers,
        }
    }

    /// Moves every waiter of `direction` (slot and list) into `wakers`.
    fn take_all(&mut self, direction: Direction, wakers: &mut Vec<Waker>) {
        wakers.extend(self.slot(direction).take());
        let list = self.list(direction);
        while let Some(waker) = list.pop_front() {
            wakers.push(waker);
        }
    }

    fn has_waiter(&mut self, direction: Direction) -> bool {
        self.slot(direction).is_some() || !self.list(direction).is_empty()
    }
}

impl Default for ScheduledIo {
    fn default() -> Self {
        Self::new()
    }
}

impl ScheduledIo {
    /// A source with no readiness and no waiters.
    pub fn new() -> ScheduledIo {
        ScheduledIo {
            readiness: AtomicUsize::new(0),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    fn snapshot(&self) -> Snapshot {
        // Acquire pairs with the AcqRel RMWs in `set_readiness` and
        // `shutdown`: an operation that sees a bit also sees what the
        // dispatcher wrote before setting it.
        Snapshot(self.readiness.load(Ordering::Acquire))
    }

    /// Dispatcher step 1: adds `ready` to the word, stamped with `tick`.
    pub fn set_readiness(&self, tick: u16, ready: Ready) {
        // AcqRel: Release pairs with the Acquire loads in `snapshot`; the
        // RMW itself is ordered with `clear_readiness`'s CAS on this word.
        let _ = self
            .readiness
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| {
                Some(Snapshot(word).with_event(tick, ready).0)
            });
    }

    /// Dispatcher step 1, second half: moves every waiter that `ready`
    /// concerns into `wake_list` (the caller wakes them after unlocking
    /// everything). With `both`, the waiters of both directions are taken
    /// whatever `ready` is (used when the poller's registration was
    /// one-shot and each waiter has to re-arm its own interest).
    pub fn take_wakers(&self, ready: Ready, both: bool, wake_list: &mut Vec<Waker>) {
        let mut waiters = self.waiters.lock();
        for direction in [Direction::Read, Direction::Write] {
            if both || ready.intersects(direction.mask()) {
                waiters.take_all(direction, wake_list);
            }
        }
    }

    /// Sets readiness and wakes every concerned waiter at once.
    #[cfg_attr(not(loom), allow(dead_code))] // loom models and tests
    pub fn wake(&self, tick: u16, ready: Ready) {
        self.set_readiness(tick, ready);
        let mut wakers = Vec::new();
        self.take_wakers(ready, false, &mut wakers);
        wakers.into_iter().for_each(Waker::wake);
    }

    /// The readiness an operation in `direction` may act on now, if any.
    pub fn ready_event(&self, direction: Direction) -> Option<ReadyEvent> {
        self.snapshot().event_for(direction)
    }

    /// Operation step 3 for `poll_*` methods: ready now, or this task's
    /// waker stored in the direction's slot and `Pending`.
    pub fn poll_ready(&self, cx: &mut Context<'_>, direction: Direction) -> Poll<ReadyEvent> {
        if let Some(event) = self.ready_event(direction) {
            return Poll::Ready(event);
        }
        let mut waiters = self.waiters.lock();
        let slot = waiters.slot(direction);
        let replaced = match slot {
            Some(waker) if waker.will_wake(cx.waker()) => None,
            _ => slot.replace(cx.waker().clone()),
        };
        // Re-check under the lock: the dispatcher sets the word before it
        // takes this lock, so either we see its bits or it sees our waker.
        let event = self.ready_event(direction);
        // Ready: our waker is not needed in the slot any more.
        let ours = event.and_then(|_| waiters.slot(direction).take());
        drop(waiters);
        drop((ours, replaced));
        event.map_or(Poll::Pending, Poll::Ready)
    }

    /// Operation step 3 for `async` methods: ready now, or `waiter` queued
    /// in the direction's list and `Pending`. `queued` is the caller's
    /// record of whether `waiter` is in the list; pass the same `waiter`
    /// and `queued` to every call, and [`cancel`](Self::cancel) before
    /// dropping a queued waiter.
    pub(crate) fn poll_ready_queued(
        &self,
        waiter: Pin<&mut IoWaiter>,
        queued: &mut bool,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<ReadyEvent> {
        // SAFETY: the waiter is never moved out of its pin: it is only
        // borrowed (`take_popped`) and re-pinned in place (`push_back`).
        let waiter = unsafe { waiter.get_unchecked_mut() };
        loop {
            if *queued && waiter.is_popped() {
                // Woken by the dispatcher (the node is in no list any more).
                waiter.take_popped(|e| e.status = Status::Idle);
                *queued = false;
            }
            if !*queued {
                if let Some(event) = self.ready_event(direction) {
                    return Poll::Ready(event);
                }
            }
            let mut waiters = self.waiters.lock();
            let list = waiters.list(direction);
            if !*queued {
                // Re-check under the lock, as in `poll_ready`.
                if let Some(event) = self.ready_event(direction) {
                    return Poll::Ready(event);
                }
                // SAFETY: `waiter` is idle (not queued), pinned, only used
                // with this list (locked), and taken out by `cancel` before
                // it is dropped.
                unsafe { list.push_back(Pin::new_unchecked(&*waiter), cx.waker().clone()) };
                *queued = true;
                return Poll::Pending;
            }
            // SAFETY: `waiter` is only ever used with this source's list for
            // `direction` (the caller passes the same one each time), whose
            // lock we hold.
            let replaced = match unsafe { list.still_queued(waiter, cx.waker()) } {
                Recheck::Queued(replaced) => replaced,
                // Popped since our check: consume it and start over.
                Recheck::Popped => continue,
            };
            let event = self.ready_event(direction);
            // Ready: leave the list (our waker comes out with us).
            let ours = event.and_then(|_| {
                *queued = false;
                Self::unqueue(&mut waiters, direction, waiter)
            });
            drop(waiters);
            drop((ours, replaced));
            return event.map_or(Poll::Pending, Poll::Ready);
        }
    }

    /// Takes a queued `waiter` out of the list (a waiting `async` operation
    /// is being dropped); its waker is handed back to drop after the lock.
    pub(crate) fn cancel(&self, waiter: &IoWaiter, direction: Direction) {
        let mut waiters = self.waiters.lock();
        let ours = Self::unqueue(&mut waiters, direction, waiter);
        drop(waiters);
        drop(ours);
    }

    /// Unlinks `waiter` if still queued and takes its waker out of it.
    fn unqueue(
        waiters: &mut MutexGuard<'_, Waiters>,
        direction: Direction,
        waiter: &IoWaiter,
    ) -> Option<Waker> {
        let list = waiters.list(direction);
        // SAFETY: our waiter is only used with this list, whose lock the
        // caller holds.
        unsafe {
            list.remove(waiter);
            list.with_entry(waiter, |e| e.waker.take())
        }
    }

    /// Operation step 2: after `WouldBlock`, forgets what `event` saw unless a
    /// newer tick has stamped the word since.
    pub fn clear_readiness(&self, event: ReadyEvent) {
        // AcqRel/Acquire: the CAS is ordered with the dispatcher's RMW on the
        // same word; a failure just reloads and re-decides.
        let _ = self
            .readiness
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| {
                Snapshot(word).cleared(event).map(|next| next.0)
            });
    }

    /// The directions that currently have a waiter, for one-shot re-arming.
    /// `f` runs under the waiter lock so two re-arms cannot interleave.
    pub fn with_waiting<R>(&self, f: impl FnOnce(bool, bool) -> R) -> R {
        let mut waiters = self.waiters.lock();
        let read = waiters.has_waiter(Direction::Read);
        let write = waiters.has_waiter(Direction::Write);
        f(read, write)
    }

    /// Ends every present and future wait with a shutdown event.
    pub fn shutdown(&self) {
        // AcqRel: Release pairs with the Acquire in `snapshot`.
        self.readiness
            .fetch_or(Snapshot(0).shut_down().0, Ordering::AcqRel);
        let mut wakers = Vec::new();
        self.take_wakers(Ready::EMPTY, true, &mut wakers);
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Drops any stored slot wakers (the source is being deregistered; its
    /// list waiters borrow the source, so none is left).
    pub fn clear_wakers(&self) {
        let (reader, writer) = {
            let mut waiters = self.waiters.lock();
            (waiters.reader.take(), waiters.writer.take())
        };
        drop((reader, writer));
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize as StdAtomicUsize;
    use std::sync::Arc;
    use std::task::Wake;

    #[derive(Default)]
    struct CountWaker(StdAtomicUsize);

    impl Wake for CountWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<CountWaker>, Waker) {
        let count = Arc::new(CountWaker::default());
        let waker = Waker::from(count.clone());
        (count, waker)
    }

    #[test]
    fn a_stored_waker_is_woken_by_its_direction_only() {
        let io = ScheduledIo::new();
        let (count, waker) = counter();
        let mut cx = Context::from_waker(&waker);
        assert!(io.poll_ready(&mut cx, Direction::Read).is_pending());
        io.wake(1, Ready::WRITABLE);
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 0);
        io.wake(2, Ready::READABLE);
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(io.poll_ready(&mut cx, Direction::Read).is_ready());
    }

    #[test]
    fn a_would_block_keeps_an_event_from_a_newer_tick() {
        let io = ScheduledIo::new();
        io.set_readiness(1, Ready::READABLE);
        let seen = io.ready_event(Direction::Read).unwrap();
        io.set_readiness(2, Ready::READABLE);
        io.clear_readiness(seen);
        assert!(io.ready_event(Direction::Read).is_some());
        let newer = io.ready_event(Direction::Read).unwrap();
        io.clear_readiness(newer);
        assert!(io.ready_event(Direction::Read).is_none());
    }

    #[test]
    fn shutdown_wakes_and_fails_every_waiter() {
        let io = ScheduledIo::new();
        let (count, waker) = counter();
        let mut cx = Context::from_waker(&waker);
        assert!(io.poll_ready(&mut cx, Direction::Read).is_pending());
        assert!(io.poll_ready(&mut cx, Direction::Write).is_pending());
        io.shutdown();
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 2);
        match io.poll_ready(&mut cx, Direction::Write) {
            Poll::Ready(event) => assert!(event.is_shutdown()),
            Poll::Pending => panic!("shut down source still pending"),
        }
    }
}
