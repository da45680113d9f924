//! `AsyncReadExt`: `read`, `read_exact`, `read_to_end`, `read_to_string`,
//! and binary numbers (`read_u32`, `read_f64_le`, ...).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::AsyncRead;

/// Most bytes one `read_to_end` step zero-fills and offers to the reader.
const READ_WINDOW: usize = 64 * 1024;

/// Reading methods for every [`AsyncRead`].
///
/// ```
/// use magpie::io::AsyncReadExt;
///
/// # futures::executor::block_on(async {
/// let mut input: &[u8] = b"hello";
/// let mut buf = [0; 2];
/// input.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"he");
/// let mut rest = String::new();
/// input.read_to_string(&mut rest).await?;
/// assert_eq!(rest, "llo");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub trait AsyncReadExt: AsyncRead {
    /// Reads some bytes into `buf`; `Ok(0)` means end of stream (or an
    /// empty `buf`).
    ///
    /// ```
    /// use magpie::io::AsyncReadExt;
    /// # futures::executor::block_on(async {
    /// let mut input: &[u8] = b"abc";
    /// let mut buf = [0; 8];
    /// assert_eq!(input.read(&mut buf).await?, 3);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn read<'a>(&'a mut self, buf: &'a mut [u8]) -> Read<'a, Self>
    where
        Self: Unpin,
    {
        Read { reader: self, buf }
    }

    /// Fills `buf` completely; `UnexpectedEof` if the stream ends first.
    ///
    /// ```
    /// use magpie::io::AsyncReadExt;
    /// # futures::executor::block_on(async {
    /// let mut input: &[u8] = b"ab";
    /// let mut buf = [0; 3];
    /// let err = input.read_exact(&mut buf).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    /// # });
    /// ```
    fn read_exact<'a>(&'a mut self, buf: &'a mut [u8]) -> ReadExact<'a, Self>
    where
        Self: Unpin,
    {
        ReadExact {
            reader: self,
            buf,
            filled: 0,
        }
    }

    /// Appends everything up to end of stream to `buf`; returns how many
    /// bytes were appended.
    ///
    /// ```
    /// use magpie::io::AsyncReadExt;
    /// # futures::executor::block_on(async {
    /// let mut input: &[u8] = b"all of it";
    /// let mut buf = Vec::new();
    /// assert_eq!(input.read_to_end(&mut buf).await?, 9);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn read_to_end<'a>(&'a mut self, buf: &'a mut Vec<u8>) -> ReadToEnd<'a, Self>
    where
        Self: Unpin,
    {
        let start = buf.len();
        ReadToEnd {
            reader: self,
            buf,
            start,
        }
    }

    /// Appends everything up to end of stream to `buf`; `InvalidData` (and
    /// `buf` unchanged) if it is not UTF-8.
    ///
    /// ```
    /// use magpie::io::AsyncReadExt;
    /// # futures::executor::block_on(async {
    /// let mut input: &[u8] = b"text";
    /// let mut s = String::new();
    /// input.read_to_string(&mut s).await?;
    /// assert_eq!(s, "text");
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn read_to_string<'a>(&'a mut self, buf: &'a mut String) -> ReadToString<'a, Self>
    where
        Self: Unpin,
    {
        ReadToString {
            reader: self,
            buf,
            bytes: Vec::new(),
        }
    }

    super::numbers::read_number_methods! {
        read_u8, u8, from_be_bytes, to_be_bytes, 200;
        read_i8, i8, from_be_bytes, to_be_bytes, -100;
        read_u16, u16, from_be_bytes, to_be_bytes, 0xBEEF;
        read_u16_le, u16, from_le_bytes, to_le_bytes, 0xBEEF;
        read_i16, i16, from_be_bytes, to_be_bytes, -300;
        read_i16_le, i16, from_le_bytes, to_le_bytes, -300;
        read_u32, u32, from_be_bytes, to_be_bytes, 0xDEAD_BEEF;
        read_u32_le, u32, from_le_bytes, to_le_bytes, 0xDEAD_BEEF;
        read_i32, i32, from_be_bytes, to_be_bytes, -70_000;
        read_i32_le, i32, from_le_bytes, to_le_bytes, -70_000;
        read_u64, u64, from_be_bytes, to_be_bytes, u64::MAX - 1;
        read_u64_le, u64, from_le_bytes, to_le_bytes, u64::MAX - 1;
        read_i64, i64, from_be_bytes, to_be_bytes, i64::MIN + 1;
        read_i64_le, i64, from_le_bytes, to_le_bytes, i64::MIN + 1;
        read_u128, u128, from_be_bytes, to_be_bytes, 1 << 100;
        read_u128_le, u128, from_le_bytes, to_le_bytes, 1 << 100;
        read_i128, i128, from_be_bytes, to_be_bytes, -(1 << 100);
        read_i128_le, i128, from_le_bytes, to_le_bytes, -(1 << 100);
        read_f32, f32, from_be_bytes, to_be_bytes, 1.5;
        read_f32_le, f32, from_le_bytes, to_le_bytes, 1.5;
        read_f64, f64, from_be_bytes, to_be_bytes, -2.25;
        read_f64_le, f64, from_le_bytes, to_le_bytes, -2.25;
    }
}

