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
//! [`RecvError::Lagged`](error::RecvError::Lagged) with how many, then resumes at the oldest value
//! still held. Senders never wait for slow receivers.
//!
//! A receive waiting in the queue is woken by every send; dropping it just
//! leaves the queue (nothing is handed to a particular receiver, so there is
//! nothing to forward).
//!
//! Each slot counts the receivers that have yet to see its value (`rem`,
//! set to the receiver count by the send, lowered by each receive and by a
//! receiver's drop), so [`Sender::len`] can say how many values someone
//! still waits to read. Senders are counted strong (`senders`, which keep
//! the channel open) and weak ([`WeakSender`], which only upgrade while a
//! strong one lives), both under the lock. [`Sender::closed`] waits on a
//! [`Notify`] that the last receiver's drop fires after lowering the count;
//! the future is built before the count is read, so no drop is missed.

use super::notify::Notify;
use crate::loom::sync::{Arc, Mutex};
use crate::util::wait_list::WaitList;

mod receiver;
mod sender;

pub use receiver::Recv;

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

use error::TryRecvError;

/// One position's value and how many receivers have yet to see it.
struct Slot<T> {
    value: Option<T>,
    rem: usize,
}

struct State<T> {
    slots: Box<[Slot<T>]>,
    /// Oldest position still held.
    head: u64,
    /// Next position to write.
    tail: u64,
    senders: usize,
    weak_senders: usize,
    receivers: usize,
    waiters: WaitList<()>,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// Fired when the last receiver goes (for `Sender::closed`).
    no_receivers: Notify,
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
    let tx = Sender::new(capacity);
    let rx = tx.subscribe();
    (tx, rx)
}

/// A sender that does not keep the channel open; upgrade it to send.
///
/// ```
/// let (tx, _rx) = magpie::sync::broadcast::channel::<u8>(1);
/// let weak = tx.downgrade();
/// assert!(weak.upgrade().is_some());
/// drop(tx);
/// assert!(weak.upgrade().is_none());
/// ```
pub struct WeakSender<T> {
    shared: Arc<Shared<T>>,
}

/// Reads the value at `*next` (advancing it), with the lock held.
fn next_locked<T: Clone>(next: &mut u64, state: &mut State<T>) -> Result<T, TryRecvError> {
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
    let slot = &mut state.slots[idx];
    slot.rem -= 1;
    Ok(slot.value.clone().expect("a held position has a value"))
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
