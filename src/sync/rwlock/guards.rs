//! The borrowed guards of a [`RwLock`](super::RwLock): each holds the
//! lock's semaphore, how many permits it took (1 to read, all to write)
//! and a pointer to the data (or, once mapped, to a part of it).

use super::super::permits::Permits;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

/// Shared access to a [`RwLock`](super::RwLock)'s data.
///
/// ```
/// futures::executor::block_on(async {
///     let lock = magpie::sync::RwLock::new(1);
///     let guard: magpie::sync::RwLockReadGuard<'_, i32> = lock.read().await;
///     assert_eq!(*guard, 1);
/// });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    permits: &'a Permits,
    data: *const T,
    _marker: PhantomData<&'a T>,
}

/// Exclusive access to a [`RwLock`](super::RwLock)'s data.
///
/// ```
/// futures::executor::block_on(async {
///     let lock = magpie::sync::RwLock::new(1);
///     let mut guard = lock.write().await;
///     *guard = 2;
/// });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    permits: &'a Permits,
    data: *mut T,
    /// The lock's `max_readers`: the permits this guard holds.
    n: u32,
    _marker: PhantomData<&'a mut T>,
}

/// A [`RwLockWriteGuard`] narrowed by [`RwLockWriteGuard::map`] to part of
/// the data; the lock stays write-locked until it drops.
///
/// ```
/// use magpie::sync::{RwLock, RwLockWriteGuard};
/// let lock = RwLock::new((1, 2));
/// let mut second = RwLockWriteGuard::map(lock.try_write().unwrap(), |p| &mut p.1);
/// *second = 20;
/// drop(second);
/// assert_eq!(*lock.try_read().unwrap(), (1, 20));
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockMappedWriteGuard<'a, T: ?Sized> {
    permits: &'a Permits,
    data: *mut T,
    n: u32,
    _marker: PhantomData<&'a mut T>,
}

