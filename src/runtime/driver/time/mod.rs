//! The time driver: a hierarchical timer wheel behind one lock, read against
//! the runtime's [`Clock`].
//!
//! # Who does what
//!
//! * **Timers** (a `Sleep`, through its [`TimerEntry`]) file themselves on
//!   their first poll, re-file when moved to an earlier deadline, and unlink
//!   themselves when dropped. Filing returns whether the new deadline is
//!   earlier than the one the parked driver is waiting for; if so, the timer
//!   wakes the driver (`runtime::driver::Handle::unpark`) after the lock is
//!   released.
//! * **The park path** (whichever worker holds the driver) calls
//!   [`Handle::next_expiration`] right before it waits and uses the answer as
//!   its timeout, then calls [`Handle::process`] after every wait. `process`
//!   fires everything due and wakes the wakers outside the lock.
//! * **Exact deadlines in a sparse next slot.** Each node also records its
//!   exact deadline. When the next slot is a 1 ms level-0 slot holding at
//!   most [`EXACT_LIMIT`] nodes, `next_expiration` answers the earliest
//!   exact deadline among them and `process` fires each node of that slot
//!   whose exact deadline has passed, so a lone 1 ms sleep takes 1 ms rather
//!   than up to 2 (the tick rounds up). A crowded slot fires whole at its
//!   end: one wake-up, and a bounded scan per turn. (A slot at a 64-tick
//!   boundary is still on level 1 when it comes next: it fires at its end.)
//!
//!   The reported instant may also be a cascade point (the start of a
//!   higher level's slot) rather than a deadline: the driver then wakes,
//!   `process` moves those timers down a level, and it sleeps again. At
//!   most one extra wake-up per level.
//! * **Shutdown** calls [`Handle::shutdown`] once: every filed timer fires
//!   with [`Shutdown`], and later filings fail at once with it.
//!
//! # The lock protocol (cancel and fire race under one lock)
//!
//! One mutex (`Core`) guards the wheel and every node's links. A node is in
//! the wheel iff it is filed and has neither fired nor been cancelled. Its
//! state is an atomic byte and its waker an `AtomicWaker`, so the owner's
//! fast paths take no lock.
//!
//! 1. **Fire** (`process`, `shutdown`, or `move_earlier` to a past tick)
//!    holds the wheel lock, unlinks the node, stores `Fired` (or
//!    `Shutdown`) with the `BUSY` bit, takes the waker, and stores the state
//!    again without `BUSY`: that store is the wheel's last access to the
//!    node. The waker is woken only after the wheel lock is released.
//! 2. **Cancel** (`TimerEntry::drop`) reads the state. `Fired`/`Shutdown`
//!    without `BUSY` means step 1 is complete: nothing to do. Otherwise
//!    (`Filed`, or a fire still finishing) it takes the wheel lock and
//!    unlinks the node *if it is still linked*: if fire won the race, the
//!    node's location is `Nowhere` and cancel does nothing. Either way, once
//!    cancel holds the wheel lock no one else can be touching the node, so
//!    its memory may go.
//! 3. **Poll** of a filed timer takes no lock: `Fired` means done; `Filed`
//!    registers the waker and reads the state again. A fire stores its state
//!    before it takes the waker, so either it takes (and wakes) the new
//!    waker, or the second read sees the fire. No wake-up is lost.
//! 4. **Reset** to a later deadline takes no lock: it only records the
//!    deadline. If the node fires at its old deadline, the next poll sees
//!    `Fired` with a deadline still ahead and files it again. Reset to an
//!    earlier deadline re-files under the wheel lock (or fires at once if
//!    that tick has passed).
//!
//!
//! # No lost driver wake-up
//!
//! `next_expiration` records the tick it reported in `Core::parked_until`.
//! A filing for an earlier tick lowers `parked_until` and reports
//! `unpark: true`, so the first filing for a tick before the one the driver
//! waits for wakes it. The driver's unpark is sticky (a notify that lands
//! before the wait makes the wait return at once), so a filing between
//! `next_expiration` and the wait is not lost. A filing for the *same* tick
//! with an earlier exact deadline than the one the driver waits for does
//! not wake it: it fires when the driver wakes, less than a tick late and
//! never after its tick.

