//! `UnixDatagram`: datagrams over a Unix-domain socket.

use std::io;
use std::os::fd::AsFd;
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;

use std::os::unix::ffi::OsStrExt;
use std::task::{Context, Poll};

use crate::net::impls::{impl_fd_and_debug, impl_readiness};
use crate::net::sys;
use crate::runtime::driver::io::{Direction, PollEvented};

/// A Unix-domain datagram socket.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let (a, b) = magpie::net::UnixDatagram::pair()?;
/// a.send(b"dgram").await?;
/// let mut buf = [0; 8];
/// assert_eq!(b.recv(&mut buf).await?, 5);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct UnixDatagram {
    io: PollEvented<net::UnixDatagram>,
}

impl UnixDatagram {
    /// Binds to the filesystem path `path`, or on Linux and Android to the
    /// abstract name after a leading NUL byte (see
    /// [`UnixSocket`](super::UnixSocket)).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("magpie-doc-dg-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let socket = magpie::net::UnixDatagram::bind(&path)?;
    /// # drop(socket);
    /// std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        let path = path.as_ref();
        if sys::is_abstract(path.as_os_str().as_bytes()) {
            // std refuses NUL bytes in a path; bind the name ourselves.
            let socket = super::UnixSocket::new_datagram()?;
            socket.bind(path)?;
            return socket.datagram();
        }
        UnixDatagram::from_std(net::UnixDatagram::bind(path)?)
    }

    /// A socket bound to no address.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UnixDatagram::unbound()?;
    /// # drop(socket);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::from_std(net::UnixDatagram::unbound()?)
    }

    /// A connected pair of sockets.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = magpie::net::UnixDatagram::pair()?;
    /// # drop((a, b));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = net::UnixDatagram::pair()?;
        Ok((UnixDatagram::from_std(a)?, UnixDatagram::from_std(b)?))
    }

    /// Wraps a std socket (switching it to non-blocking mode) and registers
    /// it with the current runtime. Panics outside a runtime.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let std = std::os::unix::net::UnixDatagram::unbound()?;
    /// let socket = magpie::net::UnixDatagram::from_std(std)?;
    /// # drop(socket);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(socket: net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        Ok(UnixDatagram {
            io: PollEvented::new(socket)?,
        })
    }

    /// Deregisters the socket and returns the std one (non-blocking).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UnixDatagram::unbound()?;
    /// let std = socket.into_std()?;
    /// # drop(std);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<net::UnixDatagram> {
        self.io.into_inner()
    }

    /// Sets the default peer for `send` and `recv`.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-dgc-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let server = magpie::net::UnixDatagram::bind(&path)?;
    /// let client = magpie::net::UnixDatagram::unbound()?;
    /// client.connect(&path)?;
    /// client.send(b"hi").await?;
    /// # drop(server);
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.io.get_ref().connect(path)
    }

    /// Sends one datagram to the connected peer.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixDatagram::pair()?;
    /// assert_eq!(a.send(b"x").await?, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .async_io(Direction::Write, |socket| socket.send(buf))
            .await
    }

    /// Receives one datagram from the connected peer (truncated to `buf`).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = magpie::net::UnixDatagram::pair()?;
    /// a.send(b"xy").await?;
    /// let mut buf = [0; 4];
    /// assert_eq!(b.recv(&mut buf).await?, 2);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .async_io(Direction::Read, |socket| socket.recv(buf))
            .await
    }

    /// Sends one datagram to the socket at `path`.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-dgs-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let server = magpie::net::UnixDatagram::bind(&path)?;
    /// magpie::net::UnixDatagram::unbound()?.send_to(b"hey", &path).await?;
    /// let mut buf = [0; 4];
    /// let (n, _from) = server.recv_from(&mut buf).await?;
    /// assert_eq!(n, 3);
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        self.io
            .async_io(Direction::Write, |socket| socket.send_to(buf, path))
            .await
    }

    /// Receives one datagram and the address it came from.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = magpie::net::UnixDatagram::pair()?;
    /// a.send(b"z").await?;
    /// let mut buf = [0; 4];
    /// let (n, _from) = b.recv_from(&mut buf).await?;
    /// assert_eq!(n, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Direction::Read, |socket| socket.recv_from(buf))
            .await
    }

    /// Waits until a datagram may be waiting (any number of tasks may
    /// wait at once).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = magpie::net::UnixDatagram::pair()?;
    /// a.send(b"x").await?;
    /// b.readable().await?;
    /// assert_eq!(b.try_recv(&mut [0; 4])?, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn readable(&self) -> io::Result<()> {
        self.io.readiness(Direction::Read).await.map(drop)
    }

    /// Waits until the socket may take a datagram.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixDatagram::pair()?;
    /// a.writable().await?;
    /// assert_eq!(a.try_send(b"x")?, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn writable(&self) -> io::Result<()> {
        self.io.readiness(Direction::Write).await.map(drop)
    }

    /// Sends to the connected peer without waiting: `WouldBlock` if the
    /// socket is not (yet known to be) writable or the peer's queue is full.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixDatagram::pair()?;
    /// a.writable().await?;
    /// assert_eq!(a.try_send(b"now")?, 3);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Direction::Write, |socket| socket.send(buf))
    }

    /// Sends to the socket at `path` without waiting; see
    /// [`try_send`](Self::try_send).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-dgts-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let server = magpie::net::UnixDatagram::bind(&path)?;
    /// let client = magpie::net::UnixDatagram::unbound()?;
    /// client.writable().await?;
    /// assert_eq!(client.try_send_to(b"hi", &path)?, 2);
    /// # drop(server);
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        self.io
            .try_io(Direction::Write, |socket| socket.send_to(buf, path))
    }

    /// Receives from the connected peer without waiting: `WouldBlock` if
    /// no datagram is waiting.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixDatagram::pair()?;
    /// let err = a.try_recv(&mut [0; 4]).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Direction::Read, |socket| socket.recv(buf))
    }

    /// Reads the next datagram without taking it off the queue (`recv`
    /// with `MSG_PEEK`): the next `recv` or `peek` sees it again. A
    /// datagram longer than `buf` is truncated to fit (the copy only).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = magpie::net::UnixDatagram::pair()?;
    /// a.send(b"first").await?;
    /// let mut buf = [0; 8];
    /// assert_eq!(b.peek(&mut buf).await?, 5);
    /// assert_eq!(b.recv(&mut buf).await?, 5); // still there
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .async_io(Direction::Read, |socket| sys::peek(socket.as_fd(), buf))
            .await
    }

    /// As [`peek`](Self::peek), with the sender's address.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let dir = std::env::temp_dir();
    /// let (to, from) = (dir.join("magpie-doc-peek-to"), dir.join("magpie-doc-peek-from"));
    /// # let to = dir.join(format!("magpie-doc-peek-to-{}", std::process::id()));
    /// # let from = dir.join(format!("magpie-doc-peek-from-{}", std::process::id()));
    /// # let _ = (std::fs::remove_file(&to), std::fs::remove_file(&from));
    /// let receiver = magpie::net::UnixDatagram::bind(&to)?;
    /// let sender = magpie::net::UnixDatagram::bind(&from)?;
    /// sender.send_to(b"x", &to).await?;
    /// let (n, addr) = receiver.peek_from(&mut [0; 4]).await?;
    /// assert_eq!((n, addr.as_pathname()), (1, Some(from.as_path())));
    /// # std::fs::remove_file(&to)?;
    /// # std::fs::remove_file(&from)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Direction::Read, |socket| {
                sys::peek_from_unix(socket.as_fd(), buf)
            })
            .await
    }

    /// Polls to peek at the next datagram; see [`peek`](Self::peek) and,
    /// on who is woken, [`poll_send`](Self::poll_send).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = magpie::net::UnixDatagram::pair()?;
    /// a.send(b"q").await?;
    /// let mut buf = [0; 4];
    /// assert_eq!(std::future::poll_fn(|cx| b.poll_peek(cx, &mut buf)).await?, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Direction::Read, |socket| sys::peek(socket.as_fd(), buf))
    }

    /// Receives a datagram and its sender's address without waiting; see
    /// [`try_recv`](Self::try_recv).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = magpie::net::UnixDatagram::pair()?;
    /// a.send(b"z").await?;
    /// b.readable().await?;
    /// let (n, _from) = b.try_recv_from(&mut [0; 4])?;
    /// assert_eq!(n, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .try_io(Direction::Read, |socket| socket.recv_from(buf))
    }

    /// Polls to send one datagram to the connected peer. Only the task that
    /// polled last is woken; [`send`](Self::send) may be awaited by any
    /// number of tasks.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixDatagram::pair()?;
    /// std::future::poll_fn(|cx| a.poll_send(cx, b"x")).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Direction::Write, |socket| socket.send(buf))
    }

    /// Polls to receive one datagram from the connected peer; see
    /// [`poll_send`](Self::poll_send) on who is woken.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = magpie::net::UnixDatagram::pair()?;
    /// a.send(b"xy").await?;
    /// let mut buf = [0; 4];
    /// assert_eq!(std::future::poll_fn(|cx| b.poll_recv(cx, &mut buf)).await?, 2);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Direction::Read, |socket| socket.recv(buf))
    }

    /// Polls to send one datagram to the socket at `path`; see
    /// [`poll_send`](Self::poll_send) on who is woken.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-dgps-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let server = magpie::net::UnixDatagram::bind(&path)?;
    /// let client = magpie::net::UnixDatagram::unbound()?;
    /// std::future::poll_fn(|cx| client.poll_send_to(cx, b"hi", &path)).await?;
    /// # drop(server);
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        path: impl AsRef<Path>,
    ) -> Poll<io::Result<usize>> {
        let path = path.as_ref();
        self.io
            .poll_io(cx, Direction::Write, |socket| socket.send_to(buf, path))
    }

    /// Polls to receive one datagram and its sender's address; see
    /// [`poll_send`](Self::poll_send) on who is woken.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = magpie::net::UnixDatagram::pair()?;
    /// a.send(b"q").await?;
    /// let mut buf = [0; 4];
    /// let (n, _) = std::future::poll_fn(|cx| b.poll_recv_from(cx, &mut buf)).await?;
    /// assert_eq!(n, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io
            .poll_io(cx, Direction::Read, |socket| socket.recv_from(buf))
    }

    /// The local address.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UnixDatagram::unbound()?;
    /// assert!(socket.local_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixDatagram::pair()?;
    /// assert!(a.peer_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }
}

impl_readiness!(
    UnixDatagram,
    poll_recv_ready,
    poll_send_ready,
    "# magpie::Runtime::new().unwrap().block_on(async {
let (socket, _peer) = magpie::net::UnixDatagram::pair()?;"
);
impl_fd_and_debug!(UnixDatagram);
