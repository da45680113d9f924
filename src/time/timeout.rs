//! [`Timeout`]: a future with a deadline, and [`timeout`] / [`timeout_at`] to
//! make one.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::error::Elapsed;
use super::sleep::current_runtime;
use super::{Instant, Sleep};
use crate::runtime::task::coop;

/// Runs `future` for at most `duration`: resolves to `Ok(output)` if it
/// completes first, or `Err(Elapsed)` once `duration` has passed (dropping
/// the future). magpie's answer to asyncio's `wait_for`.
///
/// The future is polled before the deadline is checked, so a future that is
/// ready at once always wins, even with a zero duration. Like every future,
/// a `Timeout` does nothing until polled: the clock is read and the timer
/// made only when the future first has to wait, and `duration` counts from
/// that poll. A future that is ready at once therefore costs no clock read
/// and no timer at all. (Use [`timeout_at`] for a deadline fixed in
/// advance.)
///
/// # Panics
///
/// When polled outside a magpie runtime (like [`sleep`](super::sleep)) and
/// the future has to wait.
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
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        value: future.into_future(),
        limit: Limit::After(duration),
        delay: Delay(ManuallyDrop::new(None)),
    }
}

/// Runs `future` until `deadline`: like [`timeout`], with an instant.
///
/// # Panics
///
/// When polled outside a magpie runtime and the future has to wait (like
/// [`timeout`]).
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
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        value: future.into_future(),
        limit: Limit::At(deadline),
        delay: Delay(ManuallyDrop::new(None)),
    }
}

/// A `Timeout`'s limit, before its timer exists.
#[derive(Debug, Clone, Copy)]
enum Limit {
    /// This long after the first poll that has to wait.
    After(Duration),
    /// At this instant.
    At(Instant),
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
    limit: Limit,
    /// Made when the future first has to wait. Structurally pinned.
    delay: Delay,
}

/// The `Sleep` a `Timeout` makes when its future first has to wait.
///
/// Its own `Drop` is a branch the compiler inlines into the caller: dropping
/// a `Timeout` whose future was ready at once (the common case) then costs
/// no call into the timer's drop glue.
struct Delay(ManuallyDrop<Option<Sleep>>);

impl Drop for Delay {
    #[inline]
    fn drop(&mut self) {
        if self.0.is_some() {
            drop_sleep(&mut self.0);
        }
    }
}

#[cold]
#[inline(never)]
fn drop_sleep(sleep: &mut ManuallyDrop<Option<Sleep>>) {
    // SAFETY: called once, from `Delay::drop`, and the value is never used
    // again; it is dropped in place, as its pinning requires.
    unsafe { ManuallyDrop::drop(sleep) }
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

    #[allow(clippy::type_complexity)]
    fn project(self: Pin<&mut Self>) -> (Pin<&mut F>, Limit, Pin<&mut Option<Sleep>>) {
        // SAFETY: `value` and the `Option<Sleep>` inside `delay` are
        // structurally pinned (`limit` is plain data). `Timeout` is always
        // `!Unpin` (`Sleep` is, and `ManuallyDrop` keeps that), so once
        // pinned, safe code can never get the `&mut Timeout` that `get_mut`
        // needs, nor move it for `into_inner`; `Timeout` has no `Drop` of its
        // own, and `Delay`'s drops the `Sleep` in place; and the `Sleep` is
        // only ever created in place (`Pin::set` on a `None`), never moved.
        unsafe {
            let this = self.get_unchecked_mut();
            (
                Pin::new_unchecked(&mut this.value),
                this.limit,
                Pin::new_unchecked(&mut *this.delay.0),
            )
        }
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (value, limit, mut delay) = self.project();
        let had_budget = coop::has_budget_remaining();
        if let Poll::Ready(output) = value.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if delay.is_none() {
            let deadline = match limit {
                Limit::At(deadline) => deadline,
                Limit::After(duration) => Instant::now()
                    .checked_add(duration)
                    .unwrap_or_else(Instant::far_future),
            };
            let time = current_runtime("magpie::time::timeout");
            delay.set(Some(Sleep::new(time, deadline)));
        }
        let delay = delay.as_pin_mut().expect("the timer was made just above");
        // If the inner future spent the last of the budget, still check the
        // deadline: otherwise a future that always uses up the budget would
        // never time out. (If the budget was gone before, the inner future
        // may be pending only for that: leave the deadline alone too, so a
        // ready future still wins when the task next runs.)
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
        let mut f = f.debug_struct("Timeout");
        f.field("value", &self.value);
        match (&*self.delay.0, self.limit) {
            (Some(delay), _) => f.field("deadline", &delay.deadline()),
            (None, Limit::At(deadline)) => f.field("deadline", &deadline),
            (None, Limit::After(duration)) => f.field("duration", &duration),
        };
        f.finish()
    }
}
