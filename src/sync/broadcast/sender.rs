//! The sending handles: [`Sender`] and [`WeakSender`].

use super::error::SendError;
use super::{new_receiver, Receiver, Sender, Shared, Slot, State, WeakSender};
use crate::loom::sync::{Arc, Mutex};
use crate::sync::notify::Notify;
use crate::util::wait_list::{WaitList, WakeList};
use std::fmt;

impl<T> Sender<T> {
    /// A channel keeping the last `capacity` values, with no receiver yet:
    /// [`subscribe`](Self::subscribe) makes them. (Sends fail while there
    /// is none.)
    ///
    /// # Panics
    /// If `capacity` is zero.
    ///
    /// ```
    /// let tx = magpie::sync::broadcast::Sender::new(4);
    /// assert!(tx.send(1).is_err()); // nobody to receive it
    /// let mut rx = tx.subscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(2));
    /// ```
    #[track_caller]
    pub fn new(capacity: usize) -> Sender<T> {
        assert!(capacity > 0, "broadcast channel requires capacity > 0");
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                slots: (0..capacity)
                    .map(|_| Slot {
                        value: None,
                        rem: 0,
                    })
                    .collect(),
                head: 0,
                tail: 0,
                senders: 1,
                weak_senders: 0,
                receivers: 0,
                waiters: WaitList::new(),
            }),
            no_receivers: Notify::new(),
        });
        Sender { shared }
    }

    /// Sends `value` to every receiver alive now; returns how many. Never
    /// waits: when the buffer is full the oldest value is dropped and slow
    /// receivers will see `Lagged`. Fails if no receiver is alive.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::broadcast::channel(1);
    /// assert_eq!(tx.send(()).unwrap(), 1);
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut state = self.shared.state.lock();
        if state.receivers == 0 {
            return Err(SendError(value));
        }
        let cap = state.slots.len() as u64;
        let idx = (state.tail % cap) as usize;
        let receivers = state.receivers;
        let slot = &mut state.slots[idx];
        slot.rem = receivers;
        let old = slot.value.replace(value);
        state.tail += 1;
        if state.tail - state.head > cap {
            state.head = state.tail - cap;
        }
        let receivers = state.receivers;
        let mut wakers = WakeList::new();
        state.waiters.drain(&mut wakers, |_| {});
        drop(state);
        drop(old);
        wakers.wake_all();
        Ok(receivers)
    }

    /// A new receiver that sees values sent from now on.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// let _rx2 = tx.subscribe();
    /// assert_eq!(tx.receiver_count(), 2);
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        new_receiver(&self.shared)
    }

    /// Live receivers.
    ///
    /// ```
    /// let (tx, rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// drop(rx);
    /// assert_eq!(tx.receiver_count(), 0);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.state.lock().receivers
    }

    /// Values still held that some receiver alive now has yet to see (a
    /// value overwritten because the buffer was full is not counted).
    ///
    /// ```
    /// let (tx, mut a) = magpie::sync::broadcast::channel(4);
    /// let mut b = tx.subscribe();
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// assert_eq!(tx.len(), 2);
    /// a.try_recv().unwrap();
    /// assert_eq!(tx.len(), 2); // `b` has seen neither
    /// b.try_recv().unwrap();
    /// assert_eq!(tx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        let state = self.shared.state.lock();
        let cap = state.slots.len() as u64;
        (state.head..state.tail)
            .filter(|pos| state.slots[(pos % cap) as usize].rem > 0)
            .count()
    }

    /// Whether every receiver has seen every value still held.
    ///
    /// ```
    /// let (tx, mut rx) = magpie::sync::broadcast::channel(2);
    /// tx.send(()).unwrap();
    /// assert!(!tx.is_empty());
    /// rx.try_recv().unwrap();
    /// assert!(tx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits until no receiver is alive (at once if none is).
    ///
    /// ```
    /// futures::executor::block_on(async {
    ///     let (tx, rx) = magpie::sync::broadcast::channel::<u8>(1);
    ///     std::thread::spawn(move || drop(rx));
    ///     tx.closed().await;
    ///     assert!(tx.send(1).is_err());
    /// });
    /// ```
    pub async fn closed(&self) {
        loop {
            // Built before the count is read: a last receiver dropping
            // after our read fires it (see the module docs).
            let notified = self.shared.no_receivers.notified();
            if self.shared.state.lock().receivers == 0 {
                return;
            }
            notified.await;
        }
    }

    /// A [`WeakSender`] for this channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().unwrap().same_channel(&tx));
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        self.shared.state.lock().weak_senders += 1;
        WeakSender {
            shared: self.shared.clone(),
        }
    }

    /// Whether both senders feed the same channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// let (other, _rx2) = magpie::sync::broadcast::channel::<u8>(1);
    /// assert!(tx.same_channel(&tx.clone()));
    /// assert!(!tx.same_channel(&other));
    /// ```
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Live (strong) senders of this channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// let _tx2 = tx.clone();
    /// assert_eq!(tx.strong_count(), 2);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.shared.state.lock().senders
    }

    /// Live [`WeakSender`]s of this channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// let _weak = tx.downgrade();
    /// assert_eq!(tx.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.shared.state.lock().weak_senders
    }
}

impl<T> WeakSender<T> {
    /// A [`Sender`], if any strong sender is still alive. (Checked and
    /// counted under the channel's lock, so it never revives a channel
    /// whose last sender already closed it.)
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// assert!(tx.downgrade().upgrade().is_some());
    /// ```
    pub fn upgrade(&self) -> Option<Sender<T>> {
        let mut state = self.shared.state.lock();
        if state.senders == 0 {
            return None;
        }
        state.senders += 1;
        Some(Sender {
            shared: self.shared.clone(),
        })
    }

    /// Live (strong) senders of this channel.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// drop(tx);
    /// assert_eq!(weak.strong_count(), 0);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.shared.state.lock().senders
    }

    /// Live weak senders of this channel, this one included.
    ///
    /// ```
    /// let (tx, _rx) = magpie::sync::broadcast::channel::<u8>(1);
    /// assert_eq!(tx.downgrade().weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.shared.state.lock().weak_senders
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        self.shared.state.lock().weak_senders += 1;
        WeakSender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for WeakSender<T> {
    fn drop(&mut self) {
        self.shared.state.lock().weak_senders -= 1;
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender").finish_non_exhaustive()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.state.lock().senders += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.senders -= 1;
        if state.senders > 0 {
            return;
        }
        let mut wakers = WakeList::new();
        state.waiters.drain(&mut wakers, |_| {});
        drop(state);
        wakers.wake_all();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}
