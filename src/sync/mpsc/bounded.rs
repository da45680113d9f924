//! The bounded channel's handles.

use super::backpressure::{self, Bounded, Grant};
use super::chan::{self, Rx, Tx, WeakTx};
use super::error::{SendError, TrySendError};
use crate::sync::permits::{Closed, TryAcquire};
use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Sends values to the [`Receiver`]; waits while the channel is full.
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, mut rx) = magpie::sync::mpsc::channel(2);
///     let tx2 = tx.clone();
///     tx.send(1).await.unwrap();
///     tx2.send(2).await.unwrap();
///     assert_eq!(rx.recv().await, Some(1));
///     assert_eq!(rx.recv().await, Some(2));
/// });
/// ```
pub struct Sender<T> {
    tx: Tx<T, Bounded<T>>,
}

/// A sender that does not keep the channel open; upgrade it to send.
///
/// ```
/// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(1);
/// let weak = tx.downgrade();
/// assert!(weak.upgrade().is_some());
/// drop(tx);
/// assert!(weak.upgrade().is_none());
/// ```
pub struct WeakSender<T> {
    tx: WeakTx<T, Bounded<T>>,
}

/// Receives the values sent on a bounded channel, in order.
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, mut rx) = magpie::sync::mpsc::channel(4);
///     tx.send("hi").await.unwrap();
///     drop(tx);
///     assert_eq!(rx.recv().await, Some("hi"));
///     assert_eq!(rx.recv().await, None);
/// });
/// ```
pub struct Receiver<T> {
    rx: Rx<T, Bounded<T>>,
}

/// A reserved slot: [`send`](Permit::send) cannot fail or wait. Dropping it
/// gives the slot back.
///
/// A permit handed out before the receiver closed can still send, and its
/// value is received: after [`Receiver::close`] the receiver waits for
/// outstanding permits to be used or dropped before it reports the end.
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, mut rx) = magpie::sync::mpsc::channel(1);
///     let permit = tx.reserve().await.unwrap();
///     permit.send(9);
///     assert_eq!(rx.recv().await, Some(9));
/// });
/// ```
pub struct Permit<'a, T> {
    tx: &'a Tx<T, Bounded<T>>,
}

/// A bounded channel with room for `capacity` values: senders wait
/// (back-pressure) while it is full.
///
/// # Panics
/// If `capacity` is zero.
///
/// ```
/// let (tx, _rx) = magpie::sync::mpsc::channel::<u32>(16);
/// assert_eq!(tx.capacity(), 16);
/// ```
#[track_caller]
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "mpsc bounded channel requires capacity > 0");
    let (tx, rx) = chan::pair(Bounded::new(capacity));
    (Sender { tx }, Receiver { rx })
}

impl<T> Sender<T> {
    /// Sends `value`, waiting for a free slot. Fails, handing the value
    /// back, if the receiver is closed or dropped before the send completes
    /// (even if it had been handed a slot and was not polled since).
    ///
    /// Waiting senders are served in FIFO order: each slot the receiver
    /// frees goes to the longest waiter, and nobody barges past the queue.
    ///
    /// Cancellation-safe: if the future is dropped before it completes, the
    /// value was not sent (it is dropped with the future) and no slot is
    /// lost. A slot it had just been handed goes back to the channel (to
    /// the next waiting sender, if any); only if sends were already placed
    /// behind it does it stay empty until the receiver passes it.
    ///
    /// A task may keep a waiting `send` future without polling it (rather
    /// than awaiting or dropping it) without holding up the receiver: if
    /// the receiver reaches the slot such a send was handed and later
    /// values are waiting behind it, it takes them. The send keeps its
    /// slot, and its value is received after those when it is next polled
    /// (as in tokio, where a woken send holds capacity, not a place in
    /// line).
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::mpsc::channel(1);
    ///     tx.send(1).await.unwrap();
    ///     assert_eq!(rx.recv().await, Some(1));
    /// });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        // The fast path, under the task's cooperative budget like every
        // other wait-capable operation: a producer whose ring never fills
        // still yields to its worker's other tasks now and then.
        let mut unsent = Some(value);
        let unsent = std::future::poll_fn(|cx| {
            let coop = ready!(crate::runtime::task::coop::poll_proceed(cx));
            let value = unsent.take().expect("`send` polled after completion");
            Poll::Ready(match self.tx.buffer().try_push(value) {
                Ok(()) => {
                    coop.made_progress();
                    None
                }
                Err(value) => Some(value),
            })
        })
        .await;
        let Some(value) = unsent else {
            self.tx.pushed();
            return Ok(());
        };
        match wait(&self.tx, true).await {
            Ok(grant) => match self.tx.buffer().write(grant, value) {
                Ok(()) => {
                    self.tx.pushed();
                    Ok(())
                }
                Err(value) => {
                    // The position went back: the receiver may be waiting
                    // for in-flight sends to finish after its close.
                    self.tx.gave_back();
                    Err(SendError(value))
                }
            },
            Err(_) => Err(SendError(value)),
        }
    }

    /// Sends `value` if a slot is free right now.
    ///
    /// ```
    /// use magpie::sync::mpsc::{channel, error::TrySendError};
    /// let (tx, rx) = channel(1);
    /// tx.try_send(1).unwrap();
    /// assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))));
    /// drop(rx);
    /// assert!(matches!(tx.try_send(3), Err(TrySendError::Closed(3))));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let buffer = self.tx.buffer();
        let sent = buffer
            .try_push(value)
            .or_else(|value| buffer.try_send_slow(value));
        match sent {
            Ok(()) => {
                self.tx.pushed();
                Ok(())
            }
            Err((value, TryAcquire::Closed)) => Err(TrySendError::Closed(value)),
            Err((value, TryAcquire::NoPermits)) => Err(TrySendError::Full(value)),
        }
    }

    /// Waits for a free slot and reserves it. Fails if the receiver is
    /// closed or dropped, also while waiting: a `reserve` that was handed a
    /// slot but has not returned yet fails if the receiver closes first (as
    /// in tokio). A [`Permit`] it did return can still send after a close.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(1);
    ///     let permit = tx.reserve().await.unwrap();
    ///     assert_eq!(tx.capacity(), 0);
    ///     drop(permit);
    ///     assert_eq!(tx.capacity(), 1);
    /// });
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        match wait(&self.tx, false).await {
            Ok(Grant::Reserved) => {
                let permit = Permit { tx: &self.tx };
                if self.tx.is_closed() {
                    // Handed the slot before the close, but not returned
                    // before it: give the slot back (and wake the receiver,
                    // which counts it in flight).
                    drop(permit);
                    return Err(SendError(()));
                }
                Ok(permit)
            }
            Ok(Grant::Position(_) | Grant::Handed(_)) => {
                unreachable!("a waiting reserve is granted a reservation")
            }
            Err(_) => Err(SendError(())),
        }
    }

    /// Reserves a slot if one is free right now.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(1);
    /// let _p = tx.try_reserve().unwrap();
    /// assert!(tx.try_reserve().is_err());
    /// ```
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        match self.tx.buffer().try_reserve() {
            Ok(()) => Ok(Permit { tx: &self.tx }),
            Err(TryAcquire::Closed) => Err(TrySendError::Closed(())),
            Err(TryAcquire::NoPermits) => Err(TrySendError::Full(())),
        }
    }
}

