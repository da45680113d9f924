//! A single-value channel: receivers see the latest value and can wait for
//! it to change.
//!
//! # Protocol
//!
//! The value sits under a reader-writer lock; next to it a `version` word counts sends
//! (in steps of 2) with the low bit meaning "the sender is gone". A send
//! replaces the value under the lock, bumps the version (`SeqCst`) and
//! calls `notify_waiters`. A receiver remembers the version it last saw;
//! `changed` builds a [`Notified`](super::Notified) *before* reading the
//! version, so a send that lands after the read advances the `Notify`
//! generation the future captured, and the future completes: no change is
//! missed. Both the version and the `Notify` word are `SeqCst`, one total
//! order.

use super::notify::Notify;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Arc, RwLock, RwLockReadGuard};
use crate::runtime::task::coop;
use std::fmt;
use std::ops::Deref;

const CLOSED: usize = 1;
const STEP: usize = 2;
/// A receiver's `seen` with this bit matches no version (`mark_changed`).
const UNSEEN: usize = 1;

/// Waits for a version other than `*seen` and records it; fails once the
/// sender is gone with nothing unseen.
async fn changed<T>(shared: &Shared<T>, seen: &mut usize) -> Result<(), RecvError> {
    loop {
        let notified = shared.notify_rx.notified();
        // SeqCst: after the generation read inside `notified()`.
        let version = shared.version.load(SeqCst);
        if version & !CLOSED != *seen {
            *seen = version & !CLOSED;
            return Ok(());
        }
        if version & CLOSED != 0 {
            return Err(RecvError(()));
        }
        notified.await;
    }
}

/// `watch` errors.
pub mod error {
    use std::fmt;

    /// No receiver is alive; the value is inside (the type `mpsc` uses too).
    pub use crate::sync::mpsc::error::SendError;

    /// The sender is gone (and the receiver has seen its last value).
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::watch::channel(0);
    ///     drop(tx);
    ///     assert!(rx.changed().await.is_err());
    /// });
    /// ```
    #[derive(Debug, PartialEq, Eq, Clone, Copy)]
    pub struct RecvError(pub(crate) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}
}

use error::{RecvError, SendError};

struct Shared<T> {
    value: RwLock<T>,
    version: AtomicUsize,
    receivers: AtomicUsize,
    /// Receivers waiting in `changed`.
    notify_rx: Notify,
    /// The sender waiting in `closed`.
    notify_tx: Notify,
}

/// Publishes new values.
///
/// ```
/// futures::executor::block_on(async {
///     let (tx, mut rx) = magpie::sync::watch::channel("a");
///     tx.send("b").unwrap();
///     rx.changed().await.unwrap();
///     assert_eq!(*rx.borrow(), "b");
/// });
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Observes the latest value.
///
/// ```
/// let (_tx, rx) = magpie::sync::watch::channel(1);
/// assert_eq!(*rx.borrow(), 1);
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The version (without the closed bit) this receiver last saw.
    seen: usize,
}

/// A borrow of the current value. It holds the value's read lock, which
/// blocks the sender: keep it short and never hold it across an `.await`.
///
/// ```
/// let (_tx, rx) = magpie::sync::watch::channel(String::from("hi"));
/// let r: magpie::sync::watch::Ref<'_, String> = rx.borrow();
/// assert_eq!(r.len(), 2);
/// ```
pub struct Ref<'a, T> {
    guard: RwLockReadGuard<'a, T>,
    changed: bool,
}

/// A watch channel holding `init`.
///
/// ```
/// let (tx, rx) = magpie::sync::watch::channel(0u8);
/// assert_eq!(*tx.borrow(), *rx.borrow());
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: RwLock::new(init),
        version: AtomicUsize::new(0),
        receivers: AtomicUsize::new(1),
        notify_rx: Notify::new(),
        notify_tx: Notify::new(),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, seen: 0 },
    )
}

