//! The guards that hold a [`RwLock`] through an `Arc`: each keeps the
//! `Arc` (so the lock outlives it), the permits it took (one to read, all
//! `max_readers` to write) and, once mapped, a pointer to the part `U` of
//! the data `T` it narrows to. Mapping or downgrading moves the `Arc` and
//! the permits to the new guard; a downgrade then gives back all permits
//! but one (see "Downgrade and fairness" in `mod.rs`).

use super::RwLock;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// Shared access held through an `Arc<RwLock<T>>`, to all of the data or,
/// once mapped, to a part `U` of it.
///
/// ```
/// use std::sync::Arc;
/// futures::executor::block_on(async {
///     let lock = Arc::new(magpie::sync::RwLock::new(1));
///     let guard = lock.clone().read_owned().await;
///     assert_eq!(*guard, 1);
/// });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockReadGuard<T: ?Sized, U: ?Sized = T> {
    lock: Arc<RwLock<T>>,
    data: *const U,
    _marker: PhantomData<T>,
}

/// Exclusive access held through an `Arc<RwLock<T>>`.
///
/// ```
/// use std::sync::Arc;
/// futures::executor::block_on(async {
///     let lock = Arc::new(magpie::sync::RwLock::new(1));
///     *lock.clone().write_owned().await = 3;
///     assert_eq!(*lock.read().await, 3);
/// });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockWriteGuard<T: ?Sized> {
    lock: Arc<RwLock<T>>,
    _marker: PhantomData<T>,
}

/// An [`OwnedRwLockWriteGuard`] narrowed by [`OwnedRwLockWriteGuard::map`]
/// to a part `U` of the data; the lock stays write-locked until it drops.
///
/// ```
/// use magpie::sync::{OwnedRwLockWriteGuard, RwLock};
/// use std::sync::Arc;
/// let lock = Arc::new(RwLock::new((1, 2)));
/// let mut second = OwnedRwLockWriteGuard::map(lock.clone().try_write_owned().unwrap(), |p| &mut p.1);
/// *second = 20;
/// drop(second);
/// assert_eq!(*lock.try_read().unwrap(), (1, 20));
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockMappedWriteGuard<T: ?Sized, U: ?Sized = T> {
    lock: Arc<RwLock<T>>,
    data: *mut U,
    _marker: PhantomData<T>,
}

// SAFETY: a read guard is a `&U` (hence `U: Sync`) plus an
// `Arc<RwLock<T>>`, which may move and be shared where `T: Send + Sync`
// (the lock's own bounds); releasing a permit is allowed on any thread.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Send for OwnedRwLockReadGuard<T, U> {}
// SAFETY: as above; sharing it shares `&U` and the `Arc`.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Sync for OwnedRwLockReadGuard<T, U> {}
// SAFETY: a mapped write guard is a `&mut U` (moves where `U: Send`) plus
// the `Arc`, as above. It has no downgrade, so it never hands out `&U` on
// another thread while keeping `&mut U` here.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send> Send for OwnedRwLockMappedWriteGuard<T, U> {}
// SAFETY: shared, it hands out `&U` only (and `&Arc<RwLock<T>>`).
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Sync for OwnedRwLockMappedWriteGuard<T, U> {}

impl<T: ?Sized> OwnedRwLockReadGuard<T> {
    /// A guard over all of `lock`'s data, holding the read permit the
    /// caller has just taken.
    pub(super) fn new(lock: Arc<RwLock<T>>) -> Self {
        let data = lock.data_ptr_shared();
        OwnedRwLockReadGuard {
            lock,
            data,
            _marker: PhantomData,
        }
    }
}

