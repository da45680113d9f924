//! One source's share of the driver: its readiness word and its two wakers.
//!
//! The protocol, between the driver turning (the *dispatcher*) and the tasks
//! doing I/O on the source (the *operations*):
//!
//! 1. The dispatcher ORs the event's bits into the readiness word and stamps
//!    it with the turn's tick (one atomic read-modify-write), then takes the
//!    reader and/or writer waker under the waiter lock and wakes them after
//!    releasing it.
//! 2. An operation loads the word. If its direction's bits are set it tries
//!    the syscall; if that says `WouldBlock` it clears exactly the bits it
//!    saw, and only if the tick is still the one it saw. A newer event
//!    (another tick) is therefore never cleared by an older observation.
//! 3. If the bits are not set, the operation stores its waker under the
//!    waiter lock and loads the word again *while holding the lock*. Either
//!    that load sees the dispatcher's bits (the dispatcher's RMW came first),
//!    or the dispatcher takes the lock after us and finds the waker. No
//!    wake-up is lost.
//!
//! Shutdown sets a bit that ends every wait, present and future, with an
//! event whose `is_shutdown()` is true.

use std::task::{Context, Poll, Waker};

use super::ready::{Direction, Ready, ReadyEvent, Snapshot};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Mutex;

/// Readiness word plus reader and writer wakers of one registered source.
#[derive(Debug)]
pub struct ScheduledIo {
    /// See `ready.rs` for the layout.
    readiness: AtomicUsize,
    waiters: Mutex<Waiters>,
}

#[derive(Debug, Default)]
struct Waiters {
    reader: Option<Waker>,
    writer: Option<Waker>,
}

impl Waiters {
    fn slot(&mut self, direction: Direction) -> &mut Option<Waker> {
        match direction {
            Direction::Read => &mut self.reader,
            Direction::Write => &mut self.writer,
        }
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

    /// Dispatcher step 1, second half: moves the wakers that `ready`
    /// concerns into `wake_list` (the caller wakes them after unlocking
    /// everything). With `both`, both wakers are taken whatever `ready` is
    /// (used when the poller's registration was one-shot and each waiter
    /// has to re-arm its own interest).
    pub fn take_wakers(&self, ready: Ready, both: bool, wake_list: &mut Vec<Waker>) {
        let mut waiters = self.waiters.lock();
        if both || ready.intersects(Direction::Read.mask()) {
            wake_list.extend(waiters.reader.take());
        }
        if both || ready.intersects(Direction::Write.mask()) {
            wake_list.extend(waiters.writer.take());
        }
    }

    /// Sets readiness and wakes the concerned waiters at once.
    #[cfg_attr(not(loom), allow(dead_code))] // loom models and tests
    pub fn wake(&self, tick: u16, ready: Ready) {
        self.set_readiness(tick, ready);
        let (reader, writer) = {
            let mut waiters = self.waiters.lock();
            let reader = if ready.intersects(Direction::Read.mask()) {
                waiters.reader.take()
            } else {
                None
            };
            let writer = if ready.intersects(Direction::Write.mask()) {
                waiters.writer.take()
            } else {
                None
            };
            (reader, writer)
        };
        reader.into_iter().chain(writer).for_each(Waker::wake);
    }

    /// The readiness an operation in `direction` may act on now, if any.
    pub fn ready_event(&self, direction: Direction) -> Option<ReadyEvent> {
        self.snapshot().event_for(direction)
    }

    /// Operation step 3: ready now, or waker stored and `Pending`.
    pub fn poll_ready(&self, cx: &mut Context<'_>, direction: Direction) -> Poll<ReadyEvent> {
        if let Some(event) = self.ready_event(direction) {
            return Poll::Ready(event);
        }
        let mut waiters = self.waiters.lock();
        let slot = waiters.slot(direction);
        match slot {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        }
        // Re-check under the lock: the dispatcher sets the word before it
        // takes this lock, so either we see its bits or it sees our waker.
        match self.ready_event(direction) {
            Some(event) => {
                waiters.slot(direction).take();
                Poll::Ready(event)
            }
            None => Poll::Pending,
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
        let waiters = self.waiters.lock();
        f(waiters.reader.is_some(), waiters.writer.is_some())
    }

    /// Ends every present and future wait with a shutdown event.
    pub fn shutdown(&self) {
        // AcqRel: Release pairs with the Acquire in `snapshot`.
        self.readiness
            .fetch_or(Snapshot(0).shut_down().0, Ordering::AcqRel);
        let (reader, writer) = {
            let mut waiters = self.waiters.lock();
            (waiters.reader.take(), waiters.writer.take())
        };
        reader.into_iter().chain(writer).for_each(Waker::wake);
    }

    /// Drops any stored wakers (the source is being deregistered).
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
