//! The fair counting semaphore under `Semaphore`, `Mutex` and `RwLock`.
//! (The bounded `mpsc` channel counts its slots in its ring instead, see
//! `mpsc/backpressure.rs`; it shares this module's error types.)
//!
//! # Protocol
//!
//! One atomic word holds the free permits and two flags (see [`State`]);
//! the waiters sit in a [`WaitList`] behind a lock.
//!
//! * **Fast paths touch only the word.** `try_acquire` is one CAS that takes
//!   permits if there are enough *and nobody is queued* (taking all of them,
//!   as a mutex does, it guesses the word and needs no load; taking some of
//!   many, it loads first); `release` is one CAS that adds permits *if
//!   nobody is queued*. So an uncontended lock/unlock is one atomic
//!   read-modify-write each way.
//! * **`QUEUED` ⇒ the word holds zero permits and the list is non-empty.**
//!   The flag is only set or cleared under the lock. While it is set,
//!   released permits do not go back into the word: the releaser takes the
//!   lock and hands them to the waiters in FIFO order, each waiter's entry
//!   counting the permits it still needs. A large request at the head
//!   therefore accumulates permits and is never overtaken by small ones, and
//!   nobody can barge past the queue.
//! * **Hand-off, not wake-and-retry.** A waiter is popped only once it has
//!   all it asked for (or the semaphore is closed); its future then owns the
//!   permits without touching the word again.
//! * **Cancellation.** A dropped `Acquire` that was queued gives back what it
//!   had been handed so far; one that was popped (fully granted) but not yet
//!   polled gives back everything. Both go through [`Permits::release_locked`],
//!   so the permits flow on to the next waiters: none is lost.
//! * `close` sets `CLOSED` and pops every waiter; a popped waiter still
//!   needing permits sees the semaphore closed.

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};
use crate::util::wait_list::{Recheck, Status, WaitList, Waiter, WakeList};
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// The state word, behind names.
#[derive(Clone, Copy, PartialEq, Eq)]
struct State(usize);

impl State {
    const QUEUED: usize = 0b01;
    const CLOSED: usize = 0b10;
    const SHIFT: u32 = 2;

    fn permits(self) -> usize {
        self.0 >> Self::SHIFT
    }
    fn is_queued(self) -> bool {
        self.0 & Self::QUEUED != 0
    }
    fn is_closed(self) -> bool {
        self.0 & Self::CLOSED != 0
    }
    fn with_permits(self, permits: usize) -> State {
        State((permits << Self::SHIFT) | (self.0 & (Self::QUEUED | Self::CLOSED)))
    }
    fn with_queued(self, queued: bool) -> State {
        if queued {
            State(self.0 | Self::QUEUED)
        } else {
            State(self.0 & !Self::QUEUED)
        }
    }
}

/// The most permits a semaphore can hold.
pub(crate) const MAX_PERMITS: usize = usize::MAX >> (State::SHIFT + 1);

/// Why a non-waiting acquisition failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TryAcquire {
    Closed,
    NoPermits,
}

/// The semaphore was closed while waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

pub(crate) struct Permits {
    state: AtomicUsize,
    /// The permits it was made with: `try_acquire`'s guess of the word
    /// when someone asks for all of them (a mutex lock, a write lock).
    initial: usize,
    waiters: Mutex<WaitList<usize>>,
}

impl std::fmt::Debug for Permits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Permits")
            .field("available", &self.available())
            .finish()
    }
}

impl Permits {
    crate::loom::const_fn! {
        #[track_caller]
        pub(crate) fn new(permits: usize) -> Permits {
            assert!(
                permits <= MAX_PERMITS,
                "a semaphore holds at most Semaphore::MAX_PERMITS permits"
            );
            Permits {
                state: AtomicUsize::new(permits << State::SHIFT),
                initial: permits,
                waiters: Mutex::new(WaitList::new()),
            }
        }
    }

    crate::loom::const_fn! {
        /// A semaphore closed from the start, with no permits (a
        /// `OnceCell` made full).
        pub(crate) fn new_closed() -> Permits {
            Permits {
                state: AtomicUsize::new(State::CLOSED),
                initial: 0,
                waiters: Mutex::new(WaitList::new()),
            }
        }
    }

    fn load(&self, order: Ordering) -> State {
        State(self.state.load(order))
    }

