//! [`Instant`]: a point on the runtime's monotonic clock.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

/// A measurement of a monotonically non-decreasing clock, the one magpie's
/// timers are measured against.
///
/// It is a thin wrapper around [`std::time::Instant`] (convert with
/// [`from_std`](Instant::from_std) / [`into_std`](Instant::into_std)).
/// [`Instant::now`] reads the current runtime's clock, which differs from
/// the system's once it was paused ([`pause`](super::pause)).
/// Unlike the standard type, subtracting a later instant saturates to zero
/// instead of panicking.
///
/// ```
/// use magpie::time::{Duration, Instant};
///
/// let start = Instant::now();
/// let later = start + Duration::from_millis(5);
/// assert_eq!(later - start, Duration::from_millis(5));
/// assert_eq!(start - later, Duration::ZERO);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: std::time::Instant,
}

impl Instant {
    /// The current time.
    ///
    /// ```
    /// use magpie::time::Instant;
    ///
    /// let a = Instant::now();
    /// let b = Instant::now();
    /// assert!(b >= a);
    /// ```
    pub fn now() -> Instant {
        // A runtime whose clock is paused (or was) answers for its threads;
        // while no clock in the process is, this is one relaxed load.
        if crate::runtime::driver::time::any_virtual() {
            if let Ok(now) =
                crate::runtime::context::try_with_current(|h| h.driver().time.clock().now())
            {
                return Instant::from_std(now);
            }
        }
        Instant::from_std(std::time::Instant::now())
    }

    /// Wraps a [`std::time::Instant`].
    ///
    /// ```
    /// use magpie::time::Instant;
    ///
    /// let std_now = std::time::Instant::now();
    /// assert_eq!(Instant::from_std(std_now).into_std(), std_now);
    /// ```
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    /// The wrapped [`std::time::Instant`].
    ///
    /// ```
    /// use magpie::time::Instant;
    ///
    /// let now = Instant::now();
    /// let std_now: std::time::Instant = now.into_std();
    /// assert_eq!(Instant::from(std_now), now);
    /// ```
    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// Time elapsed from `earlier` to `self`, or zero if `earlier` is later.
    ///
    /// ```
    /// use magpie::time::{Duration, Instant};
    ///
    /// let a = Instant::now();
    /// let b = a + Duration::from_secs(1);
    /// assert_eq!(b.duration_since(a), Duration::from_secs(1));
    /// assert_eq!(a.duration_since(b), Duration::ZERO);
    /// ```
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time elapsed from `earlier` to `self`, or `None` if `earlier` is
    /// later.
    ///
    /// ```
    /// use magpie::time::{Duration, Instant};
    ///
    /// let a = Instant::now();
    /// let b = a + Duration::from_secs(1);
    /// assert_eq!(b.checked_duration_since(a), Some(Duration::from_secs(1)));
    /// assert_eq!(a.checked_duration_since(b), None);
    /// ```
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// Time elapsed from `earlier` to `self`, or zero if `earlier` is later
    /// (the same as [`duration_since`](Instant::duration_since)).
    ///
    /// ```
    /// use magpie::time::{Duration, Instant};
    ///
    /// let a = Instant::now();
    /// assert_eq!(a.saturating_duration_since(a + Duration::from_secs(1)), Duration::ZERO);
    /// ```
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time elapsed since this instant.
    ///
    /// ```
    /// use magpie::time::Instant;
    ///
    /// let start = Instant::now();
    /// let _spent = start.elapsed();
    /// ```
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// `self + duration`, or `None` on overflow.
    ///
    /// ```
    /// use magpie::time::{Duration, Instant};
    ///
    /// let now = Instant::now();
    /// assert!(now.checked_add(Duration::from_secs(1)).is_some());
    /// assert!(now.checked_add(Duration::MAX).is_none());
    /// ```
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    /// `self - duration`, or `None` if that is not representable.
    ///
    /// ```
    /// use magpie::time::{Duration, Instant};
    ///
    /// let now = Instant::now();
    /// assert!(now.checked_sub(Duration::MAX).is_none());
    /// ```
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }

    /// An instant about thirty years from now: "never", for a timer.
    pub(crate) fn far_future() -> Instant {
        Instant::from_std(crate::runtime::driver::time::far_future(
            std::time::Instant::now(),
        ))
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant::from_std(std)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(instant: Instant) -> std::time::Instant {
        instant.into_std()
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    fn add(self, rhs: Duration) -> Instant {
        Instant::from_std(self.std + rhs)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    fn sub(self, rhs: Duration) -> Instant {
        Instant::from_std(self.std - rhs)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, rhs: Duration) {
        *self = *self - rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    fn sub(self, rhs: Instant) -> Duration {
        self.duration_since(rhs)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}
