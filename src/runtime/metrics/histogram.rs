//! Log-scale latency histograms: scheduling delay (wake to poll) and poll
//! time, per worker.
//!
//! Buckets are HDR-style: four per power of two, from 64 ns to 2^34 ns
//! (about 17 s), plus one below and one above; a value lands in the bucket
//! whose range holds it, so a reading is at most 25% above the true value.
//! Each worker writes only its own histograms (plain relaxed load + store,
//! like its counters); anyone may read them.

use crate::loom::sync::atomic::StatAtomicU64;
use crate::runtime::metrics::worker::{add, get};
use std::fmt;
use std::ops::Range;
use std::time::Duration;

/// Sub-buckets per power of two.
const SUB_BITS: u32 = 2;
const SUB: usize = 1 << SUB_BITS;
/// The first power of two with sub-buckets (2^6 = 64 ns).
const MIN_POW: u32 = 6;
/// One past the last one (2^34 ns, about 17 s).
const MAX_POW: u32 = 34;
/// Buckets: one below 64 ns, four per power of two, one at and above 2^34.
pub(crate) const BUCKETS: usize = 2 + (MAX_POW - MIN_POW) as usize * SUB;

/// The bucket `ns` falls in.
pub(crate) fn bucket_of(ns: u64) -> usize {
    if ns < 1 << MIN_POW {
        return 0;
    }
    let pow = 63 - ns.leading_zeros();
    if pow >= MAX_POW {
        return BUCKETS - 1;
    }
    let sub = ((ns >> (pow - SUB_BITS)) as usize) & (SUB - 1);
    1 + (pow - MIN_POW) as usize * SUB + sub
}

/// The nanoseconds bucket `i` holds: `[lo, hi)` (`hi` is `u64::MAX` for
/// the last).
pub(crate) fn bucket_range(i: usize) -> Range<u64> {
    if i == 0 {
        return 0..1 << MIN_POW;
    }
    if i >= BUCKETS - 1 {
        return 1 << MAX_POW..u64::MAX;
    }
    let pow = MIN_POW + ((i - 1) / SUB) as u32;
    let sub = ((i - 1) % SUB) as u64;
    let width = 1u64 << (pow - SUB_BITS);
    let lo = (1u64 << pow) + sub * width;
    lo..lo + width
}

/// A histogram one worker records into.
pub(crate) struct Recorder {
    counts: Box<[StatAtomicU64]>,
}

impl Recorder {
    pub(crate) fn new() -> Recorder {
        Recorder {
            counts: (0..BUCKETS).map(|_| StatAtomicU64::new(0)).collect(),
        }
    }

    /// Records one value (owner only).
    #[inline]
    pub(crate) fn record(&self, ns: u64) {
        add(&self.counts[bucket_of(ns)], 1);
    }

    pub(crate) fn snapshot(&self) -> Histogram {
        Histogram {
            counts: self.counts.iter().map(get).collect(),
        }
    }
}

/// A snapshot of a latency histogram (from
/// [`RuntimeMetrics`](crate::runtime::RuntimeMetrics)): log-scale buckets
/// from 64 ns to about 17 s, four per power of two.
///
/// ```
/// use std::time::Duration;
///
/// let rt = magpie::runtime::Builder::new_current_thread()
///     .enable_histograms()
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     for _ in 0..100 {
///         magpie::spawn(async {}).await.unwrap();
///     }
/// });
/// let polls = rt.handle().metrics().poll_time_histogram(0);
/// assert!(polls.count() >= 100);
/// assert!(polls.p50() <= polls.p99());
/// assert!(polls.p99() < Duration::from_secs(1));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u64>,
}

impl Histogram {
    /// An empty histogram (to [`merge`](Histogram::merge) others into).
    ///
    /// ```
    /// assert_eq!(magpie::runtime::Histogram::empty().count(), 0);
    /// ```
    pub fn empty() -> Histogram {
        Histogram {
            counts: vec![0; BUCKETS],
        }
    }

