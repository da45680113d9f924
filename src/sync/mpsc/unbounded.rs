//! The unbounded channel's handles.

use super::chan::{self, Rx, Tx, WeakTx};
use super::error::SendError;
use super::list::Counted;
use std::fmt;

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
    tx: Tx<T, Counted<T>>,
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
    tx: WeakTx<T, Counted<T>>,
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
    rx: Rx<T, Counted<T>>,
}

/// A channel without a capacity limit: sends never wait.
///
/// ```
/// let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
/// for i in 0..1000 { tx.send(i).unwrap(); }
/// assert_eq!(rx.try_recv(), Ok(0));
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = chan::pair(Counted::new());
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
        self.tx.buffer().push(value).map_err(SendError)?;
        self.tx.pushed();
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

    /// Live [`WeakUnboundedSender`]s of this channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
    /// let _weak = tx.downgrade();
    /// assert_eq!(tx.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.tx.weak_count()
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

    /// Live (strong) senders of this channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// drop(tx);
    /// assert_eq!(weak.strong_count(), 0);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.tx.sender_count()
    }

    /// Live weak senders of this channel, this one included.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::unbounded_channel::<u8>();
    /// assert_eq!(tx.downgrade().weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.tx.weak_count()
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

super::receiver::receiver_impls!(UnboundedReceiver, "unbounded_channel::<i32>()", "send");
