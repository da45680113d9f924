//! A fair, asynchronous counting semaphore.

use super::permits::{Permits, TryAcquire, MAX_PERMITS};
// The owned guards and permits take `self: Arc<Self>`, which only std's `Arc`
// allows as a receiver (loom's cannot be one), so the public API names it.
use std::fmt;
use std::sync::Arc;

/// A counting semaphore: a pool of permits that tasks wait for in FIFO
/// order.
///
/// Waiters are served strictly first come, first served, and a request for
/// many permits at the head of the queue collects released permits until it
/// has enough, so small requests cannot starve it.
///
/// ```
/// use magpie::sync::Semaphore;
/// use std::sync::Arc;
///
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     // A worker pool: at most 3 of the 10 jobs run at once.
///     let pool = Arc::new(Semaphore::new(3));
///     let mut jobs = magpie::task::JoinSet::new();
///     for job in 0..10u32 {
///         let permit = pool.clone().acquire_owned().await.unwrap();
///         jobs.spawn(async move {
///             let _permit = permit; // released when the job ends
///             job * 2
///         });
///     }
///     let mut sum = 0;
///     while let Some(res) = jobs.join_next().await {
///         sum += res.unwrap();
///     }
///     assert_eq!(sum, 90);
///     assert_eq!(pool.available_permits(), 3);
/// });
/// ```
pub struct Semaphore {
    permits: Permits,
}

/// Error from the waiting acquire methods: the semaphore was closed.
///
/// ```
/// let sem = magpie::sync::Semaphore::new(0);
/// sem.close();
/// let err = futures::executor::block_on(sem.acquire()).unwrap_err();
/// assert_eq!(err.to_string(), "semaphore closed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcquireError(());

/// Error from the `try_acquire*` methods.
///
/// ```
/// use magpie::sync::{Semaphore, TryAcquireError};
/// let sem = Semaphore::new(0);
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
/// sem.close();
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore was closed.
    Closed,
    /// Not enough permits are free (or others are already waiting).
    NoPermits,
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}

impl From<TryAcquire> for TryAcquireError {
    fn from(e: TryAcquire) -> Self {
        match e {
            TryAcquire::Closed => TryAcquireError::Closed,
            TryAcquire::NoPermits => TryAcquireError::NoPermits,
        }
    }
}

/// Permits borrowed from a [`Semaphore`]; they go back when this is dropped.
///
/// ```
/// let sem = magpie::sync::Semaphore::new(3);
/// let permit = sem.try_acquire_many(2).unwrap();
/// assert_eq!(permit.num_permits(), 2);
/// drop(permit);
/// assert_eq!(sem.available_permits(), 3);
/// ```
#[must_use = "the permits go back as soon as this is dropped"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    n: usize,
}

/// Permits owned through an `Arc<Semaphore>`; they go back when this is dropped.
///
/// ```
/// use std::sync::Arc;
/// let sem = Arc::new(magpie::sync::Semaphore::new(1));
/// let permit = sem.clone().try_acquire_owned().unwrap();
/// assert_eq!(sem.available_permits(), 0);
/// drop(permit);
/// assert_eq!(sem.available_permits(), 1);
/// ```
#[must_use = "the permits go back as soon as this is dropped"]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    n: usize,
}

impl Semaphore {
    /// The most permits a semaphore can hold.
    ///
    /// ```
    /// assert!(magpie::sync::Semaphore::MAX_PERMITS > u32::MAX as usize);
    /// ```
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    crate::loom::const_fn! {
        /// A semaphore with `permits` free permits. A `const fn`, so a
        /// semaphore can be a `static`.
        ///
        /// # Panics
        /// If `permits` exceeds [`Semaphore::MAX_PERMITS`].
        ///
        /// ```
        /// use magpie::sync::Semaphore;
        /// static CONNECTIONS: Semaphore = Semaphore::new(5);
        ///
        /// let _conn = CONNECTIONS.try_acquire().unwrap();
        /// assert_eq!(CONNECTIONS.available_permits(), 4);
        /// ```
        #[track_caller]
        pub fn new(permits: usize) -> Semaphore {
            Semaphore {
                permits: Permits::new(permits),
            }
        }
    }

