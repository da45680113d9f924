//! `AsyncWriteExt`: `write`, `write_all`, `flush`, `close`/`shutdown`, and
//! binary numbers (`write_u32`, `write_f64_le`, ...).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::AsyncWrite;

/// Writing methods for every [`AsyncWrite`].
///
/// ```
/// use magpie::io::AsyncWriteExt;
///
/// # futures::executor::block_on(async {
/// let mut out = Vec::new();
/// out.write_all(b"hello").await?;
/// out.flush().await?;
/// assert_eq!(out, b"hello");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub trait AsyncWriteExt: AsyncWrite {
    /// Writes some of `buf`; returns how many bytes were taken.
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    /// # futures::executor::block_on(async {
    /// let mut out = Vec::new();
    /// assert_eq!(out.write(b"abc").await?, 3);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn write<'a>(&'a mut self, buf: &'a [u8]) -> Write<'a, Self>
    where
        Self: Unpin,
    {
        Write { writer: self, buf }
    }

    /// Writes some of the bytes of `bufs`, in order, in one call where the
    /// writer supports it (a socket's `writev`); returns how many bytes
    /// were taken.
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    /// use std::io::IoSlice;
    /// # futures::executor::block_on(async {
    /// let mut out = Vec::new();
    /// let n = out.write_vectored(&[IoSlice::new(b"head "), IoSlice::new(b"body")]).await?;
    /// assert_eq!(&out[..n], &b"head body"[..n]);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn write_vectored<'a, 'b>(
        &'a mut self,
        bufs: &'a [io::IoSlice<'b>],
    ) -> WriteVectored<'a, 'b, Self>
    where
        Self: Unpin,
    {
        WriteVectored { writer: self, bufs }
    }

    /// Writes all of `buf`; `WriteZero` if the writer stops taking bytes.
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    /// # futures::executor::block_on(async {
    /// let mut out = Vec::new();
    /// out.write_all(b"every byte").await?;
    /// assert_eq!(out.len(), 10);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn write_all<'a>(&'a mut self, buf: &'a [u8]) -> WriteAll<'a, Self>
    where
        Self: Unpin,
    {
        WriteAll {
            writer: self,
            buf,
            written: 0,
        }
    }

    /// Flushes buffered bytes to their destination.
    ///
    /// ```
    /// use magpie::io::{AsyncWriteExt, BufWriter};
    /// # futures::executor::block_on(async {
    /// let mut out = BufWriter::new(Vec::new());
    /// out.write_all(b"x").await?;
    /// out.flush().await?;
    /// assert_eq!(out.get_ref(), b"x");
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn flush(&mut self) -> Flush<'_, Self>
    where
        Self: Unpin,
    {
        Flush { writer: self }
    }

    /// Flushes and closes the writer (for a TCP stream: shuts down the
    /// write half, so the peer reads end of stream).
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    /// # futures::executor::block_on(async {
    /// let mut out = Vec::new();
    /// out.write_all(b"bye").await?;
    /// out.close().await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn close(&mut self) -> Close<'_, Self>
    where
        Self: Unpin,
    {
        Close { writer: self }
    }

    /// tokio's name for [`close`](Self::close): flushes and shuts down the
    /// writer (for a socket, its write half: the peer reads end of stream).
    /// Ported `stream.shutdown().await` works unchanged.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// use magpie::io::{AsyncReadExt, AsyncWriteExt};
    /// let (mut a, mut b) = magpie::io::duplex(64);
    /// a.write_all(b"last words").await?;
    /// a.shutdown().await?;
    /// let mut got = String::new();
    /// b.read_to_string(&mut got).await?;
    /// assert_eq!(got, "last words");
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn shutdown(&mut self) -> Close<'_, Self>
    where
        Self: Unpin,
    {
        self.close()
    }

    super::numbers::write_number_methods! {
        write_u8, u8, to_be_bytes, 200;
        write_i8, i8, to_be_bytes, -100;
        write_u16, u16, to_be_bytes, 0xBEEF;
        write_u16_le, u16, to_le_bytes, 0xBEEF;
        write_i16, i16, to_be_bytes, -300;
        write_i16_le, i16, to_le_bytes, -300;
        write_u32, u32, to_be_bytes, 0xDEAD_BEEF;
        write_u32_le, u32, to_le_bytes, 0xDEAD_BEEF;
        write_i32, i32, to_be_bytes, -70_000;
        write_i32_le, i32, to_le_bytes, -70_000;
        write_u64, u64, to_be_bytes, u64::MAX - 1;
        write_u64_le, u64, to_le_bytes, u64::MAX - 1;
        write_i64, i64, to_be_bytes, i64::MIN + 1;
        write_i64_le, i64, to_le_bytes, i64::MIN + 1;
        write_u128, u128, to_be_bytes, 1 << 100;
        write_u128_le, u128, to_le_bytes, 1 << 100;
        write_i128, i128, to_be_bytes, -(1 << 100);
        write_i128_le, i128, to_le_bytes, -(1 << 100);
        write_f32, f32, to_be_bytes, 1.5;
        write_f32_le, f32, to_le_bytes, 1.5;
        write_f64, f64, to_be_bytes, -2.25;
        write_f64_le, f64, to_le_bytes, -2.25;
    }
}

impl<W: AsyncWrite + ?Sized> AsyncWriteExt for W {}

/// Future of [`AsyncWriteExt::write`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Write<'a, W: ?Sized> {
    writer: &'a mut W,
    buf: &'a [u8],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Write<'_, W> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        Pin::new(&mut *this.writer).poll_write(cx, this.buf)
    }
}

/// Future of [`AsyncWriteExt::write_vectored`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct WriteVectored<'a, 'b, W: ?Sized> {
    writer: &'a mut W,
    bufs: &'a [io::IoSlice<'b>],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for WriteVectored<'_, '_, W> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        Pin::new(&mut *this.writer).poll_write_vectored(cx, this.bufs)
    }
}

/// Future of [`AsyncWriteExt::write_all`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct WriteAll<'a, W: ?Sized> {
    writer: &'a mut W,
    buf: &'a [u8],
    written: usize,
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for WriteAll<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        poll_write_all(this.writer, cx, this.buf, &mut this.written)
    }
}

/// Writes `buf[*written..]` until all of `buf` is taken, counting in
/// `written` across `Pending`; `WriteZero` if the writer takes nothing.
/// Shared by `write_all` and the number writes.
pub(super) fn poll_write_all<W: AsyncWrite + Unpin + ?Sized>(
    writer: &mut W,
    cx: &mut Context<'_>,
    buf: &[u8],
    written: &mut usize,
) -> Poll<io::Result<()>> {
    while *written < buf.len() {
        let n = ready!(Pin::new(&mut *writer).poll_write(cx, &buf[*written..]))?;
        if n == 0 {
            return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
        }
        *written += n;
    }
    Poll::Ready(Ok(()))
}

/// Future of [`AsyncWriteExt::flush`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Flush<'a, W: ?Sized> {
    writer: &'a mut W,
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Flush<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.get_mut().writer).poll_flush(cx)
    }
}

/// Future of [`AsyncWriteExt::close`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Close<'a, W: ?Sized> {
    writer: &'a mut W,
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Close<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.get_mut().writer).poll_close(cx)
    }
}
