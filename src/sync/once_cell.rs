//! A cell written once, by whichever task gets to initialize it first.
//!
//! # Protocol
//!
//! The cell is a flag (`value_set`), a slot for the value and a one-permit
//! [`Semaphore`]. The permit is the right to write the slot:
//!
//! * **Initializing** means holding the permit. `get_or_init` (and
//!   `get_or_try_init`) waits for it in the semaphore's FIFO queue; `set`
//!   only tries to take it (failing with `InitializingError` while someone
//!   holds it or is queued for it).
//! * **Publishing**: the holder writes the slot, stores `value_set = true`
//!   (Release, paired with the Acquire load in `initialized`), then closes
//!   the semaphore and forgets the permit. The slot is never written again
//!   through `&self`.
//! * **Closed ⇒ set.** The close comes after the store, and a waiter (or
//!   `set`) learns of it from the semaphore's state word with Acquire (or
//!   under its queue lock), so whoever sees the semaphore closed also sees
//!   the value.
//! * **Giving up** — the initializing future dropped mid-init, the init
//!   returning `Err`, or panicking — drops the permit, which the semaphore
//!   hands to the next queued waiter (and wakes it): that one initializes
//!   next. No wake-up is lost and the cell stays usable.
//!
//! `&mut self` methods (`get_mut`, `take`, `into_inner`) need none of this:
//! nobody else can be looking.

use super::semaphore::{Semaphore, SemaphorePermit, TryAcquireError};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::mem::MaybeUninit;

/// A thread-safe cell written at most once, whose initialization may be
/// asynchronous: many tasks may ask for the value, one of them runs the
/// initializer, and all of them get the result.
///
/// ```
/// use magpie::sync::OnceCell;
///
/// static CONFIG: OnceCell<String> = OnceCell::const_new();
///
/// async fn config() -> &'static str {
///     CONFIG
///         .get_or_init(|| async { String::from("loaded once") })
///         .await
/// }
///
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut tasks = magpie::task::JoinSet::new();
///     for _ in 0..4 {
///         tasks.spawn(config());
///     }
///     while let Some(res) = tasks.join_next().await {
///         assert_eq!(res.unwrap(), "loaded once");
///     }
/// });
/// ```
pub struct OnceCell<T> {
    value_set: AtomicBool,
    value: UnsafeCell<MaybeUninit<T>>,
    /// One permit, held by whoever is initializing; closed once set.
    semaphore: Semaphore,
}

// SAFETY: shared, the cell hands out `&T` (hence `T: Sync`) and takes a
// `T` from one thread that another may then drop or take (hence `T: Send`).
unsafe impl<T: Send + Sync> Sync for OnceCell<T> {}
// SAFETY: moving the cell moves the `T` in it.
unsafe impl<T: Send> Send for OnceCell<T> {}

/// Why [`OnceCell::set`] failed; the value is handed back inside.
///
/// ```
/// use magpie::sync::{OnceCell, SetError};
/// let cell = OnceCell::new_with(Some(1));
/// let err = cell.set(2).unwrap_err();
/// assert!(err.is_already_init_err());
/// assert_eq!(err, SetError::AlreadyInitializedError(2));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetError<T> {
    /// The cell already holds a value.
    AlreadyInitializedError(T),
    /// Another task is initializing the cell right now (or is queued to).
    InitializingError(T),
}

impl<T> OnceCell<T> {
    /// An empty cell.
    ///
    /// ```
    /// let cell = magpie::sync::OnceCell::<u8>::new();
    /// assert!(cell.get().is_none());
    /// ```
    pub fn new() -> Self {
        OnceCell::const_new()
    }

    crate::loom::const_fn! {
        /// An empty cell, in a `const` context (so it can be a `static`).
        ///
        /// ```
        /// use magpie::sync::OnceCell;
        /// static GREETING: OnceCell<&str> = OnceCell::const_new();
        ///
        /// GREETING.set("hi").unwrap();
        /// assert_eq!(GREETING.get(), Some(&"hi"));
        /// ```
        pub fn const_new() -> Self {
            OnceCell {
                value_set: AtomicBool::new(false),
                value: UnsafeCell::new(MaybeUninit::uninit()),
                semaphore: Semaphore::new(1),
            }
        }
    }

    /// A cell holding `value`, if it is `Some`, or an empty one.
    ///
    /// ```
    /// use magpie::sync::OnceCell;
    /// assert_eq!(OnceCell::new_with(Some(3)).get(), Some(&3));
    /// assert_eq!(OnceCell::<u8>::new_with(None).get(), None);
    /// ```
    pub fn new_with(value: Option<T>) -> Self {
        match value {
            Some(value) => OnceCell::const_new_with(value),
            None => OnceCell::new(),
        }
    }

