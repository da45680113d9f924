//! `duplex`: an in-memory, bounded, two-way pipe, for tests and for joining
//! two pieces of code that each want a stream.
//!
//! Each direction is one [`Pipe`] behind a lock: a byte buffer of at most
//! `max` bytes, the waker of the reader waiting for bytes and the waker of
//! the writer waiting for room, and a `closed` flag. Who wakes whom:
//!
//! * a write that adds bytes wakes the waiting reader;
//! * a read that frees room wakes the waiting writer;
//! * closing (the writer's `close`, or either end dropped) wakes both: the
//!   reader sees end of stream once the buffer is drained, the writer gets
//!   `BrokenPipe`.
//!
//! A waiter stores its waker under the same lock under which it found the
//! buffer empty (or full), and the other side changes the buffer and takes
//! the waker under that lock too, so no wake-up is lost. Wakers are woken
//! (and replaced ones dropped) after the lock is released.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use futures_io::{AsyncRead, AsyncWrite};

use crate::loom::sync::{Arc, Mutex};
use crate::runtime::task::coop;

/// Creates a connected pair of in-memory streams: what one writes, the
/// other reads. Each direction buffers at most `max_buf_size` bytes; a
/// writer facing a full buffer waits until the reader makes room
/// (back-pressure). Dropping one end is end of stream for the other's
/// reads and `BrokenPipe` for its writes; [`close`] on one end is end of
/// stream for the other.
///
/// Works in any executor; on magpie's runtime reads and writes spend the
/// task's cooperative budget like a socket's.
///
/// ```
/// use magpie::io::{duplex, AsyncReadExt, AsyncWriteExt};
///
/// # futures::executor::block_on(async {
/// let (mut client, mut server) = duplex(64);
/// client.write_all(b"ping").await?;
/// let mut buf = [0; 4];
/// server.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"ping");
/// drop(client);
/// assert_eq!(server.read(&mut buf).await?, 0); // end of stream
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
///
/// # Panics
///
/// If `max_buf_size` is 0 (no byte could ever pass).
///
/// [`close`]: crate::io::AsyncWriteExt::close
pub fn duplex(max_buf_size: usize) -> (DuplexStream, DuplexStream) {
    assert!(
        max_buf_size > 0,
        "duplex: the buffer size must be at least 1"
    );
    let one = Arc::new(Mutex::new(Pipe::new(max_buf_size)));
    let two = Arc::new(Mutex::new(Pipe::new(max_buf_size)));
    (
        DuplexStream {
            read: one.clone(),
            write: two.clone(),
        },
        DuplexStream {
            read: two,
            write: one,
        },
    )
}

/// One end of a [`duplex`] pipe: [`AsyncRead`] takes what the other end
/// wrote, [`AsyncWrite`] gives the other end bytes to read.
///
/// ```
/// use magpie::io::{duplex, AsyncReadExt, AsyncWriteExt};
///
/// # futures::executor::block_on(async {
/// let (mut a, mut b) = duplex(8);
/// b.write_all(b"pong").await?;
/// b.close().await?;
/// let mut got = Vec::new();
/// a.read_to_end(&mut got).await?;
/// assert_eq!(got, b"pong");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct DuplexStream {
    read: Arc<Mutex<Pipe>>,
    write: Arc<Mutex<Pipe>>,
}

/// One direction of a duplex pair.
struct Pipe {
    buf: VecDeque<u8>,
    max: usize,
    /// No more bytes will be written (the writer closed or went away), or
    /// none will be read (the reader went away).
    closed: bool,
    reader: Option<Waker>,
    writer: Option<Waker>,
}

impl Pipe {
    fn new(max: usize) -> Pipe {
        Pipe {
            buf: VecDeque::new(),
            max,
            closed: false,
            reader: None,
            writer: None,
        }
    }

