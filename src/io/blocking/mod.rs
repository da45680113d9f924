//! `Blocking<T>`: the futures-io traits over a blocking handle (a file, the
//! process's stdin/stdout/stderr, or on Windows a child's pipe), one
//! blocking-pool hop per buffer.
//!
//! The protocol, in the order a reader of `fs::File` needs it:
//!
//! 1. The handle and its buffer are either here (`Idle`) or on a pool
//!    thread (`Busy`): a hop moves both into the closure and hands both
//!    back with its [`Outcome`], so no lock is needed and nothing is
//!    shared with the thread.
//! 2. **Reads** fill the buffer with one hop of `max(wanted, BUF_SIZE)`
//!    bytes (at most `MAX_BUF`) and serve small reads from it: a loop of
//!    100-byte reads costs one hop per 64 KiB, not one per read.
//! 3. **Writes** copy into the buffer and return at once; the hop that
//!    writes it out starts when the buffer reaches `BUF_SIZE`, or on
//!    `flush`/`close`, or when a read or seek needs the file position to be
//!    right. Streams that someone reads as they are written (stdout, a
//!    Windows pipe) use `poll_write_through` instead: each write's hop
//!    starts at once, and the next write or flush waits for it. A write
//!    whose hop failed reports the error on the next write, flush, close or
//!    seek (as tokio does).
//! 4. **The file position**: read-ahead moves the OS position past what
//!    the caller has read. Before anything that depends on the position (a
//!    write, a seek, `set_len`), the unread part is dropped and
//!    `pending_seek` remembers how far back the OS position must go; the
//!    next hop seeks back first, then writes buffered data, then does its
//!    own work — all in one hop.
//! 5. **Drop**: an operation in flight finishes on its thread; buffered
//!    write data is handed to the pool in one last hop whose error nobody
//!    sees. `flush` first to see errors. If the runtime shuts down before
//!    the pool starts that hop, the hop is cancelled and the data is lost.
//!
//! If the runtime shuts down while a hop is queued, the hop is cancelled
//! and the handle is gone with it: later operations fail with an error
//! that says so.

use std::future::Future;
use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use crate::runtime::task::JoinHandle;
use crate::runtime::Handle;

/// A fill reads at least this much; writes go out when this much is
/// buffered.
pub(crate) const BUF_SIZE: usize = 64 * 1024;
/// The most one hop reads or accepts for writing.
pub(crate) const MAX_BUF: usize = 2 * 1024 * 1024;

/// The blocking calls a hop makes. Each type implements the ones it has
/// (the others say `Unsupported`); the engine only calls `seek` when
/// something moved the position (which a one-way pipe never does).
pub(crate) trait BlockingIo: Send + 'static {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(unsupported())
    }
    /// Writes all of `buf` and pushes it past any buffer of the handle's
    /// own (std's `Stdout` keeps a line buffer), so that a finished hop
    /// means the OS has the bytes.
    fn write_all(&mut self, _buf: &[u8]) -> io::Result<()> {
        Err(unsupported())
    }
    fn seek(&mut self, _pos: SeekFrom) -> io::Result<u64> {
        Err(unsupported())
    }
}

fn unsupported() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "not supported by this handle (a one-way stream)",
    )
}

/// What the buffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Empty,
    /// `data[pos..]` was read from the handle and not yet by the caller.
    Read,
    /// `data` waits to be written.
    Write,
}

#[derive(Debug)]
struct Buf {
    data: Vec<u8>,
    pos: usize,
    mode: Mode,
}

impl Buf {
    fn unread(&self) -> &[u8] {
        match self.mode {
            Mode::Read => &self.data[self.pos..],
            _ => &[],
        }
    }

    /// Drops read-ahead data; returns how far the OS position is ahead of
    /// the caller's (as a negative offset to seek by).
    fn discard_read(&mut self) -> i64 {
        if self.mode != Mode::Read {
            return 0;
        }
        let ahead = self.data.len() - self.pos;
        self.clear();
        -(ahead as i64)
    }

    fn has_write_data(&self) -> bool {
        self.mode == Mode::Write && !self.data.is_empty()
    }

    fn clear(&mut self) {
        self.data.clear();
        self.pos = 0;
        self.mode = Mode::Empty;
    }
}

/// What a hop does after its prelude (seek back, write buffered data).
enum Then {
    Nothing,
    Fill(usize),
    Seek(SeekFrom),
}

/// A hop's result.
enum Outcome {
    Wrote(io::Result<()>),
    Read(io::Result<()>),
    Seek(io::Result<u64>),
}

struct Parts<T> {
    io: T,
    buf: Buf,
}

enum State<T> {
    /// `None` only after a hop was lost to runtime shutdown.
    Idle(Option<Parts<T>>),
    Busy(JoinHandle<(Parts<T>, Outcome)>),
}

