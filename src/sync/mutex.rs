//! An asynchronous, fair mutual-exclusion lock.
//!
//! The lock is a one-permit [`Permits`] semaphore next to the data: an
//! uncontended `lock` is one CAS taking the permit, `unlock` one CAS giving
//! it back. Under contention the permit is handed directly to the first
//! queued waiter (FIFO), so no waiter starves and nobody barges. The
//! semaphore's Acquire/Release orderings are what make the data written
//! under one guard visible to the next holder.

use super::permits::Permits;
use crate::loom::cell::UnsafeCell;
// The owned guards and permits take `self: Arc<Self>`, which only std's `Arc`
// allows as a receiver (loom's cannot be one), so the public API names it.
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

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

/// Access to a [`Mutex`]'s data; unlocks when dropped.
///
/// ```
/// futures::executor::block_on(async {
///     let m = magpie::sync::Mutex::new(vec![1]);
///     let mut guard = m.lock().await;
///     guard.push(2);
///     assert_eq!(*guard, [1, 2]);
/// });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
    /// Makes the guard `Sync` only when `T: Sync` (it hands out `&T`).
    _marker: PhantomData<&'a mut T>,
}

/// Access to a [`Mutex`] held through an `Arc`; unlocks when dropped.
///
/// ```
/// use std::sync::Arc;
/// futures::executor::block_on(async {
///     let m = Arc::new(magpie::sync::Mutex::new(0));
///     let mut guard = m.clone().lock_owned().await;
///     *guard = 5;
///     drop(guard);
///     assert_eq!(*m.lock().await, 5);
/// });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMutexGuard<T: ?Sized> {
    lock: Arc<Mutex<T>>,
    /// Makes the guard `Sync` only when `T: Sync` (it hands out `&T`).
    _marker: PhantomData<T>,
}

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
        MutexGuard {
            lock: self,
            _marker: PhantomData,
        }
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
        OwnedMutexGuard {
            lock: self,
            _marker: PhantomData,
        }
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
            Ok(()) => Ok(MutexGuard {
                lock: self,
                _marker: PhantomData,
            }),
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
            Ok(()) => Ok(OwnedMutexGuard {
                lock: self,
                _marker: PhantomData,
            }),
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

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit.
        unsafe { &*self.lock.data_ptr() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex's only permit.
        unsafe { &mut *self.lock.data_ptr() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.permit.release(1);
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// Narrows the guard to a part of the data (a field, an element): the
    /// mutex stays locked until the [`MappedMutexGuard`] drops. An
    /// associated function (`MutexGuard::map(guard, ..)`), so it does not
    /// shadow a method of `T`.
    ///
    /// ```
    /// use magpie::sync::{MappedMutexGuard, Mutex, MutexGuard};
    /// futures::executor::block_on(async {
    ///     let m = Mutex::new((0, String::from("a")));
    ///     let mut name: MappedMutexGuard<'_, String> =
    ///         MutexGuard::map(m.lock().await, |pair| &mut pair.1);
    ///     name.push('b');
    ///     assert!(m.try_lock().is_err(), "still locked");
    ///     drop(name);
    ///     assert_eq!(m.lock().await.1, "ab");
    /// });
    /// ```
    pub fn map<U: ?Sized>(this: Self, f: impl FnOnce(&mut T) -> &mut U) -> MappedMutexGuard<'a, U> {
        // SAFETY: the guard holds the mutex's only permit.
        let data = f(unsafe { &mut *this.lock.data_ptr() }) as *mut U;
        Self::into_mapped(this, data)
    }

    /// Like [`map`](Self::map), if `f` finds a part; otherwise hands the
    /// guard back, still locked.
    ///
    /// ```
    /// use magpie::sync::{Mutex, MutexGuard};
    /// let m = Mutex::new(vec![1, 2]);
    /// let third = MutexGuard::try_map(m.try_lock().unwrap(), |v| v.get_mut(2));
    /// let guard = third.unwrap_err(); // no third element: the guard is back
    /// let second = MutexGuard::try_map(guard, |v| v.get_mut(1)).unwrap();
    /// assert_eq!(*second, 2);
    /// ```
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        // SAFETY: as in `map`.
        match f(unsafe { &mut *this.lock.data_ptr() }) {
            Some(part) => Ok(Self::into_mapped(this, part as *mut U)),
            None => Err(this),
        }
    }

    /// Moves the permit to a guard over `data` (part of our data).
    fn into_mapped<U: ?Sized>(this: Self, data: *mut U) -> MappedMutexGuard<'a, U> {
        let permit = &this.lock.permit;
        // The permit moves: our `Drop` must not release it.
        std::mem::forget(this);
        MappedMutexGuard::new(permit, data)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The mutex this guard locks.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(magpie::sync::Mutex::new(()));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(g.mutex(), &m));
    /// ```
    pub fn mutex(&self) -> &Arc<Mutex<T>> {
        &self.lock
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit.
        unsafe { &*self.lock.data_ptr() }
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex's only permit.
        unsafe { &mut *self.lock.data_ptr() }
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.permit.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A [`MutexGuard`] narrowed by [`MutexGuard::map`] to part of the data;
/// unlocks the mutex when dropped.
///
/// ```
/// use magpie::sync::{Mutex, MutexGuard};
/// let m = Mutex::new([1, 2, 3]);
/// let mut last = MutexGuard::map(m.try_lock().unwrap(), |a| &mut a[2]);
/// *last = 30;
/// drop(last);
/// assert_eq!(*m.try_lock().unwrap(), [1, 2, 30]);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MappedMutexGuard<'a, T: ?Sized> {
    /// The mutex's semaphore; this guard holds its one permit.
    permit: &'a Permits,
    data: *mut T,
    _marker: PhantomData<&'a mut T>,
}