impl<T: ?Sized, U: ?Sized> OwnedRwLockReadGuard<T, U> {
    /// Narrows the guard to a part of the data; the read lock is kept.
    /// An associated function, so it does not shadow a method of `U`.
    ///
    /// ```
    /// use magpie::sync::{OwnedRwLockReadGuard, RwLock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(vec![1, 2]));
    /// let first = OwnedRwLockReadGuard::map(lock.try_read_owned().unwrap(), |v| &v[0]);
    /// assert_eq!(*first, 1);
    /// ```
    pub fn map<V: ?Sized>(this: Self, f: impl FnOnce(&U) -> &V) -> OwnedRwLockReadGuard<T, V> {
        // SAFETY: the guard holds a read permit: no writer has `&mut T`.
        let data = f(unsafe { &*this.data }) as *const V;
        OwnedRwLockReadGuard {
            lock: take_lock!(this),
            data,
            _marker: PhantomData,
        }
    }

    /// Like [`map`](Self::map), if `f` finds a part; otherwise hands the
    /// guard back, still read-locked.
    ///
    /// ```
    /// use magpie::sync::{OwnedRwLockReadGuard, RwLock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(vec![1, 2]));
    /// let all = OwnedRwLockReadGuard::try_map(lock.try_read_owned().unwrap(), |v| v.get(2))
    ///     .unwrap_err();
    /// let second = OwnedRwLockReadGuard::try_map(all, |v| v.get(1)).unwrap();
    /// assert_eq!(*second, 2);
    /// ```
    pub fn try_map<V: ?Sized>(
        this: Self,
        f: impl FnOnce(&U) -> Option<&V>,
    ) -> Result<OwnedRwLockReadGuard<T, V>, Self> {
        // SAFETY: as in `map`.
        match f(unsafe { &*this.data }) {
            Some(part) => Ok(OwnedRwLockReadGuard {
                data: part as *const V,
                lock: take_lock!(this),
                _marker: PhantomData,
            }),
            None => Err(this),
        }
    }

    /// The lock this guard holds (all of it, not just the part).
    ///
    /// ```
    /// use magpie::sync::{OwnedRwLockReadGuard, RwLock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(1));
    /// let guard = lock.clone().try_read_owned().unwrap();
    /// assert!(Arc::ptr_eq(OwnedRwLockReadGuard::rwlock(&guard), &lock));
    /// ```
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T: ?Sized> OwnedRwLockWriteGuard<T> {
    /// A guard holding all the permits the caller has just taken.
    pub(super) fn new(lock: Arc<RwLock<T>>) -> Self {
        OwnedRwLockWriteGuard {
            lock,
            _marker: PhantomData,
        }
    }

    /// Narrows the guard to a part of the data; the write lock is kept.
    /// An associated function, so it does not shadow a method of `T`.
    ///
    /// ```
    /// use magpie::sync::{OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new([0; 3]));
    /// *OwnedRwLockWriteGuard::map(lock.clone().try_write_owned().unwrap(), |a| &mut a[1]) = 7;
    /// assert_eq!(*lock.try_read().unwrap(), [0, 7, 0]);
    /// ```
    pub fn map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> OwnedRwLockMappedWriteGuard<T, U> {
        OwnedRwLockMappedWriteGuard::map(OwnedRwLockWriteGuard::into_mapped(this), f)
    }

    /// Like [`map`](Self::map), if `f` finds a part; otherwise hands the
    /// guard back, still write-locked.
    ///
    /// ```
    /// use magpie::sync::{OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(vec![1]));
    /// let guard = OwnedRwLockWriteGuard::try_map(lock.clone().try_write_owned().unwrap(), |v| {
    ///     v.get_mut(3)
    /// })
    /// .unwrap_err();
    /// assert!(lock.try_read().is_err(), "still write-locked");
    /// drop(guard);
    /// ```
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, U>, Self> {
        OwnedRwLockMappedWriteGuard::try_map(OwnedRwLockWriteGuard::into_mapped(this), f)
            .map_err(|whole| OwnedRwLockWriteGuard::new(take_lock!(whole)))
    }

    /// The same write access as a mapped guard over all the data (for code
    /// that handles mapped guards only).
    ///
    /// ```
    /// use magpie::sync::{OwnedRwLockMappedWriteGuard, OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(1));
    /// let mut all: OwnedRwLockMappedWriteGuard<i32> =
    ///     OwnedRwLockWriteGuard::into_mapped(lock.try_write_owned().unwrap());
    /// *all = 2;
    /// assert_eq!(*all, 2);
    /// ```
    pub fn into_mapped(this: Self) -> OwnedRwLockMappedWriteGuard<T> {
        let data = this.lock.data_ptr();
        OwnedRwLockMappedWriteGuard {
            lock: take_lock!(this),
            data,
            _marker: PhantomData,
        }
    }

    /// Turns write access into read access without unlocking in between:
    /// gives back every permit but one, so readers queued before any
    /// writer enter now; a writer queued meanwhile keeps its place, and
    /// those behind it keep waiting.
    ///
    /// ```
    /// use magpie::sync::RwLock;
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(1));
    /// let mut w = lock.clone().try_write_owned().unwrap();
    /// *w = 2;
    /// let r = w.downgrade();
    /// assert_eq!((*r, *lock.try_read().unwrap()), (2, 2)); // readers may join
    /// assert!(lock.try_write().is_err());
    /// ```
    pub fn downgrade(self) -> OwnedRwLockReadGuard<T> {
        OwnedRwLockWriteGuard::downgrade_map(self, |all| all)
    }

