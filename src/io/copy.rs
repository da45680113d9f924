//! `copy` and `copy_buf`: pump a reader into a writer until end of stream.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncBufRead, AsyncRead, AsyncWrite};

const BUFFER: usize = 16 * 1024;

/// Copies everything `reader` yields into `writer`, then flushes `writer`.
/// Returns the number of bytes copied.
///
/// ```
/// # futures::executor::block_on(async {
/// let mut input: &[u8] = b"copied";
/// let mut output = Vec::new();
/// let n = magpie::io::copy(&mut input, &mut output).await?;
/// assert_eq!((n, &output[..]), (6, &b"copied"[..]));
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn copy<R, W>(reader: &mut R, writer: &mut W) -> io::Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut state = CopyBuffer::new();
    poll_fn(|cx| state.poll_copy(cx, &mut *reader, &mut *writer)).await
}

/// One direction of a copy: the buffer and how far it got. Shared with
/// `copy_bidirectional`, which runs two of them.
pub(super) struct CopyBuffer {
    buf: Box<[u8]>,
    /// Bytes `pos..cap` were read but not yet written.
    pos: usize,
    cap: usize,
    read_done: bool,
    copied: u64,
}

impl CopyBuffer {
    pub(super) fn new() -> CopyBuffer {
        CopyBuffer {
            buf: vec![0; BUFFER].into_boxed_slice(),
            pos: 0,
            cap: 0,
            read_done: false,
            copied: 0,
        }
    }

    /// Copies until `reader` is at end of stream and everything is written
    /// and flushed; returns the bytes copied.
    pub(super) fn poll_copy<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        reader: &mut R,
        writer: &mut W,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + Unpin + ?Sized,
        W: AsyncWrite + Unpin + ?Sized,
    {
        loop {
            if self.pos == self.cap && !self.read_done {
                match Pin::new(&mut *reader).poll_read(cx, &mut self.buf)? {
                    Poll::Ready(0) => self.read_done = true,
                    Poll::Ready(n) => {
                        self.pos = 0;
                        self.cap = n;
                    }
                    Poll::Pending => {
                        // Nothing to read for now: push out what the writer
                        // may be buffering so the peer is not kept waiting.
                        ready!(Pin::new(&mut *writer).poll_flush(cx))?;
                        return Poll::Pending;
                    }
                }
            }
            while self.pos < self.cap {
                let n =
                    ready!(Pin::new(&mut *writer).poll_write(cx, &self.buf[self.pos..self.cap]))?;
                if n == 0 {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                self.pos += n;
                self.copied += n as u64;
            }
            if self.read_done {
                ready!(Pin::new(&mut *writer).poll_flush(cx))?;
                return Poll::Ready(Ok(self.copied));
            }
        }
    }
}

/// Copies everything a buffered `reader` yields into `writer`, writing
/// straight from the reader's own buffer (no second buffer), then flushes
/// `writer`. Returns the number of bytes copied.
///
/// ```
/// use magpie::io::BufReader;
/// # futures::executor::block_on(async {
/// let mut input = BufReader::new(&b"buffered"[..]);
/// let mut output = Vec::new();
/// let n = magpie::io::copy_buf(&mut input, &mut output).await?;
/// assert_eq!((n, &output[..]), (8, &b"buffered"[..]));
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn copy_buf<R, W>(reader: &mut R, writer: &mut W) -> io::Result<u64>
where
    R: AsyncBufRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut copied = 0u64;
    poll_fn(|cx| loop {
        let available = match Pin::new(&mut *reader).poll_fill_buf(cx)? {
            Poll::Ready(available) => available,
            Poll::Pending => {
                // As `copy`: flush while the reader has nothing for us.
                ready!(Pin::new(&mut *writer).poll_flush(cx))?;
                return Poll::Pending;
            }
        };
        if available.is_empty() {
            ready!(Pin::new(&mut *writer).poll_flush(cx))?;
            return Poll::Ready(Ok(copied));
        }
        let n = ready!(Pin::new(&mut *writer).poll_write(cx, available))?;
        if n == 0 {
            return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
        }
        Pin::new(&mut *reader).consume(n);
        copied += n as u64;
    })
    .await
}
