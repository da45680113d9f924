//! The I/O driver: one `polling::Poller` per runtime.
//!
//! Who polls, who is woken, and why the tick: the runtime has exactly one
//! [`Driver`], and only the worker that holds the driver slot when it runs
//! out of work calls [`Driver::turn`], which blocks in `Poller::wait` (with
//! the next timer deadline as its timeout); every other idle worker sleeps
//! on its own parker. Sources (sockets) are registered once, through the
//! shared [`Handle`], and get a slot whose key comes back with each event.
//! When `wait` returns, the turning worker stamps the events with the turn's
//! tick, ORs their readiness into each source's readiness word and wakes the
//! reader and writer wakers stored there; those tasks run wherever the
//! scheduler puts them. Anyone who needs the turning worker back early (new
//! work arrived, an earlier timer, shutdown) calls [`Handle::unpark`], which
//! is `Poller::notify` and makes `wait` return at once. A task that tries
//! its syscall and gets `WouldBlock` clears the readiness it acted on — but
//! only if the word still carries the tick it saw. If a newer turn set the
//! bit again in between, the tick differs and the clear is dropped, so that
//! newer event is not lost and the task retries instead of sleeping forever.
//!
//! Sources are registered edge-triggered where the poller supports it
//! (epoll, kqueue): interest never has to be re-armed and an event is
//! reported once per change. Elsewhere they are registered one-shot: a task
//! that has to wait re-arms interest (`Poller::modify`) for every direction
//! that has a waiter, and each event wakes both waiters so each re-arms
//! what it still needs.

use std::fmt;
use std::io;
use std::task::Waker;
use std::time::Duration;

use polling::{Event, Events, PollMode, Poller};
use std::num::NonZeroUsize;

#[cfg(test)]
use super::DEFAULT_EVENTS_PER_TICK;

use super::interest::Interest;
use super::ready::Ready;
use super::registrations::Registrations;
use super::scheduled_io::ScheduledIo;
use super::source::BorrowedSource;
use crate::loom::sync::atomic::{Ordering::Relaxed, StatAtomicU64};
use crate::loom::sync::Arc;

/// The key `polling` uses for its own notification events.
const NOTIFY_KEY: usize = usize::MAX;

/// The part of the I/O driver that waits. Owned by whichever worker holds
/// the driver slot.
pub(crate) struct Driver {
    /// Reused by every turn, so dispatch allocates nothing per event.
    events: Events,
    /// Wakers collected under the slab lock, woken after it; the capacity
    /// is kept from turn to turn.
    wake_list: Vec<Waker>,
    /// Incremented once per turn that saw events.
    tick: u16,
}

/// The shared part of the I/O driver: the poller and the registrations.
/// Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub(crate) struct Handle {
    inner: Arc<Inner>,
}

struct Inner {
    poller: Poller,
    registrations: Registrations,
    /// Sources are registered edge-triggered (else one-shot).
    edge: bool,
    /// I/O events dispatched so far (a metric; written only by the thread
    /// that holds the driver).
    dispatched: StatAtomicU64,
}

impl Driver {
    /// Creates the poller; returns the driver and the handle sources use.
    #[cfg(test)]
    pub(crate) fn new() -> io::Result<(Driver, Handle)> {
        Self::with_capacity(DEFAULT_EVENTS_PER_TICK)
    }

    /// Creates the poller, taking at most `events` events from it per turn
    /// (`Builder::max_io_events_per_tick`; the rest wait for the next
    /// turn); returns the driver and the handle sources use.
    pub(crate) fn with_capacity(events: NonZeroUsize) -> io::Result<(Driver, Handle)> {
        let poller = Poller::new()?;
        let edge = poller.supports_edge();
        Self::with_poller(poller, edge, events)
    }

    /// A driver that registers sources one-shot even where edge-triggered
    /// polling exists, to test that path.
    #[cfg(test)]
    pub(crate) fn new_oneshot() -> io::Result<(Driver, Handle)> {
        Self::with_poller(Poller::new()?, false, DEFAULT_EVENTS_PER_TICK)
    }

    fn with_poller(
        poller: Poller,
        edge: bool,
        events: NonZeroUsize,
    ) -> io::Result<(Driver, Handle)> {
        let driver = Driver {
            events: Events::with_capacity(events),
            wake_list: Vec::with_capacity(64),
            tick: 0,
        };
        let inner = Inner {
            poller,
            registrations: Registrations::new(),
            edge,
            dispatched: StatAtomicU64::new(0),
        };
        Ok((
            driver,
            Handle {
                inner: Arc::new(inner),
            },
        ))
    }

