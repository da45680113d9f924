//! `UnixStream`: a connected Unix-domain stream socket.

use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::Shutdown;
use std::os::fd::AsFd;
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;

use std::task::{Context, Poll};
use std::time::Duration;

use super::split::{self, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::net::addr::runtime_shut_down;
use crate::net::connect;
use crate::net::impls::{impl_fd_and_debug, impl_readiness, impl_stream_io};
use crate::net::sys::{self, SockAddr};
use crate::runtime::driver::io::{Direction, Handle, PollEvented};

/// The longest pause between two connect attempts to a listener whose
/// backlog is full.
const MAX_CONNECT_PAUSE: Duration = Duration::from_millis(100);

/// A Unix-domain stream connection. Implements [`AsyncRead`] and
/// [`AsyncWrite`], also on `&UnixStream`.
///
/// ```
/// use magpie::io::{AsyncReadExt, AsyncWriteExt};
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let (mut a, mut b) = magpie::net::UnixStream::pair()?;
/// a.write_all(b"over unix").await?;
/// let mut buf = [0; 9];
/// b.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"over unix");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
///
/// [`AsyncRead`]: futures_io::AsyncRead
/// [`AsyncWrite`]: futures_io::AsyncWrite
pub struct UnixStream {
    io: PollEvented<net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`. Fails with the OS's error
    /// (`NotFound`, `ConnectionRefused`…).
    ///
    /// The connect does not hold a thread. If the listener's backlog is
    /// full, a blocking connect would wait for room; the kernel reports no
    /// event for that, so this one tries again after a pause (1 ms,
    /// doubling up to 100 ms) until there is room or the future is
    /// dropped.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-conn-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = magpie::net::UnixListener::bind(&path)?;
    /// let stream = magpie::net::UnixStream::connect(&path).await?;
    /// # drop((stream, listener));
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let addr = SockAddr::from_path(path.as_ref())?;
        let runtime = crate::runtime::Handle::current();
        let mut pause = Duration::from_millis(1);
        loop {
            let socket = sys::stream_socket(libc::AF_UNIX)?;
            let io = runtime.driver().io.clone();
            match connect::connect(socket, &addr, io).await {
                // The backlog is full; nothing is under way.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                result => return result.map(|io| UnixStream { io }),
            }
            // A timer would panic after shutdown; say what happened instead.
            if runtime.inner.is_shutdown() {
                return Err(runtime_shut_down());
            }
            crate::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_CONNECT_PAUSE);
        }
    }

    /// A stream around a socket already registered (and connected).
    pub(crate) fn from_registered(io: PollEvented<net::UnixStream>) -> UnixStream {
        UnixStream { io }
    }

    /// A connected pair of streams.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = magpie::net::UnixStream::pair()?;
    /// # drop((a, b));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = net::UnixStream::pair()?;
        Ok((UnixStream::from_std(a)?, UnixStream::from_std(b)?))
    }

    /// Wraps a std stream (switching it to non-blocking mode) and registers
    /// it with the current runtime. Panics outside a runtime.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// let a = magpie::net::UnixStream::from_std(a)?;
    /// # drop(a);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(stream: net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        Ok(UnixStream {
            io: PollEvented::new(stream)?,
        })
    }

    pub(crate) fn from_std_with(stream: net::UnixStream, handle: Handle) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        Ok(UnixStream {
            io: PollEvented::new_with_handle(stream, handle)?,
        })
    }

    /// Deregisters the stream and returns the std one (non-blocking).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// let std = a.into_std()?;
    /// # drop(std);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<net::UnixStream> {
        self.io.into_inner()
    }

    /// The local address.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// assert!(a.local_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The peer's credentials (`SO_PEERCRED` on Linux, `getpeereid`
    /// elsewhere): who connected, for a server that trusts local users by
    /// id.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// // SAFETY: getgid has no preconditions.
    /// assert_eq!(a.peer_cred()?.gid(), unsafe { libc::getgid() });
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn peer_cred(&self) -> io::Result<super::UCred> {
        let (uid, gid, pid) = sys::peer_cred(self.io.get_ref().as_fd())?;
        Ok(super::UCred { uid, gid, pid })
    }

    /// The peer's address.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// assert!(a.peer_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Shuts down the read half, the write half, or both, at once and
    /// without flushing (std's `UnixStream::shutdown`).
    ///
    /// Not named `shutdown`: that name is tokio's
    /// [`AsyncWriteExt::shutdown`](crate::io::AsyncWriteExt::shutdown)
    /// (`stream.shutdown().await`), which an inherent method would hide.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// use magpie::io::AsyncReadExt;
    /// let (a, mut b) = magpie::net::UnixStream::pair()?;
    /// a.shutdown_std(std::net::Shutdown::Write)?;
    /// let mut rest = Vec::new();
    /// assert_eq!(b.read_to_end(&mut rest).await?, 0);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn shutdown_std(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Waits until the stream may be readable.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = magpie::net::UnixStream::pair()?;
    /// a.writable().await?;
    /// a.try_write(b"x")?;
    /// b.readable().await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn readable(&self) -> io::Result<()> {
        self.io.readiness(Direction::Read).await.map(drop)
    }

    /// Waits until the stream may be writable.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// a.writable().await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn writable(&self) -> io::Result<()> {
        self.io.readiness(Direction::Write).await.map(drop)
    }

    /// Reads without waiting: `WouldBlock` if nothing is ready.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// let mut buf = [0; 4];
    /// assert_eq!(a.try_read(&mut buf).unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .try_io(Direction::Read, |mut stream| stream.read(buf))
    }

    /// Writes without waiting: `WouldBlock` if not writable (yet).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// a.writable().await?;
    /// assert_eq!(a.try_write(b"ok")?, 2);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .try_io(Direction::Write, |mut stream| stream.write(buf))
    }

    /// Reads into several buffers without waiting (`readv`):
    /// `WouldBlock` if nothing is ready.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = magpie::net::UnixStream::pair()?;
    /// a.writable().await?;
    /// a.try_write(b"abcd")?;
    /// b.readable().await?;
    /// let (mut x, mut y) = ([0; 2], [0; 2]);
    /// let mut bufs = [std::io::IoSliceMut::new(&mut x), std::io::IoSliceMut::new(&mut y)];
    /// assert_eq!(b.try_read_vectored(&mut bufs)?, 4);
    /// assert_eq!((&x, &y), (b"ab", b"cd"));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Direction::Read, |mut stream| stream.read_vectored(bufs))
    }

    /// Writes from several buffers without waiting (`writev`):
    /// `WouldBlock` if not writable (yet).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// a.writable().await?;
    /// let bufs = [std::io::IoSlice::new(b"ab"), std::io::IoSlice::new(b"cd")];
    /// assert_eq!(a.try_write_vectored(&bufs)?, 4);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Direction::Write, |mut stream| stream.write_vectored(bufs))
    }

    /// Reads bytes without removing them from the socket's queue (`recv`
    /// with `MSG_PEEK`): the next read sees them again. Returns 0 once the
    /// peer has closed its end (or shut down writing) and everything it
    /// sent has been read. Any number of tasks may peek at once.
    ///
    /// ```
    /// use magpie::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (mut a, mut b) = magpie::net::UnixStream::pair()?;
    /// a.write_all(b"peek").await?;
    /// let mut buf = [0; 4];
    /// let n = b.peek(&mut buf).await?;
    /// assert_eq!(&buf[..n], &b"peek"[..n]);
    /// b.read_exact(&mut buf).await?; // still there
    /// assert_eq!(&buf, b"peek");
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .async_io(Direction::Read, |stream| sys::peek(stream.as_fd(), buf))
            .await
    }

    /// Polls to read bytes without removing them from the socket's queue;
    /// see [`peek`](Self::peek). Only the task that polled last is woken;
    /// see [`poll_read_ready`](Self::poll_read_ready).
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    ///
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (mut a, b) = magpie::net::UnixStream::pair()?;
    /// a.write_all(b"p").await?;
    /// let mut buf = [0; 1];
    /// let n = std::future::poll_fn(|cx| b.poll_peek(cx, &mut buf)).await?;
    /// assert_eq!(&buf[..n], b"p");
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Direction::Read, |stream| sys::peek(stream.as_fd(), buf))
    }

    /// Borrows the stream as a read half and a write half, for use from
    /// two futures at once. No allocation, no lock.
    ///
    /// ```
    /// use magpie::io::{AsyncReadExt, AsyncWriteExt};
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (mut a, mut b) = magpie::net::UnixStream::pair()?;
    /// let (mut read, mut write) = a.split();
    /// write.write_all(b"x").await?;
    /// b.write_all(b"y").await?;
    /// let mut buf = [0; 1];
    /// read.read_exact(&mut buf).await?;
    /// assert_eq!(&buf, b"y");
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
    /// use magpie::io::AsyncReadExt;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, mut b) = magpie::net::UnixStream::pair()?;
    /// let (read, write) = a.into_split();
    /// drop(write);
    /// let mut rest = Vec::new();
    /// assert_eq!(b.read_to_end(&mut rest).await?, 0); // the peer saw the shutdown
    /// # drop(read);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split::into_split(self)
    }
}

impl_stream_io!(UnixStream);
impl_readiness!(
    UnixStream,
    poll_read_ready,
    poll_write_ready,
    "# magpie::Runtime::new().unwrap().block_on(async {
let (socket, _peer) = magpie::net::UnixStream::pair()?;"
);
impl_fd_and_debug!(UnixStream);