    /// Stores `cx`'s waker in `slot`; returns the waker it replaces (to be
    /// dropped after the lock).
    fn park(slot: &mut Option<Waker>, cx: &Context<'_>) -> Option<Waker> {
        match slot {
            Some(waker) if waker.will_wake(cx.waker()) => None,
            _ => slot.replace(cx.waker().clone()),
        }
    }

    fn poll_read(&mut self, cx: &Context<'_>, out: &mut [u8]) -> (Poll<usize>, AfterUnlock) {
        if out.is_empty() {
            return (Poll::Ready(0), AfterUnlock::Nothing);
        }
        if self.buf.is_empty() {
            if self.closed {
                return (Poll::Ready(0), AfterUnlock::Nothing);
            }
            return (
                Poll::Pending,
                AfterUnlock::Drop(Self::park(&mut self.reader, cx)),
            );
        }
        let n = out.len().min(self.buf.len());
        for (to, from) in out.iter_mut().zip(self.buf.drain(..n)) {
            *to = from;
        }
        (Poll::Ready(n), AfterUnlock::Wake(self.writer.take()))
    }

    fn poll_write(
        &mut self,
        cx: &Context<'_>,
        data: &[u8],
    ) -> (Poll<io::Result<usize>>, AfterUnlock) {
        if self.closed {
            return (
                Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
                AfterUnlock::Nothing,
            );
        }
        if data.is_empty() {
            return (Poll::Ready(Ok(0)), AfterUnlock::Nothing);
        }
        let room = self.max - self.buf.len();
        if room == 0 {
            return (
                Poll::Pending,
                AfterUnlock::Drop(Self::park(&mut self.writer, cx)),
            );
        }
        let n = room.min(data.len());
        self.buf.extend(&data[..n]);
        (Poll::Ready(Ok(n)), AfterUnlock::Wake(self.reader.take()))
    }

    /// Ends the pipe; returns both waiters to wake.
    fn close(&mut self) -> [Option<Waker>; 2] {
        self.closed = true;
        [self.reader.take(), self.writer.take()]
    }
}

/// What to do, after the lock, with a waker taken out of a pipe: wake it
/// (the other side's waiter) or just drop it (ours, replaced).
enum AfterUnlock {
    Nothing,
    Wake(Option<Waker>),
    Drop(#[allow(dead_code)] Option<Waker>),
}

impl AfterUnlock {
    fn run(self) {
        if let AfterUnlock::Wake(Some(waker)) = self {
            waker.wake();
        }
    }
}

impl AsyncRead for DuplexStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let coop = ready!(coop::poll_proceed(cx));
        let (poll, wake) = self.read.lock().poll_read(cx, buf);
        wake.run();
        if poll.is_ready() {
            coop.made_progress();
        }
        poll.map(Ok)
    }
}

impl AsyncWrite for DuplexStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let coop = ready!(coop::poll_proceed(cx));
        let (poll, wake) = self.write.lock().poll_write(cx, buf);
        wake.run();
        if poll.is_ready() {
            coop.made_progress();
        }
        poll
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Ends this end's writing: the other end reads what is buffered, then
    /// end of stream. Writing afterwards fails with `BrokenPipe`.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let wakers = self.write.lock().close();
        wakers.into_iter().flatten().for_each(Waker::wake);
        Poll::Ready(Ok(()))
    }
}

impl Drop for DuplexStream {
    fn drop(&mut self) {
        // The other end reads end of stream, and its writes fail.
        let wakers = self.write.lock().close();
        wakers.into_iter().flatten().for_each(Waker::wake);
        let wakers = self.read.lock().close();
        wakers.into_iter().flatten().for_each(Waker::wake);
    }
}

impl fmt::Debug for DuplexStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (readable, max) = {
            let pipe = self.read.lock();
            (pipe.buf.len(), pipe.max)
        };
        f.debug_struct("DuplexStream")
            .field("buffered_to_read", &readable)
            .field("max_buf_size", &max)
            .finish_non_exhaustive()
    }
}
