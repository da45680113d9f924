#![warn(missing_docs)]

//! Synchronization primitives for async code: locks, a semaphore,
//! notification, a barrier, a once-cell and channels.
//!
//! Every waiting future here is built on one waker queue (`util/wait_list.rs`): an
//! intrusive FIFO whose nodes live inside the futures themselves, so waiting
//! allocates nothing and a future dropped at any point (even right after
//! being handed a permit, the lock or a notification) passes what it was
//! given on to the next waiter. The primitives use nothing but
//! [`Waker`](std::task::Waker)s, so they work in any executor, not just
//! magpie's.
//!
//! | primitive | use |
//! |---|---|
//! | [`Mutex`], [`RwLock`] | shared mutable state, guards held across `.await` |
//! | [`Semaphore`] | bound concurrency with a pool of permits |
//! | [`Notify`], [`Barrier`] | signal events, rendezvous |
//! | [`OnceCell`] | a value initialized once, asynchronously, by whoever asks first |
//! | [`mpsc`], [`oneshot`], [`broadcast`], [`watch`] | message passing |
//!
//! On magpie's runtime:
//!
//! ```
//! use magpie::sync::{mpsc, Mutex, Semaphore};
//! use std::sync::Arc;
//!
//! let rt = magpie::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let (tx, mut rx) = mpsc::channel(8);
//!     let pool = Arc::new(Semaphore::new(2)); // at most 2 jobs at once
//!     for job in 0..6u32 {
//!         let (tx, pool) = (tx.clone(), pool.clone());
//!         magpie::spawn(async move {
//!             let _slot = pool.acquire().await.unwrap();
//!             tx.send(job * job).await.unwrap();
//!         });
//!     }
//!     drop(tx);
//!     let total = Mutex::new(0);
//!     while let Some(n) = rx.recv().await {
//!         *total.lock().await += n;
//!     }
//!     assert_eq!(total.into_inner(), 55);
//! });
//! ```
//!
//! Code that is not async (a plain thread, a `spawn_blocking` closure) can
//! use them too: `blocking_send`/`blocking_recv` on the channels,
//! [`Mutex::blocking_lock`], [`RwLock::blocking_read`]/[`blocking_write`]
//! park the calling thread until the async side acts, and panic, saying
//! so, if called on a thread that drives a magpie runtime (blocking it
//! could stall the very task they wait for). [`Mutex`], [`RwLock`],
//! [`Semaphore`] and [`Notify`] have `const fn new`, so each can be a
//! `static`.
//!
//! [`blocking_write`]: RwLock::blocking_write
//!
//! And in any other executor, or none:
//!
//! ```
//! use magpie::sync::oneshot;
//!
//! let (tx, rx) = oneshot::channel();
//! std::thread::spawn(move || tx.send("hello").unwrap());
//! assert_eq!(futures::executor::block_on(rx), Ok("hello"));
//! ```

/// `Debug` and `Display` for a lock guard: those of the data it derefs to
/// (as tokio's guards do). `impl[generics] Guard<..> => Target`.
macro_rules! fmt_as_target {
    (impl[$($gen:tt)*] $guard:ty => $target:ident) => {
        impl<$($gen)*> std::fmt::Debug for $guard
        where
            $target: std::fmt::Debug,
        {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&**self, f)
            }
        }

        impl<$($gen)*> std::fmt::Display for $guard
        where
            $target: std::fmt::Display,
        {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&**self, f)
            }
        }
    };
}

/// Moves the `Arc` (field `lock`) out of an owned guard without running
/// the guard's `Drop`: the permits it holds go on with the `Arc` to the
/// guard the caller builds (a mapped or downgraded one).
macro_rules! take_lock {
    ($guard:expr) => {{
        let guard = std::mem::ManuallyDrop::new($guard);
        // SAFETY: `guard` is never used or dropped again, so the `Arc` is
        // moved out exactly once.
        unsafe { std::ptr::read(&guard.lock) }
    }};
}

mod barrier;
pub mod broadcast;
pub mod mpsc;
mod mutex;
mod notify;
mod once_cell;
pub mod oneshot;
mod permits;
mod rwlock;
mod semaphore;
pub mod watch;

pub use barrier::{Barrier, BarrierWaitResult};
pub use mutex::{
    MappedMutexGuard, Mutex, MutexGuard, OwnedMappedMutexGuard, OwnedMutexGuard, TryLockError,
};
pub use notify::{Notified, Notify, OwnedNotified};
pub use once_cell::{OnceCell, SetError};
pub use rwlock::{
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock,
    RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};
