//! An asynchronous, writer-fair reader-writer lock.
//!
//! The lock is a [`Permits`] semaphore holding `max_readers` permits: a
//! reader takes one, a writer takes all of them. Because the semaphore
//! serves waiters strictly in FIFO order and lets nobody barge past a
//! queued waiter, a writer that is waiting blocks every reader that arrives
//! after it (writer-fair), and a writer at the head of the queue collects
//! the permits of departing readers until it has them all.
//!
//! A borrowed guard (`guards.rs`) holds the semaphore and a pointer to
//! (part of) the data, not the lock, so [`RwLockWriteGuard::map`] can
//! narrow it and [`RwLockWriteGuard::downgrade`] can turn it into a read
//! guard by giving back all permits but one. The owned guards
//! (`owned_guards.rs`) hold the `Arc` instead and do the same.
//!
//! # Downgrade and fairness
//!
//! The `max_readers - 1` permits a downgrade gives back go through the
//! semaphore's ordinary release, which hands them out in queue order:
//! readers queued before any writer get one each and proceed at once; the
//! first queued writer takes all that remain and keeps waiting for the
//! rest (the downgraded guard's permit and those of the readers just let
//! in); and everyone queued behind that writer stays behind it. So a
//! downgrade never lets a later arrival past a queued writer.

use super::mutex::TryLockError;
use super::permits::Permits;
use crate::loom::cell::UnsafeCell;
// The owned guards and permits take `self: Arc<Self>`, which only std's `Arc`
// allows as a receiver (loom's cannot be one), so the public API names it.
use std::fmt;
use std::sync::Arc;

mod guards;
mod owned_guards;

pub use guards::{RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard};
pub use owned_guards::{OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard};

/// The default (and largest) number of concurrent readers.
const MAX_READS: u32 = u32::MAX >> 3;

/// An asynchronous reader-writer lock: many readers or one writer.
///
/// ```
/// use magpie::sync::RwLock;
///
/// futures::executor::block_on(async {
///     let lock = RwLock::new(5);
///     {
///         let r1 = lock.read().await;
///         let r2 = lock.read().await;
///         assert_eq!(*r1 + *r2, 10);
///     }
///     *lock.write().await += 1;
///     assert_eq!(*lock.read().await, 6);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    max_readers: u32,
    permits: Permits,
    data: UnsafeCell<T>,
}

// SAFETY: a writer gets `&mut T` alone (all permits), readers share `&T`
// (one permit each), so the usual `RwLock` bounds apply.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: as above; shared readers on many threads need `T: Sync`.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    crate::loom::const_fn! {
        /// An unlocked lock holding `value`. A `const fn`, so a lock can be a
        /// `static`.
        ///
        /// ```
        /// use magpie::sync::RwLock;
        /// static CONFIG: RwLock<&str> = RwLock::new("default");
        ///
        /// futures::executor::block_on(async {
        ///     *CONFIG.write().await = "tuned";
        ///     assert_eq!(*CONFIG.read().await, "tuned");
        /// });
        /// ```
        pub fn new(value: T) -> RwLock<T> {
            RwLock::with_max_readers(value, MAX_READS)
        }
    }

    crate::loom::const_fn! {
        /// tokio's name for the `const` constructor: the same as
        /// [`new`](Self::new), which is `const` already.
        ///
        /// ```
        /// static LIMITS: magpie::sync::RwLock<u32> = magpie::sync::RwLock::const_new(10);
        /// assert_eq!(*LIMITS.try_read().unwrap(), 10);
        /// ```
        pub fn const_new(value: T) -> RwLock<T> {
            RwLock::new(value)
        }
    }

    crate::loom::const_fn! {
        /// tokio's name for the `const` form of
        /// [`with_max_readers`](Self::with_max_readers) (which is `const`
        /// already). Panics as it does.
        ///
        /// ```
        /// static POOL: magpie::sync::RwLock<()> = magpie::sync::RwLock::const_with_max_readers((), 1);
        /// let _one = POOL.try_read().unwrap();
        /// assert!(POOL.try_read().is_err());
        /// ```
        #[track_caller]
        pub fn const_with_max_readers(value: T, max_readers: u32) -> RwLock<T> {
            RwLock::with_max_readers(value, max_readers)
        }
    }

    crate::loom::const_fn! {
        /// An unlocked lock admitting at most `max_readers` readers at once.
        /// A `const fn`, like [`new`](Self::new).
        ///
        /// # Panics
        /// If `max_readers` is 0 or above `u32::MAX >> 3`.
        ///
        /// ```
        /// let lock = magpie::sync::RwLock::with_max_readers((), 2);
        /// let _a = lock.try_read().unwrap();
        /// let _b = lock.try_read().unwrap();
        /// assert!(lock.try_read().is_err());
        /// ```
        #[track_caller]
        // A `const fn` (outside loom): `RangeInclusive::contains` is not const.
        #[allow(clippy::manual_range_contains)]
        pub fn with_max_readers(value: T, max_readers: u32) -> RwLock<T> {
            assert!(
                max_readers >= 1 && max_readers <= MAX_READS,
                "max_readers must be in 1..=(u32::MAX >> 3)"
            );
            RwLock {
                max_readers,
                permits: Permits::new(max_readers as usize),
                data: UnsafeCell::new(value),
            }
        }
    }

    /// Consumes the lock and returns the data.
    ///
    /// ```
    /// assert_eq!(magpie::sync::RwLock::new(4).into_inner(), 4);
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

