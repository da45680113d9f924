//! `repeat`: a reader that yields one byte forever.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::AsyncRead;

use crate::runtime::task::coop;

/// A reader that fills every buffer with `byte`, forever. On magpie's
/// runtime each read spends the task's cooperative budget, so a loop over
/// it still lets other tasks run.
///
/// ```
/// use magpie::io::{repeat, AsyncReadExt};
///
/// # futures::executor::block_on(async {
/// let mut buf = [0; 4];
/// repeat(b'z').read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"zzzz");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub fn repeat(byte: u8) -> Repeat {
    Repeat { byte }
}

/// The reader [`repeat`] returns.
///
/// ```
/// use magpie::io::{AsyncReadExt, Repeat};
///
/// # futures::executor::block_on(async {
/// let mut ones: Repeat = magpie::io::repeat(1);
/// let mut buf = [0; 3];
/// assert_eq!(ones.read(&mut buf).await?, 3);
/// assert_eq!(buf, [1, 1, 1]);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Repeat {
    byte: u8,
}

impl AsyncRead for Repeat {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let coop = ready!(coop::poll_proceed(cx));
        buf.fill(self.byte);
        coop.made_progress();
        Poll::Ready(Ok(buf.len()))
    }
}
