//! The receiving half's methods, the same for both flavours: one macro
//! writes them (and their doc examples) for `Receiver` and
//! `UnboundedReceiver`.

/// `receiver_impls!(Type, "constructor call", "non-waiting send method")`.
macro_rules! receiver_impls {
    ($receiver:ident, $ctor:literal, $send:literal) => {
        impl<T> $receiver<T> {
            /// Waits for the next value; `None` once every sender is gone (or
            /// the receiver was closed) and the buffer is drained.
            ///
            /// Cancellation-safe: if the future is dropped, no value was taken.
            ///
            /// ```
            /// futures::executor::block_on(async {
            #[doc = concat!("    let (tx, mut rx) = magpie::sync::mpsc::", $ctor, ";")]
            #[doc = concat!("    tx.", $send, "(3).unwrap();")]
            ///     drop(tx);
            ///     assert_eq!(rx.recv().await, Some(3));
            ///     assert_eq!(rx.recv().await, None);
            /// });
            /// ```
            pub async fn recv(&mut self) -> Option<T> {
                std::future::poll_fn(|cx| self.rx.poll_recv(cx)).await
            }

            /// Waits for at least one value, then moves up to `limit`
            /// buffered values into `buf`; returns how many (0 means closed
            /// and drained, or `limit` was 0).
            ///
            /// ```
            /// futures::executor::block_on(async {
            #[doc = concat!("    let (tx, mut rx) = magpie::sync::mpsc::", $ctor, ";")]
            #[doc = concat!("    for i in 0..3 { tx.", $send, "(i).unwrap(); }")]
            ///     let mut buf = Vec::new();
            ///     assert_eq!(rx.recv_many(&mut buf, 2).await, 2);
            ///     assert_eq!(rx.recv_many(&mut buf, 2).await, 1);
            ///     assert_eq!(buf, [0, 1, 2]);
            /// });
            /// ```
            pub async fn recv_many(&mut self, buf: &mut Vec<T>, limit: usize) -> usize {
                std::future::poll_fn(|cx| self.rx.poll_recv_many(cx, buf, limit)).await
            }

            /// Takes a value if one is buffered.
            ///
            /// ```
            /// use magpie::sync::mpsc::error::TryRecvError;
            #[doc = concat!("let (tx, mut rx) = magpie::sync::mpsc::", $ctor, ";")]
            /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
            #[doc = concat!("tx.", $send, "(1).unwrap();")]
            /// assert_eq!(rx.try_recv(), Ok(1));
            /// ```
            pub fn try_recv(&mut self) -> Result<T, super::error::TryRecvError> {
                self.rx.try_recv()
            }

            /// Polls for the next value (the building block of `recv`).
            ///
            /// ```
            /// use std::task::{Context, Poll, Waker};
            #[doc = concat!("let (tx, mut rx) = magpie::sync::mpsc::", $ctor, ";")]
            /// let mut cx = Context::from_waker(Waker::noop());
            /// assert!(rx.poll_recv(&mut cx).is_pending());
            #[doc = concat!("tx.", $send, "(1).unwrap();")]
            /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
            /// ```
            pub fn poll_recv(
                &mut self,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<T>> {
                self.rx.poll_recv(cx)
            }

            /// Closes the channel: sends fail from now on, including those
            /// still waiting (a waiting `send` gets its value back, and a
            /// waiting `reserve` fails, even one that was already handed a
            /// slot but had not returned); what is already buffered can
            /// still be received. A [`Permit`](super::Permit) handed out
            /// before the close can still send: the receiver reports the end
            /// only once every such permit was used or dropped.
            ///
            /// ```
            #[doc = concat!("let (tx, mut rx) = magpie::sync::mpsc::", $ctor, ";")]
            #[doc = concat!("tx.", $send, "(1).unwrap();")]
            /// rx.close();
            #[doc = concat!("assert!(tx.", $send, "(2).is_err());")]
            /// assert_eq!(rx.try_recv(), Ok(1));
            /// assert!(rx.try_recv().is_err());
            /// ```
            pub fn close(&mut self) {
                self.rx.chan().close();
            }

            /// Whether the channel is closed (receiver closed, or no sender
            /// left).
            ///
            /// ```
            #[doc = concat!("let (tx, rx) = magpie::sync::mpsc::", $ctor, ";")]
            /// assert!(!rx.is_closed());
            /// drop(tx);
            /// assert!(rx.is_closed());
            /// ```
            pub fn is_closed(&self) -> bool {
                self.rx.chan().is_closed() || self.rx.chan().sender_count() == 0
            }

            /// Values waiting to be received right now. (A send that has
            /// claimed its slot and is writing its value counts already.)
            ///
            /// ```
            #[doc = concat!("let (tx, mut rx) = magpie::sync::mpsc::", $ctor, ";")]
            #[doc = concat!("tx.", $send, "(1).unwrap();")]
            #[doc = concat!("tx.", $send, "(2).unwrap();")]
            /// assert_eq!(rx.len(), 2);
            /// rx.try_recv().unwrap();
            /// assert_eq!(rx.len(), 1);
            /// ```
            pub fn len(&self) -> usize {
                self.rx.chan().len()
            }

            /// Whether no value is waiting to be received right now.
            ///
            /// ```
            #[doc = concat!("let (tx, rx) = magpie::sync::mpsc::", $ctor, ";")]
            /// assert!(rx.is_empty());
            #[doc = concat!("tx.", $send, "(1).unwrap();")]
            /// assert!(!rx.is_empty());
            /// ```
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Live (strong) senders of this channel.
            ///
            /// ```
            #[doc = concat!("let (tx, rx) = magpie::sync::mpsc::", $ctor, ";")]
            /// let _tx2 = tx.clone();
            /// assert_eq!(rx.sender_strong_count(), 2);
            /// ```
            pub fn sender_strong_count(&self) -> usize {
                self.rx.chan().sender_count()
            }

            /// Live weak senders of this channel.
            ///
            /// ```
            #[doc = concat!("let (tx, rx) = magpie::sync::mpsc::", $ctor, ";")]
            /// let _weak = tx.downgrade();
            /// assert_eq!(rx.sender_weak_count(), 1);
            /// ```
            pub fn sender_weak_count(&self) -> usize {
                self.rx.chan().weak_count()
            }

            /// [`recv`](Self::recv) from synchronous code: blocks the thread
            /// (on its parker, not spinning) until a value comes or the
            /// channel ends. For threads outside the runtime and
            /// `spawn_blocking` closures.
            ///
            /// # Panics
            /// If called on a thread that drives a magpie runtime (a worker,
            /// or inside `block_on`): blocking it could stall the very task
            /// that would send.
            ///
            /// ```
            #[doc = concat!("let (tx, mut rx) = magpie::sync::mpsc::", $ctor, ";")]
            /// let consumer = std::thread::spawn(move || {
            ///     let mut sum = 0;
            ///     while let Some(n) = rx.blocking_recv() {
            ///         sum += n;
            ///     }
            ///     sum
            /// });
            /// let rt = magpie::Runtime::new().unwrap();
            /// rt.block_on(async move {
            #[doc = concat!("    for n in 1..=3 { tx.", $send, "(n).unwrap(); }")]
            /// });
            /// assert_eq!(consumer.join().unwrap(), 6);
            /// ```
            #[track_caller]
            pub fn blocking_recv(&mut self) -> Option<T> {
                crate::util::blocking::block_on(
                    concat!(stringify!($receiver), "::blocking_recv"),
                    self.recv(),
                )
            }

            /// [`recv_many`](Self::recv_many) from synchronous code: blocks
            /// like [`blocking_recv`](Self::blocking_recv) (and panics where
            /// it does) until at least one value comes or the channel ends.
            ///
            /// ```
            #[doc = concat!("let (tx, mut rx) = magpie::sync::mpsc::", $ctor, ";")]
            #[doc = concat!("tx.", $send, "(1).unwrap();")]
            #[doc = concat!("tx.", $send, "(2).unwrap();")]
            /// let mut buf = Vec::new();
            /// assert_eq!(rx.blocking_recv_many(&mut buf, 10), 2);
            /// assert_eq!(buf, [1, 2]);
            /// ```
            #[track_caller]
            pub fn blocking_recv_many(&mut self, buf: &mut Vec<T>, limit: usize) -> usize {
                crate::util::blocking::block_on(
                    concat!(stringify!($receiver), "::blocking_recv_many"),
                    self.recv_many(buf, limit),
                )
            }
        }

        impl<T> futures_core::Stream for $receiver<T> {
            type Item = T;

            fn poll_next(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<T>> {
                self.get_mut().rx.poll_recv(cx)
            }
        }

        impl<T> std::fmt::Debug for $receiver<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($receiver))
                    .finish_non_exhaustive()
            }
        }
    };
}

pub(super) use receiver_impls;
