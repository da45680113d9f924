//! [`CachePadded`]: a value alone on its cache line(s).
//!
//! Atomics written by different threads — a channel's producer tail and its
//! consumer head, the permit word and the receiver's waker — must not share
//! a cache line, or every write by one side evicts the line the other side
//! is reading (false sharing). 128 bytes covers the adjacent-line prefetcher
//! of x86-64 and the 128-byte lines of Apple's and some ARM cores.

use std::ops::Deref;

/// `T`, aligned (and so padded) to 128 bytes.
#[repr(align(128))]
#[derive(Default)]
pub(crate) struct CachePadded<T>(T);

impl<T> CachePadded<T> {
    pub(crate) const fn new(value: T) -> CachePadded<T> {
        CachePadded(value)
    }
}

impl<T> Deref for CachePadded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for CachePadded<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::CachePadded;

    #[test]
    fn two_padded_values_never_share_a_line() {
        struct Two {
            a: CachePadded<u64>,
            b: CachePadded<u64>,
        }
        let two = Two {
            a: CachePadded::new(1),
            b: CachePadded::new(2),
        };
        let (a, b) = (
            &*two.a as *const u64 as usize,
            &*two.b as *const u64 as usize,
        );
        assert!(a.abs_diff(b) >= 128);
        assert_eq!(a % 128, 0);
        assert_eq!(*two.a + *two.b, 3);
    }
}
