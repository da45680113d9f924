//! `AsyncFd`: a user's file descriptor registered with the I/O driver.
//!
//! It is a [`PollEvented`] around the user's object, so it shares the
//! sockets' readiness protocol (`runtime/driver/io/scheduled_io.rs`): the
//! `async` waits queue one node per waiting task, so any number of tasks
//! may wait on the same direction; the `poll_*` waits keep one waker per
//! direction. A guard carries what its wait saw (bits and tick), and
//! clearing it after a `WouldBlock` clears only that, never an event the
//! driver stamped since.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::task::{ready, Context, Poll};

use super::guard::{AsyncFdReadyGuard, AsyncFdReadyMutGuard};
use crate::runtime::driver::io::{Direction, Interest, Observed, PollEvented};

/// Readiness for any file descriptor: wraps an object that owns a
/// non-blocking fd (a pipe end, an eventfd, an inotify fd, a socket magpie
/// does not know) and registers the fd with the runtime's I/O driver.
///
/// `AsyncFd` does no I/O itself. Wait for readiness ([`readable`],
/// [`writable`], [`ready`]), do the non-blocking call, and when it says
/// `WouldBlock` clear the readiness the wait saw ([`try_io`] on the guard
/// does both), so that the next wait sleeps until the driver reports the fd
/// again. Any number of tasks may wait on the same direction at once.
///
/// The object must put its fd in non-blocking mode before it is wrapped,
/// and keep the same fd open until the `AsyncFd` is dropped or
/// [`into_inner`](Self::into_inner) hands it back. Regular files cannot be
/// registered (`epoll` refuses them: `new` fails with the OS's error).
///
/// ```
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// use magpie::io::unix::AsyncFd;
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let (a, mut b) = UnixStream::pair()?;
/// a.set_nonblocking(true)?;
/// let a = AsyncFd::new(a)?;
/// b.write_all(b"ping")?;
/// let mut buf = [0; 4];
/// let n = loop {
///     let mut guard = a.readable().await?;
///     match guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
///         Ok(result) => break result?,
///         Err(_would_block) => continue,
///     }
/// };
/// assert_eq!(&buf[..n], b"ping");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
///
/// [`readable`]: Self::readable
/// [`writable`]: Self::writable
/// [`ready`]: Self::ready
/// [`try_io`]: AsyncFdReadyGuard::try_io
pub struct AsyncFd<T: AsRawFd> {
    io: PollEvented<Fd<T>>,
    interest: Interest,
}

/// The user's object, seen by the driver through its raw fd.
struct Fd<T>(T);

impl<T: AsRawFd> AsFd for Fd<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: `AsyncFd`'s documented contract: the object keeps the
        // same fd open for as long as it is wrapped, which outlives this
        // borrow of it.
        unsafe { BorrowedFd::borrow_raw(self.0.as_raw_fd()) }
    }
}

impl<T: AsRawFd> AsyncFd<T> {
    /// Registers `inner`'s fd for reading and writing with the current
    /// runtime's I/O driver. Panics outside a runtime.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// # drop(fd);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn new(inner: T) -> io::Result<AsyncFd<T>> {
        AsyncFd::with_interest(inner, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `inner`'s fd for the directions `interest` names only (a
    /// read-only fd need not report writability). Waiting in a direction
    /// not registered never ends. Panics outside a runtime.
    ///
    /// ```
    /// use magpie::io::{unix::AsyncFd, Interest};
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = AsyncFd::with_interest(a, Interest::WRITABLE)?;
    /// fd.writable().await?.retain_ready();
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn with_interest(inner: T, interest: Interest) -> io::Result<AsyncFd<T>> {
        AsyncFd::try_with_interest(inner, interest).map_err(io::Error::from)
    }

    /// As [`new`](Self::new), but a failure hands `inner` back (inside the
    /// error) instead of dropping it: a regular file, which `epoll` refuses,
    /// can then still be read some other way.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let file = std::fs::File::open("Cargo.toml")?;
    /// match magpie::io::unix::AsyncFd::try_new(file) {
    ///     Ok(fd) => drop(fd), // kqueue accepts regular files
    ///     Err(refused) => {
    ///         let (file, cause) = refused.into_parts();
    ///         assert!(file.metadata()?.is_file(), "{cause}");
    ///     }
    /// }
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_new(inner: T) -> Result<AsyncFd<T>, AsyncFdTryNewError<T>> {
        AsyncFd::try_with_interest(inner, Interest::READABLE | Interest::WRITABLE)
    }

    /// As [`with_interest`](Self::with_interest), handing `inner` back on
    /// failure (see [`try_new`](Self::try_new)).
    ///
    /// ```
    /// use magpie::io::{unix::AsyncFd, Interest};
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = AsyncFd::try_with_interest(a, Interest::READABLE).map_err(std::io::Error::from)?;
    /// # drop(fd);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_with_interest(
        inner: T,
        interest: Interest,
    ) -> Result<AsyncFd<T>, AsyncFdTryNewError<T>> {
        let handle = crate::runtime::driver::io::current();
        match PollEvented::try_new_with_interest(Fd(inner), handle, interest) {
            Ok(io) => Ok(AsyncFd { io, interest }),
            Err((Fd(inner), cause)) => Err(AsyncFdTryNewError { inner, cause }),
        }
    }

