//! The halves of a `UnixStream`: borrowed (`split`) and owned
//! (`into_split`). As for TCP (`net/tcp/split.rs`), reads and writes on one
//! socket are independent, so the halves need no lock.

use std::fmt;
use std::io;
use std::os::unix::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::UnixStream;
use crate::loom::sync::Arc;

/// The read half of a borrowed [`UnixStream`]; see [`UnixStream::split`].
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a UnixStream);

/// The write half of a borrowed [`UnixStream`]; see [`UnixStream::split`].
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a UnixStream);

/// The owned read half of a [`UnixStream`]; see [`UnixStream::into_split`].
#[derive(Debug)]
pub struct OwnedReadHalf {
    inner: Arc<UnixStream>,
}

/// The owned write half of a [`UnixStream`]; see
/// [`UnixStream::into_split`]. Dropping it shuts down the write direction.
#[derive(Debug)]
pub struct OwnedWriteHalf {
    inner: Arc<UnixStream>,
    shutdown_on_drop: bool,
}

/// [`OwnedReadHalf::reunite`] was given halves of two different streams.
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

pub(super) fn split(stream: &mut UnixStream) -> (ReadHalf<'_>, WriteHalf<'_>) {
    (ReadHalf(stream), WriteHalf(stream))
}

pub(super) fn into_split(stream: UnixStream) -> (OwnedReadHalf, OwnedWriteHalf) {
    let inner = Arc::new(stream);
    (
        OwnedReadHalf {
            inner: inner.clone(),
        },
        OwnedWriteHalf {
            inner,
            shutdown_on_drop: true,
        },
    )
}

impl OwnedReadHalf {
    /// Joins the halves back into the stream.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// let (read, write) = a.into_split();
    /// assert!(read.reunite(write).is_ok());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn reunite(self, mut other: OwnedWriteHalf) -> Result<UnixStream, ReuniteError> {
        if !Arc::ptr_eq(&self.inner, &other.inner) {
            return Err(ReuniteError(self, other));
        }
        other.shutdown_on_drop = false;
        drop(other);
        Ok(Arc::try_unwrap(self.inner).expect("both halves were given, so no other owner exists"))
    }

    /// The peer's address.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// let (read, _write) = a.into_split();
    /// assert!(read.peer_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }
}

impl OwnedWriteHalf {
    /// The peer's address.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// let (_read, write) = a.into_split();
    /// assert!(write.peer_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            let _ = self.inner.shutdown_write();
        }
    }
}

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same UnixStream")
    }
}

impl std::error::Error for ReuniteError {}

// The halves reuse the stream's own impls on `&UnixStream`.

macro_rules! read_half {
    ($ty:ty, $stream:tt) => {
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self.$stream).poll_read(cx, buf)
            }
        }
    };
}

macro_rules! write_half {
    ($ty:ty, $stream:tt) => {
        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self.$stream).poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[io::IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self.$stream).poll_write_vectored(cx, bufs)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Pin::new(&mut &*self.$stream).poll_flush(cx)
            }

            fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Pin::new(&mut &*self.$stream).poll_close(cx)
            }
        }
    };
}

read_half!(ReadHalf<'_>, 0);
write_half!(WriteHalf<'_>, 0);
read_half!(OwnedReadHalf, inner);
write_half!(OwnedWriteHalf, inner);
