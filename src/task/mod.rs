//! Tasks: spawning, joining, aborting and yielding.
//!
//! A task is a future handed to the runtime with [`spawn`]. It lives in
//! one heap cell (see the layout in `raw.rs`) shared by its
//! [`JoinHandle`], its wakers and the scheduler's queues, and goes through
//! this life:
//!
//! ```text
//!   spawn ──► queued ──poll──► running ──Pending──► idle ──wake──► queued
//!                 ▲              │  │                 │
//!                 └──wake while──┘  │ Ready/panic     │ abort / shutdown
//!                    running        ▼                 ▼
//!                               complete ◄──── cancelled (future dropped)
//!                                   │
//!                          JoinHandle reads the output
//! ```
//!
//! Futures that are not `Send` (they hold an `Rc`, a `RefCell` borrow, a
//! thread-bound handle) run on one thread in a [`LocalSet`].
//!
//! ```
//! use magpie::task::{self, JoinSet};
//!
//! let rt = magpie::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let mut set = JoinSet::new();
//!     for i in 0..4u32 {
//!         set.spawn(async move {
//!             task::yield_now().await;
//!             i * i
//!         });
//!     }
//!     let mut total = 0;
//!     while let Some(res) = set.join_next().await {
//!         total += res.unwrap();
//!     }
//!     assert_eq!(total, 0 + 1 + 4 + 9);
//! });
//! ```

mod builder;
mod join_set;
mod local_set;
mod yield_now;

pub use crate::runtime::task::{AbortHandle, Id, JoinError, JoinHandle};
pub use builder::Builder;
pub use join_set::JoinSet;
pub use local_set::LocalSet;
pub use yield_now::yield_now;

use crate::runtime::task::Meta;
use std::future::Future;

/// Spawns a task on the current runtime and returns its [`JoinHandle`].
///
/// The task starts running at once on some worker; it does not wait for
/// the handle to be awaited. Panics if called outside a runtime (use
/// [`Handle::spawn`](crate::runtime::Handle::spawn) with a handle there).
///
/// ```
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     let h = magpie::task::spawn(async { "hello" });
///     assert_eq!(h.await.unwrap(), "hello");
/// });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let meta = Meta::here();
    crate::runtime::context::with_current(|handle| handle.spawn_with(future, meta))
}

/// Runs a blocking function on the runtime's blocking-thread pool and
/// returns a handle to its result, so that it does not stall a worker.
///
/// ```
/// let rt = magpie::Runtime::new().unwrap();
/// let n = rt.block_on(async {
///     magpie::task::spawn_blocking(|| {
///         std::thread::sleep(std::time::Duration::from_millis(5));
///         42
///     })
///     .await
///     .unwrap()
/// });
/// assert_eq!(n, 42);
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let meta = Meta::here();
    crate::runtime::context::with_current(|handle| handle.spawn_blocking_with(f, meta))
}
