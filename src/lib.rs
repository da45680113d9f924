//! magpie: a work-stealing, multi-threaded async runtime.

pub mod io;
pub(crate) mod loom;
#[cfg(not(loom))]
pub mod net;
pub(crate) mod runtime;
pub mod task;

/// Internals exported for the loom models in `loom-tests/` (not public API).
#[cfg(loom)]
#[doc(hidden)]
pub mod __loom {
    /// The I/O driver's readiness word, waker slots and registration slab.
    pub mod io {
        pub use crate::runtime::driver::io::loom_api::*;
    }
}
