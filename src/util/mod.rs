//! The ground floor: primitives several layers use, each written once with
//! its invariants stated at the top of its file. Nothing here imports a
//! higher floor; everything here reaches atomics and locks through
//! `crate::loom`, so the loom models exercise the same code.

pub(crate) mod atomic_waker;
pub(crate) mod blocking;
pub(crate) mod cache_padded;
pub(crate) mod linked_list;
#[cfg(all(windows, not(loom)))]
pub(crate) mod loader_lock;
pub(crate) mod parker;
pub(crate) mod rng;
pub(crate) mod try_lock;
pub(crate) mod wait_list;
