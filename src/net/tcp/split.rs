//! The halves of a `TcpStream`: borrowed (`split`) and owned (`into_split`).
//!
//! Reads and writes on one socket are independent (separate readiness bits
//! and separate wakers), so the halves need no lock: each just calls the
//! stream's read or write side.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::TcpStream;
use crate::loom::sync::Arc;

/// The read half of a borrowed [`TcpStream`]; see [`TcpStream::split`].
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a TcpStream);

/// The write half of a borrowed [`TcpStream`]; see [`TcpStream::split`].
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a TcpStream);

/// The owned read half of a [`TcpStream`]; see [`TcpStream::into_split`].
#[derive(Debug)]
pub struct OwnedReadHalf {
    inner: Arc<TcpStream>,
}

/// The owned write half of a [`TcpStream`]; see [`TcpStream::into_split`].
/// Dropping it shuts down the write direction (the peer reads end of
/// stream).
#[derive(Debug)]
pub struct OwnedWriteHalf {
    inner: Arc<TcpStream>,
    shutdown_on_drop: bool,
}

/// [`OwnedReadHalf::reunite`] was given halves of two different streams.
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

pub(super) fn split(stream: &mut TcpStream) -> (ReadHalf<'_>, WriteHalf<'_>) {
    (ReadHalf(stream), WriteHalf(stream))
}

pub(super) fn into_split(stream: TcpStream) -> (OwnedReadHalf, OwnedWriteHalf) {
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
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (read, write) = stream.into_split();
    /// assert!(read.reunite(write).is_ok());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn reunite(self, mut other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        if !Arc::ptr_eq(&self.inner, &other.inner) {
            return Err(ReuniteError(self, other));
        }
        other.shutdown_on_drop = false;
        drop(other);
        Ok(Arc::try_unwrap(self.inner).expect("both halves were given, so no other owner exists"))
    }

    /// The remote address of the connection.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (read, _write) = magpie::net::TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert_eq!(read.peer_addr()?, listener.local_addr()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The local address of the connection.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (read, _write) = magpie::net::TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert!(read.local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl OwnedWriteHalf {
    /// The remote address of the connection.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (_read, write) = magpie::net::TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert_eq!(write.peer_addr()?, listener.local_addr()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The local address of the connection.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (_read, write) = magpie::net::TcpStream::connect(listener.local_addr()?).await?.into_split();
    /// assert!(write.local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
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
        f.write_str("tried to reunite halves that are not from the same TcpStream")
    }
}

impl std::error::Error for ReuniteError {}

// The halves reuse the stream's own impls on `&TcpStream`: reads and
// writes need only a shared reference, and `poll_close` shuts down the write
// direction as `TcpStream`'s does.

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
