//! `UnixListener`: accepts Unix-domain stream connections.

use std::io;
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;
use std::task::{Context, Poll};

use super::{UnixSocket, UnixStream};
use std::os::unix::ffi::OsStrExt;

use crate::net::impls::impl_fd_and_debug;
use crate::net::sys;
use crate::runtime::driver::io::{Direction, PollEvented};

/// A Unix-domain socket listening for stream connections.
///
/// ```
/// use magpie::net::{UnixListener, UnixStream};
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("magpie-doc-{}", std::process::id()));
/// let _ = std::fs::remove_file(&dir);
/// let listener = UnixListener::bind(&dir)?;
/// let _client = UnixStream::connect(&dir).await?;
/// let (_server, _addr) = listener.accept().await?;
/// std::fs::remove_file(&dir)?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct UnixListener {
    io: PollEvented<net::UnixListener>,
}

impl UnixListener {
    /// Binds to the filesystem path `path` and listens (`AddrInUse` if the
    /// path exists). On Linux and Android a path that starts with a NUL
    /// byte is an abstract name (no file; see [`UnixSocket`]), listened on
    /// with the same backlog as [`TcpListener::bind`](crate::net::TcpListener::bind).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("magpie-doc-bind-{}", std::process::id()));
    /// let _ = std::fs::remove_file(&path);
    /// let listener = magpie::net::UnixListener::bind(&path)?;
    /// # drop(listener);
    /// std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let path = path.as_ref();
        if sys::is_abstract(path.as_os_str().as_bytes()) {
            // std refuses NUL bytes in a path; bind the name ourselves.
            let socket = UnixSocket::new_stream()?;
            socket.bind(path)?;
            return socket.listen(crate::net::tcp::DEFAULT_BACKLOG);
        }
        UnixListener::from_std(net::UnixListener::bind(path)?)
    }

    /// Waits for a connection; returns it and the peer's address.
    /// Errors such as `EMFILE` are returned, not retried.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-acc-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = magpie::net::UnixListener::bind(&path)?;
    /// let _client = std::os::unix::net::UnixStream::connect(&path)?;
    /// let (_stream, _addr) = listener.accept().await?;
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = self.io.async_io(Direction::Read, |l| l.accept()).await?;
        Ok((
            UnixStream::from_std_with(stream, self.io.handle().clone())?,
            addr,
        ))
    }

    /// Polls for a connection. Only the task that polled last is woken;
    /// [`accept`](Self::accept) may be awaited by several tasks at once.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-pacc-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = magpie::net::UnixListener::bind(&path)?;
    /// let _client = std::os::unix::net::UnixStream::connect(&path)?;
    /// let _ = std::future::poll_fn(|cx| listener.poll_accept(cx)).await?;
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        self.io.poll_io(cx, Direction::Read, |listener| {
            let (stream, addr) = listener.accept()?;
            let stream = UnixStream::from_std_with(stream, self.io.handle().clone())?;
            Ok((stream, addr))
        })
    }

    /// The address this listener is bound to.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-addr-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = magpie::net::UnixListener::bind(&path)?;
    /// assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
    /// # std::fs::remove_file(&path)?;
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
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-std-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let std = std::os::unix::net::UnixListener::bind(&path)?;
    /// let listener = magpie::net::UnixListener::from_std(std)?;
    /// # drop(listener);
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(listener: net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        Ok(UnixListener {
            io: PollEvented::new(listener)?,
        })
    }

    /// Deregisters the listener and returns the std one (non-blocking).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let path = std::env::temp_dir().join(format!("magpie-doc-into-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// let listener = magpie::net::UnixListener::bind(&path)?;
    /// let std = listener.into_std()?;
    /// # drop(std);
    /// # std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<net::UnixListener> {
        self.io.into_inner()
    }
}

impl_fd_and_debug!(UnixListener);