mod clock;
mod entry;
mod level;
mod wheel;

#[cfg(loom)]
pub mod model;

#[cfg(all(test, not(loom)))]
mod tests;

use std::time::Instant;

use crate::loom::sync::atomic::{Ordering::Relaxed, StatAtomicU64};
use crate::loom::sync::{Arc, Mutex};

pub(crate) use clock::{any_virtual, far_future, Clock, ClockError, Deadline};
pub(crate) use entry::TimerEntry;
use entry::{Location, NodeRef, State};
use wheel::Wheel;

/// The most timers a 1 ms slot may hold for the driver to track their exact
/// deadlines (waking at the earliest, firing each as it passes); above it,
/// the slot fires whole at its end. Bounds the scan per driver turn.
const EXACT_LIMIT: usize = 16;

/// The hook that wakes the runtime's parked driver.
struct Unpark(Box<dyn Fn() + Send + Sync>);

impl std::fmt::Debug for Unpark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Unpark")
    }
}

/// The runtime shut down before the timer fired (or the timer was first
/// polled after shutdown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shutdown;

/// The time driver's handle: one per runtime, cheap to clone, `Send + Sync`.
#[derive(Debug, Clone)]
pub(crate) struct Handle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    clock: Clock,
    /// Wakes the thread parked in the runtime's driver (none in unit tests).
    unpark: Option<Unpark>,
    core: Mutex<Core>,
    /// Timers fired so far (a metric), counted before their wakers run.
    fired: StatAtomicU64,
    /// A copy of the wheel's elapsed tick, readable without the lock. Only
    /// a hint (it may lag): it lets a timer whose deadline is well ahead of
    /// it skip reading the clock on its first poll. Correctness never
    /// depends on it — filing re-checks against the wheel under the lock.
    elapsed_hint: StatAtomicU64,
}

/// Everything the wheel lock guards.
#[derive(Debug)]
struct Core {
    wheel: Wheel,
    /// The tick the parked driver will wake at (`u64::MAX`: not at all).
    parked_until: u64,
    is_shutdown: bool,
}

/// What filing a timer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Filing {
    /// The deadline's tick has already been reached: the timer fired at once.
    Fired,
    /// Filed. `unpark`: the driver waits for a later tick and must be woken.
    Filed { unpark: bool },
    /// The runtime has shut down.
    Shutdown,
}

/// What moving a filed timer to an earlier tick did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Moved {
    /// Re-filed. `unpark`: as for [`Filing::Filed`].
    Refiled { unpark: bool },
    /// The new tick has already been reached: fired (and woken) at once.
    Fired,
    /// Not in the wheel (already fired, or shut down): nothing changed.
    NotFiled,
}

/// Wakers collected while the wheel lock is held, woken after it is
/// released. Fixed size, on the stack: when it fills up, the driver releases
/// the lock, wakes the batch and carries on.
struct WakeBatch {
    wakers: [Option<std::task::Waker>; WakeBatch::CAPACITY],
    len: usize,
}

impl WakeBatch {
    const CAPACITY: usize = 32;

    fn new() -> WakeBatch {
        WakeBatch {
            wakers: std::array::from_fn(|_| None),
            len: 0,
        }
    }

    /// Adds a waker; returns whether the batch is now full.
    fn push(&mut self, waker: std::task::Waker) -> bool {
        self.wakers[self.len] = Some(waker);
        self.len += 1;
        self.len == Self::CAPACITY
    }

    fn wake_all(&mut self) {
        for slot in &mut self.wakers[..self.len] {
            if let Some(waker) = slot.take() {
                waker.wake();
            }
        }
        self.len = 0;
    }
}

impl Handle {
    /// A time driver reading `clock`, with no timers and no driver to
    /// unpark (unit tests and loom models).
    #[cfg_attr(not(any(test, loom)), allow(dead_code))]
    pub(crate) fn new(clock: Clock) -> Handle {
        Handle::build(clock, None)
    }

