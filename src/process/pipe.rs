//! The parent's ends of a child's pipes: `ChildStdin`, `ChildStdout`,
//! `ChildStderr`.
//!
//! On Unix a pipe is a file descriptor like a socket's: it is switched to
//! non-blocking mode and registered with the I/O driver (a `PollEvented`),
//! so reading and writing hold no thread. On Windows the driver can only
//! wait on sockets, so each read or write is a hop to the blocking pool
//! (the engine of `io/blocking.rs`); a write goes out in its own hop at
//! once, so a child sees each write without a `flush`, as on Unix.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

#[cfg(unix)]
use crate::runtime::driver::io::PollEvented;

/// A registered pipe end (Unix): the std file type gives `&File: Read +
/// Write` over any descriptor.
#[cfg(unix)]
type Pipe = PollEvented<std::fs::File>;

/// Takes a std pipe end, switches it to non-blocking mode and registers it
/// with the current runtime's I/O driver.
#[cfg(unix)]
fn register(fd: std::os::fd::OwnedFd) -> io::Result<Pipe> {
    use std::os::fd::AsRawFd;
    let raw = fd.as_raw_fd();
    // SAFETY: `raw` is open (owned by `fd` for this whole block); F_GETFL
    // and F_SETFL only change this descriptor's status flags.
    unsafe {
        let flags = libc::fcntl(raw, libc::F_GETFL);
        if flags < 0 || libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    PollEvented::new(std::fs::File::from(fd))
}

#[cfg(windows)]
mod sys {
    use crate::io::blocking::BlockingIo;
    use std::io::{self, Read, Write};

    /// A std pipe end moved to and from the pool for each hop.
    pub(super) struct PipeIo<T>(pub(super) T);

    impl BlockingIo for PipeIo<std::process::ChildStdin> {
        fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
            self.0.write_all(buf)
        }
    }

    impl BlockingIo for PipeIo<std::process::ChildStdout> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }

    impl BlockingIo for PipeIo<std::process::ChildStderr> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }
}

#[cfg(windows)]
type Pipe<T> = crate::io::blocking::Blocking<sys::PipeIo<T>>;

/// The child's standard input, when it was set to
/// [`Stdio::piped`](std::process::Stdio::piped). Implements
/// [`AsyncWrite`](crate::io::AsyncWrite).
///
/// Writes go to the pipe directly (`flush` has nothing to do).
/// [`close`](crate::io::AsyncWriteExt::close) (or dropping it) closes the
/// pipe, so the child reads end of file; a write after `close` fails with
/// `BrokenPipe`. A write to a child that has closed its end (or exited)
/// fails with `BrokenPipe` too.
///
/// ```
/// # #[cfg(unix)]
/// # magpie::Runtime::new().unwrap().block_on(async {
/// use magpie::io::AsyncWriteExt;
/// use magpie::process::{Command, Stdio};
///
/// let mut child = Command::new("cat")
///     .stdin(Stdio::piped())
///     .stdout(Stdio::piped())
///     .spawn()?;
/// let mut stdin = child.stdin.take().unwrap();
/// stdin.write_all(b"to cat").await?;
/// stdin.close().await?; // cat sees end of file and exits
/// let out = child.wait_with_output().await?;
/// assert_eq!(out.stdout, b"to cat");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct ChildStdin {
    #[cfg(unix)]
    io: Option<Pipe>,
    #[cfg(windows)]
    io: Option<Pipe<std::process::ChildStdin>>,
}

