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
//! A waiter popped by `notify_one` but dropped before it saw the
//! notification passes it on (another `notify_one`, under the same lock), so
//! the permit is never lost. Waiters woken by `notify_waiters` forward
//! nothing.
//!
//! All accesses to the word are `SeqCst`: callers such as `watch` pair a
//! `SeqCst` store of their own state with the generation read here, and need
//! one total order over both.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Mutex, MutexGuard};
use crate::util::wait_list::{Recheck, Status, WaitList, Waiter, WakeList};
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

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
    One,
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
    /// A `Notify` with no stored permit.
    ///
    /// ```
    /// let _n = magpie::sync::Notify::new();
    /// ```
    pub fn new() -> Notify {
        Notify {
            state: AtomicUsize::new(EMPTY),
            waiters: Mutex::new(WaitList::new()),
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
            notify: self,
            generation: generation(self.state.load(SeqCst)),
            stage: Stage::Init,
            waiter: Waiter::new(By::One),
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
        let waker = self.notify_one_locked(list);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// `notify_one` with the lock held; returns the waker to wake after
    /// unlocking (the guard is dropped here).
    fn notify_one_locked(
        &self,
        mut list: MutexGuard<'_, WaitList<By>>,
    ) -> Option<std::task::Waker> {
        let mut cur = self.state.load(SeqCst);
        loop {
            if kind(cur) == WAITING {
                list.with_front(|e| e.data = By::One);
                let waker = list.pop_front();
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
    notify: &'a Notify,
    generation: usize,
    stage: Stage,
    waiter: Waiter<By>,
}

impl Notified<'_> {
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

    fn poll_notified(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: we never move `waiter` out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        let notify = this.notify;
        match this.stage {
            Stage::Done => Poll::Ready(()),
            Stage::Init => {
                if this.try_complete(notify.state.load(SeqCst)).is_ok() {
                    this.stage = Stage::Done;
                    return Poll::Ready(());
                }
                let mut list = notify.waiters.lock();
                let mut cur = notify.state.load(SeqCst);
                loop {
                    cur = match this.try_complete(cur) {
                        Ok(()) => {
                            this.stage = Stage::Done;
                            return Poll::Ready(());
                        }
                        Err(cur) => cur,
                    };
                    if kind(cur) == WAITING {
                        break;
                    }
                    match notify.state.compare_exchange(
                        cur,
                        with_kind(cur, WAITING),
                        SeqCst,
                        SeqCst,
                    ) {
                        Ok(_) => break,
                        Err(actual) => cur = actual,
                    }
                }
                // SAFETY: our waiter is idle, pinned (we are), only used with
                // `notify.waiters` (locked), and `Drop` removes it.
                unsafe { list.push_back(Pin::new_unchecked(&this.waiter), cx.waker().clone()) };
                this.stage = Stage::Waiting;
                Poll::Pending
            }
            Stage::Waiting => {
                if !this.waiter.is_popped() {
                    let mut list = notify.waiters.lock();
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
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(crate::runtime::task::coop::poll_proceed(cx));
        ready!(self.poll_notified(cx));
        coop.made_progress();
        Poll::Ready(())
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        if self.stage != Stage::Waiting {
            return;
        }
        let notify = self.notify;
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
            Status::Notified if by == By::One => {
                // We were handed a `notify_one` we will never use: pass it on.
                if let Some(waker) = notify.notify_one_locked(list) {
                    waker.wake();
                }
            }
            _ => {}
        }
    }
}

impl std::fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notified")
            .field("stage", &self.stage)
            .finish()
    }
}
