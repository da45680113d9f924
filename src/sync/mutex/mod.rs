//! An asynchronous, fair mutual-exclusion lock.
//!
//! The lock is a one-permit [`Permits`] semaphore next to the data: an
//! uncontended `lock` is one CAS taking the permit, `unlock` one CAS giving
//! it back. Under contention the permit is handed directly to the first
//! queued waiter (FIFO), so no waiter starves and nobody barges. The
//! semaphore's Acquire/Release orderings are what make the data written
//! under one guard visible to the next holder.
//!
//! Every guard (`guards.rs` for the borrowed ones, `owned.rs` for those
//! holding the mutex through an `Arc`) owns that one permit and gives it
//! back in its `Drop`; mapping a guard moves the permit to the new guard
//! (the old one is forgotten, not dropped) together with a pointer to the
//! part of the data it narrows to.

use super::permits::Permits;
use crate::loom::cell::UnsafeCell;
// The owned guards and permits take `self: Arc<Self>`, which only std's `Arc`
// allows as a receiver (loom's cannot be one), so the public API names it.
use std::fmt;
use std::sync::Arc;

mod guards;
mod owned;

pub use guards::{MappedMutexGuard, MutexGuard};
pub use owned::{OwnedMappedMutexGuard, OwnedMutexGuard};

/// An asynchronous mutex whose guard may be held across `.await`.
///
/// ```
/// use magpie::sync::Mutex;
/// use std::sync::Arc;
///
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     let count = Arc::new(Mutex::new(0));
///     let mut tasks = magpie::task::JoinSet::new();
///     for _ in 0..8 {
///         let count = count.clone();
///         tasks.spawn(async move { *count.lock().await += 1 });
///     }
///     while let Some(res) = tasks.join_next().await {
///         res.unwrap();
///     }
///     assert_eq!(*count.lock().await, 8);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    permit: Permits,
    data: UnsafeCell<T>,
}

// SAFETY: the mutex hands `&mut T` to one holder at a time (the permit), so
// sending it or sharing it across threads needs only `T: Send`.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// Error from [`Mutex::try_lock`] (and `RwLock::try_*`): the lock is held
/// or others are waiting for it.
///
/// ```
/// let m = magpie::sync::Mutex::new(());
/// let _g = m.try_lock().unwrap();
/// assert_eq!(m.try_lock().unwrap_err().to_string(), "operation would block");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TryLockError(pub(crate) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block")
    }
}

impl std::error::Error for TryLockError {}

impl<T> Mutex<T> {
    crate::loom::const_fn! {
        /// An unlocked mutex holding `value`. A `const fn`, so a mutex can
        /// be a `static`.
        ///
        /// ```
        /// use magpie::sync::Mutex;
        /// static HITS: Mutex<u64> = Mutex::new(0);
        ///
        /// futures::executor::block_on(async { *HITS.lock().await += 1 });
        /// assert_eq!(*HITS.try_lock().unwrap(), 1);
        /// ```
        pub fn new(value: T) -> Mutex<T> {
            Mutex {
                permit: Permits::new(1),
                data: UnsafeCell::new(value),
            }
        }
    }

    crate::loom::const_fn! {
        /// tokio's name for the `const` constructor: the same as
        /// [`new`](Self::new), which is `const` already.
        ///
        /// ```
        /// static LOG: magpie::sync::Mutex<Vec<&str>> = magpie::sync::Mutex::const_new(Vec::new());
        /// LOG.try_lock().unwrap().push("started");
        /// assert_eq!(LOG.try_lock().unwrap().len(), 1);
        /// ```
        pub fn const_new(value: T) -> Mutex<T> {
            Mutex::new(value)
        }
    }

    /// Consumes the mutex and returns the data.
    ///
    /// ```
    /// assert_eq!(magpie::sync::Mutex::new("x").into_inner(), "x");
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock. Waiters get it in the order they started waiting.
    ///
    /// Cancellation-safe: dropping the future while it waits leaves the
    /// queue, and if the lock had already been handed to it, passes it on.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let m = magpie::sync::Mutex::new(0);
    ///     *m.lock().await = 7;
    ///     assert_eq!(*m.lock().await, 7);
    /// });
    /// ```
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        if self.permit.acquire(1).await.is_err() {
            unreachable!("a mutex's semaphore is never closed");
        }
        MutexGuard::new(self)
    }

    /// Waits for the lock, holding the mutex through the `Arc`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// futures::executor::block_on(async {
    ///     let m = Arc::new(magpie::sync::Mutex::new(0));
    ///     let guard = m.clone().lock_owned().await;
    ///     assert!(m.try_lock().is_err());
    ///     drop(guard);
    /// });
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        if self.permit.acquire(1).await.is_err() {
            unreachable!("a mutex's semaphore is never closed");
        }
        OwnedMutexGuard::new(self)
    }

    /// Waits for the lock from synchronous code, blocking the thread (on
    /// its parker, not spinning). For threads outside the runtime and
    /// `spawn_blocking` closures; queues fairly with the async waiters.
    ///
    /// # Panics
    /// If called on a thread that drives a magpie runtime (a worker, or
    /// inside `block_on`): blocking it could stall the very task that
    /// holds the lock.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(magpie::sync::Mutex::new(0));
    /// let m2 = m.clone();
    /// std::thread::spawn(move || *m2.blocking_lock() += 1).join().unwrap();
    /// assert_eq!(*m.blocking_lock(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        crate::util::blocking::block_on("Mutex::blocking_lock", self.lock())
    }

    /// [`blocking_lock`](Self::blocking_lock), holding the mutex through
    /// the `Arc` (and panicking where it does).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(magpie::sync::Mutex::new(1));
    /// let guard = m.clone().blocking_lock_owned();
    /// assert_eq!(*guard, 1);
    /// ```
    #[track_caller]
    pub fn blocking_lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        crate::util::blocking::block_on("Mutex::blocking_lock_owned", self.lock_owned())
    }

    /// Takes the lock if it is free and nobody waits.
    ///
    /// ```
    /// let m = magpie::sync::Mutex::new(0);
    /// let g = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(g);
    /// assert!(m.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.permit.try_acquire(1) {
            Ok(()) => Ok(MutexGuard::new(self)),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Takes the lock if it is free, holding the mutex through the `Arc`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(magpie::sync::Mutex::new(0));
    /// assert!(m.clone().try_lock_owned().is_ok());
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        match self.permit.try_acquire(1) {
            Ok(()) => Ok(OwnedMutexGuard::new(self)),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Mutable access without locking: `&mut self` proves nobody else can.
    ///
    /// ```
    /// let mut m = magpie::sync::Mutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(m.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` means no guard exists.
        self.data.with_mut(|p| unsafe { &mut *p })
    }

    /// The data, for the guards (which hold the permit that makes using
    /// it sound).
    fn data_ptr(&self) -> *mut T {
        self.data.with_mut(|p| p)
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}
