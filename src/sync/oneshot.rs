//! A channel for exactly one value.
//!
//! # Protocol
//!
//! One state word with three bits, each set once by one side:
//!
//! * `VALUE_SENT` (sender): the value is in the cell.
//! * `TX_DROPPED` (sender): the sender is gone without sending.
//! * `RX_CLOSED` (receiver): the receiver closed or was dropped.
//!
//! The cell is owned by whichever side's bit decides it. The sender writes
//! the value *before* setting `VALUE_SENT` (`AcqRel`); if `RX_CLOSED` was
//! already set, the receiver will never look, so the sender takes the value
//! back out and returns it in `Err`. Otherwise the receiver owns it: it
//! reads the cell only after seeing `VALUE_SENT` (`Acquire`), and drops it if
//! it closes without receiving. Exactly one side touches the cell after the
//! race, whoever set its bit second.
//!
//! Each side has an `AtomicWaker`: the receiver waits in `rx_waker` for a
//! value or the sender's drop; the sender waits in `tx_waker` (in `closed`)
//! for the receiver's close.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Arc;
use crate::util::atomic_waker::AtomicWaker;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// A snapshot of the state word, behind names.
#[derive(Clone, Copy)]
struct State(usize);

impl State {
    const VALUE_SENT: usize = 0b001;
    const TX_DROPPED: usize = 0b010;
    const RX_CLOSED: usize = 0b100;

    fn is_sent(self) -> bool {
        self.0 & Self::VALUE_SENT != 0
    }
    fn is_tx_dropped(self) -> bool {
        self.0 & Self::TX_DROPPED != 0
    }
    fn is_rx_closed(self) -> bool {
        self.0 & Self::RX_CLOSED != 0
    }
}

/// `oneshot` errors.
pub mod error {
    use std::fmt;

    /// The sender was dropped without sending.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, rx) = magpie::sync::oneshot::channel::<u8>();
    ///     drop(tx);
    ///     assert_eq!(rx.await.unwrap_err().to_string(), "channel closed");
    /// });
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct RecvError(pub(crate) ());

    /// Why [`try_recv`](super::Receiver::try_recv) returned nothing.
    ///
    /// ```
    /// use magpie::sync::oneshot::{self, error::TryRecvError};
    /// let (tx, mut rx) = oneshot::channel::<u8>();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum TryRecvError {
        /// Nothing sent yet.
        Empty,
        /// The sender is gone, or the value was already taken.
        Closed,
    }

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("channel empty"),
                TryRecvError::Closed => f.write_str("channel closed"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use error::{RecvError, TryRecvError};

struct Inner<T> {
    state: AtomicUsize,
    value: UnsafeCell<Option<T>>,
    rx_waker: AtomicWaker,
    tx_waker: AtomicWaker,
}

// SAFETY: the value cell is owned by one side at a time (see the protocol),
// so sharing `Inner` needs only `T: Send`.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Inner<T> {}

impl<T> Inner<T> {
    fn load(&self, order: Ordering) -> State {
        State(self.state.load(order))
    }

    /// Sets one of `State`'s bits; returns the state before.
    fn set(&self, bit: usize, order: Ordering) -> State {
        State(self.state.fetch_or(bit, order))
    }

    /// Takes the value. Caller has seen `VALUE_SENT` and owns the cell.
    fn take_value(&self) -> Option<T> {
        // SAFETY: the caller owns the cell (protocol above).
        self.value.with_mut(|p| unsafe { (*p).take() })
    }
}

/// Sends the one value.
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, rx) = magpie::sync::oneshot::channel();
///     std::thread::spawn(move || tx.send("done").unwrap());
///     assert_eq!(rx.await, Ok("done"));
/// });
/// ```
pub struct Sender<T> {
    inner: Option<Arc<Inner<T>>>,
}