/// The child's standard output, when it was set to
/// [`Stdio::piped`](std::process::Stdio::piped). Implements
/// [`AsyncRead`](crate::io::AsyncRead); reads return 0 (end of file) once
/// the child (and every process it passed the pipe to) has closed it.
///
/// ```
/// # #[cfg(unix)]
/// # magpie::Runtime::new().unwrap().block_on(async {
/// use magpie::io::AsyncReadExt;
/// use magpie::process::{Command, Stdio};
///
/// let mut child = Command::new("echo").arg("hi").stdout(Stdio::piped()).spawn()?;
/// let mut text = String::new();
/// child.stdout.take().unwrap().read_to_string(&mut text).await?;
/// assert_eq!(text, "hi\n");
/// child.wait().await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct ChildStdout {
    #[cfg(unix)]
    io: Pipe,
    #[cfg(windows)]
    io: Pipe<std::process::ChildStdout>,
}

/// The child's standard error, when it was set to
/// [`Stdio::piped`](std::process::Stdio::piped). Implements
/// [`AsyncRead`](crate::io::AsyncRead), as [`ChildStdout`].
///
/// ```
/// # #[cfg(unix)]
/// # magpie::Runtime::new().unwrap().block_on(async {
/// use magpie::io::AsyncReadExt;
/// use magpie::process::{Command, Stdio};
///
/// let mut child = Command::new("sh")
///     .args(["-c", "echo oops >&2"])
///     .stderr(Stdio::piped())
///     .spawn()?;
/// let mut text = String::new();
/// child.stderr.take().unwrap().read_to_string(&mut text).await?;
/// assert_eq!(text, "oops\n");
/// child.wait().await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct ChildStderr {
    #[cfg(unix)]
    io: Pipe,
    #[cfg(windows)]
    io: Pipe<std::process::ChildStderr>,
}

impl ChildStdin {
    pub(super) fn from_std(std: std::process::ChildStdin) -> io::Result<ChildStdin> {
        #[cfg(unix)]
        let io = register(std.into())?;
        #[cfg(windows)]
        let io = Pipe::new(sys::PipeIo(std), crate::runtime::Handle::current());
        Ok(ChildStdin { io: Some(io) })
    }
}

impl ChildStdout {
    pub(super) fn from_std(std: std::process::ChildStdout) -> io::Result<ChildStdout> {
        #[cfg(unix)]
        let io = register(std.into())?;
        #[cfg(windows)]
        let io = Pipe::new(sys::PipeIo(std), crate::runtime::Handle::current());
        Ok(ChildStdout { io })
    }
}

impl ChildStderr {
    pub(super) fn from_std(std: std::process::ChildStderr) -> io::Result<ChildStderr> {
        #[cfg(unix)]
        let io = register(std.into())?;
        #[cfg(windows)]
        let io = Pipe::new(sys::PipeIo(std), crate::runtime::Handle::current());
        Ok(ChildStderr { io })
    }
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "ChildStdin was closed")
}

impl futures_io::AsyncWrite for ChildStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let Some(io) = &mut self.get_mut().io else {
            return Poll::Ready(Err(closed()));
        };
        #[cfg(unix)]
        return io.poll_write(cx, buf);
        #[cfg(windows)]
        io.poll_write_through(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().io {
            #[cfg(windows)]
            Some(io) => io.poll_flush(cx),
            #[cfg(unix)]
            Some(_) => {
                let _ = cx;
                Poll::Ready(Ok(()))
            }
            None => Poll::Ready(Ok(())),
        }
    }

    /// Closes the pipe: the child reads end of file.
    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.as_mut().poll_flush(cx))?;
        self.get_mut().io = None;
        Poll::Ready(Ok(()))
    }
}

macro_rules! impl_read {
    ($ty:ty) => {
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                self.get_mut().io.poll_read(cx, buf)
            }
        }
    };
}
impl_read!(ChildStdout);
impl_read!(ChildStderr);

macro_rules! impl_debug {
    ($ty:ident) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty)).finish_non_exhaustive()
            }
        }
    };
}
impl_debug!(ChildStdin);
impl_debug!(ChildStdout);
impl_debug!(ChildStderr);

#[cfg(unix)]
impl std::os::fd::AsRawFd for ChildStdout {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(self.io.get_ref())
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for ChildStderr {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(self.io.get_ref())
    }
}

