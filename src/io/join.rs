//! `join`: one stream made of a reader and a writer.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncBufRead, AsyncRead, AsyncWrite};

/// Joins a reader and a writer into one object that is both (tokio's
/// `io::join`): for code that wants a single stream, given two halves,
/// such as stdin and stdout, or the two ends of two pipes.
///
/// ```
/// use magpie::io::{AsyncReadExt, AsyncWriteExt};
///
/// # futures::executor::block_on(async {
/// let mut both = magpie::io::join(&b"request"[..], Vec::new());
/// let mut got = String::new();
/// both.read_to_string(&mut got).await?;
/// both.write_all(b"reply").await?;
/// let (_, written) = both.into_inner();
/// assert_eq!((got.as_str(), &written[..]), ("request", &b"reply"[..]));
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub fn join<R, W>(reader: R, writer: W) -> Join<R, W> {
    Join { reader, writer }
}

/// A reader and a writer as one stream; see [`join()`].
#[derive(Debug)]
pub struct Join<R, W> {
    reader: R,
    writer: W,
}

impl<R, W> Join<R, W> {
    /// The reader.
    ///
    /// ```
    /// let both = magpie::io::join(&b"x"[..], Vec::<u8>::new());
    /// assert_eq!(both.reader(), b"x");
    /// ```
    pub fn reader(&self) -> &R {
        &self.reader
    }

    /// The writer.
    ///
    /// ```
    /// let both = magpie::io::join(&b""[..], vec![1u8]);
    /// assert_eq!(both.writer(), &[1]);
    /// ```
    pub fn writer(&self) -> &W {
        &self.writer
    }

    /// The reader, mutably.
    ///
    /// ```
    /// let mut both = magpie::io::join(&b"ab"[..], Vec::<u8>::new());
    /// *both.reader_mut() = &b"b"[..];
    /// assert_eq!(both.reader(), b"b");
    /// ```
    pub fn reader_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// The writer, mutably.
    ///
    /// ```
    /// let mut both = magpie::io::join(&b""[..], Vec::<u8>::new());
    /// both.writer_mut().push(9);
    /// assert_eq!(both.writer(), &[9]);
    /// ```
    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.writer
    }

    /// The reader and the writer, apart again.
    ///
    /// ```
    /// let (reader, writer) = magpie::io::join(&b"r"[..], vec![b'w']).into_inner();
    /// assert_eq!((reader, &writer[..]), (&b"r"[..], &b"w"[..]));
    /// ```
    pub fn into_inner(self) -> (R, W) {
        (self.reader, self.writer)
    }
}

impl<R: AsyncRead + Unpin, W: Unpin> AsyncRead for Join<R, W> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().reader).poll_read(cx, buf)
    }
}

impl<R: AsyncBufRead + Unpin, W: Unpin> AsyncBufRead for Join<R, W> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        Pin::new(&mut self.get_mut().reader).poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        Pin::new(&mut self.get_mut().reader).consume(amt)
    }
}

impl<R: Unpin, W: AsyncWrite + Unpin> AsyncWrite for Join<R, W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().writer).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().writer).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().writer).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().writer).poll_close(cx)
    }
}