    crate::loom::const_fn! {
        /// tokio's name for the `const` constructor: the same as
        /// [`new`](Self::new), which is `const` already. Panics as it does.
        ///
        /// ```
        /// static SLOTS: magpie::sync::Semaphore = magpie::sync::Semaphore::const_new(3);
        /// assert_eq!(SLOTS.available_permits(), 3);
        /// ```
        #[track_caller]
        pub fn const_new(permits: usize) -> Semaphore {
            Semaphore::new(permits)
        }
    }

    crate::loom::const_fn! {
        /// A closed semaphore with no permits (for `OnceCell::const_new_with`).
        pub(crate) fn new_closed() -> Semaphore {
            Semaphore {
                permits: Permits::new_closed(),
            }
        }
    }

    /// Free permits right now.
    ///
    /// ```
    /// let sem = magpie::sync::Semaphore::new(2);
    /// let _p = sem.try_acquire().unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.permits.available()
    }

    /// Adds `n` permits, handing them to waiters first.
    ///
    /// ```
    /// let sem = magpie::sync::Semaphore::new(0);
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        self.permits.release(n);
    }

    /// Removes up to `n` free permits for good; returns how many it removed.
    /// Works on a closed semaphore too (as tokio's), so the count and
    /// [`available_permits`](Self::available_permits) always agree.
    ///
    /// ```
    /// let sem = magpie::sync::Semaphore::new(3);
    /// assert_eq!(sem.forget_permits(5), 3);
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget_permits(&self, n: usize) -> usize {
        self.permits.forget(n)
    }

    /// Waits for one permit.
    ///
    /// Cancellation-safe: dropping the future gives back anything it had
    /// been handed, and keeps its place in the queue for nobody.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let sem = magpie::sync::Semaphore::new(1);
    ///     let permit = sem.acquire().await.unwrap();
    ///     assert_eq!(permit.num_permits(), 1);
    /// });
    /// ```
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.acquire_many(1).await
    }

    /// Waits for `n` permits at once.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let sem = magpie::sync::Semaphore::new(4);
    ///     let permit = sem.acquire_many(3).await.unwrap();
    ///     assert_eq!(sem.available_permits(), 1);
    ///     drop(permit);
    /// });
    /// ```
    pub async fn acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        let n = n as usize;
        self.permits
            .acquire(n)
            .await
            .map_err(|_| AcquireError(()))?;
        Ok(SemaphorePermit { sem: self, n })
    }

    /// Takes one permit if one is free and nobody waits.
    ///
    /// ```
    /// let sem = magpie::sync::Semaphore::new(1);
    /// let _p = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().is_err());
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are free and nobody waits.
    ///
    /// ```
    /// let sem = magpie::sync::Semaphore::new(2);
    /// assert!(sem.try_acquire_many(3).is_err());
    /// assert!(sem.try_acquire_many(2).is_ok());
    /// ```
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        let n = n as usize;
        self.permits.try_acquire(n)?;
        Ok(SemaphorePermit { sem: self, n })
    }

    /// Waits for one permit, owned through the `Arc`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// futures::executor::block_on(async {
    ///     let sem = Arc::new(magpie::sync::Semaphore::new(1));
    ///     let permit = sem.clone().acquire_owned().await.unwrap();
    ///     std::thread::spawn(move || drop(permit)).join().unwrap();
    ///     assert_eq!(sem.available_permits(), 1);
    /// });
    /// ```
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// Waits for `n` permits, owned through the `Arc`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// futures::executor::block_on(async {
    ///     let sem = Arc::new(magpie::sync::Semaphore::new(3));
    ///     let permit = sem.clone().acquire_many_owned(3).await.unwrap();
    ///     assert_eq!(permit.num_permits(), 3);
    /// });
    /// ```
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        let n = n as usize;
        self.permits
            .acquire(n)
            .await
            .map_err(|_| AcquireError(()))?;
        Ok(OwnedSemaphorePermit { sem: self, n })
    }

    /// Takes one permit if free, owned through the `Arc`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(magpie::sync::Semaphore::new(1));
    /// assert!(sem.clone().try_acquire_owned().is_ok());
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// Takes `n` permits if free, owned through the `Arc`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(magpie::sync::Semaphore::new(1));
    /// assert!(sem.clone().try_acquire_many_owned(2).is_err());
    /// ```
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        let n = n as usize;
        self.permits.try_acquire(n)?;
        Ok(OwnedSemaphorePermit { sem: self, n })
    }

    /// Closes the semaphore: every waiter and every later acquire fails.
    /// Permits already held stay valid.
    ///
    /// ```
    /// let sem = magpie::sync::Semaphore::new(1);
    /// sem.close();
    /// assert!(sem.is_closed());
    /// assert!(sem.try_acquire().is_err());
    /// ```
    pub fn close(&self) {
        self.permits.close();
    }

    /// Whether [`close`](Self::close) was called.
    ///
    /// ```
    /// assert!(!magpie::sync::Semaphore::new(1).is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.permits.is_closed()
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available_permits", &self.available_permits())
            .finish()
    }
}