    crate::loom::const_fn! {
        /// A cell holding `value`, in a `const` context.
        ///
        /// ```
        /// use magpie::sync::OnceCell;
        /// static LIMIT: OnceCell<u32> = OnceCell::const_new_with(64);
        ///
        /// assert_eq!(LIMIT.get(), Some(&64));
        /// assert!(LIMIT.set(1).is_err());
        /// ```
        pub fn const_new_with(value: T) -> Self {
            OnceCell {
                value_set: AtomicBool::new(true),
                value: UnsafeCell::new(MaybeUninit::new(value)),
                semaphore: Semaphore::new_closed(),
            }
        }
    }

    /// Whether the cell holds a value.
    ///
    /// ```
    /// let cell = magpie::sync::OnceCell::new();
    /// assert!(!cell.initialized());
    /// cell.set(()).unwrap();
    /// assert!(cell.initialized());
    /// ```
    pub fn initialized(&self) -> bool {
        // Acquire pairs with the Release store in `publish`: seeing `true`
        // means seeing the value written before it.
        self.value_set.load(Ordering::Acquire)
    }

    /// The value, if the cell holds one (never waits).
    ///
    /// ```
    /// let cell = magpie::sync::OnceCell::new();
    /// assert_eq!(cell.get(), None);
    /// cell.set(5).unwrap();
    /// assert_eq!(cell.get(), Some(&5));
    /// ```
    pub fn get(&self) -> Option<&T> {
        if self.initialized() {
            // SAFETY: `initialized` returned true.
            Some(unsafe { self.get_unchecked() })
        } else {
            None
        }
    }

    /// The value, mutably, if the cell holds one: `&mut self` proves that
    /// nobody else is looking.
    ///
    /// ```
    /// let mut cell = magpie::sync::OnceCell::new_with(Some(1));
    /// *cell.get_mut().unwrap() += 1;
    /// assert_eq!(cell.get(), Some(&2));
    /// ```
    pub fn get_mut(&mut self) -> Option<&mut T> {
        if self.initialized() {
            // SAFETY: the value is set, and `&mut self` excludes every
            // other access.
            Some(self.value.with_mut(|p| unsafe { (*p).assume_init_mut() }))
        } else {
            None
        }
    }

    /// Puts `value` in the cell if it is empty and nobody is initializing
    /// it; otherwise hands `value` back in the error saying which.
    ///
    /// ```
    /// use magpie::sync::{OnceCell, SetError};
    /// let cell = OnceCell::new();
    /// assert_eq!(cell.set(1), Ok(()));
    /// assert_eq!(cell.set(2), Err(SetError::AlreadyInitializedError(2)));
    /// assert_eq!(cell.get(), Some(&1));
    /// ```
    pub fn set(&self, value: T) -> Result<(), SetError<T>> {
        if self.initialized() {
            return Err(SetError::AlreadyInitializedError(value));
        }
        match self.semaphore.try_acquire() {
            Ok(permit) => {
                self.publish(value, permit);
                Ok(())
            }
            // Someone holds the permit, or is queued to get it: they are
            // (about to be) initializing.
            Err(TryAcquireError::NoPermits) => Err(SetError::InitializingError(value)),
            // Closed only once set.
            Err(TryAcquireError::Closed) => Err(SetError::AlreadyInitializedError(value)),
        }
    }

    /// The value, initializing the cell with `f` first if it is empty.
    ///
    /// Of the tasks that call this on an empty cell, one at a time (in the
    /// order they started waiting) runs its `f`; the others wait, and get
    /// the value it produced. If the running one is dropped before `f`
    /// finishes, or `f` panics, the next waiter runs its own `f` instead:
    /// the cell stays empty and usable.
    ///
    /// ```
    /// use magpie::sync::OnceCell;
    /// futures::executor::block_on(async {
    ///     let cell = OnceCell::new();
    ///     assert_eq!(*cell.get_or_init(|| async { 1 }).await, 1);
    ///     assert_eq!(*cell.get_or_init(|| async { 2 }).await, 1, "set once");
    /// });
    /// ```
    pub async fn get_or_init<F, Fut>(&self, f: F) -> &T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let init = move || async move { Ok::<T, Infallible>(f().await) };
        match self.get_or_try_init(init).await {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// Like [`get_or_init`](Self::get_or_init), with an initializer that
    /// may fail: its error is returned to this caller, the cell stays
    /// empty, and the next waiter runs its own initializer.
    ///
    /// ```
    /// use magpie::sync::OnceCell;
    /// futures::executor::block_on(async {
    ///     let cell = OnceCell::new();
    ///     let failed = cell.get_or_try_init(|| async { Err("offline") }).await;
    ///     assert_eq!(failed, Err("offline"));
    ///     assert!(!cell.initialized());
    ///     let ok = cell.get_or_try_init(|| async { Ok::<_, &str>(7) }).await;
    ///     assert_eq!(ok, Ok(&7));
    /// });
    /// ```
    pub async fn get_or_try_init<E, F, Fut>(&self, f: F) -> Result<&T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(value) = self.get() {
            return Ok(value);
        }
        match self.semaphore.acquire().await {
            Ok(permit) => {
                debug_assert!(!self.initialized(), "set cells are closed");
                // Dropped here (this future cancelled, `f` failing or
                // panicking), the permit goes to the next waiter.
                let value = f().await?;
                Ok(self.publish(value, permit))
            }
            // SAFETY: the semaphore is closed only once the value is set
            // (see the protocol).
            Err(_) => Ok(unsafe { self.get_unchecked() }),
        }
    }

