//! The runtime: [`Runtime`], its [`Builder`], and the shareable [`Handle`].
//!
//! ```text
//!                 ┌──────────── Handle (Arc<Shared>) ───────────┐
//!  spawn from     │ Injector          idle set (searching/parked)│
//!  outside  ─────►│ driver slot: Poller + timers   blocking pool │
//!                 └─────▲─────────────────▲─────────────────▲────┘
//!                       │ steal           │ steal           │
//!                 ┌─────┴──────┐   ┌──────┴─────┐   ┌───────┴────┐
//!                 │ worker 0   │   │ worker 1   │   │ worker N-1 │
//!                 │ LIFO slot  │   │ LIFO slot  │   │ LIFO slot  │
//!                 │ local deque│   │ local deque│   │ local deque│
//!                 │ parker     │   │ parker     │   │ parker     │
//!                 └────────────┘   └────────────┘   └────────────┘
//! ```
//!
//! ```
//! use magpie::runtime::Builder;
//!
//! let rt = Builder::new().worker_threads(2).build().unwrap();
//! let handle = rt.handle().clone();
//! let answer = rt.block_on(async move {
//!     handle.spawn(async { 42 }).await.unwrap()
//! });
//! assert_eq!(answer, 42);
//! ```

mod block_on;
pub(crate) mod blocking;
mod builder;
mod config;
pub(crate) mod context;
pub(crate) mod driver;
mod dump;
mod handle;
mod metrics;
mod observe;
mod observer;
#[allow(clippy::module_inception)]
mod runtime;
pub(crate) mod scheduler;
pub(crate) mod task;
mod trace;

pub use builder::Builder;
pub use context::TryCurrentError;
pub use dump::{Dump, TaskDump, TaskState};
pub use handle::{EnterGuard, Handle};
pub use metrics::RuntimeMetrics;
pub use observe::{SlowPoll, StealBatch, UnhandledPanic};
pub use runtime::Runtime;