// SAFETY: the guard is a `&mut T` plus the right to release the permit
// (which any thread may do), so it may move where `&mut T` may.
unsafe impl<T: ?Sized + Send> Send for MappedMutexGuard<'_, T> {}
// SAFETY: shared, it hands out `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for MappedMutexGuard<'_, T> {}

impl<'a, T: ?Sized> MappedMutexGuard<'a, T> {
    fn new(permit: &'a Permits, data: *mut T) -> Self {
        MappedMutexGuard {
            permit,
            data,
            _marker: PhantomData,
        }
    }

    /// Narrows the guard further (see [`MutexGuard::map`]).
    ///
    /// ```
    /// use magpie::sync::{MappedMutexGuard, Mutex, MutexGuard};
    /// let m = Mutex::new(((1, 2), 3));
    /// let inner = MutexGuard::map(m.try_lock().unwrap(), |t| &mut t.0);
    /// let two = MappedMutexGuard::map(inner, |p| &mut p.1);
    /// assert_eq!(*two, 2);
    /// ```
    pub fn map<U: ?Sized>(this: Self, f: impl FnOnce(&mut T) -> &mut U) -> MappedMutexGuard<'a, U> {
        // SAFETY: we hold the mutex's only permit.
        let data = f(unsafe { &mut *this.data }) as *mut U;
        Self::remap(this, data)
    }

    /// Like [`map`](Self::map), if `f` finds a part; otherwise hands the
    /// guard back.
    ///
    /// ```
    /// use magpie::sync::{MappedMutexGuard, Mutex, MutexGuard};
    /// let m = Mutex::new(Some(5));
    /// let all = MutexGuard::map(m.try_lock().unwrap(), |o| o);
    /// let five = MappedMutexGuard::try_map(all, |o| o.as_mut()).unwrap();
    /// assert_eq!(*five, 5);
    /// ```
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        // SAFETY: as in `map`.
        match f(unsafe { &mut *this.data }) {
            Some(part) => Ok(Self::remap(this, part as *mut U)),
            None => Err(this),
        }
    }

    /// Moves the permit to a guard over `data` (part of ours).
    fn remap<U: ?Sized>(this: Self, data: *mut U) -> MappedMutexGuard<'a, U> {
        let permit = this.permit;
        // The permit moves: our `Drop` must not release it.
        std::mem::forget(this);
        MappedMutexGuard::new(permit, data)
    }
}

impl<T: ?Sized> Deref for MappedMutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for MappedMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex's only permit.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized> Drop for MappedMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.permit.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MappedMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