/// Turns a Unix pipe end back into a blocking descriptor for a `Stdio`: the
/// next child shares the open file description, and most programs expect
/// their standard streams to block.
#[cfg(unix)]
fn into_stdio(io: Pipe) -> io::Result<std::process::Stdio> {
    use std::os::fd::AsRawFd;
    let file = io.into_inner()?;
    let raw = file.as_raw_fd();
    // SAFETY: `raw` is open (owned by `file`); this clears O_NONBLOCK on it.
    unsafe {
        let flags = libc::fcntl(raw, libc::F_GETFL);
        if flags < 0 || libc::fcntl(raw, libc::F_SETFL, flags & !libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(std::process::Stdio::from(std::os::fd::OwnedFd::from(file)))
}

/// Hands the pipe to another child as its stdin, stdout or stderr (in
/// `Command::stdin` and friends), so the two children talk directly.
///
/// On Windows, data this end had already read ahead into its buffer is
/// not passed on: convert before reading.
///
/// ```
/// # #[cfg(unix)]
/// # magpie::Runtime::new().unwrap().block_on(async {
/// use magpie::process::{Command, Stdio};
///
/// let mut echo = Command::new("echo").arg("piped").stdout(Stdio::piped()).spawn()?;
/// let into_tr: Stdio = echo.stdout.take().unwrap().try_into()?;
/// let out = Command::new("tr").args(["a-z", "A-Z"]).stdin(into_tr).output().await?;
/// assert_eq!(out.stdout, b"PIPED\n");
/// echo.wait().await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
impl TryFrom<ChildStdout> for std::process::Stdio {
    type Error = io::Error;

    fn try_from(pipe: ChildStdout) -> io::Result<std::process::Stdio> {
        #[cfg(unix)]
        return into_stdio(pipe.io);
        #[cfg(windows)]
        pipe.io.into_io().map(|io| io.0.into())
    }
}

/// As for [`ChildStdout`]: the pipe becomes another child's stream.
///
/// ```
/// # #[cfg(unix)]
/// # magpie::Runtime::new().unwrap().block_on(async {
/// use magpie::process::{Command, Stdio};
///
/// let mut sh = Command::new("sh").args(["-c", "echo err >&2"]).stderr(Stdio::piped()).spawn()?;
/// let into_cat: Stdio = sh.stderr.take().unwrap().try_into()?;
/// let out = Command::new("cat").stdin(into_cat).output().await?;
/// assert_eq!(out.stdout, b"err\n");
/// sh.wait().await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
impl TryFrom<ChildStderr> for std::process::Stdio {
    type Error = io::Error;

    fn try_from(pipe: ChildStderr) -> io::Result<std::process::Stdio> {
        #[cfg(unix)]
        return into_stdio(pipe.io);
        #[cfg(windows)]
        pipe.io.into_io().map(|io| io.0.into())
    }
}

/// As for [`ChildStdout`]: the pipe becomes another child's stream (its
/// stdout, typically). Fails with `BrokenPipe` after `close`.
///
/// ```
/// # #[cfg(unix)]
/// # magpie::Runtime::new().unwrap().block_on(async {
/// use magpie::process::{Command, Stdio};
///
/// let mut cat = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
/// let into_cat: Stdio = cat.stdin.take().unwrap().try_into()?;
/// Command::new("echo").arg("via cat").stdout(into_cat).status().await?;
/// let out = cat.wait_with_output().await?;
/// assert_eq!(out.stdout, b"via cat\n");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
impl TryFrom<ChildStdin> for std::process::Stdio {
    type Error = io::Error;

    fn try_from(pipe: ChildStdin) -> io::Result<std::process::Stdio> {
        let io = pipe.io.ok_or_else(closed)?;
        #[cfg(unix)]
        return into_stdio(io);
        #[cfg(windows)]
        io.into_io().map(|io| io.0.into())
    }
}
