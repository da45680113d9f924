//! The receiving handle and its future.

use super::error::{RecvError, TryRecvError};
use super::{new_receiver, next_locked, Receiver};
use crate::loom::sync::Arc;
use crate::util::wait_list::{update_waker, Recheck, Status, Waiter};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

impl<T: Clone> Receiver<T> {
    /// Takes the next value if there is one.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::broadcast::channel(2);
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = self.shared.state.lock();
        next_locked(&mut self.next, &mut state)
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

impl<T> Receiver<T> {
    /// Values sent that this receiver has yet to receive, counting those
    /// it has already missed: after a lag this is more than the channel's
    /// capacity, and the next receive reports
    /// [`Lagged`](super::error::RecvError::Lagged) with the excess, then
    /// resumes with the oldest value still held (as tokio documents).
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::broadcast::channel(2);
    /// for i in 0..3 {
    ///     tx.send(i).unwrap();
    /// }
    /// assert_eq!(rx.len(), 3); // one more than the channel holds
    /// assert!(rx.try_recv().is_err()); // Lagged(1)
    /// assert_eq!(rx.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        let state = self.shared.state.lock();
        (state.tail - self.next) as usize
    }

    /// Whether this receiver has received every value sent so far.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::broadcast::channel(2);
    /// assert!(rx.is_empty());
    /// tx.send(1).unwrap();
    /// assert!(!rx.is_empty());
    /// rx.try_recv().unwrap();
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether both receivers listen to the same channel.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// let (_tx2, other) = magpie::sync::broadcast::channel::<u8>(1);
    /// assert!(rx.same_channel(&tx.subscribe()));
    /// assert!(!rx.same_channel(&other));
    /// ```
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Live (strong) [`Sender`](super::Sender)s of this channel.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// let tx2 = tx.clone();
    /// assert_eq!(rx.sender_strong_count(), 2);
    /// drop((tx, tx2));
    /// assert_eq!(rx.sender_strong_count(), 0);
    /// ```
    pub fn sender_strong_count(&self) -> usize {
        self.shared.state.lock().senders
    }

    /// Live [`WeakSender`](super::WeakSender)s of this channel.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// let _weak = tx.downgrade();
    /// assert_eq!(rx.sender_weak_count(), 1);
    /// ```
    pub fn sender_weak_count(&self) -> usize {
        self.shared.state.lock().weak_senders
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.receivers -= 1;
        // The values we had yet to see no longer wait for us.
        let cap = state.slots.len() as u64;
        for pos in self.next.max(state.head)..state.tail {
            state.slots[(pos % cap) as usize].rem -= 1;
        }
        if state.receivers > 0 {
            return;
        }
        // Nobody can read the buffered values any more (a new receiver
        // starts at the tail): release them now, not when the last sender
        // goes. They are dropped after the lock, since a value's `Drop` may
        // use this channel.
        state.head = state.tail;
        let values: Vec<T> = state
            .slots
            .iter_mut()
            .filter_map(|slot| slot.value.take())
            .collect();
        drop(state);
        drop(values);
        self.shared.no_receivers.notify_waiters();
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
        let res = match next_locked(&mut rx.next, &mut state) {
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
