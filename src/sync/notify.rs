//! Task notification: wake one waiter (or store one permit), or wake all.
//!
//! # Protocol
//!
//! One atomic word holds a *generation* (bumped by every `notify_waiters`)
//! and a two-bit kind: `EMPTY`, `WAITING` (the list is non-empty) or
//! `NOTIFIED` (one stored permit). The kind moves `EMPTY ↔ WAITING` only
//! under the list's lock; `EMPTY → NOTIFIED` (a `notify_one` with nobody
//! waiting) and `NOTIFIED → EMPTY` (a `Notified` consuming the permit) are
//! lock-free CASes, which is why the locked paths CAS too.
//!
//! A [`Notified`] future snapshots the generation when it is *created*; if
//! the generation has moved by its first poll, a `notify_waiters` happened
//! in between and it completes. This lets callers build the future, check
//! their condition, then await it, with no lost wake-up.
//!
//! A waiter popped by `notify_one` (or `notify_last`, which pops the newest
//! waiter instead of the oldest) but dropped before it saw the notification
//! passes it on (another `notify_one`/`notify_last` as it was given, under
//! the same lock), so the permit is never lost. Waiters woken by
//! `notify_waiters` forward nothing.
//!
//! [`Notified`] borrows its `Notify` and [`OwnedNotified`] holds it in an
//! `Arc`; both are the one future `Wait` underneath.
//!
//! All accesses to the word are `SeqCst`: callers such as `watch` pair a
//! `SeqCst` store of their own state with the generation read here, and need
//! one total order over both.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Mutex, MutexGuard};
use crate::util::wait_list::{Recheck, Status, WaitList, Waiter, WakeList};
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
// `notified_owned` takes `self: Arc<Self>`, which only std's `Arc` allows
// as a receiver (loom's cannot be one), so the public API names it.
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};

const EMPTY: usize = 0;
const WAITING: usize = 1;
const NOTIFIED: usize = 2;
const KIND_MASK: usize = 0b11;
const GEN_ONE: usize = 0b100;

fn kind(word: usize) -> usize {
    word & KIND_MASK
}

fn with_kind(word: usize, k: usize) -> usize {
    (word & !KIND_MASK) | k
}

fn generation(word: usize) -> usize {
    word & !KIND_MASK
}

/// How a popped waiter was notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    /// `notify_one`: the oldest waiter.
    One,
    /// `notify_last`: the newest waiter.
    Last,
    /// `notify_waiters`.
    All,
}

/// Wakes tasks waiting for an event.
///
/// [`notify_one`](Notify::notify_one) wakes the first waiter, or, if nobody
/// waits, stores one permit that the next [`notified`](Notify::notified)
/// consumes at once. [`notify_waiters`](Notify::notify_waiters) wakes every
/// current waiter and stores nothing.
///
/// ```
/// use magpie::sync::Notify;
/// use std::sync::Arc;
///
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     let event = Arc::new(Notify::new());
///     let e2 = event.clone();
///     let waiter = magpie::spawn(async move { e2.notified().await });
///     event.notify_one(); // wakes the waiter, or is stored until it waits
///     waiter.await.unwrap();
/// });
/// ```
pub struct Notify {
    state: AtomicUsize,
    waiters: Mutex<WaitList<By>>,
}

impl Notify {
    crate::loom::const_fn! {
        /// A `Notify` with no stored permit. A `const fn`, so a `Notify`
        /// can be a `static`.
        ///
        /// ```
        /// use magpie::sync::Notify;
        /// static READY: Notify = Notify::new();
        ///
        /// READY.notify_one();
        /// futures::executor::block_on(READY.notified());
        /// ```
        pub fn new() -> Notify {
            Notify {
                state: AtomicUsize::new(EMPTY),
                waiters: Mutex::new(WaitList::new()),
            }
        }
    }

    crate::loom::const_fn! {
        /// tokio's name for the `const` constructor: the same as
        /// [`new`](Self::new), which is `const` already.
        ///
        /// ```
        /// static WAKE: magpie::sync::Notify = magpie::sync::Notify::const_new();
        /// WAKE.notify_one();
        /// futures::executor::block_on(WAKE.notified());
        /// ```
        pub fn const_new() -> Notify {
            Notify::new()
        }
    }

