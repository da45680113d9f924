//! Reserved slots of a bounded channel: [`Permit`] (borrows its sender),
//! [`OwnedPermit`] (owns it) and [`PermitIterator`] (several at once).
//!
//! All three stand for slots counted in the buffer's `reserved`
//! (`backpressure.rs`): sending fills one (`push_reserved`), dropping gives
//! it back (`release_reserved`), and either way the receiver is told, since
//! after a `close` it waits for outstanding reservations before it reports
//! the end.

use super::backpressure::Bounded;
use super::bounded::Sender;
use super::chan::Tx;
use std::fmt;

/// Fills one reserved slot with `value` and tells the receiver.
fn send_reserved<T>(tx: &Tx<T, Bounded<T>>, value: T) {
    tx.buffer().push_reserved(value);
    tx.pushed();
}

/// Gives `n` reserved slots back unfilled and tells the receiver (it may
/// be waiting for in-flight slots after a `close`).
pub(super) fn give_back<T>(tx: &Tx<T, Bounded<T>>, n: usize) {
    tx.buffer().release_reserved(n);
    tx.gave_back();
}

/// A reserved slot: [`send`](Permit::send) cannot fail or wait. Dropping it
/// gives the slot back.
///
/// A permit handed out before the receiver closed can still send, and its
/// value is received: after [`Receiver::close`](super::Receiver::close) the
/// receiver waits for outstanding permits to be used or dropped before it
/// reports the end.
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

impl<'a, T> Permit<'a, T> {
    /// A permit for one slot the caller reserved.
    pub(super) fn new(tx: &'a Tx<T, Bounded<T>>) -> Permit<'a, T> {
        Permit { tx }
    }

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
        send_reserved(tx, value);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        give_back(self.tx, 1);
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

/// A reserved slot that owns its [`Sender`], so it can be kept in a struct
/// or moved to another task without a borrow. [`send`](OwnedPermit::send)
/// and [`release`](OwnedPermit::release) hand the sender back; dropping the
/// permit gives the slot back and drops the sender.
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, mut rx) = magpie::sync::mpsc::channel(1);
///     let permit = tx.reserve_owned().await.unwrap();
///     let tx = permit.send(1); // the sender comes back
///     assert_eq!(rx.recv().await, Some(1));
///     drop(tx);
///     assert_eq!(rx.recv().await, None);
/// });
/// ```
pub struct OwnedPermit<T> {
    /// `None` only once `send` or `release` took it.
    sender: Option<Sender<T>>,
}

impl<T> OwnedPermit<T> {
    /// A permit for one slot `sender` reserved.
    pub(super) fn new(sender: Sender<T>) -> OwnedPermit<T> {
        OwnedPermit {
            sender: Some(sender),
        }
    }

    /// Sends `value` into the reserved slot and returns the sender. If the
    /// receiver was dropped meanwhile, the value is dropped here and now.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::mpsc::channel(1);
    /// let tx = tx.try_reserve_owned().unwrap().send("a");
    /// assert_eq!(rx.try_recv(), Ok("a"));
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn send(mut self, value: T) -> Sender<T> {
        let sender = self.sender.take().expect("a live permit holds its sender");
        send_reserved(sender.tx(), value);
        sender
    }

    /// Gives the slot back unused and returns the sender.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(1);
    /// let permit = tx.try_reserve_owned().unwrap();
    /// let tx = permit.release();
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn release(mut self) -> Sender<T> {
        let sender = self.sender.take().expect("a live permit holds its sender");
        give_back(sender.tx(), 1);
        sender
    }

    /// Whether this permit's sender feeds the same channel as `other`.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::mpsc::channel::<u8>(2);
    /// let permit = tx.clone().try_reserve_owned().unwrap();
    /// assert!(permit.same_channel(&tx));
    /// ```
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        self.sender
            .as_ref()
            .is_some_and(|sender| sender.same_channel(other))
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(sender) = self.sender.take() {
            give_back(sender.tx(), 1);
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").finish_non_exhaustive()
    }
}

/// Several reserved slots, taken at once by
/// [`Sender::reserve_many`]: yields one [`Permit`] per slot. Dropping it
/// gives back the slots it has not yielded yet.
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, mut rx) = magpie::sync::mpsc::channel(4);
///     let mut permits = tx.reserve_many(3).await.unwrap();
///     assert_eq!(permits.len(), 3);
///     permits.next().unwrap().send('a');
///     drop(permits); // the other two slots come back
///     assert_eq!(tx.capacity(), 3);
///     assert_eq!(rx.recv().await, Some('a'));
/// });
/// ```
pub struct PermitIterator<'a, T> {
    tx: &'a Tx<T, Bounded<T>>,
    /// Slots reserved and not yet yielded.
    n: usize,
}

impl<'a, T> PermitIterator<'a, T> {
    /// An iterator over `n` slots the caller reserved.
    pub(super) fn new(tx: &'a Tx<T, Bounded<T>>, n: usize) -> PermitIterator<'a, T> {
        PermitIterator { tx, n }
    }
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Permit<'a, T>> {
        if self.n == 0 {
            return None;
        }
        self.n -= 1;
        Some(Permit::new(self.tx))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.n, Some(self.n))
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}

impl<T> std::iter::FusedIterator for PermitIterator<'_, T> {}

impl<T> Drop for PermitIterator<'_, T> {
    fn drop(&mut self) {
        if self.n > 0 {
            give_back(self.tx, std::mem::take(&mut self.n));
        }
    }
}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator")
            .field("remaining", &self.n)
            .finish()
    }
}
