//! `UnixSocket`: a Unix-domain socket not yet bound, listening or
//! connected, for binding first (a client bound to a path, a listener with
//! a chosen backlog).

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::net;
use std::path::Path;
use std::time::Duration;

use super::{UnixDatagram, UnixListener, UnixStream};
use crate::net::addr::runtime_shut_down;
use crate::net::connect;
use crate::net::sys::{self, SockAddr};

/// The longest pause between two connect attempts to a listener whose
/// backlog is full (as `UnixStream::connect`).
const MAX_CONNECT_PAUSE: Duration = Duration::from_millis(100);

/// A Unix-domain socket before it listens, connects or becomes a datagram
/// socket: the Unix twin of [`TcpSocket`](crate::net::TcpSocket). Made
/// with [`new_stream`](Self::new_stream) or
/// [`new_datagram`](Self::new_datagram), optionally
/// [`bind`](Self::bind)-ed, then turned into a [`UnixListener`], a
/// [`UnixStream`] or a [`UnixDatagram`].
///
/// The socket is non-blocking and close-on-exec from the start, and is
/// registered with the runtime only when it becomes one of those.
///
/// On Linux and Android a path that starts with a NUL byte (`"\0name"`) is
/// an abstract name: a socket in no filesystem, gone when the last socket
/// bound to it closes, with nothing to remove.
///
/// ```
/// use magpie::net::UnixSocket;
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("magpie-doc-us-{}", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let socket = UnixSocket::new_stream()?;
/// socket.bind(&path)?;
/// let listener = socket.listen(64)?;
/// let client = UnixSocket::new_stream()?.connect(&path).await?;
/// let (_server, _) = listener.accept().await?;
/// # drop(client);
/// std::fs::remove_file(&path)?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct UnixSocket {
    socket: OwnedFd,
    datagram: bool,
}

impl UnixSocket {
    /// A new stream socket (for [`listen`](Self::listen) or
    /// [`connect`](Self::connect)).
    ///
    /// ```
    /// let socket = magpie::net::UnixSocket::new_stream()?;
    /// # drop(socket);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new_stream() -> io::Result<UnixSocket> {
        Ok(UnixSocket {
            socket: sys::stream_socket(libc::AF_UNIX)?,
            datagram: false,
        })
    }

    /// A new datagram socket (for [`datagram`](Self::datagram)).
    ///
    /// ```
    /// let socket = magpie::net::UnixSocket::new_datagram()?;
    /// # drop(socket);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new_datagram() -> io::Result<UnixSocket> {
        Ok(UnixSocket {
            socket: sys::datagram_socket(libc::AF_UNIX)?,
            datagram: true,
        })
    }

    /// Binds the socket to `path` (`AddrInUse` if it exists), or on Linux
    /// and Android to the abstract name after a leading NUL byte.
    ///
    /// ```
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-usb-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let socket = magpie::net::UnixSocket::new_datagram()?;
    /// socket.bind(&path)?;
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn bind(&self, path: impl AsRef<Path>) -> io::Result<()> {
        sys::bind(self.socket.as_fd(), &SockAddr::from_path(path.as_ref())?)
    }

    /// Listens, with room for `backlog` connections not yet accepted, and
    /// registers the listener with the current runtime. Panics outside a
    /// runtime; `InvalidInput` for a datagram socket.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-usl-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let socket = magpie::net::UnixSocket::new_stream()?;
    /// socket.bind(&path)?;
    /// let listener = socket.listen(1024)?;
    /// # drop(listener);
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn listen(self, backlog: u32) -> io::Result<UnixListener> {
        self.expect_stream()?;
        sys::listen(self.socket.as_fd(), backlog)?;
        UnixListener::from_std(net::UnixListener::from(self.socket))
    }

    /// Connects to the socket at `path` (or the abstract name after a
    /// leading NUL byte) and registers the stream with the current
    /// runtime. `InvalidInput` for a datagram socket.
    ///
    /// As [`UnixStream::connect`], the connect holds no thread, and if the
    /// listener's backlog is full it tries again after a pause (1 ms,
    /// doubling up to 100 ms) until there is room or the future is dropped.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-usc-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = magpie::net::UnixListener::bind(&path)?;
    /// let stream = magpie::net::UnixSocket::new_stream()?.connect(&path).await?;
    /// # drop((stream, listener));
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn connect(self, path: impl AsRef<Path>) -> io::Result<UnixStream> {
        self.expect_stream()?;
        let addr = SockAddr::from_path(path.as_ref())?;
        let runtime = crate::runtime::Handle::current();
        let mut pause = Duration::from_millis(1);
        loop {
            // A full backlog leaves the socket unconnected, free to try
            // again (nothing is under way).
            match sys::start_connect(self.socket.as_fd(), &addr) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
                Ok(connected) => {
                    let io = runtime.driver().io.clone();
                    let io = connect::finish(self.socket, connected, io).await?;
                    return Ok(UnixStream::from_registered(io));
                }
            }
            // A timer would panic after shutdown; say what happened instead.
            if runtime.inner.is_shutdown() {
                return Err(runtime_shut_down());
            }
            crate::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_CONNECT_PAUSE);
        }
    }

    /// Turns the socket into a [`UnixDatagram`] registered with the current
    /// runtime. Panics outside a runtime; `InvalidInput` for a stream
    /// socket.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-usd-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let socket = magpie::net::UnixSocket::new_datagram()?;
    /// socket.bind(&path)?;
    /// let server = socket.datagram()?;
    /// magpie::net::UnixDatagram::unbound()?.send_to(b"hi", &path).await?;
    /// let mut buf = [0; 2];
    /// assert_eq!(server.recv(&mut buf).await?, 2);
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn datagram(self) -> io::Result<UnixDatagram> {
        if !self.datagram {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a stream socket cannot become a UnixDatagram",
            ));
        }
        UnixDatagram::from_std(net::UnixDatagram::from(self.socket))
    }

    fn expect_stream(&self) -> io::Result<()> {
        if self.datagram {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a datagram socket cannot listen or connect as a stream",
            ));
        }
        Ok(())
    }
}

impl AsFd for UnixSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl AsRawFd for UnixSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }
}

impl fmt::Debug for UnixSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixSocket")
            .field("fd", &self.socket.as_raw_fd())
            .field("datagram", &self.datagram)
            .finish()
    }
}