    /// A time driver whose [`unpark_driver`](Handle::unpark_driver) calls
    /// `unpark` (the runtime passes its poller's notify).
    pub(crate) fn with_unpark(clock: Clock, unpark: impl Fn() + Send + Sync + 'static) -> Handle {
        Handle::build(clock, Some(Unpark(Box::new(unpark))))
    }

    /// Wakes the parked driver so it sees an earlier deadline.
    pub(crate) fn unpark_driver(&self) {
        if let Some(unpark) = &self.inner.unpark {
            (unpark.0)();
        }
    }

    fn build(clock: Clock, unpark: Option<Unpark>) -> Handle {
        Handle {
            inner: Arc::new(Inner {
                clock,
                unpark,
                core: Mutex::new(Core {
                    wheel: Wheel::new(),
                    parked_until: u64::MAX,
                    is_shutdown: false,
                }),
                fired: StatAtomicU64::new(0),
                elapsed_hint: StatAtomicU64::new(0),
            }),
        }
    }

    /// The clock this driver reads.
    pub(crate) fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The earliest pending deadline (`None`: no timers). Call it right
    /// before the driver waits, and wait at most until the answer: it also
    /// records that answer, so a timer filed afterwards for an earlier time
    /// knows to wake the driver.
    pub(crate) fn next_expiration(&self) -> Option<Instant> {
        let mut core = self.inner.core.lock();
        let tick = core.record_next_expiration()?;
        // A few timers in the next 1 ms slot: wake at the earliest exact
        // deadline among them, not at the end of the slot (a 1 ms sleep then
        // takes 1 ms, not up to 2). Many: the end of the slot, so that one
        // wake-up fires them all.
        let exact = core.wheel.next_exact(EXACT_LIMIT);
        drop(core);
        Some(match exact {
            Some(at) => self.inner.clock.nanos_instant(at),
            None => self.inner.clock.tick_instant(tick),
        })
    }

    /// [`next_expiration`](Handle::next_expiration) in ticks.
    #[cfg_attr(not(any(test, loom)), allow(dead_code))]
    pub(crate) fn next_expiration_tick(&self) -> Option<u64> {
        self.inner.core.lock().record_next_expiration()
    }

    /// Fires every timer due at the clock's present. The wakers are woken
    /// after the wheel lock is released.
    pub(crate) fn process(&self) -> usize {
        let now = self.inner.clock.now();
        self.process_exact(
            self.inner.clock.tick_floor(now),
            self.inner.clock.nanos(now),
        )
    }

    /// Fires every timer due at the start of tick `now`; returns how many
    /// fired.
    #[cfg_attr(not(any(test, loom)), allow(dead_code))]
    pub(crate) fn process_at(&self, now: u64) -> usize {
        self.process_exact(now, Deadline::at_tick(now).at)
    }

    /// Fires every timer due at tick `now`, and those of the tick in
    /// progress whose exact deadline `now_ns` has reached (if that slot
    /// holds few); returns how many fired.
    fn process_exact(&self, now: u64, now_ns: u64) -> usize {
        let mut batch = WakeBatch::new();
        let mut fired = 0;
        let mut core = self.inner.core.lock();
        while let Some(node) = core
            .wheel
            .poll(now)
            .or_else(|| core.wheel.poll_exact(now_ns, EXACT_LIMIT))
        {
            fired += 1;
            // Counted before any waker runs, so whoever a timer wakes sees
            // it in the metric.
            self.inner.fired.fetch_add(1, Relaxed);
            if let Some(waker) = node.fire(State::Fired) {
                if batch.push(waker) {
                    drop(core);
                    batch.wake_all();
                    core = self.inner.core.lock();
                }
            }
        }
        self.inner.elapsed_hint.store(core.wheel.elapsed(), Relaxed);
        drop(core);
        batch.wake_all();
        fired
    }

    /// Whether a timer for tick `when` may already be due, judged without
    /// the lock or the clock: `false` only when `when` is more than one tick
    /// past the wheel's last known time. A lagging hint only makes a due
    /// timer be filed, and the next driver turn fires it.
    pub(crate) fn may_be_due(&self, when: u64) -> bool {
        when <= self.inner.elapsed_hint.load(Relaxed).saturating_add(1)
    }

