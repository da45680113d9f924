//! The borrowed guards of a [`Mutex`]: [`MutexGuard`] and, once narrowed
//! to a part of the data, [`MappedMutexGuard`]. Each holds the mutex's one
//! permit and gives it back when dropped.

use super::super::permits::Permits;
use super::Mutex;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

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

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// A guard for `lock`, whose permit the caller has just taken.
    pub(super) fn new(lock: &'a Mutex<T>) -> Self {
        MutexGuard {
            lock,
            _marker: PhantomData,
        }
    }

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

    /// The mutex this guard locks. An associated function, like
    /// [`map`](Self::map).
    ///
    /// ```
    /// use magpie::sync::{Mutex, MutexGuard};
    /// let m = Mutex::new(1);
    /// let guard = m.try_lock().unwrap();
    /// assert!(std::ptr::eq(MutexGuard::mutex(&guard), &m));
    /// ```
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }

    /// Moves the permit to a guard over `data` (part of our data).
    fn into_mapped<U: ?Sized>(this: Self, data: *mut U) -> MappedMutexGuard<'a, U> {
        let permit = &this.lock.permit;
        // The permit moves: our `Drop` must not release it.
        std::mem::forget(this);
        MappedMutexGuard::new(permit, data)
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

fmt_as_target!(impl[T: ?Sized] MutexGuard<'_, T> => T);

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

fmt_as_target!(impl[T: ?Sized] MappedMutexGuard<'_, T> => T);
