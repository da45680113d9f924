//! `Interest`: the directions an operation (or a registration) cares about.
//!
//! A source has two directions, each with its own waiters and its own bits
//! in the readiness word (`ready.rs`). An interest names one or both; the
//! readiness waits of `poll_evented.rs` wait on every direction it names
//! and end when any of them is ready.

use std::fmt;
use std::ops;

use super::ready::{Direction, Ready};

/// The directions to wait in: reading, writing, or both.
///
/// Used with the `ready` methods of magpie's sockets and of
/// [`AsyncFd`](crate::io::unix::AsyncFd) (Unix): `ready(Interest::READABLE |
/// Interest::WRITABLE)` ends when either direction is ready, and the
/// [`Ready`](crate::io::Ready) it returns says which.
///
/// ```
/// use magpie::io::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// assert_eq!(both.remove(Interest::WRITABLE), Some(Interest::READABLE));
/// assert_eq!(Interest::READABLE.remove(Interest::READABLE), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interest(u8);

const READABLE: u8 = 1 << 0;
const WRITABLE: u8 = 1 << 1;

impl Interest {
    /// Interest in reading (or accepting, or receiving).
    ///
    /// ```
    /// assert!(magpie::io::Interest::READABLE.is_readable());
    /// ```
    pub const READABLE: Interest = Interest(READABLE);

    /// Interest in writing (or connecting, or sending).
    ///
    /// ```
    /// assert!(magpie::io::Interest::WRITABLE.is_writable());
    /// ```
    pub const WRITABLE: Interest = Interest(WRITABLE);

    /// Whether the interest includes reading.
    ///
    /// ```
    /// use magpie::io::Interest;
    /// assert!(!Interest::WRITABLE.is_readable());
    /// ```
    pub const fn is_readable(self) -> bool {
        self.0 & READABLE != 0
    }

    /// Whether the interest includes writing.
    ///
    /// ```
    /// use magpie::io::Interest;
    /// assert!(!Interest::READABLE.is_writable());
    /// ```
    pub const fn is_writable(self) -> bool {
        self.0 & WRITABLE != 0
    }

    /// Both interests together (what `|` does, usable in a `const`).
    ///
    /// ```
    /// use magpie::io::Interest;
    /// const BOTH: Interest = Interest::READABLE.add(Interest::WRITABLE);
    /// assert!(BOTH.is_writable());
    /// ```
    #[must_use]
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// This interest without `other`; `None` if nothing is left.
    ///
    /// ```
    /// use magpie::io::Interest;
    /// let both = Interest::READABLE | Interest::WRITABLE;
    /// assert_eq!(both.remove(Interest::READABLE), Some(Interest::WRITABLE));
    /// ```
    #[must_use]
    pub const fn remove(self, other: Interest) -> Option<Interest> {
        let left = self.0 & !other.0;
        if left == 0 {
            None
        } else {
            Some(Interest(left))
        }
    }

    /// Whether the interest includes `direction`.
    pub(crate) fn has(self, direction: Direction) -> bool {
        match direction {
            Direction::Read => self.is_readable(),
            Direction::Write => self.is_writable(),
        }
    }

    /// The directions named, reading first.
    pub(crate) fn directions(self) -> impl Iterator<Item = Direction> {
        [Direction::Read, Direction::Write]
            .into_iter()
            .filter(move |&direction| self.has(direction))
    }

    /// The readiness bits that end a wait with this interest.
    #[allow(dead_code)] // used by the readiness of `AsyncFd` and the tests
    pub(crate) fn mask(self) -> Ready {
        self.directions()
            .fold(Ready::EMPTY, |mask, direction| mask | direction.mask())
    }
}

impl From<Direction> for Interest {
    fn from(direction: Direction) -> Interest {
        match direction {
            Direction::Read => Interest::READABLE,
            Direction::Write => Interest::WRITABLE,
        }
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;

    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl ops::BitOrAssign for Interest {
    fn bitor_assign(&mut self, other: Interest) {
        *self = self.add(other);
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.is_readable(), self.is_writable()) {
            (true, true) => f.write_str("READABLE | WRITABLE"),
            (true, false) => f.write_str("READABLE"),
            (false, true) => f.write_str("WRITABLE"),
            (false, false) => f.write_str("(none)"),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn an_interest_names_its_directions_in_order() {
        let both = Interest::WRITABLE | Interest::READABLE;
        let directions: Vec<_> = both.directions().collect();
        assert_eq!(directions, [Direction::Read, Direction::Write]);
        let write: Vec<_> = Interest::WRITABLE.directions().collect();
        assert_eq!(write, [Direction::Write]);
    }

    #[test]
    fn the_mask_covers_closed_and_error_bits_of_each_direction() {
        let mask = Interest::READABLE.mask();
        assert!(mask.contains(Ready::READABLE | Ready::READ_CLOSED | Ready::ERROR));
        assert!(!mask.intersects(Ready::WRITABLE));
    }
}
