//! magpie: a work-stealing, multi-threaded async runtime.

pub(crate) mod loom;
pub(crate) mod runtime;
pub mod task;
pub mod time;

/// Internals the loom models in `loom-tests/` drive. Not public API.
#[cfg(loom)]
#[doc(hidden)]
pub mod __loom {
    /// The time driver, advanced by hand.
    pub mod time {
        pub use crate::runtime::driver::time::model::{TimeDriver, Timer};
    }
}
