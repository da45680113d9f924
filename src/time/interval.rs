//! [`Interval`]: ticks at a fixed period, for periodic jobs.

use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use super::sleep::current_runtime;
use super::{Instant, Sleep};

/// A tick this much later than scheduled counts as missed, and
/// [`MissedTickBehavior`] decides when the next one is due.
const MISSED_AFTER: Duration = Duration::from_millis(5);

/// An [`Interval`] whose first tick completes at once and then every
/// `period`.
///
/// # Panics
///
/// If `period` is zero, or outside a magpie runtime.
///
/// ```
/// use magpie::time::{interval, Duration, Instant};
///
/// magpie::Runtime::new().unwrap().block_on(async {
///     let mut every = interval(Duration::from_millis(2));
///     let first = every.tick().await; // at once
///     let second = every.tick().await;
///     assert_eq!(second - first, Duration::from_millis(2));
///     assert!(Instant::now() >= second);
/// });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// An [`Interval`] whose first tick completes at `start` and then every
/// `period`.
///
/// # Panics
///
/// If `period` is zero, or outside a magpie runtime.
///
/// ```
/// use magpie::time::{interval_at, Duration, Instant};
///
/// magpie::Runtime::new().unwrap().block_on(async {
///     let start = Instant::now() + Duration::from_millis(3);
///     let mut every = interval_at(start, Duration::from_millis(10));
///     assert_eq!(every.tick().await, start);
/// });
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(period > Duration::ZERO, "`period` must be non-zero");
    Interval {
        delay: Box::pin(Sleep::new(current_runtime("magpie::time::interval"), start)),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// What an [`Interval`] does when ticks were missed (the task was busy past
/// one or more tick times).
///
/// With a 10 ms period starting at 0 and the task busy until 35 ms:
///
/// | behavior | ticks after the busy spell (ms) |
/// |---|---|
/// | `Burst` | 10, 20, 30 at once, then 40, 50, … |
/// | `Delay` | 10 at once, then 45, 55, … |
/// | `Skip`  | 10 at once, then 40, 50, … |
///
/// ```
/// use magpie::time::{interval, Duration, MissedTickBehavior};
///
/// magpie::Runtime::new().unwrap().block_on(async {
///     let mut every = interval(Duration::from_millis(10));
///     every.set_missed_tick_behavior(MissedTickBehavior::Skip);
///     assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Skip);
/// });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks as fast as possible, then keep the original
    /// schedule (the default).
    #[default]
    Burst,
    /// Restart the schedule a full period after the late tick.
    Delay,
    /// Drop the missed ticks and go on with the next one on the original
    /// schedule.
    Skip,
}

impl MissedTickBehavior {
    /// When the tick after a late one (scheduled for `scheduled`, taken at
    /// `now`) is due.
    fn next_deadline(self, scheduled: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => after(scheduled, period),
            MissedTickBehavior::Delay => after(now, period),
            MissedTickBehavior::Skip => {
                let late = (now - scheduled).as_nanos() % period.as_nanos();
                let late = Duration::from_nanos(u64::try_from(late).unwrap_or(u64::MAX));
                after(now, period - late)
            }
        }
    }
}

/// `instant + period`, or "never" (about thirty years away) on overflow.
fn after(instant: Instant, period: Duration) -> Instant {
    instant
        .checked_add(period)
        .unwrap_or_else(Instant::far_future)
}