impl<T> Ref<'_, T> {
    /// Whether this value is newer than what the receiver had seen before
    /// borrowing it.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert!(rx.borrow_and_update().has_changed());
    /// assert!(!rx.borrow_and_update().has_changed());
    /// ```
    pub fn has_changed(&self) -> bool {
        self.changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> Sender<T> {
    /// Replaces the value and notifies the receivers; fails (handing the
    /// value back) if there are none.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::watch::channel(0);
    /// tx.send(2).unwrap();
    /// assert_eq!(*rx.borrow(), 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.shared.receivers.load(SeqCst) == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Replaces the value whether or not anyone listens; returns the old one.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::watch::channel(1);
    /// assert_eq!(tx.send_replace(2), 1);
    /// ```
    pub fn send_replace(&self, value: T) -> T {
        let mut value = Some(value);
        self.send_if_modified(|v| {
            value = Some(std::mem::replace(v, value.take().expect("called once")));
            true
        });
        value.expect("replaced")
    }

    /// Modifies the value in place and notifies the receivers.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::watch::channel(vec![1]);
    /// tx.send_modify(|v| v.push(2));
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|v| {
            modify(v);
            true
        });
    }

    /// Modifies the value in place; notifies only if `modify` returns true.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::watch::channel(1);
    /// assert!(!tx.send_if_modified(|_| false));
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let mut value = self.shared.value.write();
        if !modify(&mut value) {
            return false;
        }
        // SeqCst: ordered with the `Notify` generation a receiver captured
        // before reading the version (see the module docs). Bumped under the
        // value lock so versions and values move together.
        self.shared.version.fetch_add(STEP, SeqCst);
        drop(value);
        self.shared.notify_rx.notify_waiters();
        true
    }

    /// Borrows the current value.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::watch::channel(3);
    /// assert_eq!(*tx.borrow(), 3);
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.value.read(),
            changed: false,
        }
    }

    /// A new receiver; it has seen the current value.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::watch::channel(0);
    /// drop(rx);
    /// let rx = tx.subscribe();
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.receivers.fetch_add(1, SeqCst);
        Receiver {
            shared: self.shared.clone(),
            seen: self.shared.version.load(SeqCst) & !CLOSED,
        }
    }

    /// Live receivers.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::watch::channel(0);
    /// let _rx2 = rx.clone();
    /// assert_eq!(tx.receiver_count(), 2);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.load(SeqCst)
    }

    /// Whether every receiver is gone.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::watch::channel(0);
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Waits until every receiver is gone.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, rx) = magpie::sync::watch::channel(0);
    ///     std::thread::spawn(move || drop(rx));
    ///     tx.closed().await;
    /// });
    /// ```
    pub async fn closed(&self) {
        // A yield point even when every receiver is already gone.
        coop::consume_budget().await;
        loop {
            let notified = self.shared.notify_tx.notified();
            if self.is_closed() {
                return;
            }
            notified.await;
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // SeqCst: as for a send.
        self.shared.version.fetch_or(CLOSED, SeqCst);
        self.shared.notify_rx.notify_waiters();
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> Receiver<T> {
    /// Borrows the current value without marking it seen.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow(), 1);
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        let changed = self.shared.version.load(SeqCst) & !CLOSED != self.seen;
        Ref { guard, changed }
    }

    /// Borrows the current value and marks it seen.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow_and_update(), 1);
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        // Read under the value lock: the version matches the value we see.
        let version = self.shared.version.load(SeqCst) & !CLOSED;
        let changed = version != self.seen;
        self.seen = version;
        Ref { guard, changed }
    }

    /// Whether a value newer than the last seen one was sent; an error if
    /// the sender is gone.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::watch::channel(0);
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// drop(tx);
    /// assert!(rx.has_changed().is_err());
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let version = self.shared.version.load(SeqCst);
        if version & CLOSED != 0 {
            return Err(RecvError(()));
        }
        Ok(version != self.seen)
    }

    /// Marks the current value as seen.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// rx.mark_unchanged();
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// ```
    pub fn mark_unchanged(&mut self) {
        self.seen = self.shared.version.load(SeqCst) & !CLOSED;
    }

    /// Marks the current value as not seen: [`has_changed`] reports `true`
    /// and [`changed`] returns at once, whether or not a new value is sent.
    ///
    /// (Versions are even; an odd `seen` matches none of them.)
    ///
    /// [`has_changed`]: Self::has_changed
    /// [`changed`]: Self::changed
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (_tx, mut rx) = magpie::sync::watch::channel(0);
    ///     assert_eq!(rx.has_changed(), Ok(false));
    ///     rx.mark_changed();
    ///     assert_eq!(rx.has_changed(), Ok(true));
    ///     rx.changed().await.unwrap(); // at once
    ///     assert_eq!(rx.has_changed(), Ok(false));
    /// });
    /// ```
    pub fn mark_changed(&mut self) {
        self.seen = (self.shared.version.load(SeqCst) & !CLOSED) | UNSEEN;
    }

    /// Waits for a value newer than the last seen one and marks it seen.
    /// Fails once the sender is gone and no unseen value is left.
    ///
    /// Cancellation-safe.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::watch::channel(0);
    ///     std::thread::spawn(move || tx.send(1).unwrap());
    ///     rx.changed().await.unwrap();
    ///     assert_eq!(*rx.borrow(), 1);
    /// });
    /// ```
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        // A yield point even when the value has already changed: a loop of
        // send + changed must not starve its worker.
        coop::consume_budget().await;
        changed(&self.shared, &mut self.seen).await
    }

    /// Waits until the value satisfies `condition`, and returns a borrow
    /// of that value, marked seen (its [`Ref::has_changed`] says whether it
    /// is newer than what was seen before the call). Checks the current value first (so it
    /// may return at once), then each new one. Fails if the sender is gone
    /// and the last value does not satisfy it.
    ///
    /// `condition` runs with the value's read lock held, like a [`Ref`]:
    /// keep it short. Cancellation-safe.
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = magpie::sync::watch::channel(0);
    ///     std::thread::spawn(move || {
    ///         for i in 1..=5 {
    ///             tx.send(i).unwrap();
    ///         }
    ///     });
    ///     let at_least_3 = rx.wait_for(|v| *v >= 3).await;
    ///     // The thread may have gone on past 3, or finished.
    ///     assert!(*at_least_3.unwrap() >= 3);
    /// });
    /// ```
    pub async fn wait_for(
        &mut self,
        mut condition: impl FnMut(&T) -> bool,
    ) -> Result<Ref<'_, T>, RecvError> {
        coop::consume_budget().await;
        // Split borrows: the returned `Ref` borrows `shared` while the loop
        // updates `seen`.
        let (shared, seen) = (&*self.shared, &mut self.seen);
        // `Ref::has_changed`: newer than what was seen before this call.
        let seen_before = *seen;
        loop {
            {
                let guard = shared.value.read();
                // Read under the value lock: the version matches the value.
                let version = shared.version.load(SeqCst) & !CLOSED;
                let changed = version != seen_before;
                *seen = version;
                if condition(&guard) {
                    return Ok(Ref { guard, changed });
                }
            }
            changed(shared, seen).await?;
        }
    }

    /// Whether both receivers watch the same channel.
    ///
    /// ```
    /// let (_tx, rx) = magpie::sync::watch::channel(0);
    /// assert!(rx.same_channel(&rx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.receivers.fetch_add(1, SeqCst);
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if self.shared.receivers.fetch_sub(1, SeqCst) == 1 {
            self.shared.notify_tx.notify_waiters();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("seen", &self.seen)
            .finish()
    }
}
