//! `BufStream`: a read buffer and a write buffer around one stream.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncBufRead, AsyncRead, AsyncWrite};

use super::{BufReader, BufWriter};

/// Buffers both directions of a stream: a [`BufReader`] over a
/// [`BufWriter`], as one type (tokio's `BufStream`). Reads are served from
/// the read buffer, writes collect in the write buffer until it fills or
/// [`flush`](super::AsyncWriteExt::flush) is called: flush before waiting
/// for a reply, or the request may still be sitting in the buffer.
///
/// ```
/// use magpie::io::{AsyncBufReadExt, AsyncWriteExt, BufStream};
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let (client, server) = magpie::io::duplex(64);
/// magpie::spawn(async move {
///     let mut server = BufStream::new(server);
///     let mut line = String::new();
///     server.read_line(&mut line).await?;
///     server.write_all(line.to_uppercase().as_bytes()).await?;
///     server.flush().await
/// });
/// let mut client = BufStream::new(client);
/// client.write_all(b"ping\n").await?;
/// client.flush().await?;
/// let mut reply = String::new();
/// client.read_line(&mut reply).await?;
/// assert_eq!(reply, "PING\n");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct BufStream<RW> {
    inner: BufReader<BufWriter<RW>>,
}

impl<RW> BufStream<RW> {
    /// Wraps `stream` with 8 KiB buffers each way.
    ///
    /// ```
    /// let stream = magpie::io::BufStream::new(Vec::<u8>::new());
    /// assert!(stream.get_ref().is_empty());
    /// ```
    pub fn new(stream: RW) -> BufStream<RW> {
        BufStream {
            inner: BufReader::new(BufWriter::new(stream)),
        }
    }

    /// Wraps `stream` with a read buffer of `read_capacity` bytes and a
    /// write buffer of `write_capacity` bytes.
    ///
    /// ```
    /// let stream = magpie::io::BufStream::with_capacity(128, 256, Vec::<u8>::new());
    /// # drop(stream);
    /// ```
    pub fn with_capacity(read_capacity: usize, write_capacity: usize, stream: RW) -> BufStream<RW> {
        BufStream {
            inner: BufReader::with_capacity(
                read_capacity,
                BufWriter::with_capacity(write_capacity, stream),
            ),
        }
    }

    /// The wrapped stream.
    ///
    /// ```
    /// let stream = magpie::io::BufStream::new(vec![1u8]);
    /// assert_eq!(stream.get_ref(), &[1]);
    /// ```
    pub fn get_ref(&self) -> &RW {
        self.inner.get_ref().get_ref()
    }

    /// The wrapped stream, mutably. Reading or writing it directly skips
    /// the buffers.
    ///
    /// ```
    /// let mut stream = magpie::io::BufStream::new(Vec::<u8>::new());
    /// stream.get_mut().push(7);
    /// assert_eq!(stream.get_ref(), &[7]);
    /// ```
    pub fn get_mut(&mut self) -> &mut RW {
        self.inner.get_mut().get_mut()
    }

    /// Unwraps the stream. Whatever is still buffered, read or unflushed
    /// written bytes, is lost: flush first.
    ///
    /// ```
    /// let stream = magpie::io::BufStream::new(Vec::<u8>::new());
    /// assert!(stream.into_inner().is_empty());
    /// ```
    pub fn into_inner(self) -> RW {
        self.inner.into_inner().into_inner()
    }
}

impl<RW: AsyncRead + AsyncWrite + Unpin> AsyncRead for BufStream<RW> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<RW: AsyncRead + AsyncWrite + Unpin> AsyncBufRead for BufStream<RW> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        Pin::new(&mut self.get_mut().inner).poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        Pin::new(&mut self.get_mut().inner).consume(amt)
    }
}

impl<RW: AsyncRead + AsyncWrite + Unpin> AsyncWrite for BufStream<RW> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }
}