/// Ticks at a fixed period; returned by [`interval`] and [`interval_at`].
///
/// Each [`tick`](Interval::tick) resolves to the instant that tick was
/// scheduled for. It also implements [`futures_core::Stream`], yielding the
/// same instants.
///
/// ```
/// use magpie::time::{interval, Duration};
///
/// magpie::Runtime::new().unwrap().block_on(async {
///     let mut every = interval(Duration::from_millis(1));
///     for _ in 0..3 {
///         every.tick().await; // a periodic job would run here
///     }
/// });
/// ```
pub struct Interval {
    /// Boxed once per interval, so `Interval` is `Unpin`.
    delay: Pin<Box<Sleep>>,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was scheduled
    /// for. Cancel-safe: dropping the future loses no tick.
    ///
    /// ```
    /// use magpie::time::{interval, Duration, Instant};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let mut every = interval(Duration::from_millis(1));
    ///     let at: Instant = every.tick().await;
    ///     assert!(Instant::now() >= at);
    /// });
    /// ```
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick: `Ready(scheduled instant)` once it is due;
    /// otherwise `Pending`, and the task of `cx` is woken when it is.
    ///
    /// ```
    /// use magpie::time::{interval, Duration};
    /// use std::future::poll_fn;
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let mut every = interval(Duration::from_millis(1));
    ///     let first = poll_fn(|cx| every.poll_tick(cx)).await;
    ///     let second = poll_fn(|cx| every.poll_tick(cx)).await;
    ///     assert!(second > first);
    /// });
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(self.delay.as_mut().poll(cx));
        let scheduled = self.delay.deadline();
        let now = Instant::now();
        let next = if now > scheduled + MISSED_AFTER {
            self.missed_tick_behavior
                .next_deadline(scheduled, now, self.period)
        } else {
            after(scheduled, self.period)
        };
        self.delay.as_mut().reset(next);
        Poll::Ready(scheduled)
    }

    /// Restarts the schedule: the next tick is due one period from now.
    ///
    /// ```
    /// use magpie::time::{interval, Duration, Instant};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let mut every = interval(Duration::from_millis(2));
    ///     every.tick().await;
    ///     let before = Instant::now();
    ///     every.reset();
    ///     assert!(every.tick().await >= before + Duration::from_millis(2));
    /// });
    /// ```
    pub fn reset(&mut self) {
        self.delay
            .as_mut()
            .reset(after(Instant::now(), self.period));
    }

    /// Restarts the schedule with the next tick due at once; later ticks
    /// follow one period apart from now.
    ///
    /// ```
    /// use magpie::time::{interval, Duration, Instant};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let mut every = interval(Duration::from_secs(3600));
    ///     every.tick().await;
    ///     every.reset_immediately();
    ///     let before = Instant::now();
    ///     assert!(every.tick().await <= before, "no hour's wait");
    /// });
    /// ```
    pub fn reset_immediately(&mut self) {
        self.delay.as_mut().reset(Instant::now());
    }

    /// Restarts the schedule with the next tick due `delay` from now;
    /// later ticks follow one period apart from it.
    ///
    /// ```
    /// use magpie::time::{interval, Duration, Instant};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let mut every = interval(Duration::from_secs(3600));
    ///     let before = Instant::now();
    ///     every.reset_after(Duration::from_millis(2));
    ///     let at = every.tick().await;
    ///     assert!(at >= before + Duration::from_millis(2));
    ///     assert!(at < before + Duration::from_secs(3600));
    /// });
    /// ```
    pub fn reset_after(&mut self, delay: Duration) {
        self.delay.as_mut().reset(after(Instant::now(), delay));
    }

    /// Restarts the schedule with the next tick due at `deadline`; later
    /// ticks follow one period apart from it. A deadline in the past makes
    /// the next tick due at once.
    ///
    /// ```
    /// use magpie::time::{interval, Duration, Instant};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let mut every = interval(Duration::from_secs(3600));
    ///     let at = Instant::now() + Duration::from_millis(1);
    ///     every.reset_at(at);
    ///     assert_eq!(every.tick().await, at);
    /// });
    /// ```
    pub fn reset_at(&mut self, deadline: Instant) {
        self.delay.as_mut().reset(deadline);
    }

    /// The period between ticks.
    ///
    /// ```
    /// use magpie::time::{interval, Duration};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     assert_eq!(interval(Duration::from_secs(1)).period(), Duration::from_secs(1));
    /// });
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// What happens when ticks are missed.
    ///
    /// ```
    /// use magpie::time::{interval, Duration, MissedTickBehavior};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let every = interval(Duration::from_secs(1));
    ///     assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Burst);
    /// });
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets what happens when ticks are missed.
    ///
    /// ```
    /// use magpie::time::{interval, Duration, MissedTickBehavior};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let mut every = interval(Duration::from_secs(1));
    ///     every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ///     assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Delay);
    /// });
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }
}

impl futures_core::Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }
}

impl fmt::Debug for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interval")
            .field("next", &self.delay.deadline())
            .field("period", &self.period)
            .field("missed_tick_behavior", &self.missed_tick_behavior)
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn missed_ticks_are_rescheduled_per_behavior() {
        let start = Instant::now();
        let ms = Duration::from_millis;
        let scheduled = start + ms(10);
        let now = start + ms(35);
        let period = ms(10);
        assert_eq!(
            MissedTickBehavior::Burst.next_deadline(scheduled, now, period),
            start + ms(20)
        );
        assert_eq!(
            MissedTickBehavior::Delay.next_deadline(scheduled, now, period),
            start + ms(45)
        );
        assert_eq!(
            MissedTickBehavior::Skip.next_deadline(scheduled, now, period),
            start + ms(40)
        );
    }
}
