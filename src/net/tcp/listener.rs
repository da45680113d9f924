//! `TcpListener`: accepts TCP connections.

use std::io;
use std::net::{self, SocketAddr};
use std::task::{Context, Poll};

use super::socket::DEFAULT_BACKLOG;
use super::{TcpSocket, TcpStream};
use crate::net::addr::{each_addr, ToSocketAddrs};
use crate::net::impls::{impl_fd_and_debug, impl_try_from_std};
use crate::runtime::driver::io::{Direction, PollEvented};

/// A TCP socket listening for connections.
///
/// ```
/// use magpie::net::{TcpListener, TcpStream};
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let addr = listener.local_addr()?;
/// let client = magpie::spawn(async move { TcpStream::connect(addr).await });
/// let (_server_side, peer) = listener.accept().await?;
/// let client = client.await.unwrap()?;
/// assert_eq!(peer, client.local_addr()?);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct TcpListener {
    io: PollEvented<net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (trying each address it resolves to) and listens.
    /// Port 0 picks a free port; see [`local_addr`](Self::local_addr).
    /// Fails with `AddrInUse` if another socket holds the address.
    ///
    /// The socket has a backlog of 1024 connections not yet accepted (as
    /// tokio's; std's is 128) and, on Unix, `SO_REUSEADDR` set (as std's
    /// has; on Windows, where it would let another socket take the address
    /// over, neither sets it). Use [`TcpSocket`](super::TcpSocket) to
    /// choose otherwise.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// assert_ne!(listener.local_addr()?.port(), 0);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        each_addr(addr, |addr| async move {
            let socket = TcpSocket::new_for_addr(&addr)?;
            #[cfg(not(windows))]
            socket.set_reuseaddr(true)?;
            socket.bind(addr)?;
            socket.listen(DEFAULT_BACKLOG)
        })
        .await
    }

    /// Waits for a connection; returns it and the peer's address.
    ///
    /// Errors such as a full file-descriptor table (`EMFILE`) are returned
    /// as they come, not retried; the listener stays usable.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # use magpie::net::{TcpListener, TcpStream};
    /// let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let _client = TcpStream::connect(listener.local_addr()?).await?;
    /// let (stream, _peer) = listener.accept().await?;
    /// # drop(stream);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, peer) = self.io.async_io(Direction::Read, |l| l.accept()).await?;
        Ok((
            TcpStream::from_std_with(stream, self.io.handle().clone())?,
            peer,
        ))
    }

    /// Polls for a connection; the waker is stored if none is pending.
    ///
    /// Only the task that polled last is woken (one waker slot); to accept
    /// from several tasks at once, use [`accept`](Self::accept), which any
    /// number of tasks may await together.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # use magpie::net::TcpListener;
    /// let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let _client = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// let (_stream, _peer) = std::future::poll_fn(|cx| listener.poll_accept(cx)).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        self.io.poll_io(cx, Direction::Read, |listener| {
            let (stream, peer) = listener.accept()?;
            let stream = TcpStream::from_std_with(stream, self.io.handle().clone())?;
            Ok((stream, peer))
        })
    }

    /// The address this listener is bound to.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// assert!(listener.local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Wraps a std listener (switching it to non-blocking mode) and
    /// registers it with the current runtime. Panics outside a runtime.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let std = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let listener = magpie::net::TcpListener::from_std(std)?;
    /// # drop(listener);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(listener: net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        Ok(TcpListener {
            io: PollEvented::new(listener)?,
        })
    }

    /// Deregisters the listener and returns the std one, still in
    /// non-blocking mode (call `set_nonblocking(false)` to block on it).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let std = listener.into_std()?;
    /// std.set_nonblocking(false)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<net::TcpListener> {
        self.io.into_inner()
    }

    /// The IP time-to-live of accepted sockets.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// listener.set_ttl(60)?;
    /// assert_eq!(listener.ttl()?, 60);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Sets the IP time-to-live; see [`ttl`](Self::ttl).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// magpie::net::TcpListener::bind("127.0.0.1:0").await?.set_ttl(32)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }
}

impl_try_from_std!(TcpListener, net::TcpListener);
impl_fd_and_debug!(TcpListener);
