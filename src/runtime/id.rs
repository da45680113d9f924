//! [`Id`]: which runtime this is.

use crate::loom::sync::atomic::{Ordering, StaticAtomicU64};
use std::fmt;
use std::num::NonZeroU64;

/// A runtime's identifier, unique among the runtimes of the process
/// ([`Handle::id`](super::Handle::id)).
///
/// ```
/// let a = magpie::Runtime::new().unwrap();
/// let b = magpie::Runtime::new().unwrap();
/// assert_ne!(a.handle().id(), b.handle().id());
/// assert_eq!(a.handle().id(), a.handle().clone().id());
/// ```
#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq, Ord, PartialOrd)]
pub struct Id(NonZeroU64);

impl Id {
    pub(crate) fn next() -> Id {
        static NEXT: StaticAtomicU64 = StaticAtomicU64::new(1);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        Id(NonZeroU64::new(id).expect("runtime id counter wrapped"))
    }

    /// The id as a number (for logs).
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// assert!(rt.handle().id().as_u64() > 0);
    /// ```
    pub fn as_u64(&self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
