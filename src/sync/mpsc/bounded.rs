//! The bounded channel's handles.

use super::chan::{self, Rx, Tx, WeakTx};
use super::error::{SendError, TryRecvError, TrySendError};
use super::ring::Ring;
use crate::sync::permits::{Permits, TryAcquire};
use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

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
    tx: Tx<T, Ring<T>>,
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
    tx: WeakTx<T, Ring<T>>,
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
    rx: Rx<T, Ring<T>>,
}

/// A reserved slot: [`send`](Permit::send) cannot fail or wait. Dropping it
/// gives the slot back.
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
    tx: &'a Tx<T, Ring<T>>,
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
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "mpsc bounded channel requires capacity > 0");
    let (tx, rx) = chan::pair(Ring::new(capacity), Some(Permits::new(capacity)));
    (Sender { tx }, Receiver { rx })
}

impl<T> Sender<T> {
    /// Sends `value`, waiting for a free slot. Fails, handing the value
    /// back, if the receiver is gone.
    ///
    /// Cancellation-safe: dropping the future while it waits for a slot
    /// leaves the queue of waiting senders without losing a slot (the value
    /// is dropped with the future).
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::mpsc::channel(1);
    ///     tx.send(1).await.unwrap();
    ///     assert_eq!(rx.recv().await, Some(1));
    /// });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        match self.tx.capacity().acquire(1).await {
            Ok(()) => {
                self.tx.push(value);
                Ok(())
            }
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
        match self.tx.capacity().try_acquire(1) {
            Ok(()) => {
                self.tx.push(value);
                Ok(())
            }
            Err(TryAcquire::Closed) => Err(TrySendError::Closed(value)),
            Err(TryAcquire::NoPermits) => Err(TrySendError::Full(value)),
        }
    }

    /// Waits for a free slot and reserves it.
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
        match self.tx.capacity().acquire(1).await {
            Ok(()) => Ok(Permit { tx: &self.tx }),
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
        match self.tx.capacity().try_acquire(1) {
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
        self.tx.capacity().available()
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
    /// Sends `value` into the reserved slot.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::mpsc::channel(1);
    /// tx.try_reserve().unwrap().send(5);
    /// assert_eq!(rx.try_recv(), Ok(5));
    /// ```
    pub fn send(self, value: T) {
        self.tx.push(value);
        std::mem::forget(self);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.tx.capacity().release(1);
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

impl<T> Receiver<T> {
    /// Waits for the next value; `None` once every sender is gone (or the
    /// receiver was closed) and the buffer is drained.
    ///
    /// Cancellation-safe: if the future is dropped, no value was taken.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::mpsc::channel(1);
    ///     std::thread::spawn(move || futures::executor::block_on(tx.send(3)).unwrap());
    ///     assert_eq!(rx.recv().await, Some(3));
    /// });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// Waits for at least one value, then moves up to `limit` buffered values
    /// into `buf`; returns how many (0 means closed and drained, or `limit`
    /// was 0).
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::mpsc::channel(4);
    ///     for i in 0..3 { tx.send(i).await.unwrap(); }
    ///     let mut buf = Vec::new();
    ///     assert_eq!(rx.recv_many(&mut buf, 10).await, 3);
    ///     assert_eq!(buf, [0, 1, 2]);
    /// });
    /// ```
    pub async fn recv_many(&mut self, buf: &mut Vec<T>, limit: usize) -> usize {
        poll_fn(|cx| self.rx.poll_recv_many(cx, buf, limit)).await
    }

    /// Takes a value if one is buffered.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::mpsc::channel(1);
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.rx.try_recv()
    }

    /// Polls for the next value (the building block of `recv`).
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// let (tx, mut rx) = magpie::sync::mpsc::channel(1);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(rx.poll_recv(&mut cx).is_pending());
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Closes the channel: senders fail from now on (waiting ones get their
    /// value back); what is already buffered can still be received.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::mpsc::channel(2);
    ///     tx.send(1).await.unwrap();
    ///     rx.close();
    ///     assert!(tx.send(2).await.is_err());
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     assert_eq!(rx.recv().await, None);
    /// });
    /// ```
    pub fn close(&mut self) {
        self.rx.chan().close();
    }

    /// Whether the channel is closed (receiver closed, or no sender left).
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::mpsc::channel::<u8>(1);
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.rx.chan().is_closed() || self.rx.chan().sender_count() == 0
    }
}

impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
