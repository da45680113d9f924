//! A multi-producer, multi-consumer channel where every receiver sees every
//! value.
//!
//! # Protocol
//!
//! The values live in a ring of `capacity` slots allocated once, under one
//! lock together with the positions and the waiting receivers. A send
//! writes position `tail` (overwriting the oldest value when full, which
//! moves `head`), then wakes every waiting receiver. Each receiver keeps its
//! own next position: behind `head` means it missed values, and it gets
//! [`RecvError::Lagged`] with how many, then resumes at the oldest value
//! still held. Senders never wait for slow receivers.
//!
//! A receive waiting in the queue is woken by every send; dropping it just
//! leaves the queue (nothing is handed to a particular receiver, so there is
//! nothing to forward).

use crate::loom::sync::{Arc, Mutex};
use crate::util::wait_list::{update_waker, Recheck, Status, WaitList, Waiter, WakeList};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// `broadcast` errors.
pub mod error {
    use std::fmt;

    /// No receiver is alive; the value is inside (the type `mpsc` uses too).
    pub use crate::sync::mpsc::error::SendError;

    /// Why a receive failed.
    ///
    /// ```
    /// use magpie::sync::broadcast::{self, error::RecvError};
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = broadcast::channel(1);
    ///     tx.send(1).unwrap();
    ///     tx.send(2).unwrap();
    ///     assert_eq!(rx.recv().await, Err(RecvError::Lagged(1)));
    ///     assert_eq!(rx.recv().await, Ok(2));
    /// });
    /// ```
    #[derive(Debug, PartialEq, Eq, Clone, Copy)]
    pub enum RecvError {
        /// Every sender is gone and this receiver has seen everything.
        Closed,
        /// This receiver fell behind and missed this many values.
        Lagged(u64),
    }

    /// Why a `try_recv` returned nothing.
    ///
    /// ```
    /// use magpie::sync::broadcast::{self, error::TryRecvError};
    /// let (_tx, mut rx) = broadcast::channel::<u8>(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// ```
    #[derive(Debug, PartialEq, Eq, Clone, Copy)]
    pub enum TryRecvError {
        /// Nothing new yet.
        Empty,
        /// Every sender is gone and this receiver has seen everything.
        Closed,
        /// This receiver fell behind and missed this many values.
        Lagged(u64),
    }

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                RecvError::Closed => f.write_str("channel closed"),
                RecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
            }
        }
    }

    impl std::error::Error for RecvError {}

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("channel empty"),
                TryRecvError::Closed => f.write_str("channel closed"),
                TryRecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use error::{RecvError, SendError, TryRecvError};

struct State<T> {
    slots: Box<[Option<T>]>,
    /// Oldest position still held.
    head: u64,
    /// Next position to write.
    tail: u64,
    senders: usize,
    receivers: usize,
    waiters: WaitList<()>,
}

struct Shared<T> {
    state: Mutex<State<T>>,
}

/// Sends values to every [`Receiver`].
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, mut a) = magpie::sync::broadcast::channel(4);
///     let mut b = tx.subscribe();
///     tx.send("x").unwrap();
///     assert_eq!(a.recv().await, Ok("x"));
///     assert_eq!(b.recv().await, Ok("x"));
/// });
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Receives every value sent after it subscribed.
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, mut rx) = magpie::sync::broadcast::channel(2);
///     tx.send(1).unwrap();
///     drop(tx);
///     assert_eq!(rx.recv().await, Ok(1));
///     assert!(rx.recv().await.is_err());
/// });
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    next: u64,
}

/// A broadcast channel keeping the last `capacity` values.
///
/// # Panics
/// If `capacity` is zero.
///
/// ```
/// let (tx, _rx) = magpie::sync::broadcast::channel::<u8>(16);
/// assert_eq!(tx.receiver_count(), 1);
/// ```
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "broadcast channel requires capacity > 0");
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            slots: (0..capacity).map(|_| None).collect(),
            head: 0,
            tail: 0,
            senders: 1,
            receivers: 1,
            waiters: WaitList::new(),
        }),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, next: 0 },
    )
}

impl<T> Sender<T> {
    /// Sends `value` to every receiver alive now; returns how many. Never
    /// waits: when the buffer is full the oldest value is dropped and slow
    /// receivers will see `Lagged`. Fails if no receiver is alive.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::broadcast::channel(1);
    /// assert_eq!(tx.send(()).unwrap(), 1);
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut state = self.shared.state.lock();
        if state.receivers == 0 {
            return Err(SendError(value));
        }
        let cap = state.slots.len() as u64;
        let idx = (state.tail % cap) as usize;
        let old = state.slots[idx].replace(value);
        state.tail += 1;
        if state.tail - state.head > cap {
            state.head = state.tail - cap;
        }
        let receivers = state.receivers;
        let mut wakers = WakeList::new();
        state.waiters.drain(&mut wakers, |_| {});
        drop(state);
        drop(old);
        wakers.wake_all();
        Ok(receivers)
    }

    /// A new receiver that sees values sent from now on.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// let _rx2 = tx.subscribe();
    /// assert_eq!(tx.receiver_count(), 2);
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        new_receiver(&self.shared)
    }

    /// Live receivers.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// drop(rx);
    /// assert_eq!(tx.receiver_count(), 0);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.state.lock().receivers
    }
}

