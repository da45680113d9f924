//! Time: sleeping, deadlines and periodic ticks.
//!
//! * [`sleep`] / [`sleep_until`] make a [`Sleep`] future that completes at a
//!   deadline (asyncio's `sleep`).
//! * [`timeout`] / [`timeout_at`] bound another future with a deadline
//!   (asyncio's `wait_for`), resolving to `Err(`[`Elapsed`](error::Elapsed)`)`
//!   when it passes.
//! * [`interval`] / [`interval_at`] make an [`Interval`] for periodic jobs,
//!   with a [`MissedTickBehavior`] for when the task falls behind.
//!
//! All of them are driven by the runtime's timer wheel (1 ms resolution): a
//! timer never completes before its deadline, and completes within about a
//! millisecond plus scheduling delay after it. They only work inside a magpie
//! runtime; made outside one, they panic with a message saying so.
//!
//! ```
//! use magpie::time::{interval, sleep, timeout, Duration};
//!
//! magpie::Runtime::new().unwrap().block_on(async {
//!     sleep(Duration::from_millis(1)).await;
//!
//!     let answer = timeout(Duration::from_secs(1), async { 42 }).await;
//!     assert_eq!(answer, Ok(42));
//!
//!     let mut every = interval(Duration::from_millis(1));
//!     for _ in 0..3 {
//!         every.tick().await;
//!     }
//! });
//! ```

pub mod error;
mod instant;
mod interval;
#[cfg(loom)]
pub(crate) mod loom_api;
mod pause;
mod send_timeout;
mod sleep;
mod timeout;

pub use instant::Instant;
pub use interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use pause::{advance, pause, resume};
pub use sleep::{sleep, sleep_until, Sleep};
pub use std::time::Duration;
pub use timeout::{timeout, timeout_at, Timeout};
