use crate::loom::sync::atomic::{Ordering, StaticAtomicU64};
use std::fmt;
use std::num::NonZeroU64;

/// A task's identifier, unique among all tasks alive in the process.
///
/// ```
/// let rt = magpie::Runtime::new().unwrap();
/// let a = rt.spawn(async {});
/// let b = rt.spawn(async {});
/// assert_ne!(a.id(), b.id());
/// ```
#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq, Ord, PartialOrd)]
pub struct Id(NonZeroU64);

impl Id {
    pub(crate) fn next() -> Id {
        static NEXT: StaticAtomicU64 = StaticAtomicU64::new(1);
        // Relaxed: uniqueness needs only the atomicity of the increment.
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        Id(NonZeroU64::new(id).expect("task id counter wrapped"))
    }

    /// The id as a number (for logs and metrics).
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// assert!(rt.spawn(async {}).id().as_u64() > 0);
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
