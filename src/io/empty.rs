//! `empty`: a reader at end of stream that also swallows writes.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncBufRead, AsyncRead, AsyncWrite};

/// A reader that is always at end of stream (and, as in tokio, a writer
/// that accepts and discards everything).
///
/// ```
/// use magpie::io::{empty, AsyncReadExt};
///
/// # futures::executor::block_on(async {
/// let mut buf = Vec::new();
/// assert_eq!(empty().read_to_end(&mut buf).await?, 0);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub fn empty() -> Empty {
    Empty { _private: () }
}

/// The reader [`empty`] returns.
///
/// ```
/// use magpie::io::{AsyncWriteExt, Empty};
///
/// # futures::executor::block_on(async {
/// let mut nothing: Empty = magpie::io::empty();
/// nothing.write_all(b"gone").await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Empty {
    _private: (),
}

impl AsyncRead for Empty {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        _buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(0))
    }
}

impl AsyncBufRead for Empty {
    fn poll_fill_buf(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        Poll::Ready(Ok(&[]))
    }

    fn consume(self: Pin<&mut Self>, _amt: usize) {}
}

impl AsyncWrite for Empty {
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