macro_rules! acquire_or_unreachable {
    ($permits:expr, $n:expr) => {
        if $permits.acquire($n).await.is_err() {
            unreachable!("an RwLock's semaphore is never closed");
        }
    };
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared access. Waits behind any writer already queued.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let lock = magpie::sync::RwLock::new("a");
    ///     assert_eq!(*lock.read().await, "a");
    /// });
    /// ```
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        acquire_or_unreachable!(self.permits, 1);
        RwLockReadGuard::new(&self.permits, self.data_ptr_shared())
    }

    /// Waits for exclusive access.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let lock = magpie::sync::RwLock::new(vec![]);
    ///     lock.write().await.push(1);
    ///     assert_eq!(lock.read().await.len(), 1);
    /// });
    /// ```
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        acquire_or_unreachable!(self.permits, self.max_readers as usize);
        RwLockWriteGuard::new(&self.permits, self.data_ptr(), self.max_readers)
    }

    /// Waits for shared access from synchronous code, blocking the thread
    /// (on its parker, not spinning). For threads outside the runtime and
    /// `spawn_blocking` closures.
    ///
    /// # Panics
    /// If called on a thread that drives a magpie runtime (a worker, or
    /// inside `block_on`): blocking it could stall the task that holds the
    /// lock.
    ///
    /// ```
    /// let lock = magpie::sync::RwLock::new(1);
    /// assert_eq!(*lock.blocking_read(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        crate::util::blocking::block_on("RwLock::blocking_read", self.read())
    }

    /// Waits for exclusive access from synchronous code, blocking like
    /// [`blocking_read`](Self::blocking_read) (and panicking where it does).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock = Arc::new(magpie::sync::RwLock::new(0));
    /// let l2 = lock.clone();
    /// std::thread::spawn(move || *l2.blocking_write() += 1).join().unwrap();
    /// assert_eq!(*lock.blocking_read(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        crate::util::blocking::block_on("RwLock::blocking_write", self.write())
    }

    /// Shared access if available right now.
    ///
    /// ```
    /// let lock = magpie::sync::RwLock::new(0);
    /// let _w = lock.try_write().unwrap();
    /// assert!(lock.try_read().is_err());
    /// ```
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        self.permits.try_acquire(1).map_err(|_| TryLockError(()))?;
        Ok(RwLockReadGuard::new(&self.permits, self.data_ptr_shared()))
    }

    /// Exclusive access if available right now.
    ///
    /// ```
    /// let lock = magpie::sync::RwLock::new(0);
    /// let _r = lock.try_read().unwrap();
    /// assert!(lock.try_write().is_err());
    /// ```
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        self.permits
            .try_acquire(self.max_readers as usize)
            .map_err(|_| TryLockError(()))?;
        Ok(RwLockWriteGuard::new(
            &self.permits,
            self.data_ptr(),
            self.max_readers,
        ))
    }

    /// Waits for shared access, holding the lock through the `Arc`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// futures::executor::block_on(async {
    ///     let lock = Arc::new(magpie::sync::RwLock::new(2));
    ///     assert_eq!(*lock.clone().read_owned().await, 2);
    /// });
    /// ```
    pub async fn read_owned(self: Arc<Self>) -> OwnedRwLockReadGuard<T> {
        acquire_or_unreachable!(self.permits, 1);
        OwnedRwLockReadGuard::new(self)
    }

    /// Waits for exclusive access, holding the lock through the `Arc`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// futures::executor::block_on(async {
    ///     let lock = Arc::new(magpie::sync::RwLock::new(2));
    ///     *lock.clone().write_owned().await += 1;
    ///     assert_eq!(*lock.read().await, 3);
    /// });
    /// ```
    pub async fn write_owned(self: Arc<Self>) -> OwnedRwLockWriteGuard<T> {
        let n = self.max_readers as usize;
        acquire_or_unreachable!(self.permits, n);
        OwnedRwLockWriteGuard::new(self)
    }

    /// Shared access if available right now, holding the lock through the
    /// `Arc`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock = Arc::new(magpie::sync::RwLock::new(2));
    /// let r = lock.clone().try_read_owned().unwrap();
    /// assert!(lock.try_write().is_err());
    /// assert_eq!(*r, 2);
    /// ```
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        self.permits.try_acquire(1).map_err(|_| TryLockError(()))?;
        Ok(OwnedRwLockReadGuard::new(self))
    }

    /// Exclusive access if available right now, holding the lock through
    /// the `Arc`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock = Arc::new(magpie::sync::RwLock::new(2));
    /// let _r = lock.try_read().unwrap();
    /// assert!(lock.clone().try_write_owned().is_err());
    /// ```
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        self.permits
            .try_acquire(self.max_readers as usize)
            .map_err(|_| TryLockError(()))?;
        Ok(OwnedRwLockWriteGuard::new(self))
    }

    /// Mutable access without locking: `&mut self` proves nobody else can.
    ///
    /// ```
    /// let mut lock = magpie::sync::RwLock::new(1);
    /// *lock.get_mut() = 2;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` means no guard exists.
        self.data.with_mut(|p| unsafe { &mut *p })
    }

    /// The data, for the write guards (whose permits make using it sound).
    fn data_ptr(&self) -> *mut T {
        self.data.with_mut(|p| p)
    }

    /// The data, for the read guards: a shared access, so that loom sees
    /// readers holding the lock at once as the concurrent reads they are
    /// (through `data_ptr` it reported them as concurrent writes).
    fn data_ptr_shared(&self) -> *const T {
        self.data.with(|p| p)
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}
