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
