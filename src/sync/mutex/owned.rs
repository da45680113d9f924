//! The guards that hold a [`Mutex`] through an `Arc`: [`OwnedMutexGuard`]
//! and, once narrowed to a part of the data, [`OwnedMappedMutexGuard`].
//! Each keeps the `Arc` (so the mutex outlives it) and the mutex's one
//! permit, which it gives back when dropped.

use super::Mutex;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

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

/// An [`OwnedMutexGuard`] narrowed by [`OwnedMutexGuard::map`] to a part
/// `U` of the data `T`; unlocks the mutex when dropped. It keeps the `Arc`,
/// so it may outlive every other handle to the mutex.
///
/// ```
/// use magpie::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
/// use std::sync::Arc;
/// let m = Arc::new(Mutex::new((1, String::from("a"))));
/// let mut name: OwnedMappedMutexGuard<(i32, String), String> =
///     OwnedMutexGuard::map(m.clone().try_lock_owned().unwrap(), |p| &mut p.1);
/// name.push('b');
/// assert!(m.try_lock().is_err(), "still locked");
/// drop(name);
/// assert_eq!(m.try_lock().unwrap().1, "ab");
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMappedMutexGuard<T: ?Sized, U: ?Sized = T> {
    lock: Arc<Mutex<T>>,
    data: *mut U,
    _marker: PhantomData<U>,
}

// SAFETY: the guard is a `&mut U` (hence `U: Send`) plus an
// `Arc<Mutex<T>>`, which may move where `T: Send` (the mutex's own bound);
// releasing the permit is allowed on any thread.
unsafe impl<T: ?Sized + Send, U: ?Sized + Send> Send for OwnedMappedMutexGuard<T, U> {}
// SAFETY: shared, it hands out `&U` (hence `U: Sync`) and
// `&Arc<Mutex<T>>` (shareable where `T: Send`).
unsafe impl<T: ?Sized + Send, U: ?Sized + Sync> Sync for OwnedMappedMutexGuard<T, U> {}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// A guard for `lock`, whose permit the caller has just taken.
    pub(super) fn new(lock: Arc<Mutex<T>>) -> Self {
        OwnedMutexGuard {
            lock,
            _marker: PhantomData,
        }
    }

    /// Narrows the guard to a part of the data; the mutex stays locked
    /// until the [`OwnedMappedMutexGuard`] drops. An associated function
    /// (`OwnedMutexGuard::map(guard, ..)`), so it does not shadow a method
    /// of `T`.
    ///
    /// ```
    /// use magpie::sync::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// futures::executor::block_on(async {
    ///     let m = Arc::new(Mutex::new([0, 0]));
    ///     let mut second = OwnedMutexGuard::map(m.clone().lock_owned().await, |a| &mut a[1]);
    ///     *second = 2;
    ///     drop(second);
    ///     assert_eq!(*m.lock().await, [0, 2]);
    /// });
    /// ```
    pub fn map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> OwnedMappedMutexGuard<T, U> {
        OwnedMappedMutexGuard::map(Self::whole(this), f)
    }

    /// Like [`map`](Self::map), if `f` finds a part; otherwise hands the
    /// guard back, still locked.
    ///
    /// ```
    /// use magpie::sync::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new(vec![1, 2]));
    /// let guard = m.try_lock_owned().unwrap();
    /// let guard = OwnedMutexGuard::try_map(guard, |v| v.get_mut(5)).unwrap_err();
    /// let first = OwnedMutexGuard::try_map(guard, |v| v.first_mut()).unwrap();
    /// assert_eq!(*first, 1);
    /// ```
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<OwnedMappedMutexGuard<T, U>, Self> {
        OwnedMappedMutexGuard::try_map(Self::whole(this), f)
            .map_err(|whole| OwnedMutexGuard::new(take_lock!(whole)))
    }

    /// The mutex this guard locks. An associated function, like
    /// [`map`](Self::map).
    ///
    /// ```
    /// use magpie::sync::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new(()));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(OwnedMutexGuard::mutex(&g), &m));
    /// ```
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }

    /// The same lock as a mapped guard over all the data (the permit
    /// moves with it), so that one `map`/`try_map` serves both guards.
    fn whole(this: Self) -> OwnedMappedMutexGuard<T> {
        let data = this.lock.data_ptr();
        OwnedMappedMutexGuard {
            lock: take_lock!(this),
            data,
            _marker: PhantomData,
        }
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

fmt_as_target!(impl[T: ?Sized] OwnedMutexGuard<T> => T);

impl<T: ?Sized, U: ?Sized> OwnedMappedMutexGuard<T, U> {
    /// Narrows the guard further (see [`OwnedMutexGuard::map`]).
    ///
    /// ```
    /// use magpie::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new(((1, 2), 3)));
    /// let inner = OwnedMutexGuard::map(m.try_lock_owned().unwrap(), |t| &mut t.0);
    /// let two = OwnedMappedMutexGuard::map(inner, |p| &mut p.1);
    /// assert_eq!(*two, 2);
    /// ```
    pub fn map<V: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut U) -> &mut V,
    ) -> OwnedMappedMutexGuard<T, V> {
        // SAFETY: we hold the mutex's only permit.
        let data = f(unsafe { &mut *this.data }) as *mut V;
        OwnedMappedMutexGuard {
            lock: take_lock!(this),
            data,
            _marker: PhantomData,
        }
    }

    /// Like [`map`](Self::map), if `f` finds a part; otherwise hands the
    /// guard back.
    ///
    /// ```
    /// use magpie::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new((Some(5), 0)));
    /// let opt = OwnedMutexGuard::map(m.try_lock_owned().unwrap(), |p| &mut p.0);
    /// let five = OwnedMappedMutexGuard::try_map(opt, |o| o.as_mut()).unwrap();
    /// assert_eq!(*five, 5);
    /// ```
    pub fn try_map<V: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut U) -> Option<&mut V>,
    ) -> Result<OwnedMappedMutexGuard<T, V>, Self> {
        // SAFETY: as in `map`.
        match f(unsafe { &mut *this.data }) {
            Some(part) => Ok(OwnedMappedMutexGuard {
                data: part as *mut V,
                lock: take_lock!(this),
                _marker: PhantomData,
            }),
            None => Err(this),
        }
    }

    /// The mutex this guard locks (all of it, not just the part).
    ///
    /// ```
    /// use magpie::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new((1, 2)));
    /// let g = OwnedMutexGuard::map(m.clone().try_lock_owned().unwrap(), |p| &mut p.0);
    /// assert!(Arc::ptr_eq(OwnedMappedMutexGuard::mutex(&g), &m));
    /// ```
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedMappedMutexGuard<T, U> {
    type Target = U;
    fn deref(&self) -> &U {
        // SAFETY: the guard holds the mutex's only permit, and `data`
        // points into the mutex the `Arc` keeps alive.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized, U: ?Sized> DerefMut for OwnedMappedMutexGuard<T, U> {
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: as in `deref`.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedMappedMutexGuard<T, U> {
    fn drop(&mut self) {
        self.lock.permit.release(1);
    }
}

fmt_as_target!(impl[T: ?Sized, U: ?Sized] OwnedMappedMutexGuard<T, U> => U);
