//! `TcpSocket`: a TCP socket not yet connected or listening, for setting
//! options first.

use std::fmt;
use std::io;
use std::net::{self, SocketAddr};
use std::os::raw::c_int;
use std::time::Duration;

use super::{TcpListener, TcpStream};
use crate::net::connect;
use crate::net::sys::{self, SockAddr};
use crate::runtime::driver::io::{AsSource, OwnedSource};

/// The backlog [`TcpListener::bind`] listens with: as tokio and mio. The
/// kernel caps it (on Linux at `net.core.somaxconn`, 4096 by default).
pub(crate) const DEFAULT_BACKLOG: u32 = 1024;

/// A TCP socket before it connects or listens: set options that must come
/// first (address reuse, buffer sizes, a chosen listen backlog), then turn
/// it into a [`TcpStream`] with [`connect`](TcpSocket::connect) or a
/// [`TcpListener`] with [`listen`](TcpSocket::listen).
///
/// The socket is non-blocking and close-on-exec from the start. It is
/// registered with the runtime only when it connects or listens, so it can
/// be made and configured outside one.
///
/// ```
/// use magpie::net::TcpSocket;
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let socket = TcpSocket::new_v4()?;
/// socket.set_reuseaddr(true)?;
/// socket.bind("127.0.0.1:0".parse().unwrap())?;
/// let listener = socket.listen(64)?;
///
/// let client = TcpSocket::new_v4()?;
/// client.set_nodelay(true)?;
/// let stream = client.connect(listener.local_addr()?).await?;
/// assert!(stream.nodelay()?);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct TcpSocket {
    socket: OwnedSource,
}

