//! [`Sleep`]: a future that completes at a deadline, and [`sleep`] /
//! [`sleep_until`] to make one.
//!
//! A `Sleep` carries its timer entry inline (it is `!Unpin`; pin it with
//! `std::pin::pin!` or `Box::pin` to poll it by hand). It files itself in the
//! runtime's timer wheel on its first poll, not on creation, so a `Sleep`
//! that is never polled costs no lock at all. Dropping it cancels the timer.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use super::Instant;
use crate::runtime::driver::time::{Handle as TimeHandle, Shutdown, TimerEntry};

/// Waits until `duration` has elapsed.
///
/// Equivalent to `sleep_until(Instant::now() + duration)`. The sleep never
/// completes early; it completes within about one millisecond (the wheel's
/// resolution) plus scheduling delay after its deadline. A duration too large
/// to represent sleeps for about thirty years.
///
/// # Panics
///
/// Outside a magpie runtime (call it from a task, from `Runtime::block_on`,
/// or while a runtime handle is entered).
///
/// ```
/// use magpie::time::{sleep, Duration, Instant};
///
/// magpie::Runtime::new().unwrap().block_on(async {
///     let start = Instant::now();
///     sleep(Duration::from_millis(10)).await;
///     assert!(start.elapsed() >= Duration::from_millis(10));
/// });
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let deadline = Instant::now()
        .checked_add(duration)
        .unwrap_or_else(Instant::far_future);
    sleep_until(deadline)
}

/// Waits until `deadline` is reached.
///
/// # Panics
///
/// Outside a magpie runtime, like [`sleep`].
///
/// ```
/// use magpie::time::{sleep_until, Duration, Instant};
///
/// magpie::Runtime::new().unwrap().block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(5);
///     sleep_until(deadline).await;
///     assert!(Instant::now() >= deadline);
/// });
/// ```
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(current_runtime("magpie::time::sleep"), deadline)
}

/// The time driver of the runtime a timer made now belongs to, or a panic
/// that says what to do. (Only the time driver's handle is kept: one
/// reference count per timer.)
#[track_caller]
pub(crate) fn current_runtime(what: &str) -> TimeHandle {
    match crate::runtime::context::try_with_current(|h| h.driver().time.clone()) {
        Ok(handle) => handle,
        Err(_) => panic!(
            "`{what}` needs a magpie runtime, and there is none on this thread: \
             create timers inside a task spawned on a runtime, inside \
             `Runtime::block_on`, within `#[magpie::main]`, or after `Handle::enter()`"
        ),
    }
}

/// Future returned by [`sleep`] and [`sleep_until`]: completes at its
/// deadline.
///
/// # Panics
///
/// Polling a `Sleep` after its runtime has shut down panics (it can no
/// longer fire, and completing it early would break the "never early"
/// promise). Inside a runtime that is shutting down, tasks are dropped rather
/// than polled, so this only happens to a `Sleep` moved to another executor.
///
/// ```
/// use magpie::time::{sleep, Duration};
///
/// magpie::Runtime::new().unwrap().block_on(async {
///     let mut nap = std::pin::pin!(sleep(Duration::from_secs(3600)));
///     // Changed our mind: wake in a millisecond instead.
///     nap.as_mut().reset(magpie::time::Instant::now() + Duration::from_millis(1));
///     nap.await;
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    /// Structurally pinned (see `project`).
    entry: TimerEntry,
    deadline: Instant,
}

impl Sleep {
    pub(crate) fn new(time: TimeHandle, deadline: Instant) -> Sleep {
        let exact = time.clock().deadline(deadline.into_std());
        let entry = TimerEntry::with_handle(time, exact);
        Sleep { entry, deadline }
    }

    /// The instant this sleep completes at.
    ///
    /// ```
    /// use magpie::time::{sleep_until, Duration, Instant};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let at = Instant::now() + Duration::from_millis(3);
    ///     assert_eq!(sleep_until(at).deadline(), at);
    /// });
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed, by the runtime's clock (paused or
    /// not). A sleep that says `true` completes at its next poll; after
    /// [`reset`](Self::reset) to a later deadline it says `false` again.
    ///
    /// ```
    /// use magpie::time::{sleep, Duration};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let mut nap = std::pin::pin!(sleep(Duration::from_millis(1)));
    ///     assert!(!nap.is_elapsed());
    ///     nap.as_mut().await;
    ///     assert!(nap.is_elapsed());
    /// });
    /// ```
    pub fn is_elapsed(&self) -> bool {
        self.deadline.into_std() <= self.entry.handle().clock().now()
    }

    /// Moves the deadline (earlier or later), whether or not the sleep has
    /// completed; a completed sleep runs again until the new deadline.
    ///
    /// Moving it later takes no lock: the timer, if it fires at the old
    /// deadline, files itself again when next polled. Moving it earlier
    /// re-files it at once.
    ///
    /// ```
    /// use magpie::time::{sleep, Duration, Instant};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let mut nap = std::pin::pin!(sleep(Duration::from_millis(1)));
    ///     nap.as_mut().await;
    ///     let again = Instant::now() + Duration::from_millis(2);
    ///     nap.as_mut().reset(again);
    ///     nap.await;
    ///     assert!(Instant::now() >= again);
    /// });
    /// ```
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let (entry, stored) = self.project();
        *stored = deadline;
        let exact = entry.handle().clock().deadline(deadline.into_std());
        entry.reset_exact(exact, TimeHandle::unpark_driver);
    }

    fn project(self: Pin<&mut Self>) -> (Pin<&mut TimerEntry>, &mut Instant) {
        // SAFETY: `entry` is structurally pinned: it is never moved out of a
        // pinned `Sleep` nor handed out unpinned, and `Sleep` has no `Drop`
        // of its own. `deadline` is not pinned.
        unsafe {
            let this = self.get_unchecked_mut();
            (Pin::new_unchecked(&mut this.entry), &mut this.deadline)
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(crate::runtime::task::coop::poll_proceed(cx));
        let (entry, deadline) = self.project();
        let deadline = deadline.into_std();
        // The runtime's clock, not the system's: the two differ under loom
        // (and wherever the clock is not the wall clock).
        match entry.poll_elapsed(cx, TimeHandle::unpark_driver, |clock| {
            deadline <= clock.now()
        }) {
            Poll::Ready(Ok(())) => {
                coop.made_progress();
                Poll::Ready(())
            }
            Poll::Ready(Err(Shutdown)) => panic!(
                "a magpie timer was polled after its runtime shut down; timers only \
                 work while the runtime that created them is running"
            ),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}