    /// The wrapped object.
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let raw = a.as_raw_fd();
    /// let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// assert_eq!(fd.get_ref().as_raw_fd(), raw);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.io.get_ref().0
    }

    /// The wrapped object, mutably. It must keep the same fd open.
    ///
    /// ```
    /// use std::io::Write;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// fd.get_mut().write_all(b"x")?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.io.get_mut().0
    }

    /// Deregisters the fd and hands the object back (its fd still open and
    /// non-blocking).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let a = fd.into_inner();
    /// a.set_nonblocking(false)?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn into_inner(self) -> T {
        self.io.deregister().0
    }

    /// The directions the fd is registered for.
    ///
    /// ```
    /// use magpie::io::{unix::AsyncFd, Interest};
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = AsyncFd::with_interest(a, Interest::READABLE)?;
    /// assert_eq!(fd.interest(), Interest::READABLE);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn interest(&self) -> Interest {
        self.interest
    }

    /// Polls for read readiness. Only the task that polled last is woken
    /// (as for every `poll_*` method); [`readable`](Self::readable) may be
    /// awaited by any number of tasks.
    ///
    /// ```
    /// use std::io::Write;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, mut b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// b.write_all(b"x")?;
    /// let guard = std::future::poll_fn(|cx| fd.poll_read_ready(cx)).await?;
    /// assert!(guard.ready().is_readable());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_read_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let seen = ready!(self.poll_direction(cx, Direction::Read))?;
        Poll::Ready(Ok(AsyncFdReadyGuard::new(self, seen)))
    }

    /// Polls for write readiness; see [`poll_read_ready`](Self::poll_read_ready).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let guard = std::future::poll_fn(|cx| fd.poll_write_ready(cx)).await?;
    /// assert!(guard.ready().is_writable());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_write_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let seen = ready!(self.poll_direction(cx, Direction::Write))?;
        Poll::Ready(Ok(AsyncFdReadyGuard::new(self, seen)))
    }

    /// Polls for read readiness, with a guard that gives `&mut` access.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, mut b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// b.write_all(b"x")?;
    /// fd.readable().await?.retain_ready(); // the driver has seen the byte
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// let std::task::Poll::Ready(guard) = fd.poll_read_ready_mut(&mut cx) else {
    ///     unreachable!("the readiness was kept")
    /// };
    /// let mut buf = [0; 1];
    /// assert_eq!(guard?.get_inner_mut().read(&mut buf)?, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_read_ready_mut<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyMutGuard<'a, T>>> {
        let seen = ready!(self.poll_direction(cx, Direction::Read))?;
        Poll::Ready(Ok(AsyncFdReadyMutGuard::new(self, seen)))
    }

    /// Polls for write readiness, with a guard that gives `&mut` access.
    ///
    /// ```
    /// use std::io::Write;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// fd.writable().await?.retain_ready();
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// let std::task::Poll::Ready(guard) = fd.poll_write_ready_mut(&mut cx) else {
    ///     unreachable!("the readiness was kept")
    /// };
    /// assert_eq!(guard?.get_inner_mut().write(b"x")?, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_write_ready_mut<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyMutGuard<'a, T>>> {
        let seen = ready!(self.poll_direction(cx, Direction::Write))?;
        Poll::Ready(Ok(AsyncFdReadyMutGuard::new(self, seen)))
    }

    fn poll_direction(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<io::Result<Observed>> {
        let event = ready!(self.io.poll_ready(cx, direction))?;
        Poll::Ready(Ok(Observed::of(direction, event)))
    }

    /// Waits until the fd may be readable.
    ///
    /// ```
    /// use std::io::Write;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, mut b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// b.write_all(b"x")?;
    /// assert!(fd.readable().await?.ready().is_readable());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn readable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::READABLE).await
    }

    /// Waits until the fd may be writable.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// assert!(fd.writable().await?.ready().is_writable());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn writable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::WRITABLE).await
    }

    /// Waits until any direction `interest` names is ready; the guard's
    /// [`ready`](AsyncFdReadyGuard::ready) says which.
    ///
    /// ```
    /// use magpie::io::Interest;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let guard = fd.ready(Interest::READABLE | Interest::WRITABLE).await?;
    /// assert!(guard.ready().is_writable());
    /// assert!(!guard.ready().is_readable());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn ready(&self, interest: Interest) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let seen = self.io.ready(interest).await?;
        Ok(AsyncFdReadyGuard::new(self, seen))
    }

    /// Waits until the fd may be readable, with a guard that gives `&mut`
    /// access.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, mut b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// b.write_all(b"x")?;
    /// let mut guard = fd.readable_mut().await?;
    /// let mut buf = [0; 1];
    /// let n = guard.try_io(|fd| fd.get_mut().read(&mut buf)).unwrap()?;
    /// assert_eq!(n, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn readable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::READABLE).await
    }

    /// Waits until the fd may be writable, with a guard that gives `&mut`
    /// access.
    ///
    /// ```
    /// use std::io::Write;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let mut guard = fd.writable_mut().await?;
    /// assert_eq!(guard.try_io(|fd| fd.get_mut().write(b"ok")).unwrap()?, 2);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn writable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::WRITABLE).await
    }

    /// [`ready`](Self::ready) with a guard that gives `&mut` access.
    ///
    /// ```
    /// use magpie::io::Interest;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let mut fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let guard = fd.ready_mut(Interest::WRITABLE).await?;
    /// assert!(guard.ready().is_writable());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn ready_mut(
        &mut self,
        interest: Interest,
    ) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        let seen = self.io.ready(interest).await?;
        Ok(AsyncFdReadyMutGuard::new(self, seen))
    }

    /// Runs `f` whenever a direction `interest` names is ready, until it
    /// does not say `WouldBlock` (each `WouldBlock` clears the readiness
    /// seen and waits again).
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use magpie::io::Interest;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, mut b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// b.write_all(b"hey")?;
    /// let mut buf = [0; 8];
    /// let n = fd.async_io(Interest::READABLE, |mut a| a.read(&mut buf)).await?;
    /// assert_eq!(&buf[..n], b"hey");
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.io.async_io_interest(interest, |fd| f(&fd.0)).await
    }

    /// Runs `f` once if a direction `interest` names looks ready
    /// (`WouldBlock` without calling it otherwise); a `WouldBlock` from `f`
    /// clears the readiness seen.
    ///
    /// ```
    /// use std::io::Read;
    /// use magpie::io::Interest;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = magpie::io::unix::AsyncFd::new(a)?;
    /// let mut buf = [0; 8];
    /// let err = fd.try_io(Interest::READABLE, |mut a| a.read(&mut buf)).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.io.try_io_interest(interest, |fd| f(&fd.0))
    }

    /// Forgets what a guard saw (the guards' `clear_ready`).
    pub(super) fn clear(&self, seen: Observed) {
        self.io.clear(seen);
    }
}