    /// How many values were recorded.
    ///
    /// ```
    /// assert!(magpie::runtime::Histogram::empty().is_empty());
    /// ```
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Whether nothing was recorded.
    ///
    /// ```
    /// assert!(magpie::runtime::Histogram::empty().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Every bucket: its range and its count (empty ones included).
    ///
    /// ```
    /// let h = magpie::runtime::Histogram::empty();
    /// let (first, _) = h.buckets().next().unwrap();
    /// assert_eq!(first.start, std::time::Duration::ZERO);
    /// ```
    pub fn buckets(&self) -> impl Iterator<Item = (Range<Duration>, u64)> + '_ {
        self.counts.iter().enumerate().map(|(i, &n)| {
            let r = bucket_range(i);
            (
                Duration::from_nanos(r.start)..Duration::from_nanos(r.end),
                n,
            )
        })
    }

    /// Adds `other`'s counts to this one (to combine workers).
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new().worker_threads(2).enable_histograms().build().unwrap();
    /// rt.block_on(async { magpie::spawn(async {}).await.unwrap() });
    /// let handle = rt.handle().clone();
    /// drop(rt); // joins the workers: every poll is recorded
    /// let m = handle.metrics();
    /// let mut all = magpie::runtime::Histogram::empty();
    /// for w in 0..m.num_workers() {
    ///     all.merge(&m.poll_time_histogram(w));
    /// }
    /// assert!(all.count() >= 1);
    /// ```
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// The value below which `q` (in `0.0..=1.0`) of the recorded values
    /// fall, as the upper bound of the bucket that holds that rank (so at
    /// most 25% above the true quantile). Zero when empty.
    ///
    /// ```
    /// let h = magpie::runtime::Histogram::empty();
    /// assert_eq!(h.quantile(0.5), std::time::Duration::ZERO);
    /// ```
    pub fn quantile(&self, q: f64) -> Duration {
        let total = self.count();
        if total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (i, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let r = bucket_range(i);
                // The last bucket has no upper bound: report its start.
                let ns = if i == BUCKETS - 1 { r.start } else { r.end };
                return Duration::from_nanos(ns);
            }
        }
        Duration::ZERO
    }

    /// The median.
    ///
    /// ```
    /// assert_eq!(magpie::runtime::Histogram::empty().p50(), std::time::Duration::ZERO);
    /// ```
    pub fn p50(&self) -> Duration {
        self.quantile(0.5)
    }

    /// The 90th percentile.
    ///
    /// ```
    /// assert_eq!(magpie::runtime::Histogram::empty().p90(), std::time::Duration::ZERO);
    /// ```
    pub fn p90(&self) -> Duration {
        self.quantile(0.9)
    }

    /// The 99th percentile.
    ///
    /// ```
    /// assert_eq!(magpie::runtime::Histogram::empty().p99(), std::time::Duration::ZERO);
    /// ```
    pub fn p99(&self) -> Duration {
        self.quantile(0.99)
    }

    /// The 99.9th percentile.
    ///
    /// ```
    /// assert_eq!(magpie::runtime::Histogram::empty().p999(), std::time::Duration::ZERO);
    /// ```
    pub fn p999(&self) -> Duration {
        self.quantile(0.999)
    }

    /// The upper bound of the highest non-empty bucket.
    ///
    /// ```
    /// assert_eq!(magpie::runtime::Histogram::empty().max(), std::time::Duration::ZERO);
    /// ```
    pub fn max(&self) -> Duration {
        self.quantile(1.0)
    }
}

impl fmt::Debug for Histogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Histogram")
            .field("count", &self.count())
            .field("p50", &self.p50())
            .field("p99", &self.p99())
            .field("max", &self.max())
            .finish()
    }
}

impl fmt::Display for Histogram {
    /// One line: count and percentiles.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "n={} p50={:?} p90={:?} p99={:?} p99.9={:?} max={:?}",
            self.count(),
            self.p50(),
            self.p90(),
            self.p99(),
            self.p999(),
            self.max()
        )
    }
}

/// Where a polled task came from, for the scheduling-delay split.
///
/// ```
/// use magpie::runtime::DelaySource;
/// assert_eq!(DelaySource::ALL.len(), 5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DelaySource {
    /// The worker's LIFO slot: woken by the task that ran just before.
    LifoSlot,
    /// The worker's own queue (including tasks moved there in a batch
    /// from the injector or a victim).
    LocalQueue,
    /// The shared injector: spawned or woken from outside the workers.
    Injector,
    /// Stolen from another worker (the first task of a stolen batch).
    Stolen,
    /// A task pinned to this worker (`spawn_local`, `spawn_pinned`).
    Pinned,
}

impl DelaySource {
    /// Every source, in order.
    pub const ALL: [DelaySource; 5] = [
        DelaySource::LifoSlot,
        DelaySource::LocalQueue,
        DelaySource::Injector,
        DelaySource::Stolen,
        DelaySource::Pinned,
    ];

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// One worker's histograms.
pub(crate) struct WorkerHistograms {
    pub(crate) poll: Recorder,
    pub(crate) delay: [Recorder; 5],
}

impl WorkerHistograms {
    pub(crate) fn new() -> WorkerHistograms {
        WorkerHistograms {
            poll: Recorder::new(),
            delay: std::array::from_fn(|_| Recorder::new()),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn every_value_lands_in_the_bucket_whose_range_holds_it() {
        for ns in (0..20_000u64)
            .chain((0..60).map(|p| 1u64 << p))
            .chain((1..60).map(|p| (1u64 << p) - 1))
            .chain([u64::MAX, 5_000_000, 10_000_000_000])
        {
            let i = bucket_of(ns);
            let r = bucket_range(i);
            assert!(
                r.contains(&ns) || (i == BUCKETS - 1 && ns >= r.start),
                "{ns} in {i}: {r:?}"
            );
        }
    }

    #[test]
    fn buckets_tile_the_line_in_order() {
        for i in 1..BUCKETS {
            assert_eq!(bucket_range(i - 1).end, bucket_range(i).start, "gap at {i}");
        }
        // At most 25% wide: a reading is at most a quarter above the value.
        for i in 1..BUCKETS - 1 {
            let r = bucket_range(i);
            assert!((r.end - r.start) * 4 <= r.start, "bucket {i}: {r:?}");
        }
    }

    #[test]
    fn quantiles_are_monotone_and_bound_the_values() {
        let rec = Recorder::new();
        for ns in [100u64, 200, 300, 5_000_000, 40, 1_000] {
            rec.record(ns);
        }
        let h = rec.snapshot();
        assert_eq!(h.count(), 6);
        let qs: Vec<Duration> = [0.0, 0.1, 0.5, 0.9, 0.99, 1.0]
            .iter()
            .map(|&q| h.quantile(q))
            .collect();
        assert!(qs.windows(2).all(|w| w[0] <= w[1]), "{qs:?}");
        assert!(h.max() >= Duration::from_nanos(5_000_000));
        assert!(h.max() <= Duration::from_nanos(5_000_000) * 5 / 4);
        assert!(h.p50() >= Duration::from_nanos(200));
    }
}
