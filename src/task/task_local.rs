//! Task-local values: [`task_local!`](crate::task_local) and [`LocalKey`],
//! in tokio's shapes.
//!
//! A task-local value is set for the extent of one future
//! ([`LocalKey::scope`]) or one closure ([`LocalKey::sync_scope`]): while
//! that future is being polled, the value is in a thread-local slot; between
//! polls it lives in the future itself. So it follows the task across
//! workers, and two tasks on one thread each see their own.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Declares task-local keys: `task_local! { static NAME: Type; }`. See
/// [`LocalKey`].
///
/// ```
/// magpie::task_local! {
///     static REQUEST_ID: u64;
///     pub static USER: String;
/// }
///
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(REQUEST_ID.scope(7, async {
///     assert_eq!(REQUEST_ID.get(), 7);
/// }));
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
        $crate::task_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __task_local_inner {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty) => {
        $(#[$attr])*
        $vis static $name: $crate::task::LocalKey<$t> = {
            ::std::thread_local! {
                static __KEY: ::std::cell::RefCell<::std::option::Option<$t>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::task::LocalKey { inner: __KEY }
        };
    };
}

/// A key for a task-local value, declared with
/// [`task_local!`](crate::task_local).
///
/// ```
/// magpie::task_local! {
///     static TRACE: &'static str;
/// }
///
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     let a = magpie::spawn(TRACE.scope("a", async {
///         magpie::task::yield_now().await; // may resume on another worker
///         TRACE.get()
///     }));
///     let b = magpie::spawn(TRACE.scope("b", async { TRACE.get() }));
///     assert_eq!((a.await.unwrap(), b.await.unwrap()), ("a", "b"));
///     assert!(TRACE.try_with(|_| ()).is_err()); // not set out here
/// });
/// ```
pub struct LocalKey<T: 'static> {
    #[doc(hidden)]
    pub inner: std::thread::LocalKey<RefCell<Option<T>>>,
}

/// Returned by [`LocalKey::try_with`] outside the key's scope.
///
/// ```
/// magpie::task_local! { static X: u8; }
/// let err = X.try_with(|_| ()).unwrap_err();
/// assert!(err.to_string().contains("not set"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessError {
    _private: (),
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task-local value not set: access it inside `LocalKey::scope` or `sync_scope`")
    }
}

impl std::error::Error for AccessError {}

impl<T: 'static> LocalKey<T> {
    /// Runs `future` with the key set to `value` during each of its polls
    /// (and while it is dropped).
    ///
    /// ```
    /// magpie::task_local! { static DEPTH: u32; }
    ///
    /// let rt = magpie::Runtime::new().unwrap();
    /// let out = rt.block_on(DEPTH.scope(1, async {
    ///     let outer = DEPTH.get();
    ///     let inner = DEPTH.scope(2, async { DEPTH.get() }).await;
    ///     (outer, inner, DEPTH.get())
    /// }));
    /// assert_eq!(out, (1, 2, 1));
    /// ```
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            key: self,
            slot: Some(value),
            future: Some(future),
        }
    }

    /// Runs `f` with the key set to `value`.
    ///
    /// ```
    /// magpie::task_local! { static NAME: &'static str; }
    /// assert_eq!(NAME.sync_scope("x", || NAME.get()), "x");
    /// ```
    pub fn sync_scope<F: FnOnce() -> R, R>(&'static self, value: T, f: F) -> R {
        let mut slot = Some(value);
        let _in = Swap::enter(self, &mut slot);
        f()
    }

    /// Runs `f` with a reference to the value.
    ///
    /// # Panics
    ///
    /// Outside the key's scope.
    ///
    /// ```
    /// magpie::task_local! { static V: Vec<u8>; }
    /// V.sync_scope(vec![1, 2], || assert_eq!(V.with(|v| v.len()), 2));
    /// ```
    #[track_caller]
    pub fn with<F: FnOnce(&T) -> R, R>(&'static self, f: F) -> R {
        self.try_with(f).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Runs `f` with a reference to the value, or fails outside the key's
    /// scope.
    ///
    /// ```
    /// magpie::task_local! { static V: u8; }
    /// assert!(V.try_with(|v| *v).is_err());
    /// assert_eq!(V.sync_scope(3, || V.try_with(|v| *v)), Ok(3));
    /// ```
    pub fn try_with<F: FnOnce(&T) -> R, R>(&'static self, f: F) -> Result<R, AccessError> {
        self.inner
            .try_with(|cell| {
                let value = cell.borrow();
                value.as_ref().map(f)
            })
            .ok()
            .flatten()
            .ok_or(AccessError { _private: () })
    }

    /// A copy of the value.
    ///
    /// # Panics
    ///
    /// Outside the key's scope.
    ///
    /// ```
    /// magpie::task_local! { static N: u32; }
    /// assert_eq!(N.sync_scope(5, || N.get()), 5);
    /// ```
    #[track_caller]
    pub fn get(&'static self) -> T
    where
        T: Clone,
    {
        self.with(T::clone)
    }

    /// A copy of the value, or `AccessError` outside the key's scope.
    ///
    /// ```
    /// magpie::task_local! { static N: u32; }
    /// assert!(N.try_get().is_err());
    /// assert_eq!(N.sync_scope(5, || N.try_get()), Ok(5));
    /// ```
    pub fn try_get(&'static self) -> Result<T, AccessError>
    where
        T: Clone,
    {
        self.try_with(T::clone)
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalKey { .. }")
    }
}

/// Puts `slot`'s value in the thread-local for as long as it lives, and
/// back into `slot` when dropped (even by a panic).
struct Swap<'a, T: 'static> {
    key: &'static LocalKey<T>,
    slot: &'a mut Option<T>,
}

impl<'a, T: 'static> Swap<'a, T> {
    fn enter(key: &'static LocalKey<T>, slot: &'a mut Option<T>) -> Swap<'a, T> {
        key.inner.with(|cell| {
            let mut current = cell
                .try_borrow_mut()
                .expect("a task-local value is borrowed across a nested `scope`");
            std::mem::swap(&mut *current, slot);
        });
        Swap { key, slot }
    }
}

impl<T: 'static> Drop for Swap<'_, T> {
    fn drop(&mut self) {
        let _ = self.key.inner.try_with(|cell| {
            if let Ok(mut current) = cell.try_borrow_mut() {
                std::mem::swap(&mut *current, self.slot);
            }
        });
    }
}

/// The future [`LocalKey::scope`] returns.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct TaskLocalFuture<T: 'static, F> {
    key: &'static LocalKey<T>,
    slot: Option<T>,
    /// `None` once dropped early (inside the scope, by our `Drop`).
    future: Option<F>,
}

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned (never moved out while
        // `Some`; our `Drop` drops it in place); `slot` and `key` are not
        // pinned and only swapped.
        let this = unsafe { self.get_unchecked_mut() };
        let _in = Swap::enter(this.key, &mut this.slot);
        let future = this
            .future
            .as_mut()
            .expect("TaskLocalFuture polled after completion");
        // SAFETY: as above: the future stays where it is.
        unsafe { Pin::new_unchecked(future) }.poll(cx)
    }
}

impl<T: 'static, F> Drop for TaskLocalFuture<T, F> {
    fn drop(&mut self) {
        // Drop the future inside the scope: its destructors may read the
        // value (tokio does the same).
        if self.future.is_some() && self.key.inner.try_with(|_| ()).is_ok() {
            let _in = Swap::enter(self.key, &mut self.slot);
            self.future = None;
        }
    }
}

impl<T: 'static + fmt::Debug, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture")
            .field("value", &self.slot)
            .finish_non_exhaustive()
    }
}