// SAFETY: a read guard is a `&T` plus the right to release one permit
// (which any thread may do): it may go where `&T` may.
unsafe impl<T: ?Sized + Sync> Send for RwLockReadGuard<'_, T> {}
// SAFETY: as above; sharing it shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}
// SAFETY: a write guard is a `&mut T` that can also become a `&T` on
// another thread (`downgrade`), hence both bounds, as in tokio.
unsafe impl<T: ?Sized + Send + Sync> Send for RwLockWriteGuard<'_, T> {}
// SAFETY: shared, it hands out `&T` only.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockWriteGuard<'_, T> {}
// SAFETY: as for the write guard.
unsafe impl<T: ?Sized + Send + Sync> Send for RwLockMappedWriteGuard<'_, T> {}
// SAFETY: as for the write guard.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockMappedWriteGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    /// A guard over `data` holding one of `permits`.
    pub(super) fn new(permits: &'a Permits, data: *const T) -> Self {
        RwLockReadGuard {
            permits,
            data,
            _marker: PhantomData,
        }
    }

    /// Narrows the guard to a part of the data; the read lock is kept.
    /// An associated function, so it does not shadow a method of `T`.
    ///
    /// ```
    /// use magpie::sync::{RwLock, RwLockReadGuard};
    /// let lock = RwLock::new(vec![1, 2]);
    /// let first = RwLockReadGuard::map(lock.try_read().unwrap(), |v| &v[0]);
    /// assert_eq!(*first, 1);
    /// ```
    pub fn map<U: ?Sized>(this: Self, f: impl FnOnce(&T) -> &U) -> RwLockReadGuard<'a, U> {
        // SAFETY: the guard holds a read permit: no writer has `&mut T`.
        let data = f(unsafe { &*this.data }) as *const U;
        Self::remap(this, data)
    }

    /// Like [`map`](Self::map), if `f` finds a part; otherwise hands the
    /// guard back, still read-locked.
    ///
    /// ```
    /// use magpie::sync::{RwLock, RwLockReadGuard};
    /// let lock = RwLock::new(vec![1, 2]);
    /// let all = RwLockReadGuard::try_map(lock.try_read().unwrap(), |v| v.get(2)).unwrap_err();
    /// let second = RwLockReadGuard::try_map(all, |v| v.get(1)).unwrap();
    /// assert_eq!(*second, 2);
    /// ```
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&T) -> Option<&U>,
    ) -> Result<RwLockReadGuard<'a, U>, Self> {
        // SAFETY: as in `map`.
        match f(unsafe { &*this.data }) {
            Some(part) => Ok(Self::remap(this, part as *const U)),
            None => Err(this),
        }
    }

    /// Moves the permit to a guard over `data` (part of ours).
    fn remap<U: ?Sized>(this: Self, data: *const U) -> RwLockReadGuard<'a, U> {
        let permits = this.permits;
        // The permit moves: our `Drop` must not release it.
        std::mem::forget(this);
        RwLockReadGuard::new(permits, data)
    }
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// A guard over `data` holding all `n` of `permits`.
    pub(super) fn new(permits: &'a Permits, data: *mut T, n: u32) -> Self {
        RwLockWriteGuard {
            permits,
            data,
            n,
            _marker: PhantomData,
        }
    }

    /// Turns write access into read access without unlocking in between:
    /// gives back every permit but one, so readers queued before any
    /// writer enter now; a writer queued meanwhile keeps its place (it
    /// collects the permits, as always), and those behind it keep waiting.
    /// A method, as in tokio.
    ///
    /// ```
    /// use magpie::sync::RwLock;
    /// let lock = RwLock::new(1);
    /// let mut w = lock.try_write().unwrap();
    /// *w = 2;
    /// let r = w.downgrade();
    /// let other = lock.try_read().unwrap(); // readers may join now
    /// assert_eq!((*r, *other), (2, 2));
    /// assert!(lock.try_write().is_err());
    /// ```
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        RwLockWriteGuard::downgrade_map(self, |all| all)
    }

    /// Narrows the guard to a part of the data; the write lock is kept.
    /// An associated function, so it does not shadow a method of `T`.
    ///
    /// ```
    /// use magpie::sync::{RwLock, RwLockWriteGuard};
    /// let lock = RwLock::new([0; 3]);
    /// *RwLockWriteGuard::map(lock.try_write().unwrap(), |a| &mut a[1]) = 7;
    /// assert_eq!(*lock.try_read().unwrap(), [0, 7, 0]);
    /// ```
    pub fn map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> RwLockMappedWriteGuard<'a, U> {
        // SAFETY: a write guard holds every permit.
        let data = f(unsafe { &mut *this.data }) as *mut U;
        let (permits, _, n) = Self::into_parts(this);
        RwLockMappedWriteGuard::new(permits, data, n)
    }

    /// Like [`map`](Self::map), if `f` finds a part; otherwise hands the
    /// guard back, still write-locked.
    ///
    /// ```
    /// use magpie::sync::{RwLock, RwLockWriteGuard};
    /// let lock = RwLock::new(vec![1]);
    /// let w = RwLockWriteGuard::try_map(lock.try_write().unwrap(), |v| v.get_mut(1)).unwrap_err();
    /// let mut first = RwLockWriteGuard::try_map(w, |v| v.first_mut()).unwrap();
    /// *first = 5;
    /// drop(first);
    /// assert_eq!(*lock.try_read().unwrap(), [5]);
    /// ```
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<RwLockMappedWriteGuard<'a, U>, Self> {
        // SAFETY: as in `map`.
        let Some(part) = f(unsafe { &mut *this.data }) else {
            return Err(this);
        };
        let data = part as *mut U;
        let (permits, _, n) = Self::into_parts(this);
        Ok(RwLockMappedWriteGuard::new(permits, data, n))
    }

    /// The same write access as a mapped guard over all the data (for code
    /// that handles mapped guards only).
    ///
    /// ```
    /// use magpie::sync::{RwLock, RwLockMappedWriteGuard, RwLockWriteGuard};
    /// let lock = RwLock::new(1);
    /// let mut all: RwLockMappedWriteGuard<'_, i32> =
    ///     RwLockWriteGuard::into_mapped(lock.try_write().unwrap());
    /// *all = 2;
    /// assert_eq!(*all, 2);
    /// ```
    pub fn into_mapped(this: Self) -> RwLockMappedWriteGuard<'a, T> {
        RwLockWriteGuard::map(this, |all| all)
    }

    /// [`map`](Self::map) to a part of the data, then
    /// [`downgrade`](Self::downgrade): the part stays readable, and the
    /// rest of the lock opens to other readers.
    ///
    /// ```
    /// use magpie::sync::{RwLock, RwLockWriteGuard};
    /// let lock = RwLock::new((String::from("id"), 0));
    /// let name = RwLockWriteGuard::downgrade_map(lock.try_write().unwrap(), |p| &p.0);
    /// assert_eq!(*name, "id");
    /// assert!(lock.try_read().is_ok());
    /// ```
    pub fn downgrade_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&T) -> &U,
    ) -> RwLockReadGuard<'a, U> {
        match RwLockWriteGuard::try_downgrade_map(this, |t| Some(f(t))) {
            Ok(read) => read,
            Err(_) => unreachable!("the closure always finds a part"),
        }
    }

    /// Like [`downgrade_map`](Self::downgrade_map), if `f` finds a part;
    /// otherwise hands the write guard back, still write-locked (nothing
    /// was released).
    ///
    /// ```
    /// use magpie::sync::{RwLock, RwLockWriteGuard};
    /// let lock = RwLock::new(vec![1]);
    /// let w = RwLockWriteGuard::try_downgrade_map(lock.try_write().unwrap(), |v| v.get(1))
    ///     .unwrap_err();
    /// assert!(lock.try_read().is_err(), "still write-locked");
    /// let one = RwLockWriteGuard::try_downgrade_map(w, |v| v.first()).unwrap();
    /// assert_eq!((*one, lock.try_read().unwrap()[0]), (1, 1));
    /// ```
    pub fn try_downgrade_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&T) -> Option<&U>,
    ) -> Result<RwLockReadGuard<'a, U>, Self> {
        // SAFETY: a write guard holds every permit.
        let Some(part) = f(unsafe { &*this.data }) else {
            return Err(this);
        };
        let data = part as *const U;
        let (permits, _, n) = Self::into_parts(this);
        // The read guard keeps one permit; the rest go to the queue in
        // order (see "Downgrade and fairness" in `mod.rs`).
        permits.release(n as usize - 1);
        Ok(RwLockReadGuard::new(permits, data))
    }

    /// Takes the guard apart without running its `Drop`: its permits move
    /// on with the parts.
    fn into_parts(this: Self) -> (&'a Permits, *mut T, u32) {
        let parts = (this.permits, this.data, this.n);
        std::mem::forget(this);
        parts
    }
}