    /// [`map`](Self::map) to a part of the data, then
    /// [`downgrade`](Self::downgrade): the part stays readable, and the
    /// lock opens to other readers.
    ///
    /// ```
    /// use magpie::sync::{OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new((String::from("id"), 0)));
    /// let name = OwnedRwLockWriteGuard::downgrade_map(lock.clone().try_write_owned().unwrap(), |p| &p.0);
    /// assert_eq!(*name, "id");
    /// assert!(lock.try_read().is_ok());
    /// ```
    pub fn downgrade_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&T) -> &U,
    ) -> OwnedRwLockReadGuard<T, U> {
        match OwnedRwLockWriteGuard::try_downgrade_map(this, |t| Some(f(t))) {
            Ok(read) => read,
            Err(_) => unreachable!("the closure always finds a part"),
        }
    }

    /// Like [`downgrade_map`](Self::downgrade_map), if `f` finds a part;
    /// otherwise hands the write guard back, still write-locked (nothing
    /// was released).
    ///
    /// ```
    /// use magpie::sync::{OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(vec![1]));
    /// let w = lock.clone().try_write_owned().unwrap();
    /// let w = OwnedRwLockWriteGuard::try_downgrade_map(w, |v| v.get(1)).unwrap_err();
    /// assert!(lock.try_read().is_err(), "still write-locked");
    /// let one = OwnedRwLockWriteGuard::try_downgrade_map(w, |v| v.first()).unwrap();
    /// assert_eq!((*one, lock.try_read().unwrap()[0]), (1, 1));
    /// ```
    pub fn try_downgrade_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&T) -> Option<&U>,
    ) -> Result<OwnedRwLockReadGuard<T, U>, Self> {
        // SAFETY: a write guard holds every permit.
        let Some(part) = f(unsafe { &*this.lock.data_ptr() }) else {
            return Err(this);
        };
        let data = part as *const U;
        let lock = take_lock!(this);
        // The read guard keeps one permit; the rest go to the queue in order.
        lock.permits.release(lock.max_readers as usize - 1);
        Ok(OwnedRwLockReadGuard {
            lock,
            data,
            _marker: PhantomData,
        })
    }

    /// The lock this guard holds.
    ///
    /// ```
    /// use magpie::sync::{OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(1));
    /// let guard = lock.clone().try_write_owned().unwrap();
    /// assert!(Arc::ptr_eq(OwnedRwLockWriteGuard::rwlock(&guard), &lock));
    /// ```
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T: ?Sized, U: ?Sized> OwnedRwLockMappedWriteGuard<T, U> {
    /// Narrows the guard further (see [`OwnedRwLockWriteGuard::map`]).
    ///
    /// ```
    /// use magpie::sync::{OwnedRwLockMappedWriteGuard, OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new(((1, 2), 3)));
    /// let inner = OwnedRwLockWriteGuard::map(lock.try_write_owned().unwrap(), |t| &mut t.0);
    /// let two = OwnedRwLockMappedWriteGuard::map(inner, |p| &mut p.1);
    /// assert_eq!(*two, 2);
    /// ```
    pub fn map<V: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut U) -> &mut V,
    ) -> OwnedRwLockMappedWriteGuard<T, V> {
        // SAFETY: the guard holds every permit.
        let data = f(unsafe { &mut *this.data }) as *mut V;
        OwnedRwLockMappedWriteGuard {
            lock: take_lock!(this),
            data,
            _marker: PhantomData,
        }
    }

    /// Like [`map`](Self::map), if `f` finds a part; otherwise hands the
    /// guard back, still write-locked.
    ///
    /// ```
    /// use magpie::sync::{OwnedRwLockMappedWriteGuard, OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new((None, 0)));
    /// let opt = OwnedRwLockWriteGuard::map(lock.try_write_owned().unwrap(), |p| &mut p.0);
    /// let mut opt = OwnedRwLockMappedWriteGuard::try_map(opt, |o| o.as_mut()).unwrap_err();
    /// *opt = Some(4);
    /// let four = OwnedRwLockMappedWriteGuard::try_map(opt, |o| o.as_mut()).unwrap();
    /// assert_eq!(*four, 4);
    /// ```
    pub fn try_map<V: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut U) -> Option<&mut V>,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, V>, Self> {
        // SAFETY: as in `map`.
        match f(unsafe { &mut *this.data }) {
            Some(part) => Ok(OwnedRwLockMappedWriteGuard {
                data: part as *mut V,
                lock: take_lock!(this),
                _marker: PhantomData,
            }),
            None => Err(this),
        }
    }

    /// The lock this guard holds (all of it, not just the part).
    ///
    /// ```
    /// use magpie::sync::{OwnedRwLockMappedWriteGuard, OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(RwLock::new((1, 2)));
    /// let g = OwnedRwLockWriteGuard::map(lock.clone().try_write_owned().unwrap(), |p| &mut p.1);
    /// assert!(Arc::ptr_eq(OwnedRwLockMappedWriteGuard::rwlock(&g), &lock));
    /// ```
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedRwLockReadGuard<T, U> {
    type Target = U;
    fn deref(&self) -> &U {
        // SAFETY: the guard holds a read permit, so no writer has
        // `&mut T`, and the `Arc` keeps the data alive.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a write guard holds every permit.
        unsafe { &*self.lock.data_ptr() }
    }
}

