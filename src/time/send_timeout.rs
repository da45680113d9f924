//! [`Sender::send_timeout`]: a bounded send with a deadline.
//!
//! It lives here, not in `sync/`, because `sync` has no timer: its
//! primitives work in any executor, while this method needs magpie's timer
//! wheel. An inherent method may be defined anywhere in its crate, so users
//! still find it on [`Sender`].

use std::time::Duration;

use crate::sync::mpsc::error::SendTimeoutError;
use crate::sync::mpsc::Sender;

impl<T> Sender<T> {
    /// Sends `value`, waiting at most `timeout` for a free slot (tokio's
    /// `send_timeout`). On a timeout or a closed channel the value comes
    /// back inside the error, so nothing is lost.
    ///
    /// A free slot is taken at once, even with a zero `timeout`. Waiting
    /// keeps this sender's place in the queue of waiting senders; a send
    /// that times out gives its place up without taking a slot.
    ///
    /// # Panics
    ///
    /// When it has to wait outside a magpie runtime (it needs the timer,
    /// like [`time::timeout`](crate::time::timeout)).
    ///
    /// ```
    /// use magpie::sync::mpsc::{self, error::SendTimeoutError};
    /// use magpie::time::Duration;
    ///
    /// magpie::Runtime::new().unwrap().block_on(async {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     tx.send_timeout(1, Duration::from_millis(10)).await.unwrap();
    ///     // Full: the second send waits 10 ms, then hands its value back.
    ///     let err = tx.send_timeout(2, Duration::from_millis(10)).await;
    ///     assert_eq!(err, Err(SendTimeoutError::Timeout(2)));
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     drop(rx);
    ///     let err = tx.send_timeout(3, Duration::from_millis(10)).await;
    ///     assert_eq!(err, Err(SendTimeoutError::Closed(3)));
    /// });
    /// ```
    pub async fn send_timeout(
        &self,
        value: T,
        timeout: Duration,
    ) -> Result<(), SendTimeoutError<T>> {
        // Reserve rather than send: the value stays here, so a timeout (which
        // drops the waiting future) can give it back. `timeout` polls the
        // reservation first, so a free slot costs no timer and no clock read,
        // and the reservation spends the task's cooperative budget as `send`
        // does.
        match crate::time::timeout(timeout, self.reserve()).await {
            Ok(Ok(permit)) => {
                permit.send(value);
                Ok(())
            }
            Ok(Err(_closed)) => Err(SendTimeoutError::Closed(value)),
            Err(_elapsed) => Err(SendTimeoutError::Timeout(value)),
        }
    }
}