impl<T> Sender<T> {
    /// Waits until the receiver is closed or dropped.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, rx) = magpie::sync::mpsc::channel::<u8>(1);
    ///     drop(rx);
    ///     tx.closed().await;
    /// });
    /// ```
    pub async fn closed(&self) {
        self.tx.closed().await
    }

    /// Whether the receiver is closed or dropped.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::mpsc::channel::<u8>(1);
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Free slots right now.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::channel(2);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn capacity(&self) -> usize {
        self.tx.buffer().free()
    }

    /// The capacity the channel was made with.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::channel(2);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(tx.max_capacity(), 2);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.tx.buffer().capacity()
    }

    /// A [`WeakSender`] for this channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().unwrap().same_channel(&tx));
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            tx: self.tx.downgrade(),
        }
    }

    /// Whether both senders feed the same channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(1);
    /// assert!(tx.same_channel(&tx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        self.tx.same_channel(&other.tx)
    }

    /// Live (strong) senders of this channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(1);
    /// let _tx2 = tx.clone();
    /// assert_eq!(tx.strong_count(), 2);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.tx.sender_count()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> WeakSender<T> {
    /// A [`Sender`], if any strong sender is still alive.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(1);
    /// assert!(tx.downgrade().upgrade().is_some());
    /// ```
    pub fn upgrade(&self) -> Option<Sender<T>> {
        self.tx.upgrade().map(|tx| Sender { tx })
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        WeakSender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender").finish_non_exhaustive()
    }
}

impl<T> Permit<'_, T> {
    /// Sends `value` into the reserved slot. If the receiver was dropped
    /// meanwhile, the value is dropped here and now (a panic in its `Drop`
    /// comes out of this call).
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::mpsc::channel(1);
    /// tx.try_reserve().unwrap().send(5);
    /// assert_eq!(rx.try_recv(), Ok(5));
    /// ```
    pub fn send(self, value: T) {
        let tx = self.tx;
        // The slot is used up from here on: `Drop` must not give it back.
        std::mem::forget(self);
        tx.buffer().push_reserved(value);
        tx.pushed();
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.tx.buffer().release_reserved();
        // The receiver may be waiting for in-flight slots to come back
        // after a `close`.
        self.tx.gave_back();
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

super::receiver::receiver_impls!(Receiver, "channel::<i32>(4)", "try_send");

/// Waits for a position (`send`) or a reserved slot (`reserve`). If
/// dropped unfinished, the `Wait` inside gives back any grant it had been
/// handed, and the receiver is woken: it may be waiting for in-flight slots
/// to come back after a `close`.
struct Wait<'a, T> {
    wait: ManuallyDrop<backpressure::Wait<'a, T>>,
    tx: &'a Tx<T, Bounded<T>>,
    done: bool,
}

fn wait<T>(tx: &Tx<T, Bounded<T>>, position: bool) -> Wait<'_, T> {
    Wait {
        wait: ManuallyDrop::new(tx.buffer().wait(position)),
        tx,
        done: false,
    }
}

impl<T> Future for Wait<'_, T> {
    type Output = Result<Grant, Closed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: nothing is moved out of `this`; `wait` is re-pinned at
        // once and the other fields are not structurally pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: `wait` is pinned with us and never moved out; it is
        // dropped in place, in `Drop`.
        let wait = unsafe { Pin::new_unchecked(&mut *this.wait) };
        let res = ready!(wait.poll(cx));
        this.done = true;
        Poll::Ready(res)
    }
}

impl<T> Drop for Wait<'_, T> {
    fn drop(&mut self) {
        // SAFETY: dropped exactly once, here, in place (the pin's drop
        // guarantee holds); the field is not used afterwards. This gives
        // back a grant it was handed *before* the receiver is woken to
        // re-count.
        unsafe { ManuallyDrop::drop(&mut self.wait) };
        if !self.done {
            self.tx.gave_back();
        }
    }
}
