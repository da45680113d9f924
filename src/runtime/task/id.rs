use crate::loom::sync::atomic::{AtomicU64, Ordering, StaticAtomicU64};
use crate::loom::sync::Arc;
use std::cell::Cell;
use std::fmt;
use std::num::NonZeroU64;

crate::loom::const_thread_local! {
    /// The id of the task being polled on this thread (0: none).
    static CURRENT: Cell<u64> = Cell::new(0);
}

/// Marks task `id` as the one being polled on this thread until the guard
/// drops (which restores the previous one: polls nest when a task's poll
/// drives a `LocalSet`).
pub(crate) fn enter(id: Id) -> CurrentGuard {
    let prev = CURRENT.try_with(|c| c.replace(id.0.get())).unwrap_or(0);
    CurrentGuard { prev }
}

pub(crate) struct CurrentGuard {
    prev: u64,
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|c| c.set(self.prev));
    }
}

/// The id of the task being polled on this thread, if any.
pub(crate) fn current() -> Option<Id> {
    CURRENT
        .try_with(|c| NonZeroU64::new(c.get()).map(Id))
        .ok()
        .flatten()
}

crate::loom::const_thread_local! {
    /// The id sequence of the deterministic runtime driven on this thread,
    /// if any: ids then come from it (tasks of `LocalSet`s in its
    /// `block_on` too), so that they are a function of the seed.
    static LOCAL_IDS: std::cell::RefCell<Option<Arc<AtomicU64>>> =
        std::cell::RefCell::new(None);
}

/// A deterministic runtime's id sequence: ids from 1, in spawn order.
pub(crate) fn sequence() -> Arc<AtomicU64> {
    Arc::new(AtomicU64::new(1))
}

/// The next id of `seq`.
pub(crate) fn next_in(seq: &AtomicU64) -> Id {
    Id(NonZeroU64::new(seq.fetch_add(1, Ordering::Relaxed)).expect("task id counter wrapped"))
}

/// Makes [`Id::next`] on this thread draw from `seq` until
/// [`end_local_ids`].
pub(crate) fn begin_local_ids(seq: Arc<AtomicU64>) {
    let _ = LOCAL_IDS.try_with(|c| *c.borrow_mut() = Some(seq));
}

/// Ends [`begin_local_ids`].
pub(crate) fn end_local_ids() {
    let _ = LOCAL_IDS.try_with(|c| c.borrow_mut().take());
}

/// A task's identifier, unique among all tasks alive in the process (on a
/// deterministic runtime, `Builder::deterministic`, ids count from 1 in
/// spawn order instead, per runtime, so that they are a function of the
/// seed).
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
        let local = LOCAL_IDS
            .try_with(|c| c.borrow().as_ref().map(|seq| next_in(seq)))
            .ok()
            .flatten();
        if let Some(id) = local {
            return id;
        }
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