impl TcpSocket {
    /// A new IPv4 TCP socket.
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// # drop(socket);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(sys::AF_INET)
    }

    /// A new IPv6 TCP socket.
    ///
    /// ```
    /// // Fails where the system has no IPv6.
    /// if let Ok(socket) = magpie::net::TcpSocket::new_v6() {
    ///     # drop(socket);
    /// }
    /// ```
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(sys::AF_INET6)
    }

    /// A new socket of the family `addr` belongs to.
    pub(crate) fn new_for_addr(addr: &SocketAddr) -> io::Result<TcpSocket> {
        match addr {
            SocketAddr::V4(_) => TcpSocket::new_v4(),
            SocketAddr::V6(_) => TcpSocket::new_v6(),
        }
    }

    fn new(family: c_int) -> io::Result<TcpSocket> {
        Ok(TcpSocket {
            socket: sys::stream_socket(family)?,
        })
    }

    /// Wraps a std stream's socket (which need not be connected yet), to
    /// set options on it and then connect or listen.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let std = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// let socket = magpie::net::TcpSocket::from_std_stream(std);
    /// assert!(socket.local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn from_std_stream(stream: net::TcpStream) -> TcpSocket {
        TcpSocket {
            socket: OwnedSource::from(stream),
        }
    }

    /// Allows binding an address that is in `TIME_WAIT` from an earlier
    /// socket (`SO_REUSEADDR`). [`TcpListener::bind`] turns it on on Unix,
    /// as std does. On Windows the option means more (another socket may
    /// then take over an address already bound), so there std and magpie
    /// leave it off.
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// socket.set_reuseaddr(true)?;
    /// assert!(socket.reuseaddr()?);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_reuseaddr(&self, reuseaddr: bool) -> io::Result<()> {
        self.set_flag(sys::SOL_SOCKET, sys::SO_REUSEADDR, reuseaddr)
    }

    /// Whether `SO_REUSEADDR` is set; see [`set_reuseaddr`](Self::set_reuseaddr).
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// assert!(!socket.reuseaddr()?);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn reuseaddr(&self) -> io::Result<bool> {
        self.flag(sys::SOL_SOCKET, sys::SO_REUSEADDR)
    }

    /// Allows several sockets to bind the same address and port
    /// (`SO_REUSEPORT`); on Linux the kernel spreads incoming connections
    /// over their listeners. Unix only (Windows has no such option).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// use magpie::net::TcpSocket;
    /// let first = TcpSocket::new_v4()?;
    /// first.set_reuseport(true)?;
    /// first.bind("127.0.0.1:0".parse().unwrap())?;
    /// let addr = first.local_addr()?;
    /// let second = TcpSocket::new_v4()?;
    /// second.set_reuseport(true)?;
    /// second.bind(addr)?;
    /// let (_a, _b) = (first.listen(16)?, second.listen(16)?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    #[cfg(not(any(windows, target_os = "solaris", target_os = "illumos")))]
    pub fn set_reuseport(&self, reuseport: bool) -> io::Result<()> {
        self.set_flag(sys::SOL_SOCKET, sys::SO_REUSEPORT, reuseport)
    }

    /// Whether `SO_REUSEPORT` is set; see [`set_reuseport`](Self::set_reuseport).
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// socket.set_reuseport(true)?;
    /// assert!(socket.reuseport()?);
    /// # std::io::Result::Ok(())
    /// ```
    #[cfg(not(any(windows, target_os = "solaris", target_os = "illumos")))]
    pub fn reuseport(&self) -> io::Result<bool> {
        self.flag(sys::SOL_SOCKET, sys::SO_REUSEPORT)
    }

    /// Sets the size of the kernel's send buffer (`SO_SNDBUF`). The kernel
    /// may round it (Linux doubles it, for its own bookkeeping).
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// socket.set_send_buffer_size(64 * 1024)?;
    /// assert!(socket.send_buffer_size()? >= 64 * 1024);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.set_size(sys::SO_SNDBUF, size)
    }

    /// The size of the send buffer; see
    /// [`set_send_buffer_size`](Self::set_send_buffer_size).
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// assert!(socket.send_buffer_size()? > 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.size(sys::SO_SNDBUF)
    }

    /// Sets the size of the kernel's receive buffer (`SO_RCVBUF`); set it
    /// before connecting or listening for it to shape the TCP window.
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// socket.set_recv_buffer_size(64 * 1024)?;
    /// assert!(socket.recv_buffer_size()? >= 64 * 1024);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.set_size(sys::SO_RCVBUF, size)
    }

    /// The size of the receive buffer; see
    /// [`set_recv_buffer_size`](Self::set_recv_buffer_size).
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// assert!(socket.recv_buffer_size()? > 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.size(sys::SO_RCVBUF)
    }

    /// Sets `SO_LINGER`: with `Some(d)`, closing the socket waits up to
    /// `d` (whole seconds) for unsent data to go out, and `Some(ZERO)`
    /// makes a close reset the connection. `None` (the default) closes in
    /// the background.
    ///
    /// ```
    /// use std::time::Duration;
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// socket.set_linger(Some(Duration::from_secs(2)))?;
    /// assert_eq!(socket.linger()?, Some(Duration::from_secs(2)));
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        sys::set_linger(self.socket.source(), linger)
    }

    /// The `SO_LINGER` setting; see [`set_linger`](Self::set_linger).
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// assert_eq!(socket.linger()?, None);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        sys::linger(self.socket.source())
    }

    /// Sets `TCP_NODELAY` (`true` turns Nagle's algorithm off); the stream
    /// [`connect`](Self::connect) returns keeps it.
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// socket.set_nodelay(true)?;
    /// assert!(socket.nodelay()?);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.set_flag(sys::IPPROTO_TCP, sys::TCP_NODELAY, nodelay)
    }

    /// Whether `TCP_NODELAY` is set; see [`set_nodelay`](Self::set_nodelay).
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// assert!(!socket.nodelay()?);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        self.flag(sys::IPPROTO_TCP, sys::TCP_NODELAY)
    }

    /// Sets `SO_KEEPALIVE`: the kernel probes an idle connection and
    /// reports a dead peer as an error.
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// socket.set_keepalive(true)?;
    /// assert!(socket.keepalive()?);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_keepalive(&self, keepalive: bool) -> io::Result<()> {
        self.set_flag(sys::SOL_SOCKET, sys::SO_KEEPALIVE, keepalive)
    }

    /// Whether `SO_KEEPALIVE` is set; see [`set_keepalive`](Self::set_keepalive).
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// assert!(!socket.keepalive()?);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn keepalive(&self) -> io::Result<bool> {
        self.flag(sys::SOL_SOCKET, sys::SO_KEEPALIVE)
    }

    /// The address the socket is bound to (`0.0.0.0:0` or `[::]:0` before
    /// [`bind`](Self::bind)).
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// socket.bind("127.0.0.1:0".parse().unwrap())?;
    /// assert_ne!(socket.local_addr()?.port(), 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        sys::local_addr(self.socket.source())
    }

    /// Takes the socket's pending error (`SO_ERROR`), if any.
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// assert!(socket.take_error()?.is_none());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        let error = sys::get_int(self.socket.source(), sys::SOL_SOCKET, sys::SO_ERROR)?;
        Ok((error != 0).then(|| io::Error::from_raw_os_error(error)))
    }

    /// Binds the socket to `addr` (port 0 picks a free port). Fails with
    /// `AddrInUse` if another socket holds it.
    ///
    /// ```
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// socket.bind("127.0.0.1:0".parse().unwrap())?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        sys::bind(self.socket.source(), &SockAddr::from_inet(addr))
    }

    /// Connects to `addr` and registers the stream with the current
    /// runtime (polling the future outside one panics).
    ///
    /// The connect does not hold a thread: dropping the future (a
    /// `timeout`, an abort) closes the socket and abandons the connect.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// let stream = socket.connect(listener.local_addr()?).await?;
    /// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        let handle = crate::runtime::driver::io::current();
        let io = connect::connect(self.socket, &SockAddr::from_inet(addr), handle).await?;
        Ok(TcpStream::from_registered(io))
    }

    /// Listens, with room for `backlog` connections that arrived but were
    /// not yet accepted (the kernel caps it, on Linux at
    /// `net.core.somaxconn`), and registers the listener with the current
    /// runtime. Panics outside a runtime.
    ///
    /// Past the backlog the kernel drops new connection attempts, which
    /// the clients retry after a second or more: size it for bursts.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::TcpSocket::new_v4()?;
    /// socket.bind("127.0.0.1:0".parse().unwrap())?;
    /// let listener = socket.listen(4096)?;
    /// # drop(listener);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        sys::listen(self.socket.source(), backlog)?;
        TcpListener::from_std(net::TcpListener::from(self.socket))
    }

    /// Sets a flag option.
    fn set_flag(&self, level: c_int, name: c_int, on: bool) -> io::Result<()> {
        sys::set_int(self.socket.source(), level, name, c_int::from(on))
    }

    /// Reads a flag option.
    fn flag(&self, level: c_int, name: c_int) -> io::Result<bool> {
        Ok(sys::get_int(self.socket.source(), level, name)? != 0)
    }

    /// Sets a buffer size (saturating at the largest C `int`).
    fn set_size(&self, name: c_int, size: u32) -> io::Result<()> {
        let size = c_int::try_from(size).unwrap_or(c_int::MAX);
        sys::set_int(self.socket.source(), sys::SOL_SOCKET, name, size)
    }

    /// Reads a buffer size.
    fn size(&self, name: c_int) -> io::Result<u32> {
        let size = sys::get_int(self.socket.source(), sys::SOL_SOCKET, name)?;
        Ok(u32::try_from(size).unwrap_or(0))
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for TcpSocket {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.socket.source()
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for TcpSocket {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.socket)
    }
}

#[cfg(windows)]
impl std::os::windows::io::AsSocket for TcpSocket {
    fn as_socket(&self) -> std::os::windows::io::BorrowedSocket<'_> {
        self.socket.source()
    }
}

#[cfg(windows)]
impl std::os::windows::io::AsRawSocket for TcpSocket {
    fn as_raw_socket(&self) -> std::os::windows::io::RawSocket {
        std::os::windows::io::AsRawSocket::as_raw_socket(&self.socket)
    }
}

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpSocket")
            .field("socket", &self.socket)
            .finish()
    }
}