/// Receives the one value; a `Future` of `Result<T, RecvError>`.
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, rx) = magpie::sync::oneshot::channel();
///     tx.send(1).unwrap();
///     assert_eq!(rx.await, Ok(1));
/// });
/// ```
pub struct Receiver<T> {
    inner: Option<Arc<Inner<T>>>,
    /// Set by `close`: whether the value had been sent before it (then it is
    /// ours; if it was sent after, the sender took it back).
    closed: Option<bool>,
}

/// A new oneshot channel.
///
/// ```
/// let (tx, mut rx) = magpie::sync::oneshot::channel();
/// tx.send(5).unwrap();
/// assert_eq!(rx.try_recv(), Ok(5));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: AtomicUsize::new(0),
        value: UnsafeCell::new(None),
        rx_waker: AtomicWaker::new(),
        tx_waker: AtomicWaker::new(),
    });
    (
        Sender {
            inner: Some(inner.clone()),
        },
        Receiver {
            inner: Some(inner),
            closed: None,
        },
    )
}

impl<T> Sender<T> {
    /// Sends `value`; hands it back if the receiver is gone.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(3), Err(3));
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self.inner.take().expect("sender used once");
        // Relaxed pre-check: saves the write if the receiver is long gone;
        // the fetch_or below decides.
        if inner.load(Ordering::Relaxed).is_rx_closed() {
            return Err(value);
        }
        // SAFETY: before VALUE_SENT the sender owns the cell.
        inner.value.with_mut(|p| unsafe { *p = Some(value) });
        // AcqRel: Release publishes the value to the receiver's Acquire;
        // Acquire pairs with the receiver's close, after which we own the
        // cell again.
        let prev = inner.set(State::VALUE_SENT, Ordering::AcqRel);
        if prev.is_rx_closed() {
            return Err(inner.take_value().expect("value just written"));
        }
        inner.rx_waker.wake();
        Ok(())
    }

    /// Whether the receiver closed or was dropped.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::oneshot::channel::<u8>();
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        let inner = self.inner.as_ref().expect("sender not used");
        inner.load(Ordering::Acquire).is_rx_closed()
    }

    /// Polls for the receiver's close (the building block of `closed`).
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// let (mut tx, rx) = magpie::sync::oneshot::channel::<u8>();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(tx.poll_closed(&mut cx).is_pending());
    /// drop(rx);
    /// assert!(tx.poll_closed(&mut cx).is_ready());
    /// ```
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(crate::runtime::task::coop::poll_proceed(cx));
        let inner = self.inner.as_ref().expect("sender not used");
        if !inner.load(Ordering::Acquire).is_rx_closed() {
            inner.tx_waker.register(cx.waker());
            // Acquire pairs with the receiver's AcqRel close.
            if !inner.load(Ordering::Acquire).is_rx_closed() {
                return Poll::Pending;
            }
        }
        coop.made_progress();
        Poll::Ready(())
    }

    /// Waits until the receiver closes or is dropped (e.g. to stop
    /// computing a reply nobody wants).
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (mut tx, rx) = magpie::sync::oneshot::channel::<u8>();
    ///     drop(rx);
    ///     tx.closed().await;
    /// });
    /// ```
    pub async fn closed(&mut self) {
        poll_fn(|cx| self.poll_closed(cx)).await
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            // Release: pairs with the receiver's Acquire of TX_DROPPED.
            inner.set(State::TX_DROPPED, Ordering::Release);
            inner.rx_waker.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it was sent.
    ///
    /// ```
    /// use magpie::sync::oneshot::{self, error::TryRecvError};
    /// let (tx, mut rx) = oneshot::channel();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(2));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let Some(inner) = self.inner.as_ref() else {
            return Err(TryRecvError::Closed);
        };
        // Acquire pairs with the sender's Release of VALUE_SENT/TX_DROPPED.
        let state = inner.load(Ordering::Acquire);
        let ours = match self.closed {
            // After our close, only a value sent before it is ours.
            Some(sent_before) => sent_before,
            None => state.is_sent(),
        };
        if ours {
            let value = inner.take_value();
            self.inner = None;
            return value.ok_or(TryRecvError::Closed);
        }
        if state.is_tx_dropped() || state.is_rx_closed() {
            // Nothing will ever come: the receiver is done (as in tokio).
            // Only an unsent channel gets here, so there is no value to drop.
            self.inner = None;
            return Err(TryRecvError::Closed);
        }
        Err(TryRecvError::Empty)
    }

    /// Whether this receiver already produced its result (the value, or
    /// the error saying none will come), through `.await` or
    /// [`try_recv`](Self::try_recv). Polling it again then returns an
    /// error (magpie does not panic there, unlike tokio).
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::oneshot::channel();
    ///     assert!(!rx.is_terminated());
    ///     tx.send(1).unwrap();
    ///     assert_eq!((&mut rx).await, Ok(1));
    ///     assert!(rx.is_terminated());
    /// });
    /// ```
    pub fn is_terminated(&self) -> bool {
        self.inner.is_none()
    }

    /// Whether there is no value to take right now: nothing was sent yet,
    /// the sender left without sending, or the value was already taken.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::oneshot::channel();
    /// assert!(rx.is_empty());
    /// tx.send(1).unwrap();
    /// assert!(!rx.is_empty());
    /// rx.try_recv().unwrap();
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        let Some(inner) = self.inner.as_ref() else {
            return true;
        };
        match self.closed {
            Some(sent_before) => !sent_before,
            // Relaxed: a hint; taking the value (try_recv) synchronises.
            None => !inner.load(Ordering::Relaxed).is_sent(),
        }
    }

    /// Waits for the value from synchronous code, blocking the thread (on
    /// its parker, not spinning). For threads outside the runtime and
    /// `spawn_blocking` closures.
    ///
    /// # Panics
    /// If called on a thread that drives a magpie runtime (a worker, or
    /// inside `block_on`): blocking it could stall the very task that
    /// would send.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::oneshot::channel();
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.spawn(async move { tx.send("ready").unwrap() });
    /// assert_eq!(rx.blocking_recv(), Ok("ready"));
    /// ```
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        crate::util::blocking::block_on("oneshot::Receiver::blocking_recv", self)
    }

    /// Closes the receiving side without dropping it: the sender's `send`
    /// fails from now on. A value sent before the close can still be taken
    /// with [`try_recv`](Self::try_recv).
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send(1), Err(1));
    /// ```
    pub fn close(&mut self) {
        if let (Some(inner), None) = (&self.inner, self.closed) {
            // AcqRel: Acquire pairs with the sender's Release of VALUE_SENT
            // (then we own the value); Release pairs with its Acquire.
            let prev = inner.set(State::RX_CLOSED, Ordering::AcqRel);
            self.closed = Some(prev.is_sent());
            inner.tx_waker.wake();
        }
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, RecvError>> {
        let coop = ready!(crate::runtime::task::coop::poll_proceed(cx));
        let res = match self.try_recv() {
            Err(TryRecvError::Empty) => {
                let inner = self.inner.as_ref().expect("still open");
                inner.rx_waker.register(cx.waker());
                match self.try_recv() {
                    Err(TryRecvError::Empty) => return Poll::Pending,
                    res => res,
                }
            }
            res => res,
        };
        coop.made_progress();
        Poll::Ready(res.map_err(|_| RecvError(())))
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    /// Polled again after it returned its result, it returns an error.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().poll_recv(cx)
    }
}

impl<T> futures_core::FusedFuture for Receiver<T> {
    fn is_terminated(&self) -> bool {
        Receiver::is_terminated(self)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.close();
        if let Some(inner) = self.inner.take() {
            if self.closed == Some(true) {
                // Sent before our close: the value is ours to drop.
                drop(inner.take_value());
            }
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
