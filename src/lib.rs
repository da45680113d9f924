//! magpie: a work-stealing, multi-threaded async runtime.

pub(crate) mod loom;
pub mod sync;
pub mod task;
