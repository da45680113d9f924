//! The guards an [`AsyncFd`] wait returns: what the wait saw, and the way
//! to clear it after a `WouldBlock`.

use std::fmt;
use std::io;
use std::os::fd::AsRawFd;

use super::AsyncFd;
use crate::runtime::driver::io::{Observed, Ready};

/// Readiness an [`AsyncFd`] wait saw, borrowed from a shared `&AsyncFd`.
///
/// Dropping the guard keeps the readiness (the next wait returns at once);
/// [`clear_ready`](Self::clear_ready) forgets it, which is what to do after
/// the fd said `WouldBlock`. [`try_io`](Self::try_io) does that for you.
///
/// ```
/// use std::io::Read;
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let (a, b) = std::os::unix::net::UnixStream::pair()?;
/// a.set_nonblocking(true)?;
/// let fd = magpie::io::unix::AsyncFd::new(a)?;
/// drop(b); // the peer is gone: readable, at end of stream
/// let mut guard = fd.readable().await?;
/// let n = guard.try_io(|fd| fd.get_ref().read(&mut [0; 8])).unwrap()?;
/// assert_eq!(n, 0);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[must_use = "a guard does nothing unless its readiness is used or cleared"]
pub struct AsyncFdReadyGuard<'a, T: AsRawFd> {
    fd: &'a AsyncFd<T>,
    seen: Option<Observed>,
}

/// Readiness an [`AsyncFd`] wait saw, with `&mut` access to it; see
/// [`AsyncFdReadyGuard`].
///
/// ```
/// use std::io::Write;
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
/// a.set_nonblocking(true)?;
/// let mut fd = magpie::io::unix::AsyncFd::new(a)?;
/// let mut guard = fd.writable_mut().await?;
/// guard.get_inner_mut().write_all(b"x")?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[must_use = "a guard does nothing unless its readiness is used or cleared"]
pub struct AsyncFdReadyMutGuard<'a, T: AsRawFd> {
    fd: &'a mut AsyncFd<T>,
    seen: Option<Observed>,
}

/// The operation in a guard's `try_io` said `WouldBlock`: the readiness was
/// cleared, wait again.
///
/// ```
/// use std::io::Read;
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
/// a.set_nonblocking(true)?;
/// let fd = magpie::io::unix::AsyncFd::new(a)?;
/// // Writable, but reading finds nothing.
/// let mut guard = fd.ready(magpie::io::Interest::WRITABLE).await?;
/// let result = guard.try_io(|fd| fd.get_ref().read(&mut [0; 8]));
/// assert!(result.is_err());
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct TryIoError(());

impl<'a, T: AsRawFd> AsyncFdReadyGuard<'a, T> {
    pub(super) fn new(fd: &'a AsyncFd<T>, seen: Observed) -> Self {
        AsyncFdReadyGuard {
            fd,
            seen: Some(seen),
        }
    }

    /// The readiness the wait saw (empty once cleared).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let mut guard = fd.writable().await?;
    /// assert!(guard.ready().is_writable());
    /// guard.clear_ready();
    /// assert!(guard.ready().is_empty());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn ready(&self) -> Ready {
        self.seen.map_or(Ready::EMPTY, |seen| seen.ready())
    }

    /// Forgets the readiness the wait saw, unless the driver reported the
    /// fd again since: the next wait sleeps until a new event. Call it
    /// after the fd said `WouldBlock`.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let mut guard = fd.writable().await?;
    /// guard.clear_ready();
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn clear_ready(&mut self) {
        if let Some(seen) = self.seen.take() {
            self.fd.clear(seen);
        }
    }

    /// Keeps the readiness (what dropping the guard does anyway), saying so
    /// in the code.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// fd.writable().await?.retain_ready();
    /// // Still writable: this wait returns at once.
    /// fd.writable().await?.retain_ready();
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn retain_ready(&mut self) {}

    /// Runs `f`; if it says `WouldBlock`, clears the readiness and returns
    /// `Err(TryIoError)` (wait again), otherwise returns its result.
    ///
    /// ```
    /// use std::io::Write;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let mut guard = fd.writable().await?;
    /// let n = guard.try_io(|fd| fd.get_ref().write(b"hi")).unwrap()?;
    /// assert_eq!(n, 2);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&'a AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        match f(self.fd) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.clear_ready();
                Err(TryIoError(()))
            }
            result => Ok(result),
        }
    }

    /// The `AsyncFd` this guard came from.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let guard = fd.writable().await?;
    /// assert!(std::ptr::eq(guard.get_ref(), &fd));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn get_ref(&self) -> &'a AsyncFd<T> {
        self.fd
    }

    /// The object the `AsyncFd` wraps.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let guard = fd.writable().await?;
    /// assert!(guard.get_inner().peer_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn get_inner(&self) -> &'a T {
        self.fd.get_ref()
    }
}

