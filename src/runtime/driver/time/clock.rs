//! The runtime's one source of time, and the conversion between instants and
//! wheel ticks.
//!
//! A tick is one millisecond since the clock's `start`. Deadlines round **up**
//! to a tick and the present rounds **down**, so "the wheel has reached tick
//! `t`" always means `now >= deadline`: the wheel can fire late by up to one
//! tick but never early.
//!
//! The clock is a field of the time [`Handle`](super::Handle), never a global:
//! each runtime's clock can be paused and advanced on its own (tests, and
//! deterministic runs) without touching the wheel. The wheel itself only ever sees ticks, which is
//! also how its unit tests and loom models drive time by hand.
//!
//! Under loom the clock does not read the system time at all: it stands at
//! its start until a model moves it with `advance` (loom needs every
//! execution to be a function of its schedule alone).

use std::time::{Duration, Instant};

#[cfg(not(loom))]
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
#[cfg(not(loom))]
use crate::loom::sync::Mutex;

/// Nanoseconds in one tick.
const NANOS_PER_TICK: u32 = 1_000_000;
/// Ticks in one second.
const TICKS_PER_SEC: u64 = 1_000;

/// How many clocks in the process are virtual (paused now, or paused once
/// and resumed): while none is, `time::Instant::now()` reads the system
/// clock without asking the runtime.
#[cfg(not(loom))]
static VIRTUAL_CLOCKS: AtomicUsize = AtomicUsize::new(0);

/// Whether any runtime's clock in the process is virtual.
#[cfg(not(loom))]
pub(crate) fn any_virtual() -> bool {
    VIRTUAL_CLOCKS.load(Ordering::Acquire) > 0
}

#[cfg(loom)]
pub(crate) fn any_virtual() -> bool {
    false
}

/// A monotonic clock measured in 1 ms ticks from the moment it was created.
///
/// Real by default. [`pause`](Clock::pause) freezes it (it then moves only
/// by [`advance`](Clock::advance)); [`resume`](Clock::resume) lets it run
/// again at the real rate from where it stood: tokio's `time::pause`
/// semantics. Once paused, `now` reads the virtual state under a lock (a
/// test-only cost); a clock never paused reads `Instant::now()` after one
/// relaxed load.
#[derive(Debug)]
pub(crate) struct Clock {
    start: Instant,
    /// Under loom: nanoseconds the model has advanced the clock by.
    #[cfg(loom)]
    advanced: crate::loom::sync::atomic::AtomicU64,
    /// Set once the clock is first paused: `now` reads `virt` from then on.
    #[cfg(not(loom))]
    is_virtual: AtomicBool,
    #[cfg(not(loom))]
    virt: Mutex<Virtual>,
}

/// The clock once virtual: it reads `base` plus, when running, the real
/// time since `running_since`.
#[cfg(not(loom))]
#[derive(Debug)]
struct Virtual {
    base: Instant,
    /// `None` while paused.
    running_since: Option<Instant>,
}

/// Why a clock operation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(loom, allow(dead_code))]
pub(crate) enum ClockError {
    AlreadyPaused,
    NotPaused,
}

impl Clock {
    /// A clock whose tick 0 is now.
    pub(crate) fn new() -> Clock {
        let start = Instant::now();
        Clock {
            start,
            #[cfg(loom)]
            advanced: Default::default(),
            #[cfg(not(loom))]
            is_virtual: AtomicBool::new(false),
            #[cfg(not(loom))]
            virt: Mutex::new(Virtual {
                base: start,
                running_since: Some(start),
            }),
        }
    }

    /// The current time.
    #[inline]
    pub(crate) fn now(&self) -> Instant {
        #[cfg(not(loom))]
        {
            if !self.is_virtual.load(Ordering::Acquire) {
                return Instant::now();
            }
            let virt = self.virt.lock();
            virt.base + virt.running_since.map_or(Duration::ZERO, |t| t.elapsed())
        }
        #[cfg(loom)]
        return self.nanos_instant(
            self.advanced
                .load(crate::loom::sync::atomic::Ordering::SeqCst),
        );
    }

    /// Whether the clock stands still (paused): only `advance` and
    /// auto-advance move it.
    #[cfg(not(loom))]
    pub(crate) fn is_paused(&self) -> bool {
        self.is_virtual.load(Ordering::Acquire) && self.virt.lock().running_since.is_none()
    }

    #[cfg(loom)]
    pub(crate) fn is_paused(&self) -> bool {
        false
    }

    /// Freezes the clock at the current time.
    #[cfg(not(loom))]
    pub(crate) fn pause(&self) -> Result<(), ClockError> {
        let mut virt = self.virt.lock();
        let Some(since) = virt.running_since else {
            return Err(ClockError::AlreadyPaused);
        };
        let now = if self.is_virtual.load(Ordering::Acquire) {
            virt.base + since.elapsed()
        } else {
            Instant::now()
        };
        virt.base = now;
        virt.running_since = None;
        if !self.is_virtual.swap(true, Ordering::AcqRel) {
            VIRTUAL_CLOCKS.fetch_add(1, Ordering::AcqRel);
        }
        Ok(())
    }

