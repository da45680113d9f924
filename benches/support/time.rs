//! Timers per runtime, for the time benches: each runtime's own sleep and
//! timeout, returned as they are (no wrapper), so a workload is written once
//! and still measures each runtime's native timer.
//!
//! The functions are called inside the runtime (from `block_on` or a task
//! it spawned), where magpie and tokio find their timer driver.

use super::{Bench, Magpie, Smol, Tokio};
use futures_lite::FutureExt;
use std::future::Future;
use std::time::Duration;

/// A runtime whose timers the time benches drive.
pub trait TimeBench: Bench {
    /// A timer that fires after `duration`; its first poll registers it,
    /// dropping it cancels it.
    fn sleep(duration: Duration) -> impl Future + Send + 'static;

    /// `future`'s output, or an error if `limit` passes first.
    fn timeout<F: Future>(
        limit: Duration,
        future: F,
    ) -> impl Future<Output = Result<F::Output, impl Sized>>;
}

impl TimeBench for Magpie {
    fn sleep(duration: Duration) -> impl Future + Send + 'static {
        magpie::time::sleep(duration)
    }

    fn timeout<F: Future>(
        limit: Duration,
        future: F,
    ) -> impl Future<Output = Result<F::Output, impl Sized>> {
        magpie::time::timeout(limit, future)
    }
}

impl TimeBench for Tokio {
    fn sleep(duration: Duration) -> impl Future + Send + 'static {
        tokio::time::sleep(duration)
    }

    fn timeout<F: Future>(
        limit: Duration,
        future: F,
    ) -> impl Future<Output = Result<F::Output, impl Sized>> {
        tokio::time::timeout(limit, future)
    }
}

impl TimeBench for Smol {
    fn sleep(duration: Duration) -> impl Future + Send + 'static {
        async_io::Timer::after(duration)
    }

    /// `async-io` has no `timeout`; smol's idiom is racing the future
    /// against a timer, which is never built if the future is ready.
    fn timeout<F: Future>(
        limit: Duration,
        future: F,
    ) -> impl Future<Output = Result<F::Output, impl Sized>> {
        let expired = async move {
            async_io::Timer::after(limit).await;
            Err(())
        };
        async move { Ok(future.await) }.or(expired)
    }
}
