//! A small per-thread random number source for fair polling order
//! (`select!`, `race`). Not for anything that needs real randomness.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

crate::loom::const_thread_local! {
    static STATE: Cell<u64> = Cell::new(0);
}

/// A number in `0..n` (`n > 0`), from a per-thread xorshift generator
/// seeded from the standard library's per-process hash keys.
pub(crate) fn random_below(n: usize) -> usize {
    debug_assert!(n > 0);
    let x = STATE
        .try_with(|cell| {
            let mut x = cell.get();
            if x == 0 {
                // `hash_one` of a fresh RandomState differs per thread and
                // per process; `| 1` keeps the xorshift state non-zero.
                x = RandomState::new().hash_one(0u8) | 1;
            }
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cell.set(x);
            x
        })
        .unwrap_or(0);
    // Multiply-shift maps the 64-bit value onto 0..n without a division.
    (((x >> 32) * n as u64) >> 32) as usize
}

#[cfg(test)]
mod tests {
    use super::random_below;

    #[test]
    fn random_below_stays_in_range_and_varies() {
        let mut seen = [false; 3];
        for _ in 0..1000 {
            seen[random_below(3)] = true;
        }
        assert_eq!(seen, [true; 3]);
    }
}
