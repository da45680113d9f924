//! `copy`: pump a reader into a writer until end of stream.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

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