impl<'a, T: ?Sized> RwLockMappedWriteGuard<'a, T> {
    fn new(permits: &'a Permits, data: *mut T, n: u32) -> Self {
        RwLockMappedWriteGuard {
            permits,
            data,
            n,
            _marker: PhantomData,
        }
    }

    /// Narrows the guard further (see [`RwLockWriteGuard::map`]).
    ///
    /// ```
    /// use magpie::sync::{RwLock, RwLockMappedWriteGuard, RwLockWriteGuard};
    /// let lock = RwLock::new(((1, 2), 3));
    /// let inner = RwLockWriteGuard::map(lock.try_write().unwrap(), |t| &mut t.0);
    /// let two = RwLockMappedWriteGuard::map(inner, |p| &mut p.1);
    /// assert_eq!(*two, 2);
    /// ```
    pub fn map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> RwLockMappedWriteGuard<'a, U> {
        // SAFETY: the guard holds every permit.
        let data = f(unsafe { &mut *this.data }) as *mut U;
        Self::remap(this, data)
    }

    /// Like [`map`](Self::map), if `f` finds a part; otherwise hands the
    /// guard back, still write-locked.
    ///
    /// ```
    /// use magpie::sync::{RwLock, RwLockMappedWriteGuard, RwLockWriteGuard};
    /// let lock = RwLock::new((None, 0));
    /// let opt = RwLockWriteGuard::map(lock.try_write().unwrap(), |p| &mut p.0);
    /// let mut opt = RwLockMappedWriteGuard::try_map(opt, |o| o.as_mut()).unwrap_err();
    /// *opt = Some(4);
    /// let four = RwLockMappedWriteGuard::try_map(opt, |o| o.as_mut()).unwrap();
    /// assert_eq!(*four, 4);
    /// ```
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<RwLockMappedWriteGuard<'a, U>, Self> {
        // SAFETY: as in `map`.
        match f(unsafe { &mut *this.data }) {
            Some(part) => Ok(Self::remap(this, part as *mut U)),
            None => Err(this),
        }
    }

    /// Moves the permits to a guard over `data` (part of ours).
    fn remap<U: ?Sized>(this: Self, data: *mut U) -> RwLockMappedWriteGuard<'a, U> {
        let (permits, n) = (this.permits, this.n);
        // The permits move: our `Drop` must not release them.
        std::mem::forget(this);
        RwLockMappedWriteGuard::new(permits, data, n)
    }
}

/// Deref, Debug, Display and the permit-returning Drop (and, with `mut`,
/// DerefMut).
macro_rules! borrowed_guard_impls {
    ($guard:ident, $permits:expr) => {
        impl<T: ?Sized> Deref for $guard<'_, T> {
            type Target = T;
            fn deref(&self) -> &T {
                // SAFETY: the guard holds at least one permit, so no writer
                // has `&mut T` (or it is that writer).
                unsafe { &*self.data }
            }
        }

        impl<T: ?Sized> Drop for $guard<'_, T> {
            fn drop(&mut self) {
                let n: usize = $permits(&*self);
                self.permits.release(n);
            }
        }

        fmt_as_target!(impl[T: ?Sized] $guard<'_, T> => T);
    };
    ($guard:ident, $permits:expr, mut) => {
        borrowed_guard_impls!($guard, $permits);

        impl<T: ?Sized> DerefMut for $guard<'_, T> {
            fn deref_mut(&mut self) -> &mut T {
                // SAFETY: a write guard holds every permit.
                unsafe { &mut *self.data }
            }
        }
    };
}

borrowed_guard_impls!(RwLockReadGuard, |_| 1);
borrowed_guard_impls!(
    RwLockWriteGuard,
    |g: &RwLockWriteGuard<'_, T>| g.n as usize,
    mut
);
borrowed_guard_impls!(
    RwLockMappedWriteGuard,
    |g: &RwLockMappedWriteGuard<'_, T>| g.n as usize,
    mut
);
