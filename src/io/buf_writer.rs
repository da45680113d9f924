//! `BufWriter`: fewer, larger writes to the inner writer.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

const DEFAULT_CAPACITY: usize = 8 * 1024;

/// Adds a buffer to a writer: small writes collect in memory and go out
/// together. Call [`flush`](super::AsyncWriteExt::flush) (or `close`) to
/// push them out; dropping a `BufWriter` loses what is still buffered.
/// Reads pass straight through.
///
/// ```
/// use magpie::io::{AsyncWriteExt, BufWriter};
///
/// # futures::executor::block_on(async {
/// let mut writer = BufWriter::new(Vec::new());
/// writer.write_all(b"held").await?;
/// assert!(writer.get_ref().is_empty());
/// writer.flush().await?;
/// assert_eq!(writer.get_ref(), b"held");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct BufWriter<W> {
    inner: W,
    buf: Vec<u8>,
    /// Bytes `..written` of `buf` are already with the inner writer.
    written: usize,
}

impl<W> BufWriter<W> {
    /// Wraps `inner` with an 8 KiB buffer.
    ///
    /// ```
    /// let writer = magpie::io::BufWriter::new(Vec::<u8>::new());
    /// assert!(writer.buffer().is_empty());
    /// ```
    pub fn new(inner: W) -> BufWriter<W> {
        BufWriter::with_capacity(DEFAULT_CAPACITY, inner)
    }

    /// Wraps `inner` with a buffer of `capacity` bytes.
    ///
    /// ```
    /// let writer = magpie::io::BufWriter::with_capacity(16, Vec::<u8>::new());
    /// assert_eq!(writer.capacity(), 16);
    /// ```
    pub fn with_capacity(capacity: usize, inner: W) -> BufWriter<W> {
        BufWriter {
            inner,
            buf: Vec::with_capacity(capacity),
            written: 0,
        }
    }

    /// The buffer's size.
    ///
    /// ```
    /// assert_eq!(magpie::io::BufWriter::new(Vec::<u8>::new()).capacity(), 8192);
    /// ```
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// The bytes buffered and not yet written.
    ///
    /// ```
    /// assert!(magpie::io::BufWriter::new(Vec::<u8>::new()).buffer().is_empty());
    /// ```
    pub fn buffer(&self) -> &[u8] {
        &self.buf[self.written..]
    }

    /// The inner writer.
    ///
    /// ```
    /// let writer = magpie::io::BufWriter::new(Vec::<u8>::new());
    /// assert!(writer.get_ref().is_empty());
    /// ```
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The inner writer, mutably (writing to it directly skips the buffer).
    ///
    /// ```
    /// let mut writer = magpie::io::BufWriter::new(Vec::<u8>::new());
    /// writer.get_mut().push(7);
    /// ```
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// Unwraps the inner writer; buffered bytes are lost (flush first).
    ///
    /// ```
    /// let writer = magpie::io::BufWriter::new(Vec::<u8>::new());
    /// assert!(writer.into_inner().is_empty());
    /// ```
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: AsyncWrite + Unpin> BufWriter<W> {
    fn poll_flush_buf(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.buf.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.buf[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.buf.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for BufWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.buf.len() + data.len() > this.buf.capacity() {
            ready!(this.poll_flush_buf(cx))?;
        }
        if data.len() >= this.buf.capacity() {
            Pin::new(&mut this.inner).poll_write(cx, data)
        } else {
            this.buf.extend_from_slice(data);
            Poll::Ready(Ok(data.len()))
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_flush_buf(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_flush_buf(cx))?;
        Pin::new(&mut this.inner).poll_close(cx)
    }
}

impl<W: AsyncRead + Unpin> AsyncRead for BufWriter<W> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<W: fmt::Debug> fmt::Debug for BufWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufWriter")
            .field("inner", &self.inner)
            .field("buffered", &(self.buf.len() - self.written))
            .field("capacity", &self.buf.capacity())
            .finish()
    }
}