    /// Takes the value out, leaving the cell empty (and usable again).
    ///
    /// ```
    /// let mut cell = magpie::sync::OnceCell::new_with(Some("a"));
    /// assert_eq!(cell.take(), Some("a"));
    /// assert_eq!(cell.take(), None);
    /// assert!(cell.set("b").is_ok());
    /// ```
    pub fn take(&mut self) -> Option<T> {
        std::mem::take(self).into_inner()
    }

    /// The value, if the cell holds one.
    ///
    /// ```
    /// use magpie::sync::OnceCell;
    /// assert_eq!(OnceCell::from(4).into_inner(), Some(4));
    /// assert_eq!(OnceCell::<u8>::new().into_inner(), None);
    /// ```
    pub fn into_inner(self) -> Option<T> {
        if !self.initialized() {
            return None;
        }
        // Cleared first, so our `Drop` leaves the slot alone.
        self.value_set.store(false, Ordering::Relaxed);
        // SAFETY: the value is set, we own the cell, and the flag now says
        // it is not, so the value is read out exactly once.
        Some(self.value.with(|p| unsafe { (*p).assume_init_read() }))
    }

    /// Writes `value` (we hold the permit: nobody else writes or reads the
    /// slot), publishes it and closes the cell for good.
    fn publish(&self, value: T, permit: SemaphorePermit<'_>) -> &T {
        // SAFETY: holding the permit while `value_set` is false is the
        // exclusive right to the slot.
        self.value.with_mut(|p| unsafe { (*p).write(value) });
        // Release pairs with the Acquire in `initialized`.
        self.value_set.store(true, Ordering::Release);
        // The permit is not given back: the semaphore closes instead, which
        // turns away every queued and future initializer.
        permit.forget();
        self.semaphore.close();
        // SAFETY: just set.
        unsafe { self.get_unchecked() }
    }

    /// # Safety
    /// The value must be set.
    unsafe fn get_unchecked(&self) -> &T {
        // SAFETY: the caller says the value is set; once set it is only
        // read through `&self`.
        self.value.with(|p| unsafe { (*p).assume_init_ref() })
    }
}

impl<T> Drop for OnceCell<T> {
    fn drop(&mut self) {
        if self.initialized() {
            // SAFETY: the value is set and we are its last user.
            self.value.with_mut(|p| unsafe { (*p).assume_init_drop() });
        }
    }
}

impl<T> Default for OnceCell<T> {
    fn default() -> Self {
        OnceCell::new()
    }
}

impl<T> From<T> for OnceCell<T> {
    fn from(value: T) -> Self {
        OnceCell::const_new_with(value)
    }
}

impl<T: Clone> Clone for OnceCell<T> {
    /// A new cell holding a clone of the value, or an empty cell (also if
    /// this one is being initialized right now).
    fn clone(&self) -> Self {
        OnceCell::new_with(self.get().cloned())
    }
}

impl<T: PartialEq> PartialEq for OnceCell<T> {
    /// Equal if both are empty, or both hold equal values.
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for OnceCell<T> {}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnceCell")
            .field("value", &self.get())
            .finish()
    }
}

impl<T> SetError<T> {
    /// Whether the cell already held a value.
    ///
    /// ```
    /// let cell = magpie::sync::OnceCell::from(1);
    /// assert!(cell.set(2).unwrap_err().is_already_init_err());
    /// ```
    pub fn is_already_init_err(&self) -> bool {
        matches!(self, SetError::AlreadyInitializedError(_))
    }

    /// Whether another task was initializing the cell.
    ///
    /// ```
    /// use magpie::sync::OnceCell;
    /// use std::future::Future;
    /// use std::task::{Context, Waker};
    ///
    /// let cell = OnceCell::new();
    /// let mut init = std::pin::pin!(cell.get_or_init(std::future::pending::<u8>));
    /// // Polled once, it holds the right to initialize, and waits forever.
    /// let _ = init.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    /// assert!(cell.set(1).unwrap_err().is_initializing_err());
    /// ```
    pub fn is_initializing_err(&self) -> bool {
        matches!(self, SetError::InitializingError(_))
    }
}

impl<T> fmt::Display for SetError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::AlreadyInitializedError(_) => f.write_str("cell already initialized"),
            SetError::InitializingError(_) => f.write_str("cell is being initialized"),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for SetError<T> {}
