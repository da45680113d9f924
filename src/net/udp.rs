//! `UdpSocket`: datagrams over UDP.

use std::io;
use std::net::{self, SocketAddr};
use std::task::{Context, Poll};

use crate::net::addr::{each_addr, resolve, ToSocketAddrs};
use crate::net::impls::{impl_fd_and_debug, impl_try_from_std};
use crate::net::sys;
use crate::runtime::driver::io::{Direction, PollEvented};

/// A UDP socket. All methods take `&self`, so one socket can be shared
/// (e.g. in an `Arc`) by a sending and a receiving task.
///
/// A datagram larger than the receive buffer is truncated to fit; the rest
/// of it is discarded, and the length returned is the buffer's. This holds
/// on Windows too, where Winsock itself reports such a datagram as an error
/// (`WSAEMSGSIZE`).
///
/// ```
/// use magpie::net::UdpSocket;
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let a = UdpSocket::bind("127.0.0.1:0").await?;
/// let b = UdpSocket::bind("127.0.0.1:0").await?;
/// a.send_to(b"ping", b.local_addr()?).await?;
/// let mut buf = [0; 16];
/// let (n, from) = b.recv_from(&mut buf).await?;
/// assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct UdpSocket {
    io: PollEvented<net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` (port 0 picks a free port).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert_ne!(socket.local_addr()?.port(), 0);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let std = each_addr(addr, |addr| async move { net::UdpSocket::bind(addr) }).await?;
        UdpSocket::from_std(std)
    }

    /// Wraps a std socket (switching it to non-blocking mode) and registers
    /// it with the current runtime. Panics outside a runtime.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let std = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let socket = magpie::net::UdpSocket::from_std(std)?;
    /// # drop(socket);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(socket: net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        Ok(UdpSocket {
            io: PollEvented::new(socket)?,
        })
    }

    /// Deregisters the socket and returns the std one (non-blocking).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let std = socket.into_std()?;
    /// # drop(std);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<net::UdpSocket> {
        self.io.into_inner()
    }

    /// Sets the default peer: `send` goes there and `recv` only takes
    /// datagrams from it.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # use magpie::net::UdpSocket;
    /// let a = UdpSocket::bind("127.0.0.1:0").await?;
    /// let b = UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(b.local_addr()?).await?;
    /// assert_eq!(a.peer_addr()?, b.local_addr()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let socket = self.io.get_ref();
        each_addr(addr, |addr| async move { socket.connect(addr) }).await
    }

    /// Sends `buf` as one datagram to the connected peer.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # use magpie::net::UdpSocket;
    /// # let a = UdpSocket::bind("127.0.0.1:0").await?;
    /// # let b = UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(b.local_addr()?).await?;
    /// assert_eq!(a.send(b"hi").await?, 2);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .async_io(Direction::Write, |socket| socket.send(buf))
            .await
    }

    /// Polls to send `buf` to the connected peer.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # use magpie::net::UdpSocket;
    /// # let a = UdpSocket::bind("127.0.0.1:0").await?;
    /// # a.connect(a.local_addr()?).await?;
    /// std::future::poll_fn(|cx| a.poll_send(cx, b"x")).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Direction::Write, |socket| socket.send(buf))
    }

    /// Receives one datagram from the connected peer.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # use magpie::net::UdpSocket;
    /// let a = UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(a.local_addr()?).await?;
    /// a.send(b"self").await?;
    /// let mut buf = [0; 8];
    /// assert_eq!(a.recv(&mut buf).await?, 4);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .async_io(Direction::Read, |socket| sys::recv(socket, buf))
            .await
    }

    /// Polls to receive one datagram from the connected peer.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # use magpie::net::UdpSocket;
    /// # let a = UdpSocket::bind("127.0.0.1:0").await?;
    /// # a.connect(a.local_addr()?).await?;
    /// # a.send(b"x").await?;
    /// let mut buf = [0; 8];
    /// std::future::poll_fn(|cx| a.poll_recv(cx, &mut buf)).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Direction::Read, |socket| sys::recv(socket, buf))
    }

    /// Sends `buf` as one datagram to `target` (its first address).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.send_to(b"to self", socket.local_addr()?).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn send_to(&self, buf: &[u8], target: impl ToSocketAddrs) -> io::Result<usize> {
        let Some(target) = resolve(target).await?.into_iter().next() else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "no address to send to",
            ));
        };
        self.io
            .async_io(Direction::Write, |socket| socket.send_to(buf, target))
            .await
    }

    /// Receives one datagram and the address it came from.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.send_to(b"loop", socket.local_addr()?).await?;
    /// let mut buf = [0; 8];
    /// let (n, from) = socket.recv_from(&mut buf).await?;
    /// assert_eq!((n, from), (4, socket.local_addr()?));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Direction::Read, |socket| sys::recv_from(socket, buf))
            .await
    }

    /// The local address.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert!(socket.local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address (`NotConnected` if none).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert_eq!(socket.peer_addr().unwrap_err().kind(), std::io::ErrorKind::NotConnected);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }
}

impl_try_from_std!(UdpSocket, net::UdpSocket);
impl_fd_and_debug!(UdpSocket);
