//! `UdpSocket`: datagrams over UDP. Its socket options are in `options.rs`.

use std::io;
use std::net::{self, SocketAddr};
use std::task::{Context, Poll};

use crate::net::addr::{each_addr, resolve, ToSocketAddrs};
use crate::net::impls::{impl_fd_and_debug, impl_readiness, impl_try_from_std};
use crate::net::sys;
use crate::runtime::driver::io::{Direction, PollEvented};

mod options;

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

    /// Waits until a datagram may be waiting. Any number of tasks may wait
    /// at once; the wake can be spurious ([`try_recv_from`](Self::try_recv_from)
    /// may still say `WouldBlock`).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.send_to(b"x", socket.local_addr()?).await?;
    /// socket.readable().await?;
    /// let mut buf = [0; 4];
    /// assert_eq!(socket.try_recv_from(&mut buf)?.0, 1);
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
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.writable().await?;
    /// socket.try_send_to(b"x", socket.local_addr()?)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn writable(&self) -> io::Result<()> {
        self.io.readiness(Direction::Write).await.map(drop)
    }

    /// Sends to the connected peer without waiting: `WouldBlock` if the
    /// socket is not (yet known to be) writable.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.connect(socket.local_addr()?).await?;
    /// socket.writable().await?;
    /// assert_eq!(socket.try_send(b"now")?, 3);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Direction::Write, |socket| socket.send(buf))
    }

    /// Sends to `target` without waiting; see [`try_send`](Self::try_send).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.writable().await?;
    /// assert_eq!(socket.try_send_to(b"now", socket.local_addr()?)?, 3);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io
            .try_io(Direction::Write, |socket| socket.send_to(buf, target))
    }

    /// Receives from the connected peer without waiting: `WouldBlock` if
    /// no datagram is waiting.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.connect(socket.local_addr()?).await?;
    /// let mut buf = [0; 4];
    /// let err = socket.try_recv(&mut buf).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .try_io(Direction::Read, |socket| sys::recv(socket, buf))
    }

    /// Receives a datagram and its sender without waiting; see
    /// [`try_recv`](Self::try_recv).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let mut buf = [0; 4];
    /// let err = socket.try_recv_from(&mut buf).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .try_io(Direction::Read, |socket| sys::recv_from(socket, buf))
    }

    /// Polls to send `buf` as one datagram to `target`. Only the task that
    /// polled last is woken; [`send_to`](Self::send_to) may be awaited by
    /// any number of tasks.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let me = socket.local_addr()?;
    /// std::future::poll_fn(|cx| socket.poll_send_to(cx, b"x", me)).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Direction::Write, |socket| socket.send_to(buf, target))
    }

    /// Polls to receive one datagram and its sender; see
    /// [`poll_send_to`](Self::poll_send_to) on who is woken.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.send_to(b"xy", socket.local_addr()?).await?;
    /// let mut buf = [0; 4];
    /// let (n, from) = std::future::poll_fn(|cx| socket.poll_recv_from(cx, &mut buf)).await?;
    /// assert_eq!((n, from), (2, socket.local_addr()?));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io
            .poll_io(cx, Direction::Read, |socket| sys::recv_from(socket, buf))
    }

    /// Reads the next datagram and its sender without taking it off the
    /// queue: the next receive gets it again.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.send_to(b"again", socket.local_addr()?).await?;
    /// let mut buf = [0; 8];
    /// let (n, _) = socket.peek_from(&mut buf).await?;
    /// let (m, _) = socket.recv_from(&mut buf).await?;
    /// assert_eq!((n, m), (5, 5));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Direction::Read, |socket| sys::peek_from(socket, buf))
            .await
    }

    /// Polls to peek at the next datagram; see [`peek_from`](Self::peek_from)
    /// and, on who is woken, [`poll_send_to`](Self::poll_send_to).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.send_to(b"p", socket.local_addr()?).await?;
    /// let mut buf = [0; 4];
    /// let (n, _) = std::future::poll_fn(|cx| socket.poll_peek_from(cx, &mut buf)).await?;
    /// assert_eq!(n, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_peek_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io
            .poll_io(cx, Direction::Read, |socket| sys::peek_from(socket, buf))
    }

    /// Peeks at the next datagram without waiting: `WouldBlock` if none
    /// is waiting.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let mut buf = [0; 4];
    /// let err = socket.try_peek_from(&mut buf).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .try_io(Direction::Read, |socket| sys::peek_from(socket, buf))
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

impl_readiness!(
    UdpSocket,
    poll_recv_ready,
    poll_send_ready,
    "# magpie::Runtime::new().unwrap().block_on(async {
let socket = magpie::net::UdpSocket::bind(\"127.0.0.1:0\").await?;"
);
impl_try_from_std!(UdpSocket, net::UdpSocket);
impl_fd_and_debug!(UdpSocket);