/// The parts, borrowed from `self.state` alone (so the other fields stay
/// usable) after `poll_complete` returned `Ready(Ok)`.
macro_rules! idle {
    ($this:ident) => {
        match &mut $this.state {
            State::Idle(Some(parts)) => parts,
            _ => unreachable!("used after poll_complete succeeded"),
        }
    };
}

/// See the module docs.
pub(crate) struct Blocking<T: BlockingIo> {
    state: State<T>,
    handle: Handle,
    /// Seek by this much (from the current position) before the next
    /// write or seek; see step 4.
    pending_seek: i64,
    /// The result of the last hop that the operation that started it has
    /// not taken yet.
    outcome: Option<Outcome>,
    /// A failed background write, reported by the next write, flush or seek.
    write_err: Option<io::Error>,
}

fn lost() -> io::Error {
    io::Error::other(
        "magpie: the blocking operation was cancelled (the runtime shut down); the handle is closed",
    )
}

impl<T: BlockingIo> Blocking<T> {
    /// Wraps `io`; hops run on `handle`'s blocking pool.
    pub(crate) fn new(io: T, handle: Handle) -> Blocking<T> {
        Blocking {
            state: State::Idle(Some(Parts {
                io,
                buf: Buf {
                    data: Vec::new(),
                    pos: 0,
                    mode: Mode::Empty,
                },
            })),
            handle,
            pending_seek: 0,
            outcome: None,
            write_err: None,
        }
    }

    /// Waits for the hop in flight, if any, and takes its results back.
    /// On `Ready(Ok)` the state is `Idle(Some(_))` (see [`idle!`]).
    fn poll_complete(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let State::Busy(hop) = &mut self.state {
            let done = ready!(Pin::new(hop).poll(cx));
            match done {
                Ok((parts, outcome)) => {
                    self.state = State::Idle(Some(parts));
                    match outcome {
                        Outcome::Wrote(Err(e)) => self.write_err = Some(e),
                        Outcome::Wrote(Ok(())) => {}
                        other => self.outcome = Some(other),
                    }
                }
                Err(join) if join.is_panic() => {
                    self.state = State::Idle(None);
                    return Poll::Ready(Err(io::Error::other(format!(
                        "magpie: a blocking I/O operation panicked: {join}"
                    ))));
                }
                Err(_) => self.state = State::Idle(None),
            }
        }
        match &self.state {
            State::Idle(Some(_)) => Poll::Ready(Ok(())),
            _ => Poll::Ready(Err(lost())),
        }
    }

    /// Sends the handle and buffer to the pool for one hop.
    fn start(&mut self, then: Then) {
        let State::Idle(parts) = &mut self.state else {
            unreachable!("Blocking::start while a hop is in flight");
        };
        let parts = parts.take().expect("start after poll_complete succeeded");
        let seek = std::mem::take(&mut self.pending_seek);
        self.outcome = None;
        self.state = State::Busy(self.handle.spawn_blocking(move || hop(parts, seek, then)));
    }

    /// Takes the handle out (the engine is empty afterwards, and its drop
    /// does nothing). Buffered data is dropped: settle first. `None` while
    /// a hop is in flight, or after one was lost.
    pub(crate) fn take_io(&mut self) -> Option<T> {
        match &mut self.state {
            State::Idle(parts) => parts.take().map(|parts| parts.io),
            State::Busy(_) => None,
        }
    }

    /// Whether nothing is in flight or pending: no hop running, an empty
    /// buffer (no unwritten data, no read-ahead), no seek to make up and no
    /// result or error not yet taken. Then the OS position is the caller's
    /// and the handle can leave as it is.
    pub(crate) fn is_settled(&self) -> bool {
        matches!(&self.state, State::Idle(Some(parts))
            if parts.buf.unread().is_empty() && !parts.buf.has_write_data())
            && self.pending_seek == 0
            && self.outcome.is_none()
            && self.write_err.is_none()
    }

    /// [`take_io`](Self::take_io), by value, with an error for `None`.
    #[cfg(windows)]
    pub(crate) fn into_io(mut self) -> io::Result<T> {
        self.take_io().ok_or_else(|| {
            io::Error::other("magpie: the handle is busy with an operation in flight, or was lost")
        })
    }