impl<T: ?Sized> DerefMut for OwnedRwLockWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: a write guard holds every permit.
        unsafe { &mut *self.lock.data_ptr() }
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedRwLockMappedWriteGuard<T, U> {
    type Target = U;
    fn deref(&self) -> &U {
        // SAFETY: a write guard holds every permit; the `Arc` keeps the
        // data alive.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized, U: ?Sized> DerefMut for OwnedRwLockMappedWriteGuard<T, U> {
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: as in `deref`.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedRwLockReadGuard<T, U> {
    fn drop(&mut self) {
        self.lock.permits.release(1);
    }
}

impl<T: ?Sized> Drop for OwnedRwLockWriteGuard<T> {
    fn drop(&mut self) {
        self.lock.permits.release(self.lock.max_readers as usize);
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedRwLockMappedWriteGuard<T, U> {
    fn drop(&mut self) {
        self.lock.permits.release(self.lock.max_readers as usize);
    }
}

fmt_as_target!(impl[T: ?Sized, U: ?Sized] OwnedRwLockReadGuard<T, U> => U);
fmt_as_target!(impl[T: ?Sized] OwnedRwLockWriteGuard<T> => T);
fmt_as_target!(impl[T: ?Sized, U: ?Sized] OwnedRwLockMappedWriteGuard<T, U> => U);
