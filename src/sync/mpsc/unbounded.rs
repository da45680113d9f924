//! The unbounded channel's handles.

use super::chan::{self, Rx, Tx, WeakTx};
use super::error::{SendError, TryRecvError};
use super::list::List;
use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Sends values to the [`UnboundedReceiver`]; never waits.
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
///     tx.send(1).unwrap();
///     assert_eq!(rx.recv().await, Some(1));
/// });
/// ```
pub struct UnboundedSender<T> {
    tx: Tx<T, List<T>>,
}

/// An unbounded sender that does not keep the channel open.
///
/// ```
/// let (tx, _rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
/// let weak = tx.downgrade();
/// drop(tx);
/// assert!(weak.upgrade().is_none());
/// ```
pub struct WeakUnboundedSender<T> {
    tx: WeakTx<T, List<T>>,
}

/// Receives the values sent on an unbounded channel, in order.
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
///     tx.send('a').unwrap();
///     drop(tx);
///     assert_eq!(rx.recv().await, Some('a'));
///     assert_eq!(rx.recv().await, None);
/// });
/// ```
pub struct UnboundedReceiver<T> {
    rx: Rx<T, List<T>>,
}

/// A channel without a capacity limit: sends never wait.
///
/// ```
/// let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
/// for i in 0..1000 { tx.send(i).unwrap(); }
/// assert_eq!(rx.try_recv(), Ok(0));
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = chan::pair(List::new(), None);
    (UnboundedSender { tx }, UnboundedReceiver { rx })
}

impl<T> UnboundedSender<T> {
    /// Sends `value` at once; hands it back if the receiver is gone.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::mpsc::unbounded_channel();
    /// drop(rx);
    /// assert_eq!(tx.send(4).unwrap_err().0, 4);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.tx.is_closed() {
            return Err(SendError(value));
        }
        self.tx.push(value);
        Ok(())
    }

    /// Waits until the receiver is closed or dropped.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
    ///     rx.close();
    ///     tx.closed().await;
    /// });
    /// ```
    pub async fn closed(&self) {
        self.tx.closed().await
    }

    /// Whether the receiver is closed or dropped.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// A [`WeakUnboundedSender`] for this channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
    /// assert!(tx.downgrade().upgrade().is_some());
    /// ```
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        WeakUnboundedSender {
            tx: self.tx.downgrade(),
        }
    }

    /// Whether both senders feed the same channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
    /// assert!(tx.same_channel(&tx.clone()));
    /// ```
    pub fn same_channel(&self, other: &UnboundedSender<T>) -> bool {
        self.tx.same_channel(&other.tx)
    }

    /// Live (strong) senders of this channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
    /// assert_eq!(tx.strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.tx.sender_count()
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        UnboundedSender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender").finish_non_exhaustive()
    }
}

impl<T> WeakUnboundedSender<T> {
    /// An [`UnboundedSender`], if any strong sender is still alive.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// ```
    pub fn upgrade(&self) -> Option<UnboundedSender<T>> {
        self.tx.upgrade().map(|tx| UnboundedSender { tx })
    }
}

impl<T> Clone for WeakUnboundedSender<T> {
    fn clone(&self) -> Self {
        WeakUnboundedSender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for WeakUnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakUnboundedSender")
            .finish_non_exhaustive()
    }
}

impl<T> UnboundedReceiver<T> {
    /// Waits for the next value; `None` once every sender is gone (or the
    /// receiver was closed) and the buffer is drained. Cancellation-safe.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
    ///     std::thread::spawn(move || tx.send(1).unwrap());
    ///     assert_eq!(rx.recv().await, Some(1));
    /// });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// Waits for at least one value, then moves up to `limit` buffered values
    /// into `buf`; returns how many.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
    ///     tx.send(1).unwrap();
    ///     tx.send(2).unwrap();
    ///     let mut buf = Vec::new();
    ///     assert_eq!(rx.recv_many(&mut buf, 1).await, 1);
    ///     assert_eq!(buf, [1]);
    /// });
    /// ```
    pub async fn recv_many(&mut self, buf: &mut Vec<T>, limit: usize) -> usize {
        poll_fn(|cx| self.rx.poll_recv_many(cx, buf, limit)).await
    }

    /// Takes a value if one is buffered.
    ///
    /// ```
    /// use magpie::sync::mpsc::error::TryRecvError;
    /// let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.rx.try_recv()
    }

    /// Polls for the next value (the building block of `recv`).
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
    /// drop(tx);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(None));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Closes the channel: sends fail from now on; what is buffered can still
    /// be received.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// rx.close();
    /// assert!(tx.send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn close(&mut self) {
        self.rx.chan().close();
    }

    /// Whether the channel is closed (receiver closed, or no sender left).
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
    /// rx.close();
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.rx.chan().is_closed() || self.rx.chan().sender_count() == 0
    }
}

impl<T> futures_core::Stream for UnboundedReceiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver").finish_non_exhaustive()
    }
}
