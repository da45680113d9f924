//! magpie: a work-stealing, multi-threaded async runtime.

pub(crate) mod loom;
pub mod task;
pub(crate) mod runtime;