impl<T: AsRawFd> AsRawFd for AsyncFd<T> {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.get_ref().as_raw_fd()
    }
}

impl<T: AsRawFd> AsFd for AsyncFd<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl<T: AsRawFd + std::fmt::Debug> std::fmt::Debug for AsyncFd<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncFd")
            .field("inner", self.get_ref())
            .field("interest", &self.interest)
            .finish()
    }
}

/// Why [`AsyncFd::try_new`] failed, with the object it was given.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// # let file = std::fs::File::open("Cargo.toml")?;
/// if let Err(refused) = magpie::io::unix::AsyncFd::try_new(file) {
///     let as_io: std::io::Error = refused.into();
///     # drop(as_io);
/// }
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct AsyncFdTryNewError<T> {
    inner: T,
    cause: io::Error,
}

impl<T> AsyncFdTryNewError<T> {
    /// The object that could not be registered, and why.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let file = std::fs::File::open("Cargo.toml")?;
    /// if let Err(refused) = magpie::io::unix::AsyncFd::try_new(file) {
    ///     let (_file, _why) = refused.into_parts();
    /// }
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn into_parts(self) -> (T, io::Error) {
        (self.inner, self.cause)
    }
}

impl<T> From<AsyncFdTryNewError<T>> for io::Error {
    fn from(e: AsyncFdTryNewError<T>) -> io::Error {
        e.cause
    }
}

impl<T> std::fmt::Debug for AsyncFdTryNewError<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncFdTryNewError")
            .field("cause", &self.cause)
            .finish_non_exhaustive()
    }
}

impl<T> std::fmt::Display for AsyncFdTryNewError<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "could not register the fd with the I/O driver: {}",
            self.cause
        )
    }
}

impl<T> std::error::Error for AsyncFdTryNewError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
}
