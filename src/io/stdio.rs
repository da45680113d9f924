//! `stdin()`, `stdout()`, `stderr()`: the process's standard streams, in
//! tokio's shape, on the blocking pool.
//!
//! A terminal, a pipe or a file may stand behind each stream, and only
//! some of those offer readiness events on some platforms, so (as in tokio)
//! every operation is a hop to the runtime's blocking pool, through the
//! engine of `io/blocking`: one hop in flight per handle, the data moved
//! into the hop and back with its buffer.
//!
//! * **Reads** fetch what one `read` of std's `Stdin` returns (a line from
//!   a terminal, up to 64 KiB from a pipe) and serve small reads from it.
//! * **Writes** start their hop at once (a prompt appears without a
//!   `flush`); the next write waits for it. Each hop writes the bytes
//!   through std's handle *and flushes std's line buffer*, so when a write
//!   hop has finished the OS has the bytes. `flush` waits for the hop in
//!   flight and reports its error.
//! * Errors are std's, unchanged: a write to a closed pipe is
//!   `BrokenPipe`, reported by the next write or by `flush`.
//!
//! The handles go through std's global `Stdin`/`Stdout`/`Stderr` (each hop
//! takes its lock), so they share std's buffers and locks with `print!`
//! and `std::io::stdin()`.

use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::blocking::{Blocking, BlockingIo};

/// The handle a stdin hop reads from.
struct StdinIo;

impl BlockingIo for StdinIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        io::stdin().lock().read(buf)
    }
}

/// The handle a stdout hop writes to.
struct StdoutIo;

impl BlockingIo for StdoutIo {
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(buf)?;
        // std's stdout holds a partial line back; the hop's bytes must
        // reach the OS before the hop reports success.
        out.flush()
    }
}

/// The handle a stderr hop writes to (std's stderr is not buffered).
struct StderrIo;

impl BlockingIo for StderrIo {
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        io::stderr().lock().write_all(buf)
    }
}

/// A handle to the process's standard input, from [`stdin`]. Implements
/// [`AsyncRead`](crate::io::AsyncRead) (use
/// [`AsyncReadExt`](crate::io::AsyncReadExt) and
/// [`BufReader`](crate::io::BufReader) for `read_to_end`, `lines`, …).
///
/// Each read runs std's blocking read on the blocking pool, so reading
/// does not hold a worker.
///
/// # Caveats (as in tokio)
///
/// * **A read cannot be cancelled once it has started.** Dropping the read
///   future (say, the losing branch of a `select!`) leaves the hop blocked
///   on its pool thread until input arrives; polling this `Stdin` again
///   picks up what that hop read, but if the `Stdin` itself is dropped,
///   what it reads is lost.
/// * For the same reason, **dropping the runtime waits for that read**
///   (the blocking pool joins its threads): with a terminal, until the
///   user presses Enter. Use
///   [`Runtime::shutdown_background`](crate::Runtime::shutdown_background)
///   or [`shutdown_timeout`](crate::Runtime::shutdown_timeout) to exit
///   without waiting.
/// * std's `Stdin` keeps a buffer of its own; this handle reads through it,
///   so mixing it with `std::io::stdin()` reads sees each byte once, in
///   the order the reads took them.
///
/// Meant for input piped into a program; for an interactive prompt,
/// reading line by line with [`lines`](crate::io::AsyncBufReadExt::lines)
/// works as well. asyncio readers: this is `connect_read_pipe(sys.stdin)`
/// (or `aioconsole.ainput`) with a `StreamReader`.
///
/// ```no_run
/// use magpie::io::{AsyncBufReadExt, BufReader};
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let mut lines = BufReader::new(magpie::io::stdin()).lines();
/// while let Some(line) = lines.next_line().await? {
///     println!("got {line}");
/// }
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct Stdin {
    inner: Blocking<StdinIo>,
    /// For the OS handle accessors.
    std: io::Stdin,
}

/// The process's standard input; see [`Stdin`]. Panics outside a runtime.
///
/// ```no_run
/// use magpie::io::AsyncReadExt;
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let mut input = Vec::new();
/// magpie::io::stdin().read_to_end(&mut input).await?; // until end of file
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub fn stdin() -> Stdin {
    Stdin {
        inner: Blocking::new(StdinIo, crate::runtime::Handle::current()),
        std: io::stdin(),
    }
}

