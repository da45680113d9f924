//! [`Timeout`]: a future with a deadline, and [`timeout`] / [`timeout_at`] to
//! make one.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::error::Elapsed;
use super::sleep::current_runtime;
use super::{Instant, Sleep};
use crate::task::coop;

/// Runs `future` for at most `duration`: resolves to `Ok(output)` if it
/// completes first, or `Err(Elapsed)` once `duration` has passed (dropping
/// the future). magpie's answer to asyncio's `wait_for`.
///
/// The future is polled before the deadline is checked, so a future that is
/// ready at once always wins, even with a zero duration; and the timer is
/// only filed if the future has to wait.
///
/// # Panics
///
/// Outside a magpie runtime (like [`sleep`](super::sleep)).
///
/// ```
/// use magpie::time::{sleep, timeout, Duration};
///
/// magpie::Runtime::new().unwrap().block_on(async {
///     assert_eq!(timeout(Duration::from_secs(1), async { 7 }).await, Ok(7));
///     let slow = sleep(Duration::from_secs(3600));
///     assert!(timeout(Duration::from_millis(1), slow).await.is_err());
/// });
/// ```
#[track_caller]
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    let deadline = Instant::now()
        .checked_add(duration)
        .unwrap_or_else(Instant::far_future);
    timeout_at(deadline, future)
}

/// Runs `future` until `deadline`: like [`timeout`], with an instant.
///
/// # Panics
///
/// Outside a magpie runtime (like [`sleep`](super::sleep)).
///
/// ```
/// use magpie::time::{timeout_at, Duration, Instant};
///
/// magpie::Runtime::new().unwrap().block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(2);
///     let result = timeout_at(deadline, std::future::pending::<()>()).await;
///     assert!(result.is_err());
///     assert!(Instant::now() >= deadline);
/// });
/// ```
#[track_caller]
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        value: future.into_future(),
        delay: Sleep::new(current_runtime("magpie::time::timeout"), deadline),
    }
}

/// Future returned by [`timeout`] and [`timeout_at`].
///
/// ```
/// use magpie::time::{timeout, Duration};
///
/// magpie::Runtime::new().unwrap().block_on(async {
///     let guarded = timeout(Duration::from_secs(1), async { "done" });
///     assert_eq!(guarded.await.unwrap(), "done");
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Timeout<F> {
    /// Structurally pinned.
    value: F,
    /// Structurally pinned.
    delay: Sleep,
}

impl<F> Timeout<F> {
    /// The inner future.
    ///
    /// ```
    /// use magpie::time::{timeout, Duration};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let t = timeout(Duration::from_secs(1), std::future::ready(3));
    ///     let _inner: &std::future::Ready<i32> = t.get_ref();
    /// });
    /// ```
    pub fn get_ref(&self) -> &F {
        &self.value
    }

    /// The inner future, mutably.
    ///
    /// ```
    /// use magpie::time::{timeout, Duration};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let mut t = timeout(Duration::from_secs(1), std::future::ready(3));
    ///     let _inner: &mut std::future::Ready<i32> = t.get_mut();
    /// });
    /// ```
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.value
    }

    /// Takes the inner future back, dropping the deadline.
    ///
    /// ```
    /// use magpie::time::{timeout, Duration};
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let t = timeout(Duration::from_secs(1), std::future::ready(3));
    ///     assert_eq!(t.into_inner().await, 3);
    /// });
    /// ```
    pub fn into_inner(self) -> F {
        self.value
    }

    fn project(self: Pin<&mut Self>) -> (Pin<&mut F>, Pin<&mut Sleep>) {
        // SAFETY: both fields are structurally pinned. `Timeout` is always
        // `!Unpin` (its `Sleep` is), so once pinned, safe code can never get
        // the `&mut Timeout` that `get_mut` needs, nor move it for
        // `into_inner`; and `Timeout` has no `Drop` of its own.
        unsafe {
            let this = self.get_unchecked_mut();
            (
                Pin::new_unchecked(&mut this.value),
                Pin::new_unchecked(&mut this.delay),
            )
        }
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (value, delay) = self.project();
        let had_budget = coop::has_budget_remaining();
        if let Poll::Ready(output) = value.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        // If the inner future spent the last of the budget, still check the
        // deadline: otherwise a future that always uses up the budget would
        // never time out.
        let check = || delay.poll(cx).map(|()| Err(Elapsed::new()));
        if had_budget && !coop::has_budget_remaining() {
            coop::with_unconstrained(check)
        } else {
            check()
        }
    }
}

impl<F: fmt::Debug> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("value", &self.value)
            .field("deadline", &self.delay.deadline())
            .finish()
    }
}
