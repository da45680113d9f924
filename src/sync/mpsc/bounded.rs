//! The bounded channel's handles.

use super::backpressure::{self, Bounded, Grant};
use super::chan::{self, Rx, Tx, WeakTx};
use super::error::{SendError, TrySendError};
use super::permit::{self, OwnedPermit, Permit, PermitIterator};
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
        match wait(&self.tx, true, 1).await {
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
    /// Cancellation-safe, like [`send`](Self::send): a slot handed to a
    /// dropped `reserve` goes back to the channel.
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
        self.reserve_slots(1).await?;
        Ok(Permit::new(&self.tx))
    }

    /// Waits until `n` slots are free and reserves them all at once; yields
    /// one [`Permit`] per slot. In FIFO order with the other waiting
    /// senders: while it waits at the head of the queue, nobody takes the
    /// slots it is waiting for. `n == 0` returns no permits at once.
    ///
    /// Fails if the receiver is closed or dropped (as [`reserve`]), or if
    /// `n` exceeds [`max_capacity`](Self::max_capacity) (it could never
    /// be met).
    ///
    /// [`reserve`]: Self::reserve
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::mpsc::channel(4);
    ///     for (permit, word) in tx.reserve_many(2).await.unwrap().zip(["a", "b"]) {
    ///         permit.send(word);
    ///     }
    ///     assert_eq!(rx.recv().await, Some("a"));
    ///     assert_eq!(rx.recv().await, Some("b"));
    ///     assert!(tx.reserve_many(5).await.is_err());
    /// });
    /// ```
    pub async fn reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, SendError<()>> {
        if n > self.max_capacity() || (n == 0 && self.is_closed()) {
            return Err(SendError(()));
        }
        if n > 0 {
            self.reserve_slots(n).await?;
        }
        Ok(PermitIterator::new(&self.tx, n))
    }

    /// Like [`reserve`](Self::reserve), with a permit that owns this sender
    /// (so it needs no borrow); the permit hands the sender back when used.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::mpsc::channel(1);
    ///     let permit = tx.reserve_owned().await.unwrap();
    ///     std::thread::spawn(move || drop(permit.send(3))).join().unwrap();
    ///     assert_eq!(rx.recv().await, Some(3));
    /// });
    /// ```
    pub async fn reserve_owned(self) -> Result<OwnedPermit<T>, SendError<()>> {
        self.reserve_slots(1).await?;
        Ok(OwnedPermit::new(self))
    }

    /// Waits for `n` reserved slots (`n` at most the capacity, not 0).
    async fn reserve_slots(&self, n: usize) -> Result<(), SendError<()>> {
        match wait(&self.tx, false, n).await {
            Ok(Grant::Reserved) => {
                if self.tx.is_closed() {
                    // Handed the slots before the close, but not returned
                    // before it: give them back (and wake the receiver,
                    // which counts them in flight).
                    permit::give_back(&self.tx, n);
                    return Err(SendError(()));
                }
                Ok(())
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
        self.try_reserve_slots(1)?;
        Ok(Permit::new(&self.tx))
    }

    /// Reserves `n` slots if they are all free right now (and nobody is
    /// waiting). Fails with `Full` if `n` exceeds the capacity.
    ///
    /// ```
    /// use magpie::sync::mpsc::error::TrySendError;
    /// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(3);
    /// let permits = tx.try_reserve_many(2).unwrap();
    /// assert_eq!(permits.len(), 2);
    /// assert_eq!(tx.try_reserve_many(2).unwrap_err(), TrySendError::Full(()));
    /// ```
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        if n > self.max_capacity() {
            return Err(TrySendError::Full(()));
        }
        if n == 0 && self.is_closed() {
            return Err(TrySendError::Closed(()));
        }
        if n > 0 {
            self.try_reserve_slots(n)?;
        }
        Ok(PermitIterator::new(&self.tx, n))
    }

    /// Like [`try_reserve`](Self::try_reserve), with a permit that owns
    /// this sender; on failure the sender comes back inside the error.
    ///
    /// ```
    /// use magpie::sync::mpsc::error::TrySendError;
    /// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(1);
    /// let permit = tx.clone().try_reserve_owned().unwrap();
    /// let Err(TrySendError::Full(tx)) = tx.try_reserve_owned() else { panic!() };
    /// drop(permit);
    /// assert!(tx.try_reserve_owned().is_ok());
    /// ```
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Self>> {
        match self.try_reserve_slots(1) {
            Ok(()) => Ok(OwnedPermit::new(self)),
            Err(TrySendError::Full(())) => Err(TrySendError::Full(self)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(self)),
        }
    }

    fn try_reserve_slots(&self, n: usize) -> Result<(), TrySendError<()>> {
        match self.tx.buffer().try_reserve(n) {
            Ok(()) => Ok(()),
            Err(TryAcquire::Closed) => Err(TrySendError::Closed(())),
            Err(TryAcquire::NoPermits) => Err(TrySendError::Full(())),
        }
    }

    /// Sends `value` from synchronous code, blocking the thread (on its
    /// parker, not spinning) while the channel is full. For threads
    /// outside the runtime and `spawn_blocking` closures.
    ///
    /// # Panics
    /// If called on a thread that drives a magpie runtime (a worker, or
    /// inside `block_on`): blocking it could stall the very task that
    /// would make room.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::mpsc::channel(1);
    /// let producer = std::thread::spawn(move || {
    ///     for i in 0..3 {
    ///         tx.blocking_send(i).unwrap();
    ///     }
    /// });
    /// let rt = magpie::Runtime::new().unwrap();
    /// let got: Vec<i32> = rt.block_on(async {
    ///     let mut got = Vec::new();
    ///     while let Some(i) = rx.recv().await {
    ///         got.push(i);
    ///     }
    ///     got
    /// });
    /// producer.join().unwrap();
    /// assert_eq!(got, [0, 1, 2]);
    /// ```
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        crate::util::blocking::block_on("Sender::blocking_send", self.send(value))
    }

    /// The channel handle, for the permits.
    pub(super) fn tx(&self) -> &Tx<T, Bounded<T>> {
        &self.tx
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

    /// Live [`WeakSender`]s of this channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert_eq!(tx.weak_count(), 1);
    /// drop(weak);
    /// assert_eq!(tx.weak_count(), 0);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.tx.weak_count()
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

    /// Live (strong) senders of this channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert_eq!(weak.strong_count(), 1);
    /// drop(tx);
    /// assert_eq!(weak.strong_count(), 0);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.tx.sender_count()
    }

    /// Live weak senders of this channel, this one included.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert_eq!(weak.clone().weak_count(), 2);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.tx.weak_count()
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

super::receiver::receiver_impls!(Receiver, "channel::<i32>(4)", "try_send");

impl<T> Receiver<T> {
    /// Free slots right now (as [`Sender::capacity`]).
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::mpsc::channel(3);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(rx.capacity(), 2);
    /// ```
    pub fn capacity(&self) -> usize {
        self.rx.chan().buffer().free()
    }

    /// The capacity the channel was made with.
    ///
    /// ```
    /// let (_tx, rx) = magpie::sync::mpsc::channel::<u8>(3);
    /// assert_eq!(rx.max_capacity(), 3);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.rx.chan().buffer().capacity()
    }
}

/// Waits for a position (`send`) or a reserved slot (`reserve`). If
/// dropped unfinished, the `Wait` inside gives back any grant it had been
/// handed, and the receiver is woken: it may be waiting for in-flight slots
/// to come back after a `close`.
struct Wait<'a, T> {
    wait: ManuallyDrop<backpressure::Wait<'a, T>>,
    tx: &'a Tx<T, Bounded<T>>,
    done: bool,
}

fn wait<T>(tx: &Tx<T, Bounded<T>>, position: bool, n: usize) -> Wait<'_, T> {
    Wait {
        wait: ManuallyDrop::new(tx.buffer().wait(position, n)),
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