impl futures_io::AsyncRead for Stdin {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_read(cx, buf)
    }
}

/// Defines a write handle (`Stdout`, `Stderr`): the type, its constructor
/// and its `AsyncWrite`.
macro_rules! writer {
    (
        $(#[$type_doc:meta])* $name:ident,
        $(#[$fn_doc:meta])* $ctor:ident,
        $io:ident
    ) => {
        $(#[$type_doc])*
        pub struct $name {
            inner: Blocking<$io>,
            /// For the OS handle accessors.
            std: io::$name,
        }

        $(#[$fn_doc])*
        pub fn $ctor() -> $name {
            $name {
                inner: Blocking::new($io, crate::runtime::Handle::current()),
                std: io::$ctor(),
            }
        }

        impl futures_io::AsyncWrite for $name {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.get_mut().inner.poll_write_through(cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().inner.poll_flush(cx)
            }

            /// Flushes; the process's stream stays open.
            fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().inner.poll_flush(cx)
            }
        }
    };
}

writer!(
    /// A handle to the process's standard output, from [`stdout`].
    /// Implements [`AsyncWrite`](crate::io::AsyncWrite) (use
    /// [`AsyncWriteExt`](crate::io::AsyncWriteExt) for `write_all`,
    /// `flush`).
    ///
    /// Each write is handed to the blocking pool at once and the call
    /// returns; the next write (or `flush`) waits until that one is out.
    /// **`flush().await` returning `Ok` means every byte written before it
    /// reached the OS** (std's line buffer included); an error of a
    /// background write is reported by the next write or `flush`.
    ///
    /// # Caveats (as in tokio)
    ///
    /// * **Interleaving**: one `write` call is written in one piece (its
    ///   hop holds std's stdout lock), but `write_all` of a large buffer,
    ///   or writes from two `Stdout` handles, `println!` or other tasks may
    ///   interleave between calls. Write each line with one `write_all`
    ///   from one task (or through one channel) to keep lines whole.
    /// * **Dropping** does not wait: a write in flight finishes on its pool
    ///   thread. If the runtime shuts down before the pool started it, it
    ///   is lost: `flush` before the end when the output matters.
    /// * On a Windows console, std requires UTF-8 and rejects other bytes
    ///   with `InvalidData` (a character split across two writes is fine:
    ///   std keeps the first part until the rest comes).
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    ///
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let mut out = magpie::io::stdout();
    /// out.write_all(b"hello, ").await?;
    /// out.write_all(b"world\n").await?;
    /// out.flush().await?; // both writes have reached the OS
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    Stdout,
    /// The process's standard output; see [`Stdout`]. Panics outside a
    /// runtime.
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    ///
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// magpie::io::stdout().write_all(b"done\n").await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    stdout,
    StdoutIo
);

writer!(
    /// A handle to the process's standard error, from [`stderr`]. Works as
    /// [`Stdout`] (same buffering, same caveats).
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    ///
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let mut err = magpie::io::stderr();
    /// err.write_all(b"warning: disk almost full\n").await?;
    /// err.flush().await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    Stderr,
    /// The process's standard error; see [`Stderr`]. Panics outside a
    /// runtime.
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    ///
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// magpie::io::stderr().write_all(b"oops\n").await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    stderr,
    StderrIo
);

/// `Debug` and the OS handle accessors, from std's handle of the stream.
macro_rules! impl_handle {
    ($name:ident) => {
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }

        #[cfg(unix)]
        impl std::os::fd::AsFd for $name {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                std::os::fd::AsFd::as_fd(&self.std)
            }
        }

        #[cfg(unix)]
        impl std::os::fd::AsRawFd for $name {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                std::os::fd::AsRawFd::as_raw_fd(&self.std)
            }
        }

        #[cfg(windows)]
        impl std::os::windows::io::AsHandle for $name {
            fn as_handle(&self) -> std::os::windows::io::BorrowedHandle<'_> {
                std::os::windows::io::AsHandle::as_handle(&self.std)
            }
        }

        #[cfg(windows)]
        impl std::os::windows::io::AsRawHandle for $name {
            fn as_raw_handle(&self) -> std::os::windows::io::RawHandle {
                std::os::windows::io::AsRawHandle::as_raw_handle(&self.std)
            }
        }
    };
}

impl_handle!(Stdin);
impl_handle!(Stdout);
impl_handle!(Stderr);
