//! `UnixDatagram`: datagrams over a Unix-domain socket.

use std::io;
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;

use crate::net::impls::impl_fd_and_debug;
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
    /// Binds to the filesystem path `path`.
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

impl_fd_and_debug!(UnixDatagram);