impl SemaphorePermit<'_> {
    /// Keeps the permits out of the semaphore for good.
    ///
    /// ```
    /// let sem = magpie::sync::Semaphore::new(1);
    /// sem.try_acquire().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.n = 0;
    }

    /// How many permits this holds.
    ///
    /// ```
    /// let sem = magpie::sync::Semaphore::new(1);
    /// assert_eq!(sem.try_acquire().unwrap().num_permits(), 1);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// Takes `other`'s permits into this one; they go back together.
    ///
    /// # Panics
    /// If the permits come from different semaphores.
    ///
    /// ```
    /// let sem = magpie::sync::Semaphore::new(3);
    /// let mut a = sem.try_acquire().unwrap();
    /// a.merge(sem.try_acquire_many(2).unwrap());
    /// assert_eq!(a.num_permits(), 3);
    /// drop(a);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    #[track_caller]
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            std::ptr::eq(self.sem, other.sem),
            "merging permits from different semaphores"
        );
        self.n += std::mem::take(&mut other.n);
    }

    /// Moves `n` of this permit's permits into a new one; `None` (and
    /// nothing moved) if it holds fewer than `n`.
    ///
    /// ```
    /// let sem = magpie::sync::Semaphore::new(3);
    /// let mut all = sem.try_acquire_many(3).unwrap();
    /// let one = all.split(1).unwrap();
    /// assert_eq!((all.num_permits(), one.num_permits()), (2, 1));
    /// assert!(all.split(3).is_none());
    /// drop(one);
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn split(&mut self, n: usize) -> Option<Self> {
        self.n = self.n.checked_sub(n)?;
        Some(SemaphorePermit { sem: self.sem, n })
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.permits.release(self.n);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.n)
            .finish()
    }
}

impl OwnedSemaphorePermit {
    /// Keeps the permits out of the semaphore for good.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(magpie::sync::Semaphore::new(1));
    /// sem.clone().try_acquire_owned().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.n = 0;
    }

    /// How many permits this holds.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(magpie::sync::Semaphore::new(2));
    /// assert_eq!(sem.clone().try_acquire_many_owned(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// Takes `other`'s permits into this one; they go back together.
    ///
    /// # Panics
    /// If the permits come from different semaphores.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(magpie::sync::Semaphore::new(2));
    /// let mut a = sem.clone().try_acquire_owned().unwrap();
    /// a.merge(sem.clone().try_acquire_owned().unwrap());
    /// assert_eq!(a.num_permits(), 2);
    /// ```
    #[track_caller]
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            Arc::ptr_eq(&self.sem, &other.sem),
            "merging permits from different semaphores"
        );
        self.n += std::mem::take(&mut other.n);
    }

    /// Moves `n` of this permit's permits into a new one; `None` (and
    /// nothing moved) if it holds fewer than `n`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(magpie::sync::Semaphore::new(2));
    /// let mut both = sem.clone().try_acquire_many_owned(2).unwrap();
    /// let one = both.split(1).unwrap();
    /// std::thread::spawn(move || drop(one)).join().unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn split(&mut self, n: usize) -> Option<Self> {
        self.n = self.n.checked_sub(n)?;
        Some(OwnedSemaphorePermit {
            sem: self.sem.clone(),
            n,
        })
    }

    /// The semaphore these permits came from.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(magpie::sync::Semaphore::new(1));
    /// let p = sem.clone().try_acquire_owned().unwrap();
    /// assert!(Arc::ptr_eq(p.semaphore(), &sem));
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.sem.permits.release(self.n);
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.n)
            .finish()
    }
}
