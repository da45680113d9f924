//! # magpie
//!
//! A work-stealing, multi-threaded async runtime, with the names and shapes
//! Rust async users know from tokio: [`Runtime`], [`runtime::Builder`],
//! [`spawn`], [`task::JoinHandle`], [`task::JoinSet`].
//!
//! ```
//! use magpie::task::JoinSet;
//!
//! let rt = magpie::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let mut set = JoinSet::new();
//!     for i in 0..8u64 {
//!         set.spawn(async move { i * 2 });
//!     }
//!     let mut sum = 0;
//!     while let Some(res) = set.join_next().await {
//!         sum += res.unwrap();
//!     }
//!     assert_eq!(sum, 56);
//! });
//! ```
//!
//! The architecture (one picture in [`runtime`]): per-core workers, each
//! with a LIFO slot and a crossbeam-deque run queue, stealing from each
//! other; a shared injector for work from outside; one driver (I/O poller
//! and timers) waited on by whichever worker parks first; a blocking pool.

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

#[macro_use]
mod macros;

#[cfg(not(loom))]
pub mod fs;
pub mod future;
pub mod io;
pub(crate) mod loom;
#[cfg(not(loom))]
pub mod net;
#[cfg(all(any(unix, windows), not(loom)))]
pub mod process;
pub mod runtime;
#[cfg(all(any(unix, windows), not(loom)))]
pub mod signal;
pub mod sync;
pub mod task;
pub mod time;
pub(crate) mod util;

#[doc(hidden)]
pub use macros::__private;

pub use runtime::Runtime;
pub use task::spawn;

#[cfg(feature = "macros")]
pub use magpie_macros::{main, test};

/// Internals the loom models in `loom-tests/` drive. Not public API.
#[cfg(loom)]
#[doc(hidden)]
pub mod __loom {
    /// The time driver, advanced by hand.
    pub mod time {
        pub use crate::runtime::driver::time::model::{TimeDriver, Timer};
    }
    /// Time in whole-runtime models: the clock stands still until moved.
    pub mod rt {
        pub use crate::time::loom_api::{advance, sleep_until_tick};
    }
    /// The I/O driver's readiness word, waker slots and registration slab.
    pub mod io {
        pub use crate::runtime::driver::io::loom_api::*;
    }
}
