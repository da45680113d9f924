//! Binary numbers on a byte stream: the futures behind
//! [`AsyncReadExt::read_u32`](super::AsyncReadExt::read_u32),
//! [`AsyncWriteExt::write_u32`](super::AsyncWriteExt::write_u32) and their
//! siblings (every integer width, `f32`, `f64`; big-endian, and `_le`).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::read_ext::poll_read_exact;
use super::write_ext::poll_write_all;

/// Future of the `AsyncReadExt::read_*` number methods: reads exactly `N`
/// bytes, then decodes them. A stream that ends part-way fails with
/// `UnexpectedEof`; the bytes already read are then lost, as with
/// `read_exact`.
#[must_use = "futures do nothing unless polled"]
pub struct ReadNumber<'a, R: ?Sized, T, const N: usize> {
    reader: &'a mut R,
    buf: [u8; N],
    filled: usize,
    decode: fn([u8; N]) -> T,
}

impl<'a, R: ?Sized, T, const N: usize> ReadNumber<'a, R, T, N> {
    pub(crate) fn new(reader: &'a mut R, decode: fn([u8; N]) -> T) -> Self {
        ReadNumber {
            reader,
            buf: [0; N],
            filled: 0,
            decode,
        }
    }
}

impl<R: AsyncRead + Unpin + ?Sized, T, const N: usize> Future for ReadNumber<'_, R, T, N> {
    type Output = io::Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let this = self.get_mut();
        ready!(poll_read_exact(
            this.reader,
            cx,
            &mut this.buf,
            &mut this.filled
        ))?;
        Poll::Ready(Ok((this.decode)(this.buf)))
    }
}

impl<R: ?Sized, T, const N: usize> std::fmt::Debug for ReadNumber<'_, R, T, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadNumber")
            .field("bytes", &N)
            .field("filled", &self.filled)
            .finish()
    }
}

/// Future of the `AsyncWriteExt::write_*` number methods: writes the
/// number's `N` bytes, all of them; a writer that takes none fails with
/// `WriteZero`.
#[must_use = "futures do nothing unless polled"]
pub struct WriteNumber<'a, W: ?Sized, const N: usize> {
    writer: &'a mut W,
    buf: [u8; N],
    written: usize,
}

impl<'a, W: ?Sized, const N: usize> WriteNumber<'a, W, N> {
    pub(crate) fn new(writer: &'a mut W, buf: [u8; N]) -> Self {
        WriteNumber {
            writer,
            buf,
            written: 0,
        }
    }
}

impl<W: AsyncWrite + Unpin + ?Sized, const N: usize> Future for WriteNumber<'_, W, N> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        poll_write_all(this.writer, cx, &this.buf, &mut this.written)
    }
}

impl<W: ?Sized, const N: usize> std::fmt::Debug for WriteNumber<'_, W, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteNumber")
            .field("bytes", &N)
            .field("written", &self.written)
            .finish()
    }
}

/// The `read_*` methods of `AsyncReadExt`, one per `(name, type, decoder,
/// encoder for the example, example value)`.
macro_rules! read_number_methods {
    ($($name:ident, $t:ty, $decode:ident, $encode:ident, $example:expr;)*) => {$(
        #[doc = concat!(
            "Reads a `", stringify!($t), "` (",
            stringify!($decode), "); `UnexpectedEof` if the stream ends first.\n\n",
            "```\n",
            "use magpie::io::AsyncReadExt;\n",
            "# futures::executor::block_on(async {\n",
            "let bytes = ", stringify!($t), "::", stringify!($encode), "(", stringify!($example), ");\n",
            "let mut input: &[u8] = &bytes;\n",
            "assert_eq!(input.", stringify!($name), "().await?, ", stringify!($example), ");\n",
            "# std::io::Result::Ok(())\n",
            "# }).unwrap();\n",
            "```",
        )]
        fn $name(&mut self) -> $crate::io::numbers::ReadNumber<'_, Self, $t, { std::mem::size_of::<$t>() }>
        where
            Self: Unpin,
        {
            $crate::io::numbers::ReadNumber::new(self, <$t>::$decode)
        }
    )*};
}

/// The `write_*` methods of `AsyncWriteExt`, one per `(name, type,
/// encoder, example value)`.
macro_rules! write_number_methods {
    ($($name:ident, $t:ty, $encode:ident, $example:expr;)*) => {$(
        #[doc = concat!(
            "Writes a `", stringify!($t), "` (",
            stringify!($encode), "), all of its bytes.\n\n",
            "```\n",
            "use magpie::io::AsyncWriteExt;\n",
            "# futures::executor::block_on(async {\n",
            "let mut out = Vec::new();\n",
            "out.", stringify!($name), "(", stringify!($example), ").await?;\n",
            "assert_eq!(out, ", stringify!($t), "::", stringify!($encode), "(", stringify!($example), "));\n",
            "# std::io::Result::Ok(())\n",
            "# }).unwrap();\n",
            "```",
        )]
        fn $name(&mut self, n: $t) -> $crate::io::numbers::WriteNumber<'_, Self, { std::mem::size_of::<$t>() }>
        where
            Self: Unpin,
        {
            $crate::io::numbers::WriteNumber::new(self, n.$encode())
        }
    )*};
}

pub(crate) use {read_number_methods, write_number_methods};