    /// A future that completes on the next `notify_one` it receives, or on
    /// any `notify_waiters` made after the future was created.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use magpie::sync::Notify;
    ///
    /// let notify = Arc::new(Notify::new());
    /// let n2 = notify.clone();
    /// let t = std::thread::spawn(move || futures::executor::block_on(n2.notified()));
    /// notify.notify_one();
    /// t.join().unwrap();
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            wait: Wait::new(self),
        }
    }

    /// [`notified`](Self::notified), holding the `Notify` through its
    /// `Arc`: the future borrows nothing, so it can be stored or moved
    /// into a spawned task.
    ///
    /// ```
    /// use magpie::sync::Notify;
    /// use std::sync::Arc;
    ///
    /// let notify = Arc::new(Notify::new());
    /// let fut = notify.clone().notified_owned();
    /// let t = std::thread::spawn(move || futures::executor::block_on(fut));
    /// notify.notify_waiters(); // the future was created before: it completes
    /// t.join().unwrap();
    /// ```
    pub fn notified_owned(self: Arc<Self>) -> OwnedNotified {
        OwnedNotified {
            wait: Wait::new(self),
        }
    }

    /// Wakes the first waiter, or stores one permit if nobody waits (at most
    /// one is stored).
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let n = magpie::sync::Notify::new();
    ///     n.notify_one();
    ///     n.notify_one(); // still just one permit
    ///     n.notified().await;
    /// });
    /// ```
    pub fn notify_one(&self) {
        self.notify(By::One);
    }

    /// Like [`notify_one`](Self::notify_one), but wakes the *newest*
    /// waiter (the one that started waiting last) instead of the oldest.
    /// With nobody waiting it stores the one permit, as `notify_one` does.
    ///
    /// ```
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::task::{Context, Waker};
    ///
    /// let n = magpie::sync::Notify::new();
    /// let mut first = pin!(n.notified());
    /// let mut second = pin!(n.notified());
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(first.as_mut().poll(&mut cx).is_pending());
    /// assert!(second.as_mut().poll(&mut cx).is_pending());
    /// n.notify_last();
    /// assert!(second.as_mut().poll(&mut cx).is_ready());
    /// assert!(first.as_mut().poll(&mut cx).is_pending());
    /// ```
    pub fn notify_last(&self) {
        self.notify(By::Last);
    }

    /// `notify_one` (`by` is `One`) or `notify_last` (`Last`).
    fn notify(&self, by: By) {
        let mut cur = self.state.load(SeqCst);
        while kind(cur) != WAITING {
            match self
                .state
                .compare_exchange(cur, with_kind(cur, NOTIFIED), SeqCst, SeqCst)
            {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
        let list = self.waiters.lock();
        let waker = self.notify_locked(list, by);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// `notify_one`/`notify_last` with the lock held; returns the waker to
    /// wake after unlocking (the guard is dropped here).
    fn notify_locked(&self, mut list: MutexGuard<'_, WaitList<By>>, by: By) -> Option<Waker> {
        let mut cur = self.state.load(SeqCst);
        loop {
            if kind(cur) == WAITING {
                let waker = if by == By::Last {
                    list.with_back(|e| e.data = By::Last);
                    list.pop_back()
                } else {
                    list.with_front(|e| e.data = By::One);
                    list.pop_front()
                };
                if list.is_empty() {
                    // Only changed under the lock while WAITING.
                    self.state.store(with_kind(cur, EMPTY), SeqCst);
                }
                return waker;
            }
            match self
                .state
                .compare_exchange(cur, with_kind(cur, NOTIFIED), SeqCst, SeqCst)
            {
                Ok(_) => return None,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Wakes every task waiting right now, and completes every [`Notified`]
    /// created before this call. Stores no permit.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let n = magpie::sync::Notify::new();
    ///     let a = n.notified();
    ///     let b = n.notified();
    ///     n.notify_waiters();
    ///     a.await;
    ///     b.await;
    /// });
    /// ```
    pub fn notify_waiters(&self) {
        let mut list = self.waiters.lock();
        let mut wakers = WakeList::new();
        list.drain(&mut wakers, |by| *by = By::All);
        let mut cur = self.state.load(SeqCst);
        loop {
            let mut new = cur.wrapping_add(GEN_ONE);
            if kind(cur) == WAITING {
                new = with_kind(new, EMPTY);
            }
            match self.state.compare_exchange(cur, new, SeqCst, SeqCst) {
                Ok(_) => break,
                Err(actual) => cur = actual,
            }
        }
        drop(list);
        wakers.wake_all();
    }
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl std::fmt::Debug for Notify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notify").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Init,
    Waiting,
    Done,
}

/// Future of [`Notify::notified`].
///
/// ```
/// futures::executor::block_on(async {
///     let n = magpie::sync::Notify::new();
///     let fut: magpie::sync::Notified<'_> = n.notified();
///     n.notify_waiters();
///     fut.await;
/// });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Notified<'a> {
    wait: Wait<&'a Notify>,
}

/// Future of [`Notify::notified_owned`]: a [`Notified`] that holds its
/// `Notify` through an `Arc`.
///
/// ```
/// use std::sync::Arc;
/// futures::executor::block_on(async {
///     let n = Arc::new(magpie::sync::Notify::new());
///     let fut: magpie::sync::OwnedNotified = n.clone().notified_owned();
///     n.notify_one();
///     fut.await;
/// });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct OwnedNotified {
    wait: Wait<Arc<Notify>>,
}

/// The one future under [`Notified`] and [`OwnedNotified`]: `N` is how it
/// reaches its `Notify` (a reference or an `Arc`).
struct Wait<N: Deref<Target = Notify>> {
    notify: N,
    generation: usize,
    stage: Stage,
    waiter: Waiter<By>,
}

impl<N: Deref<Target = Notify>> Wait<N> {
    fn new(notify: N) -> Wait<N> {
        Wait {
            generation: generation(notify.state.load(SeqCst)),
            notify,
            stage: Stage::Init,
            waiter: Waiter::new(By::One),
        }
    }

    /// Completes at once if a permit is stored or the generation moved.
    fn try_complete(&self, mut cur: usize) -> Result<(), usize> {
        loop {
            if generation(cur) != self.generation {
                return Ok(());
            }
            if kind(cur) != NOTIFIED {
                return Err(cur);
            }
            match self
                .notify
                .state
                .compare_exchange(cur, with_kind(cur, EMPTY), SeqCst, SeqCst)
            {
                Ok(_) => return Ok(()),
                Err(actual) => cur = actual,
            }
        }
    }

    /// The first poll (or `enable`): completes if it can, otherwise queues
    /// the waiter with `waker`.
    fn start(&mut self, waker: &Waker) -> Poll<()> {
        let notify = &*self.notify;
        if self.try_complete(notify.state.load(SeqCst)).is_ok() {
            self.stage = Stage::Done;
            return Poll::Ready(());
        }
        let mut list = notify.waiters.lock();
        let mut cur = notify.state.load(SeqCst);
        loop {
            cur = match self.try_complete(cur) {
                Ok(()) => {
                    self.stage = Stage::Done;
                    return Poll::Ready(());
                }
                Err(cur) => cur,
            };
            if kind(cur) == WAITING {
                break;
            }
            match notify
                .state
                .compare_exchange(cur, with_kind(cur, WAITING), SeqCst, SeqCst)
            {
                Ok(_) => break,
                Err(actual) => cur = actual,
            }
        }
        // SAFETY: our waiter is idle, pinned (the caller holds us pinned),
        // only used with `notify.waiters` (locked), and `Drop` removes it.
        unsafe { list.push_back(Pin::new_unchecked(&self.waiter), waker.clone()) };
        self.stage = Stage::Waiting;
        Poll::Pending
    }

    fn poll_notified(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: we never move `waiter` out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        match this.stage {
            Stage::Done => Poll::Ready(()),
            Stage::Init => this.start(cx.waker()),
            Stage::Waiting => {
                if !this.waiter.is_popped() {
                    let mut list = this.notify.waiters.lock();
                    // SAFETY: our waiter is only used with this list (locked).
                    let recheck = unsafe { list.still_queued(&this.waiter, cx.waker()) };
                    if let Recheck::Queued(replaced) = recheck {
                        drop(list);
                        drop(replaced);
                        return Poll::Pending;
                    }
                }
                this.waiter.take_popped(|e| e.status = Status::Idle);
                this.stage = Stage::Done;
                Poll::Ready(())
            }
        }
    }

    /// Queues the waiter now, without a waker (see `Notified::enable`);
    /// true if it is already notified.
    fn enable(self: Pin<&mut Self>) -> bool {
        // SAFETY: we never move `waiter` out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        match this.stage {
            Stage::Done => true,
            // The no-op waker is replaced by the first poll's (`still_queued`).
            Stage::Init => this.start(Waker::noop()).is_ready(),
            // Already queued: keep the waker a poll stored.
            Stage::Waiting => this.waiter.is_popped(),
        }
    }

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(crate::runtime::task::coop::poll_proceed(cx));
        ready!(self.poll_notified(cx));
        coop.made_progress();
        Poll::Ready(())
    }
}

impl<N: Deref<Target = Notify>> Drop for Wait<N> {
    fn drop(&mut self) {
        if self.stage != Stage::Waiting {
            return;
        }
        let notify = &*self.notify;
        let mut list = notify.waiters.lock();
        // SAFETY: our waiter is only used with this list (locked).
        let (status, by) = unsafe {
            let status = list.remove(&self.waiter);
            (status, list.with_entry(&self.waiter, |e| e.data))
        };
        match status {
            Status::Queued if list.is_empty() => {
                let cur = notify.state.load(SeqCst);
                if kind(cur) == WAITING {
                    // Only changed under the lock while WAITING.
                    notify.state.store(with_kind(cur, EMPTY), SeqCst);
                }
            }
            Status::Notified if by != By::All => {
                // We were handed a `notify_one`/`notify_last` we will never
                // use: pass it on, the same way.
                if let Some(waker) = notify.notify_locked(list, by) {
                    waker.wake();
                }
            }
            _ => {}
        }
    }
}

/// `enable`, `Future` and `Debug`, the same for both futures.
macro_rules! notified_impls {
    ($name:ident $(<$lt:lifetime>)?, $make:literal) => {
        impl $name $(<$lt>)? {
            /// Joins the queue of waiters now, before the first poll, so a
            /// `notify_one` sent from here on reaches this future (it would
            /// otherwise only count once the future is polled). Returns
            /// `true` if the future is already notified: its next poll is
            /// ready. Polling it still registers the task's waker as usual.
            ///
            /// ```
            /// use std::pin::pin;
            /// let n = std::sync::Arc::new(magpie::sync::Notify::new());
            #[doc = concat!("let mut first = pin!(", $make, ");")]
            #[doc = concat!("let mut second = pin!(", $make, ");")]
            /// assert!(!first.as_mut().enable());
            /// assert!(!second.as_mut().enable());
            /// n.notify_one(); // goes to `first`, queued first
            /// assert!(first.as_mut().enable());
            /// assert!(!second.as_mut().enable());
            /// futures::executor::block_on(first);
            /// ```
            pub fn enable(self: Pin<&mut Self>) -> bool {
                // SAFETY: structural pin projection to the only field; it
                // is never moved out.
                unsafe { self.map_unchecked_mut(|f| &mut f.wait) }.enable()
            }
        }

        impl Future for $name $(<$lt>)? {
            type Output = ();

            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
                // SAFETY: as in `enable`.
                unsafe { self.map_unchecked_mut(|f| &mut f.wait) }.poll(cx)
            }
        }

        impl std::fmt::Debug for $name $(<$lt>)? {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("stage", &self.wait.stage)
                    .finish()
            }
        }
    };
}

notified_impls!(Notified<'_>, "n.notified()");
notified_impls!(OwnedNotified, "n.clone().notified_owned()");
