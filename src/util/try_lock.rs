//! [`TryLock`]: a value that one thread at a time may borrow, and that no
//! thread ever waits for: whoever finds it taken does something else.
//!
//! The runtime keeps its driver in one: the first worker to run out of work
//! takes it and sleeps inside it; the others find it taken and sleep on
//! their own parkers. A lock that is only ever try-locked is a flag, so
//! that is what this is: one `AtomicBool`, taken with a CAS (`Acquire`,
//! pairing with the `Release` that frees it, so the next holder sees every
//! write the last one made to the value) and freed when the borrow ends,
//! also by unwinding.
//!
//! Why not `Mutex::try_lock`: under loom a thread that is about to
//! `try_lock` a mutex another thread holds is treated as blocked on it
//! until the holder unlocks; with a holder that sleeps in the driver that
//! is a deadlock no real run has. An atomic flag is modelled exactly.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, Ordering};

pub(crate) struct TryLock<T> {
    taken: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the value is reached only through `try_with`, by the one thread
// that won the flag, so sharing a `TryLock` shares no access to `T` beyond
// moving its use from one thread to another (hence `T: Send`).
unsafe impl<T: Send> Sync for TryLock<T> {}
// SAFETY: owning the `TryLock` owns the `T`.
unsafe impl<T: Send> Send for TryLock<T> {}

impl<T> TryLock<T> {
    pub(crate) fn new(value: T) -> TryLock<T> {
        TryLock {
            taken: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` on the value if nobody else holds it; `None` if somebody
    /// does (then `f` is not run).
    pub(crate) fn try_with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        if self
            .taken
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return None;
        }
        /// Frees the flag when `f` returns or unwinds.
        struct Release<'a>(&'a AtomicBool);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::Release);
            }
        }
        let _release = Release(&self.taken);
        // SAFETY: winning the CAS above makes this thread the only one
        // inside `try_with` until `_release` drops (after `f` returns or
        // unwinds), and the value is reachable only here: the `&mut T` is
        // unique for the duration of `f`, and the Acquire/Release pair on
        // `taken` orders this use after the previous holder's.
        Some(self.value.with_mut(|ptr| f(unsafe { &mut *ptr })))
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::TryLock;

    #[test]
    fn a_held_lock_is_refused_and_freed_after_use_or_panic() {
        let lock = TryLock::new(1);
        let nested = lock.try_with(|v| {
            *v += 1;
            lock.try_with(|_| ())
        });
        assert_eq!(nested, Some(None));
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lock.try_with(|_| panic!("boom"))
        }));
        assert!(panicked.is_err());
        assert_eq!(lock.try_with(|v| *v), Some(2));
    }
}