    /// Timers fired since the runtime started (a metric).
    pub(crate) fn fired(&self) -> u64 {
        self.inner.fired.load(Relaxed)
    }

    /// Number of timers filed in the wheel (a metric; takes the lock).
    pub(crate) fn num_timers(&self) -> usize {
        self.inner.core.lock().wheel.len()
    }

    /// The runtime is going down: fires every filed timer with [`Shutdown`]
    /// and makes later filings fail at once. Idempotent.
    pub(crate) fn shutdown(&self) {
        let mut batch = WakeBatch::new();
        let mut core = self.inner.core.lock();
        core.is_shutdown = true;
        while let Some(node) = core.wheel.pop_any() {
            if let Some(waker) = node.fire(State::Shutdown) {
                if batch.push(waker) {
                    drop(core);
                    batch.wake_all();
                    core = self.inner.core.lock();
                }
            }
        }
        drop(core);
        batch.wake_all();
    }

    /// Whether [`shutdown`](Handle::shutdown) has run.
    #[cfg(test)]
    pub(crate) fn is_shutdown(&self) -> bool {
        self.inner.core.lock().is_shutdown
    }

    /// The tick the wheel has advanced to.
    #[cfg(test)]
    pub(crate) fn elapsed_tick(&self) -> u64 {
        self.inner.core.lock().wheel.elapsed()
    }

    /// Files `node` for `deadline` (unlinking it first if it is filed), with
    /// `waker` to wake when it fires.
    fn file(&self, node: NodeRef, deadline: Deadline, waker: &std::task::Waker) -> Filing {
        let when = deadline.tick;
        let mut core = self.inner.core.lock();
        core.wheel.remove(node);
        node.set_at(deadline.at);
        if core.is_shutdown {
            node.set_state(State::Shutdown);
            return Filing::Shutdown;
        }
        if when <= core.wheel.elapsed() {
            node.set_state(State::Fired);
            return Filing::Fired;
        }
        // Not in the wheel and we hold its lock: no fire can race this, so
        // the registration always succeeds.
        let registered = node.register(waker);
        debug_assert!(registered, "no fire races a filing");
        node.set_state(State::Filed);
        core.wheel.insert(node, when);
        let unpark = core.lower_parked_until(when);
        drop(core);
        Filing::Filed { unpark }
    }

    /// Moves a filed `node` to the earlier tick `when`.
    fn move_earlier(&self, node: NodeRef, deadline: Deadline) -> Moved {
        let when = deadline.tick;
        let mut core = self.inner.core.lock();
        if node.location() == Location::Nowhere {
            return Moved::NotFiled;
        }
        core.wheel.remove(node);
        node.set_at(deadline.at);
        if when <= core.wheel.elapsed() {
            let waker = node.fire(State::Fired);
            drop(core);
            if let Some(waker) = waker {
                waker.wake();
            }
            return Moved::Fired;
        }
        core.wheel.insert(node, when);
        Moved::Refiled {
            unpark: core.lower_parked_until(when),
        }
    }

    /// Unlinks `node` if it is still filed (cancel lost no race: if fire got
    /// there first, the node is already unlinked and this does nothing).
    fn cancel(&self, node: NodeRef) {
        let mut core = self.inner.core.lock();
        core.wheel.remove(node);
    }
}

impl Core {
    /// The wheel's next deadline tick, recorded as what the driver waits for.
    fn record_next_expiration(&mut self) -> Option<u64> {
        let next = if self.is_shutdown {
            None
        } else {
            self.wheel.next_deadline()
        };
        self.parked_until = next.unwrap_or(u64::MAX);
        next
    }

    /// Records that the driver must now wake by `when`; returns whether that
    /// is earlier than it planned to (so it must be unparked).
    fn lower_parked_until(&mut self, when: u64) -> bool {
        if when < self.parked_until {
            self.parked_until = when;
            true
        } else {
            false
        }
    }
}
