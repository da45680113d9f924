//! `TcpStream`: a connected TCP socket.

use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::{self, Shutdown, SocketAddr};
use std::task::{Context, Poll};
use std::time::Duration;

use super::split::{self, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use super::TcpSocket;
use crate::net::addr::{each_addr, ToSocketAddrs};
use crate::net::impls::{impl_fd_and_debug, impl_readiness, impl_stream_io, impl_try_from_std};
use crate::net::sys;
use crate::runtime::driver::io::AsSource;
use crate::runtime::driver::io::{Direction, Handle, PollEvented};

/// A TCP connection. Implements [`AsyncRead`] and [`AsyncWrite`] (also on
/// `&TcpStream`, so one task can read while another writes).
///
/// ```
/// use magpie::io::{AsyncReadExt, AsyncWriteExt};
/// use magpie::net::{TcpListener, TcpStream};
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let addr = listener.local_addr()?;
/// magpie::spawn(async move {
///     let (mut stream, _) = listener.accept().await?;
///     let mut buf = [0; 4];
///     stream.read_exact(&mut buf).await?;
///     stream.write_all(&buf).await
/// });
/// let mut stream = TcpStream::connect(addr).await?;
/// stream.write_all(b"echo").await?;
/// let mut back = [0; 4];
/// stream.read_exact(&mut back).await?;
/// assert_eq!(&back, b"echo");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
///
/// [`AsyncRead`]: futures_io::AsyncRead
/// [`AsyncWrite`]: futures_io::AsyncWrite
pub struct TcpStream {
    io: PollEvented<net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr`, trying each address it resolves to in turn;
    /// fails with the last address's error (the OS's, e.g.
    /// `ConnectionRefused`). A host name is looked up on the blocking pool.
    ///
    /// The connect itself does not hold a thread: it is started on a
    /// non-blocking socket and the I/O driver reports when it is done. So
    /// dropping the future (a `timeout`, an abort) closes the socket and
    /// abandons the connect, and dropping the runtime does not wait for it.
    /// For options that must be set before connecting, use
    /// [`TcpSocket`](super::TcpSocket).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        each_addr(addr, |addr| async move {
            TcpSocket::new_for_addr(&addr)?.connect(addr).await
        })
        .await
    }

    /// A stream around a socket already registered (and connected).
    pub(crate) fn from_registered(io: PollEvented<net::TcpStream>) -> TcpStream {
        TcpStream { io }
    }

    /// Wraps a connected std stream (switching it to non-blocking mode) and
    /// registers it with the current runtime. Panics outside a runtime.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let std = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// let stream = magpie::net::TcpStream::from_std(std)?;
    /// # drop(stream);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(stream: net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        Ok(TcpStream {
            io: PollEvented::new(stream)?,
        })
    }

    /// Registers an already non-blocking stream with `handle`'s driver.
    pub(crate) fn from_std_with(stream: net::TcpStream, handle: Handle) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        Ok(TcpStream {
            io: PollEvented::new_with_handle(stream, handle)?,
        })
    }

    /// Deregisters the stream and returns the std one, still in
    /// non-blocking mode.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let std = stream.into_std()?;
    /// std.set_nonblocking(false)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<net::TcpStream> {
        self.io.into_inner()
    }

    /// The local address of this connection.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert!(stream.local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The remote address of this connection.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm when `true`).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.set_nodelay(true)?;
    /// assert!(stream.nodelay()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let _on = stream.nodelay()?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Shuts down the read half, the write half, or both, at once and
    /// without flushing (std's `TcpStream::shutdown`). After
    /// `shutdown_std(Shutdown::Write)` the peer reads end of stream.
    ///
    /// Not named `shutdown`: that name is tokio's
    /// [`AsyncWriteExt::shutdown`](crate::io::AsyncWriteExt::shutdown)
    /// (`stream.shutdown().await`), which an inherent method would hide.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.shutdown_std(std::net::Shutdown::Write)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn shutdown_std(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Waits until the stream may be readable. The wake can be spurious:
    /// [`try_read`](Self::try_read) may still say `WouldBlock`.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # use magpie::io::AsyncWriteExt;
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, _) = listener.accept().await?;
    /// client.write_all(b"x").await?;
    /// server.readable().await?;
    /// let mut buf = [0; 1];
    /// assert_eq!(server.try_read(&mut buf)?, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn readable(&self) -> io::Result<()> {
        self.io.readiness(Direction::Read).await.map(drop)
    }

    /// Waits until the stream may be writable; see [`readable`](Self::readable).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.writable().await?;
    /// assert_eq!(stream.try_write(b"hi")?, 2);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn writable(&self) -> io::Result<()> {
        self.io.readiness(Direction::Write).await.map(drop)
    }

    /// Reads without waiting: `WouldBlock` if no data is ready.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let mut buf = [0; 8];
    /// let err = stream.try_read(&mut buf).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .try_io(Direction::Read, |mut stream| stream.read(buf))
    }

    /// Writes without waiting: `WouldBlock` if the socket buffer is full
    /// (or writability has not been reported yet).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.writable().await?;
    /// stream.try_write(b"now")?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .try_io(Direction::Write, |mut stream| stream.write(buf))
    }

    /// Reads into several buffers without waiting (`readv`):
    /// `WouldBlock` if no data is ready.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # use magpie::io::AsyncWriteExt;
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, _) = listener.accept().await?;
    /// client.write_all(b"headbody").await?;
    /// let (mut head, mut body) = ([0; 4], [0; 4]);
    /// let n = loop {
    ///     server.readable().await?;
    ///     let mut bufs = [std::io::IoSliceMut::new(&mut head), std::io::IoSliceMut::new(&mut body)];
    ///     match server.try_read_vectored(&mut bufs) {
    ///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///         result => break result?,
    ///     }
    /// };
    /// assert_eq!(n, 8);
    /// assert_eq!((&head, &body), (b"head", b"body"));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Direction::Read, |mut stream| stream.read_vectored(bufs))
    }

    /// Writes from several buffers without waiting (`writev`):
    /// `WouldBlock` if the socket buffer is full.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.writable().await?;
    /// let bufs = [std::io::IoSlice::new(b"head"), std::io::IoSlice::new(b"body")];
    /// assert_eq!(stream.try_write_vectored(&bufs)?, 8);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Direction::Write, |mut stream| stream.write_vectored(bufs))
    }

    /// Polls to read bytes without removing them from the socket's queue.
    /// Only the task that polled last is woken; see
    /// [`poll_read_ready`](Self::poll_read_ready).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # use magpie::io::AsyncWriteExt;
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, _) = listener.accept().await?;
    /// client.write_all(b"p").await?;
    /// let mut buf = [0; 1];
    /// let n = std::future::poll_fn(|cx| server.poll_peek(cx, &mut buf)).await?;
    /// assert_eq!(&buf[..n], b"p");
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Direction::Read, |stream| stream.peek(buf))
    }

    /// Sets the IP time-to-live of outgoing packets (`IP_TTL`).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.set_ttl(42)?;
    /// assert_eq!(stream.ttl()?, 42);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live; see [`set_ttl`](Self::set_ttl).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert!(stream.ttl()? > 0);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Sets `SO_LINGER`, as [`TcpSocket::set_linger`](super::TcpSocket::set_linger):
    /// `Some(ZERO)` makes dropping the stream reset the connection.
    ///
    /// ```
    /// use std::time::Duration;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.set_linger(Some(Duration::ZERO))?;
    /// assert_eq!(stream.linger()?, Some(Duration::ZERO));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        sys::set_linger(self.io.get_ref().source(), linger)
    }

    /// The `SO_LINGER` setting; see [`set_linger`](Self::set_linger).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(stream.linger()?, None);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        sys::linger(self.io.get_ref().source())
    }

    /// Reads bytes without removing them from the socket's queue.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # use magpie::io::AsyncWriteExt;
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut client = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, _) = listener.accept().await?;
    /// client.write_all(b"peek").await?;
    /// let mut buf = [0; 4];
    /// let n = server.peek(&mut buf).await?;
    /// assert_eq!(&buf[..n], &b"peek"[..n]);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .async_io(Direction::Read, |stream| stream.peek(buf))
            .await
    }

    /// Borrows the stream as a read half and a write half, for use from
    /// two futures at once (e.g. in `join`). No allocation, no lock.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (_read, _write) = stream.split();
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split::split(self)
    }

    /// Splits the stream into owned halves that can move to different
    /// tasks. Dropping the write half shuts down the write direction.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = magpie::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (read, write) = stream.into_split();
    /// let stream = read.reunite(write).unwrap();
    /// # drop(stream);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split::into_split(self)
    }
}

impl_stream_io!(TcpStream);
impl_readiness!(
    TcpStream,
    poll_read_ready,
    poll_write_ready,
    "# magpie::Runtime::new().unwrap().block_on(async {
# let listener = magpie::net::TcpListener::bind(\"127.0.0.1:0\").await?;
let socket = magpie::net::TcpStream::connect(listener.local_addr()?).await?;"
);
impl_try_from_std!(TcpStream, net::TcpStream);
impl_fd_and_debug!(TcpStream);