    /// `AsyncRead::poll_read`.
    pub(crate) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if dst.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            ready!(self.poll_complete(cx))?;
            let parts = idle!(self);
            let filled = match self.outcome.take() {
                Some(Outcome::Read(Err(e))) => return Poll::Ready(Err(e)),
                Some(Outcome::Read(Ok(()))) => true,
                _ => false,
            };
            let unread = parts.buf.unread();
            if !unread.is_empty() {
                let n = unread.len().min(dst.len());
                dst[..n].copy_from_slice(&unread[..n]);
                parts.buf.pos += n;
                return Poll::Ready(Ok(n));
            }
            if filled {
                // The fill this read started found nothing: end of file.
                parts.buf.clear();
                return Poll::Ready(Ok(0));
            }
            // Buffered writes (and a seek back) go first, in the same hop.
            self.start(Then::Fill(dst.len().clamp(BUF_SIZE, MAX_BUF)));
        }
    }

    /// `AsyncWrite::poll_write`: buffers, and starts a hop when the buffer
    /// is full.
    pub(crate) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        ready!(self.poll_complete(cx))?;
        let parts = idle!(self);
        self.outcome = None;
        if let Some(e) = self.write_err.take() {
            return Poll::Ready(Err(e));
        }
        self.pending_seek += parts.buf.discard_read();
        let buf = &mut parts.buf;
        let room = if buf.data.is_empty() {
            src.len().clamp(BUF_SIZE, MAX_BUF)
        } else {
            BUF_SIZE.saturating_sub(buf.data.len())
        };
        let n = room.min(src.len());
        buf.data.extend_from_slice(&src[..n]);
        buf.mode = Mode::Write;
        if buf.data.len() >= BUF_SIZE {
            self.start(Then::Nothing);
        }
        Poll::Ready(Ok(n))
    }

    /// `AsyncWrite::poll_write` for a stream someone is waiting on (a pipe,
    /// a terminal): waits for the previous hop and reports its error, then
    /// buffers `src` (up to `MAX_BUF` bytes) and starts its hop at once, so
    /// every write reaches the handle without a `flush`, one hop at a time
    /// (tokio's stdout and Windows pipes work this way).
    pub(crate) fn poll_write_through(
        &mut self,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_flush(cx))?;
        // Idle with an empty buffer now: this takes up to `MAX_BUF` bytes
        // and does not wait.
        let n = ready!(self.poll_write(cx, src))?;
        if matches!(&self.state, State::Idle(Some(p)) if p.buf.has_write_data()) {
            self.start(Then::Nothing);
        }
        Poll::Ready(Ok(n))
    }

    /// `AsyncWrite::poll_flush`: writes out what is buffered and reports
    /// the first error of any background write.
    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_settle_inner(cx, false)
    }

    /// Flushes, and also drops read-ahead so that the OS position is the
    /// caller's: for calls outside the engine that depend on it
    /// (`set_len`, `sync_all`, handing the std handle back).
    pub(crate) fn poll_settle(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_settle_inner(cx, true)
    }

    fn poll_settle_inner(&mut self, cx: &mut Context<'_>, realign: bool) -> Poll<io::Result<()>> {
        loop {
            ready!(self.poll_complete(cx))?;
            let parts = idle!(self);
            self.outcome = None;
            if let Some(e) = self.write_err.take() {
                return Poll::Ready(Err(e));
            }
            if realign {
                self.pending_seek += parts.buf.discard_read();
            }
            let realign_pending = realign && self.pending_seek != 0;
            if !parts.buf.has_write_data() && !realign_pending {
                return Poll::Ready(Ok(()));
            }
            self.start(Then::Nothing);
        }
    }

    /// `AsyncSeek::poll_seek`: the caller polls again with the same `pos`
    /// until it is ready.
    pub(crate) fn poll_seek(
        &mut self,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        loop {
            ready!(self.poll_complete(cx))?;
            let parts = idle!(self);
            if let Some(Outcome::Seek(result)) = self.outcome.take() {
                return Poll::Ready(result);
            }
            if let Some(e) = self.write_err.take() {
                return Poll::Ready(Err(e));
            }
            self.pending_seek += parts.buf.discard_read();
            self.start(Then::Seek(pos));
        }
    }
}

impl<T: BlockingIo> Drop for Blocking<T> {
    fn drop(&mut self) {
        // A hop in flight finishes on its own; the JoinHandle just goes.
        if matches!(&self.state, State::Idle(Some(p)) if p.buf.has_write_data()) {
            self.start(Then::Nothing);
        }
    }
}

/// One hop, on a pool thread: seek back, write buffered data, then `then`.
fn hop<T: BlockingIo>(mut parts: Parts<T>, seek: i64, then: Then) -> (Parts<T>, Outcome) {
    let Parts { io, buf } = &mut parts;
    let mut prelude = || -> io::Result<()> {
        if seek != 0 {
            io.seek(SeekFrom::Current(seek))?;
        }
        if buf.has_write_data() {
            let written = io.write_all(&buf.data);
            buf.clear();
            written?;
        }
        Ok(())
    };
    let prelude = prelude();
    let outcome = match then {
        Then::Nothing => Outcome::Wrote(prelude),
        Then::Seek(pos) => Outcome::Seek(prelude.and_then(|()| io.seek(pos))),
        Then::Fill(len) => Outcome::Read(prelude.and_then(|()| {
            buf.data.resize(len, 0);
            let n = loop {
                match io.read(&mut buf.data) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        buf.clear();
                        return Err(e);
                    }
                    Ok(n) => break n,
                }
            };
            buf.data.truncate(n);
            buf.pos = 0;
            buf.mode = Mode::Read;
            Ok(())
        })),
    };
    (parts, outcome)
}

#[cfg(test)]
mod tests;