impl<'a, T: AsRawFd> AsyncFdReadyMutGuard<'a, T> {
    pub(super) fn new(fd: &'a mut AsyncFd<T>, seen: Observed) -> Self {
        AsyncFdReadyMutGuard {
            fd,
            seen: Some(seen),
        }
    }

    /// The readiness the wait saw (empty once cleared).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let guard = fd.writable_mut().await?;
    /// assert!(guard.ready().is_writable());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn ready(&self) -> Ready {
        self.seen.map_or(Ready::EMPTY, |seen| seen.ready())
    }

    /// Forgets the readiness the wait saw; see
    /// [`AsyncFdReadyGuard::clear_ready`].
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let mut guard = fd.writable_mut().await?;
    /// guard.clear_ready();
    /// assert!(guard.ready().is_empty());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn clear_ready(&mut self) {
        if let Some(seen) = self.seen.take() {
            self.fd.clear(seen);
        }
    }

    /// Keeps the readiness (what dropping the guard does anyway).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// fd.writable_mut().await?.retain_ready();
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn retain_ready(&mut self) {}

    /// Runs `f` with `&mut AsyncFd`; if it says `WouldBlock`, clears the
    /// readiness and returns `Err(TryIoError)`, otherwise its result.
    ///
    /// ```
    /// use std::io::Write;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let mut guard = fd.writable_mut().await?;
    /// assert_eq!(guard.try_io(|fd| fd.get_mut().write(b"x")).unwrap()?, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&mut AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        match f(self.fd) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.clear_ready();
                Err(TryIoError(()))
            }
            result => Ok(result),
        }
    }

    /// The `AsyncFd` this guard came from.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let guard = fd.writable_mut().await?;
    /// assert!(guard.get_ref().interest().is_writable());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn get_ref(&self) -> &AsyncFd<T> {
        self.fd
    }

    /// The `AsyncFd` this guard came from, mutably.
    ///
    /// ```
    /// use std::io::Write;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let mut guard = fd.writable_mut().await?;
    /// guard.get_mut().get_mut().write_all(b"x")?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn get_mut(&mut self) -> &mut AsyncFd<T> {
        self.fd
    }

    /// The object the `AsyncFd` wraps.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let guard = fd.writable_mut().await?;
    /// assert!(guard.get_inner().peer_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn get_inner(&self) -> &T {
        self.fd.get_ref()
    }

    /// The object the `AsyncFd` wraps, mutably.
    ///
    /// ```
    /// use std::io::Write;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// # a.set_nonblocking(true)?;
    /// # let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let mut guard = fd.writable_mut().await?;
    /// guard.get_inner_mut().write_all(b"x")?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn get_inner_mut(&mut self) -> &mut T {
        self.fd.get_mut()
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFdReadyGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyGuard")
            .field("ready", &self.ready())
            .field("fd", self.fd)
            .finish()
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFdReadyMutGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyMutGuard")
            .field("ready", &self.ready())
            .field("fd", self.fd)
            .finish()
    }
}

impl fmt::Display for TryIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operation would block; the readiness was cleared")
    }
}

impl std::error::Error for TryIoError {}