    /// Free permits right now.
    pub(crate) fn available(&self) -> usize {
        self.load(Ordering::Acquire).permits()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.load(Ordering::Acquire).is_closed()
    }

    /// Removes up to `n` free permits for good, whether or not the
    /// semaphore is closed or has waiters (free permits are nobody's);
    /// returns how many it removed.
    pub(crate) fn forget(&self, n: usize) -> usize {
        let mut cur = self.load(Ordering::Relaxed);
        loop {
            let take = n.min(cur.permits());
            if take == 0 {
                return 0;
            }
            // Relaxed: the forgotten permits guard nothing we go on to use.
            match self.state.compare_exchange_weak(
                cur.0,
                cur.with_permits(cur.permits() - take).0,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return take,
                Err(actual) => cur = State(actual),
            }
        }
    }

    /// Takes `n` permits if they are free and nobody is queued.
    pub(crate) fn try_acquire(&self, n: usize) -> Result<(), TryAcquire> {
        // Taking everything (a `Mutex` lock, a write lock): guess that
        // exactly `n` are free, so the uncontended case is one CAS with no
        // load before it. Otherwise (one of many semaphore permits) that
        // guess is almost always wrong, and a failed CAS costs as much as a
        // successful one on a contended line: start from a load.
        let mut cur = if n == self.initial {
            State(n << State::SHIFT)
        } else {
            self.load(Ordering::Relaxed)
        };
        loop {
            // (The guess always passes these checks.)
            if cur.is_closed() {
                return Err(TryAcquire::Closed);
            }
            if cur.is_queued() || cur.permits() < n {
                return Err(TryAcquire::NoPermits);
            }
            // Acquire pairs with the Release of the `release` that put these
            // permits in the word, so what the releaser wrote (a mutex's
            // data) happens-before our use of it.
            match self.state.compare_exchange_weak(
                cur.0,
                cur.with_permits(cur.permits() - n).0,
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => cur = State(actual),
            }
        }
    }

    /// Gives back `n` permits (or adds new ones).
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut cur = self.load(Ordering::Relaxed);
        while !cur.is_queued() {
            let permits = cur.permits() + n;
            assert!(
                permits <= MAX_PERMITS,
                "a semaphore holds at most {MAX_PERMITS} permits"
            );
            // Release pairs with the Acquire in `try_acquire`/`poll_acquire`.
            match self.state.compare_exchange_weak(
                cur.0,
                cur.with_permits(permits).0,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(actual) => cur = State(actual),
            }
        }
        self.release_locked(self.waiters.lock(), n);
    }

    /// Hands `n` permits to the queued waiters in order, puts what is left
    /// in the word (clearing `QUEUED` if the list emptied), then wakes the
    /// satisfied waiters after unlocking.
    fn release_locked(&self, mut list: MutexGuard<'_, WaitList<usize>>, mut n: usize) {
        let mut wakers = WakeList::new();
        while n > 0 {
            let Some(satisfied) = list.with_front(|e| {
                let take = n.min(e.data);
                e.data -= take;
                n -= take;
                e.data == 0
            }) else {
                break;
            };
            if !satisfied {
                break;
            }
            wakers.push_opt(list.pop_front());
        }
        if list.is_empty() || n > 0 {
            debug_assert!(list.is_empty() || n == 0);
            let mut cur = self.load(Ordering::Relaxed);
            loop {
                let permits = cur.permits() + n;
                assert!(
                    permits <= MAX_PERMITS,
                    "a semaphore holds at most {MAX_PERMITS} permits"
                );
                let new = cur.with_permits(permits).with_queued(!list.is_empty());
                // Release: as in `release`. Only `close`'s fetch_or or a
                // lock-free acquirer/releaser can race with us here.
                match self.state.compare_exchange_weak(
                    cur.0,
                    new.0,
                    Ordering::Release,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => break,
                    Err(actual) => cur = State(actual),
                }
            }
        }
        drop(list);
        wakers.wake_all();
    }

    /// Closes the semaphore: every waiter and future acquisition fails.
    pub(crate) fn close(&self) {
        // Release pairs with the Acquire loads that observe CLOSED.
        self.state.fetch_or(State::CLOSED, Ordering::Release);
        let mut list = self.waiters.lock();
        let mut wakers = WakeList::new();
        list.drain(&mut wakers, |_| {});
        drop(list);
        wakers.wake_all();
    }

    /// A future taking `n` permits, in FIFO order with the other waiters.
    pub(crate) fn acquire(&self, n: usize) -> Acquire<'_> {
        Acquire {
            permits: self,
            n,
            waiter: Waiter::new(n),
            queued: false,
        }
    }
}

