//! `sink`: a writer that discards everything.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::AsyncWrite;

/// A writer that accepts every byte and keeps none.
///
/// ```
/// use magpie::io::{sink, copy};
///
/// # futures::executor::block_on(async {
/// let mut input: &[u8] = b"into the void";
/// let n = copy(&mut input, &mut sink()).await?;
/// assert_eq!(n, 13);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub fn sink() -> Sink {
    Sink { _private: () }
}

/// The writer [`sink`] returns.
///
/// ```
/// use magpie::io::{AsyncWriteExt, Sink};
///
/// # futures::executor::block_on(async {
/// let mut out: Sink = magpie::io::sink();
/// assert_eq!(out.write(b"abc").await?, 3);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Sink {
    _private: (),
}

impl AsyncWrite for Sink {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
