//! Per-worker counters: written only by their worker, as plain relaxed
//! load + store (no read-modify-write, no lock prefix), read by anyone.

use crate::loom::sync::atomic::{Ordering::Relaxed, StatAtomicU64};

/// One worker's counters, on a cache line of their own so workers never
/// contend on each other's.
#[repr(align(128))]
#[derive(Default)]
pub(crate) struct WorkerMetrics {
    pub(crate) polls: StatAtomicU64,
    pub(crate) steals: StatAtomicU64,
    pub(crate) steal_operations: StatAtomicU64,
    pub(crate) steal_failures: StatAtomicU64,
    pub(crate) parks: StatAtomicU64,
    pub(crate) unparks: StatAtomicU64,
    pub(crate) lifo_polls: StatAtomicU64,
    pub(crate) busy_ns: StatAtomicU64,
}

/// Adds `n` to a counter only its owner writes.
///
/// Building with `RUSTFLAGS="--cfg magpie_no_metrics"` compiles the counters
/// out; it exists to measure what they cost (see BENCHMARKS.md).
#[inline(always)]
pub(crate) fn add(counter: &StatAtomicU64, n: u64) {
    #[cfg(not(magpie_no_metrics))]
    counter.store(counter.load(Relaxed).wrapping_add(n), Relaxed);
    #[cfg(magpie_no_metrics)]
    let _ = (counter, n);
}

#[inline(always)]
pub(crate) fn get(counter: &StatAtomicU64) -> u64 {
    counter.load(Relaxed)
}