impl<R: AsyncRead + ?Sized> AsyncReadExt for R {}

/// Future of [`AsyncReadExt::read`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Read<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut [u8],
}

impl<R: AsyncRead + Unpin + ?Sized> Future for Read<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        Pin::new(&mut *this.reader).poll_read(cx, this.buf)
    }
}

/// Future of [`AsyncReadExt::read_exact`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct ReadExact<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut [u8],
    filled: usize,
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadExact<'_, R> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        poll_read_exact(this.reader, cx, this.buf, &mut this.filled)
    }
}

/// Reads into `buf[*filled..]` until `buf` is full, counting in `filled`
/// across `Pending`; `UnexpectedEof` if the stream ends first. Shared by
/// `read_exact` and the number reads.
pub(super) fn poll_read_exact<R: AsyncRead + Unpin + ?Sized>(
    reader: &mut R,
    cx: &mut Context<'_>,
    buf: &mut [u8],
    filled: &mut usize,
) -> Poll<io::Result<()>> {
    while *filled < buf.len() {
        let n = ready!(Pin::new(&mut *reader).poll_read(cx, &mut buf[*filled..]))?;
        if n == 0 {
            return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
        }
        *filled += n;
    }
    Poll::Ready(Ok(()))
}

/// Future of [`AsyncReadExt::read_to_end`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct ReadToEnd<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut Vec<u8>,
    start: usize,
}

/// Reads into `buf` until end of stream; bytes read stay in `buf` even if
/// this returns `Pending` or an error.
pub(crate) fn poll_read_to_end<R: AsyncRead + Unpin + ?Sized>(
    reader: &mut R,
    cx: &mut Context<'_>,
    buf: &mut Vec<u8>,
) -> Poll<io::Result<()>> {
    loop {
        if buf.capacity() - buf.len() < 32 {
            buf.reserve(32.max(buf.capacity()));
        }
        let filled = buf.len();
        let window = (buf.capacity() - filled).min(READ_WINDOW);
        buf.resize(filled + window, 0);
        let polled = Pin::new(&mut *reader).poll_read(cx, &mut buf[filled..]);
        match polled {
            Poll::Ready(Ok(0)) => {
                buf.truncate(filled);
                return Poll::Ready(Ok(()));
            }
            Poll::Ready(Ok(n)) => buf.truncate(filled + n.min(window)),
            Poll::Ready(Err(e)) => {
                buf.truncate(filled);
                return Poll::Ready(Err(e));
            }
            Poll::Pending => {
                buf.truncate(filled);
                return Poll::Pending;
            }
        }
    }
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadToEnd<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        ready!(poll_read_to_end(this.reader, cx, this.buf))?;
        Poll::Ready(Ok(this.buf.len() - this.start))
    }
}

/// Future of [`AsyncReadExt::read_to_string`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct ReadToString<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut String,
    bytes: Vec<u8>,
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadToString<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        ready!(poll_read_to_end(this.reader, cx, &mut this.bytes))?;
        let bytes = std::mem::take(&mut this.bytes);
        match String::from_utf8(bytes) {
            Ok(text) => {
                this.buf.push_str(&text);
                Poll::Ready(Ok(text.len()))
            }
            Err(_) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ))),
        }
    }
}