    /// Pauses a new clock at its very start (tick 0 exactly), so that the
    /// virtual time of everything after is a function of the program alone
    /// (`Builder::start_paused`, deterministic runs).
    #[cfg(not(loom))]
    pub(crate) fn pause_at_start(&self) {
        let mut virt = self.virt.lock();
        virt.base = self.start;
        virt.running_since = None;
        if !self.is_virtual.swap(true, Ordering::AcqRel) {
            VIRTUAL_CLOCKS.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Lets a paused clock run again, at the real rate, from where it stands.
    #[cfg(not(loom))]
    pub(crate) fn resume(&self) -> Result<(), ClockError> {
        let mut virt = self.virt.lock();
        if virt.running_since.is_some() {
            return Err(ClockError::NotPaused);
        }
        virt.running_since = Some(Instant::now());
        Ok(())
    }

    /// Moves a paused clock forward by `by`.
    #[cfg(not(loom))]
    pub(crate) fn advance(&self, by: Duration) -> Result<(), ClockError> {
        let mut virt = self.virt.lock();
        if virt.running_since.is_some() {
            return Err(ClockError::NotPaused);
        }
        virt.base = virt
            .base
            .checked_add(by)
            .unwrap_or_else(|| far_future(self.start));
        Ok(())
    }

    /// Moves a paused clock forward to `to`, if that is later (auto-advance
    /// to the next timer). False if the clock is not paused.
    #[cfg(not(loom))]
    pub(crate) fn advance_to(&self, to: Instant) -> bool {
        let mut virt = self.virt.lock();
        if virt.running_since.is_some() {
            return false;
        }
        virt.base = virt.base.max(to);
        true
    }

    /// Moves the model clock forward by `by` (loom: time does not pass by
    /// itself there; the model clock is always "paused" in that sense, but
    /// never auto-advances, so `is_paused` says no).
    #[cfg(loom)]
    pub(crate) fn advance(&self, by: Duration) -> Result<(), ClockError> {
        self.advanced.fetch_add(
            saturating_nanos(by),
            crate::loom::sync::atomic::Ordering::SeqCst,
        );
        Ok(())
    }

    /// Under loom the clock already stands still until a model moves it:
    /// pausing and resuming change nothing there.
    #[cfg(loom)]
    pub(crate) fn pause(&self) -> Result<(), ClockError> {
        Ok(())
    }

    /// See [`pause`](Clock::pause) (loom).
    #[cfg(loom)]
    pub(crate) fn resume(&self) -> Result<(), ClockError> {
        Ok(())
    }

    /// See [`pause`](Clock::pause) (loom).
    #[cfg(loom)]
    pub(crate) fn pause_at_start(&self) {}

    /// Under loom only a model moves the clock: auto-advance never runs
    /// (`is_paused` is false), so this is never asked to.
    #[cfg(loom)]
    pub(crate) fn advance_to(&self, _to: Instant) -> bool {
        false
    }

    /// The last tick that has completely passed (rounds down).
    #[cfg(test)]
    pub(crate) fn now_tick(&self) -> u64 {
        self.tick_floor(self.now())
    }

    /// The first tick at or after `deadline` (rounds up), so that reaching it
    /// means the deadline has passed. ([`deadline`](Clock::deadline) computes
    /// the same tick along with the exact offset.)
    #[cfg(test)]
    pub(crate) fn deadline_tick(&self, deadline: Instant) -> u64 {
        self.deadline(deadline).tick
    }

    /// `deadline` as a timer deadline: its tick (the first tick at or after
    /// it: reaching it means the deadline has passed) and its exact offset.
    #[inline]
    pub(crate) fn deadline(&self, deadline: Instant) -> Deadline {
        let since = deadline.saturating_duration_since(self.start);
        let subsec = since.subsec_nanos();
        Deadline {
            tick: whole_ticks(since).saturating_add(u64::from(subsec.div_ceil(NANOS_PER_TICK))),
            at: saturating_nanos(since),
        }
    }

    /// Nanoseconds from the clock's start to `instant` (0 before it).
    #[inline]
    pub(crate) fn nanos(&self, instant: Instant) -> u64 {
        saturating_nanos(instant.saturating_duration_since(self.start))
    }

    /// The instant `nanos` after the clock's start.
    pub(crate) fn nanos_instant(&self, nanos: u64) -> Instant {
        self.start
            .checked_add(Duration::from_nanos(nanos))
            .unwrap_or_else(|| far_future(self.start))
    }

    /// The tick `instant` falls in (rounds down).
    #[inline]
    pub(crate) fn tick_floor(&self, instant: Instant) -> u64 {
        let since = instant.saturating_duration_since(self.start);
        whole_ticks(since).saturating_add(u64::from(since.subsec_nanos() / NANOS_PER_TICK))
    }

    /// The instant at which `tick` begins (saturating far in the future).
    pub(crate) fn tick_instant(&self, tick: u64) -> Instant {
        self.start
            .checked_add(Duration::from_millis(tick))
            .unwrap_or_else(|| far_future(self.start))
    }
}

/// A timer's deadline: the tick the wheel files it under (its exact
/// instant rounded up to a tick) and that exact instant, in nanoseconds
/// since the clock's start. `tick == ceil(at / 1 ms)`, except that `at`
/// saturates about 584 years out while `tick` goes on: so deadlines are
/// ordered by `(tick, at)` (the derived order, `tick` first), never by `at`
/// alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Deadline {
    pub(crate) tick: u64,
    pub(crate) at: u64,
}

impl Deadline {
    /// A deadline exactly at the start of `tick` (timers that only know
    /// ticks: unit tests and loom models).
    pub(crate) fn at_tick(tick: u64) -> Deadline {
        Deadline {
            tick,
            at: tick.saturating_mul(u64::from(NANOS_PER_TICK)),
        }
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::new()
    }
}

#[cfg(not(loom))]
impl Drop for Clock {
    fn drop(&mut self) {
        if *self.is_virtual.get_mut() {
            VIRTUAL_CLOCKS.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// An instant about thirty years after `from`: "never" for a timer, while
/// still representable on every platform.
pub(crate) fn far_future(from: Instant) -> Instant {
    const THIRTY_YEARS: Duration = Duration::from_secs(86_400 * 365 * 30);
    from.checked_add(THIRTY_YEARS)
        .unwrap_or(from + Duration::from_secs(86_400))
}

/// The ticks in the whole seconds of `since` (all in u64: a u128 division
/// would cost more than the rest of filing a timer).
/// `since` in nanoseconds, saturating at `u64::MAX` (about 584 years).
fn saturating_nanos(since: Duration) -> u64 {
    since
        .as_secs()
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::from(since.subsec_nanos()))
}

fn whole_ticks(since: Duration) -> u64 {
    since.as_secs().saturating_mul(TICKS_PER_SEC)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn deadlines_round_up_and_the_present_rounds_down() {
        let clock = Clock::new();
        let at = |nanos| clock.start + Duration::from_nanos(nanos);
        assert_eq!(clock.deadline_tick(at(0)), 0);
        assert_eq!(clock.deadline_tick(at(1)), 1);
        assert_eq!(clock.deadline_tick(at(1_000_000)), 1);
        assert_eq!(clock.deadline_tick(at(1_000_001)), 2);
        assert_eq!(clock.tick_floor(at(999_999)), 0);
        assert_eq!(clock.tick_floor(at(1_000_000)), 1);
        assert_eq!(clock.tick_instant(3), at(3_000_000));
        assert_eq!(clock.deadline_tick(at(2_000_000_001)), 2_001);
        assert_eq!(clock.tick_floor(at(2_999_999_999)), 2_999);
    }

    #[test]
    fn an_exact_deadline_rounds_up_to_its_tick() {
        let clock = Clock::new();
        for nanos in [0, 1, 999_999, 1_000_000, 1_000_001, 7_654_321] {
            let d = clock.deadline(clock.start + Duration::from_nanos(nanos));
            assert_eq!(d.at, nanos);
            assert_eq!(d.tick, nanos.div_ceil(1_000_000));
            assert_eq!(
                clock.nanos_instant(d.at),
                clock.start + Duration::from_nanos(nanos)
            );
        }
        assert_eq!(Deadline::at_tick(3).at, 3_000_000);
        // Six and seven centuries out `at` saturates; the order still holds.
        let far =
            |years: u64| clock.deadline(clock.start + Duration::from_secs(years * 31_557_600));
        assert_eq!(far(600).at, far(700).at);
        assert!(far(600) < far(700));
    }

    #[test]
    fn reaching_a_deadline_tick_means_the_deadline_has_passed() {
        let clock = Clock::new();
        for nanos in [1, 999_999, 1_000_000, 1_500_000, 7_000_001] {
            let deadline = clock.start + Duration::from_nanos(nanos);
            let tick = clock.deadline_tick(deadline);
            assert!(clock.tick_instant(tick) >= deadline);
        }
    }

    #[test]
    fn instants_before_the_start_are_tick_zero() {
        let clock = Clock::new();
        let before = clock.start.checked_sub(Duration::from_secs(1));
        if let Some(before) = before {
            assert_eq!(clock.deadline_tick(before), 0);
            assert_eq!(clock.tick_floor(before), 0);
        }
    }
}