/// Reads the value at `*next` (advancing it), with the lock held.
fn next_locked<T: Clone>(next: &mut u64, state: &State<T>) -> Result<T, TryRecvError> {
    if *next < state.head {
        let missed = state.head - *next;
        *next = state.head;
        return Err(TryRecvError::Lagged(missed));
    }
    if *next == state.tail {
        return Err(if state.senders == 0 {
            TryRecvError::Closed
        } else {
            TryRecvError::Empty
        });
    }
    let idx = (*next % state.slots.len() as u64) as usize;
    *next += 1;
    Ok(state.slots[idx]
        .clone()
        .expect("a held position has a value"))
}

fn new_receiver<T>(shared: &Arc<Shared<T>>) -> Receiver<T> {
    let mut state = shared.state.lock();
    state.receivers += 1;
    let next = state.tail;
    drop(state);
    Receiver {
        shared: shared.clone(),
        next,
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.state.lock().senders += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.senders -= 1;
        if state.senders > 0 {
            return;
        }
        let mut wakers = WakeList::new();
        state.waiters.drain(&mut wakers, |_| {});
        drop(state);
        wakers.wake_all();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T: Clone> Receiver<T> {
    /// Takes the next value if there is one.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::broadcast::channel(2);
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let state = self.shared.state.lock();
        next_locked(&mut self.next, &state)
    }

    /// Waits for the next value.
    ///
    /// Cancellation-safe: dropping the future loses no value.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::broadcast::channel(2);
    ///     std::thread::spawn(move || tx.send(5).unwrap());
    ///     assert_eq!(rx.recv().await, Ok(5));
    /// });
    /// ```
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv {
            rx: self,
            waiter: Waiter::new(()),
            queued: false,
        }
    }

    /// A new receiver on the same channel, starting at the newest position.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// let _rx2 = rx.resubscribe();
    /// assert_eq!(tx.receiver_count(), 2);
    /// ```
    pub fn resubscribe(&self) -> Receiver<T> {
        new_receiver(&self.shared)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.receivers -= 1;
        if state.receivers > 0 {
            return;
        }
        // Nobody can read the buffered values any more (a new receiver
        // starts at the tail): release them now, not when the last sender
        // goes. They are dropped after the lock, since a value's `Drop` may
        // use this channel.
        state.head = state.tail;
        let values: Vec<T> = state.slots.iter_mut().filter_map(Option::take).collect();
        drop(state);
        drop(values);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("next", &self.next)
            .finish()
    }
}

/// Future of [`Receiver::recv`].
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, mut rx) = magpie::sync::broadcast::channel(1);
///     tx.send(1).unwrap();
///     let fut: magpie::sync::broadcast::Recv<'_, i32> = rx.recv();
///     assert_eq!(fut.await, Ok(1));
/// });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
    waiter: Waiter<()>,
    queued: bool,
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = ready!(crate::runtime::task::coop::poll_proceed(cx));
        // SAFETY: we never move `waiter` out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        let rx = &mut *this.rx;
        let mut state = rx.shared.state.lock();
        if this.queued {
            // SAFETY: our waiter is only used with this channel's list (locked).
            let recheck = unsafe {
                state.waiters.with_entry(&this.waiter, |e| {
                    if e.status == Status::Queued {
                        Recheck::Queued(update_waker(&mut e.waker, cx.waker()))
                    } else {
                        e.status = Status::Idle;
                        Recheck::Popped
                    }
                })
            };
            if let Recheck::Queued(replaced) = recheck {
                // The replaced waker goes after the lock: its drop may use
                // this channel.
                drop(state);
                drop(replaced);
                return Poll::Pending;
            }
            this.queued = false;
        }
        let res = match next_locked(&mut rx.next, &state) {
            Ok(v) => Ok(v),
            Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
            Err(TryRecvError::Closed) => Err(RecvError::Closed),
            Err(TryRecvError::Empty) => {
                // SAFETY: idle, pinned, only used with this list, removed in Drop.
                unsafe {
                    state
                        .waiters
                        .push_back(Pin::new_unchecked(&this.waiter), cx.waker().clone())
                };
                this.queued = true;
                return Poll::Pending;
            }
        };
        coop.made_progress();
        Poll::Ready(res)
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if self.queued {
            let mut state = self.rx.shared.state.lock();
            // SAFETY: our waiter is only used with this list (locked).
            unsafe { state.waiters.remove(&self.waiter) };
        }
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}