/// Future of [`Permits::acquire`]. Cancellation-safe: dropping it gives back
/// whatever it had been handed.
pub(crate) struct Acquire<'a> {
    permits: &'a Permits,
    n: usize,
    waiter: Waiter<usize>,
    /// Whether `waiter` was pushed and not yet consumed (so `Drop` must look).
    queued: bool,
}

// The raw pointers inside `Waiter` make the future !Send/!Sync by default;
// `Waiter` itself is Send + Sync, and the rest are plain references.

impl Acquire<'_> {
    fn poll_acquire(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Closed>> {
        // SAFETY: we never move `waiter` out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        let permits = this.permits;
        if this.n == 0 {
            // Nothing to take (and taking "0" must not touch QUEUED).
            return Poll::Ready(if permits.is_closed() {
                Err(Closed)
            } else {
                Ok(())
            });
        }
        if this.queued {
            if !this.waiter.is_popped() {
                let mut list = permits.waiters.lock();
                // SAFETY: our waiter is only used with `permits.waiters`.
                let recheck = unsafe { list.still_queued(&this.waiter, cx.waker()) };
                if let Recheck::Queued(replaced) = recheck {
                    drop(list);
                    drop(replaced);
                    return Poll::Pending;
                }
            }
            this.queued = false;
            let n = this.n;
            let still_needed = this
                .waiter
                .take_popped(|e| {
                    e.status = Status::Idle;
                    std::mem::replace(&mut e.data, n)
                })
                .expect("a waiter that left the queue was popped");
            if still_needed == 0 {
                return Poll::Ready(Ok(()));
            }
            // Popped by `close`: give back the partial grant.
            permits.release(n - still_needed);
            return Poll::Ready(Err(Closed));
        }
        match permits.try_acquire(this.n) {
            Ok(()) => return Poll::Ready(Ok(())),
            Err(TryAcquire::Closed) => return Poll::Ready(Err(Closed)),
            Err(TryAcquire::NoPermits) => {}
        }
        let list = permits.waiters.lock();
        let mut cur = permits.load(Ordering::Acquire);
        loop {
            if cur.is_closed() {
                return Poll::Ready(Err(Closed));
            }
            let mut new = cur;
            let mut need = this.n;
            if !cur.is_queued() {
                // Nobody ahead of us: take what is free.
                let take = need.min(cur.permits());
                need -= take;
                new = cur.with_permits(cur.permits() - take);
            }
            new = new.with_queued(need > 0);
            // Acquire pairs with the releasers' Release (we may take
            // permits); the flag is only set here, under the lock.
            match permits
                .state
                .compare_exchange(cur.0, new.0, Ordering::Acquire, Ordering::Acquire)
            {
                Ok(_) if need == 0 => return Poll::Ready(Ok(())),
                Ok(_) => {
                    let mut list = list;
                    // SAFETY: our waiter is idle, pinned (we are), only used
                    // with this list, and `Drop` removes it under the lock.
                    unsafe {
                        list.with_entry(&this.waiter, |e| e.data = need);
                        list.push_back(Pin::new_unchecked(&this.waiter), cx.waker().clone());
                    }
                    this.queued = true;
                    return Poll::Pending;
                }
                Err(actual) => cur = State(actual),
            }
        }
    }
}

impl Future for Acquire<'_> {
    type Output = Result<(), Closed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = ready!(crate::runtime::task::coop::poll_proceed(cx));
        let res = ready!(self.poll_acquire(cx));
        coop.made_progress();
        Poll::Ready(res)
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if !self.queued {
            return;
        }
        let mut list = self.permits.waiters.lock();
        // SAFETY: our waiter is only used with this list, whose lock we hold.
        let handed = unsafe {
            let status = list.remove(&self.waiter);
            list.with_entry(&self.waiter, |e| match status {
                // Queued (now removed) or popped: give back what we got.
                Status::Queued | Status::Notified => self.n - e.data,
                Status::Idle => 0,
            })
        };
        // Even with nothing to give back, this clears QUEUED if we were the
        // last waiter, and lets the new head take permits it now can.
        self.permits.release_locked(list, handed);
    }
}

impl std::fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acquire").field("n", &self.n).finish()
    }
}
