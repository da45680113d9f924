//! The one pseudo-random generator: xorshift64* ([`FastRand`]), used for
//! steal-victim choice (one per worker, seedable for reproducible runs) and,
//! through a per-thread instance, for fair polling order in `select!` and
//! `race` ([`random_below`]). Not for anything that needs real randomness.
//!
//! Invariants: the state is never zero (xorshift's one fixed point); every
//! constructor goes through [`FastRand::new`], which mixes the seed with
//! splitmix64 and sets the low bit.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// A small, fast generator (xorshift64*). `Copy`, so it can live in a `Cell`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FastRand {
    state: u64,
}

impl FastRand {
    /// A generator whose whole sequence is a function of `seed`.
    pub(crate) fn new(seed: u64) -> FastRand {
        // splitmix64: neighbouring seeds give unrelated sequences.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        FastRand {
            state: (z ^ (z >> 31)) | 1,
        }
    }

    /// A generator seeded differently per process and per call.
    pub(crate) fn from_entropy() -> FastRand {
        // A fresh RandomState carries per-process random keys that also
        // advance per instance.
        FastRand::new(RandomState::new().hash_one(0u8))
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`), by multiply-shift (no division).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
}

crate::loom::const_thread_local! {
    static THREAD_RNG: Cell<Option<FastRand>> = Cell::new(None);
}

/// A number in `0..n` (`n > 0`) from this thread's generator (seeded from
/// entropy on first use). During thread-local teardown it returns 0.
pub(crate) fn random_below(n: usize) -> usize {
    THREAD_RNG
        .try_with(|cell| {
            let mut rng = cell.get().unwrap_or_else(FastRand::from_entropy);
            let r = rng.below(n);
            cell.set(Some(rng));
            r
        })
        .unwrap_or(0)
}

/// Replaces this thread's generator (`None`: seed from entropy on next
/// use); returns the one it had. A deterministic runtime installs its own
/// for as long as it drives this thread, so that `select!` is seeded too.
pub(crate) fn replace_thread_rng(rng: Option<FastRand>) -> Option<FastRand> {
    THREAD_RNG
        .try_with(|cell| cell.replace(rng))
        .unwrap_or(None)
}

#[cfg(test)]
mod tests {
    use super::{random_below, FastRand};

    #[test]
    fn random_below_stays_in_range_and_varies() {
        let mut seen = [false; 3];
        for _ in 0..1000 {
            seen[random_below(3)] = true;
        }
        assert_eq!(seen, [true; 3]);
    }

    #[test]
    fn the_same_seed_gives_the_same_sequence_and_zero_is_a_valid_seed() {
        let (mut a, mut b) = (FastRand::new(0), FastRand::new(0));
        let xs: Vec<u64> = (0..16).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..16).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().any(|&x| x != 0));
        let mut c = FastRand::new(1);
        assert_ne!(xs[0], c.next_u64());
    }
}