    /// Waits up to `timeout` (`None` = until an event or an unpark,
    /// `Some(ZERO)` = just poll) and dispatches the events to their sources.
    /// Returns how many I/O events it dispatched.
    pub(crate) fn turn(&mut self, handle: &Handle, timeout: Option<Duration>) -> usize {
        self.events.clear();
        match handle.inner.poller.wait(&mut self.events, timeout) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return 0,
            Err(e) => panic!("magpie: waiting for I/O events failed: {e}"),
        }
        if self.events.is_empty() {
            return 0;
        }
        let count = self
            .events
            .iter()
            .filter(|event| event.key != NOTIFY_KEY)
            .count();
        let dispatched = &handle.inner.dispatched;
        dispatched.store(dispatched.load(Relaxed) + count as u64, Relaxed);
        self.tick = self.tick.wrapping_add(1);
        let events = self
            .events
            .iter()
            .filter(|event| event.key != NOTIFY_KEY)
            .map(|event| (event.key, Ready::from_event(&event)));
        handle.inner.registrations.dispatch(
            events,
            self.tick,
            !handle.inner.edge,
            &mut self.wake_list,
        );
        for waker in self.wake_list.drain(..) {
            waker.wake();
        }
        count
    }
}

impl Handle {
    /// I/O events dispatched since the runtime started (a metric).
    pub(crate) fn events_dispatched(&self) -> u64 {
        self.inner.dispatched.load(Relaxed)
    }

    /// Makes a thread blocked in [`Driver::turn`] return (or the next
    /// `turn` return at once).
    pub(crate) fn unpark(&self) {
        // `notify` only fails if the notification pipe/eventfd cannot be
        // written, which means the poller is already broken; the next turn
        // will report it.
        let _ = self.inner.poller.notify();
    }

    /// The runtime is going down: every registered source's waits end with
    /// an error, and new registrations fail.
    pub(crate) fn shutdown(&self) {
        self.inner.registrations.shutdown();
        self.unpark();
    }

    /// Registers `source` for the readiness `interest` names (sockets
    /// register both directions; an `AsyncFd` may register one).
    ///
    /// # Safety
    ///
    /// `source` must be deleted with [`Handle::delete`] before it is closed.
    pub(crate) unsafe fn add(
        &self,
        source: BorrowedSource<'_>,
        interest: Interest,
    ) -> io::Result<(usize, Arc<ScheduledIo>)> {
        let (key, io) = self.inner.registrations.register()?;
        let event = Event::new(key, interest.is_readable(), interest.is_writable());
        // SAFETY: the caller promises to delete `source` before closing it.
        let added = unsafe {
            if self.inner.edge {
                self.inner
                    .poller
                    .add_with_mode(&source, event, PollMode::Edge)
            } else {
                self.inner.poller.add(&source, Event::none(key))
            }
        };
        match added {
            Ok(()) => Ok((key, io)),
            Err(e) => {
                self.inner.registrations.deregister(key);
                Err(e)
            }
        }
    }

    /// One-shot mode only: re-arms `source`'s interest for the directions
    /// that have a waiter. A no-op for edge-triggered registrations.
    pub(crate) fn rearm(
        &self,
        source: BorrowedSource<'_>,
        key: usize,
        io: &ScheduledIo,
    ) -> io::Result<()> {
        if self.inner.edge {
            return Ok(());
        }
        io.with_waiting(|read, write| {
            self.inner
                .poller
                .modify(source, Event::new(key, read, write))
        })
    }

    /// Removes `source` from the poller (before it is closed).
    pub(crate) fn delete(&self, source: BorrowedSource<'_>) -> io::Result<()> {
        self.inner.poller.delete(source)
    }

    /// Releases the slot of `key`; late events for it are dropped.
    pub(crate) fn release(&self, key: usize) {
        self.inner.registrations.deregister(key);
    }

    /// The number of registered sources (for tests).
    #[allow(dead_code)]
    pub(crate) fn registered(&self) -> usize {
        self.inner.registrations.len()
    }
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("io::Driver")
            .field("tick", &self.tick)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("io::Handle")
            .field("edge_triggered", &self.inner.edge)
            .field("registrations", &self.inner.registrations.len())
            .finish_non_exhaustive()
    }
}
