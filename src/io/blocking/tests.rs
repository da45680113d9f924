//! The engine's promise, counted: one hop per buffer, not per call, and
//! the OS position put back after read-ahead.

use super::{Blocking, BlockingIo, BUF_SIZE};
use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// An in-memory file that counts the blocking calls made on it.
#[derive(Clone, Default)]
struct Counted {
    data: Arc<Mutex<Cursor<Vec<u8>>>>,
    reads: Arc<AtomicUsize>,
    writes: Arc<AtomicUsize>,
}

impl BlockingIo for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.data.lock().unwrap().read(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.data.lock().unwrap().write_all(buf)
    }
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.data.lock().unwrap().seek(pos)
    }
}

/// The engine as a futures-io object, for the extension methods.
struct Engine(Blocking<Counted>);

/// The engine with `poll_write_through` as its write.
struct Stream(Blocking<Counted>);

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().0.poll_write_through(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().0.poll_flush(cx)
    }
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().0.poll_flush(cx)
    }
}

impl AsyncRead for Engine {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().0.poll_read(cx, buf)
    }
}

impl AsyncWrite for Engine {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().0.poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().0.poll_flush(cx)
    }
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().0.poll_flush(cx)
    }
}

impl AsyncSeek for Engine {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        self.get_mut().0.poll_seek(cx, pos)
    }
}

fn run<F: std::future::Future>(f: impl FnOnce(crate::runtime::Handle) -> F) -> F::Output {
    let rt = crate::runtime::Builder::new()
        .worker_threads(1)
        .build()
        .unwrap();
    let handle = rt.handle().clone();
    rt.block_on(f(handle))
}

#[test]
fn small_reads_cost_one_hop_per_buffer() {
    use crate::io::AsyncReadExt;
    let io = Counted::default();
    *io.data.lock().unwrap() = Cursor::new(vec![7u8; 100_000]);
    let reads = io.reads.clone();
    run(|handle| async move {
        let mut engine = Engine(Blocking::new(io, handle));
        let mut total = 0;
        let mut buf = [0u8; 100];
        loop {
            let n = engine.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            total += n;
        }
        assert_eq!(total, 100_000);
    });
    // 100 000 bytes in 64 KiB fills: two with data, one that finds the end.
    assert_eq!(reads.load(Ordering::SeqCst), 3);
}

#[test]
fn small_writes_cost_one_hop_per_buffer() {
    use crate::io::AsyncWriteExt;
    let io = Counted::default();
    let (writes, data) = (io.writes.clone(), io.data.clone());
    let seen = writes.clone();
    run(|handle| async move {
        let mut engine = Engine(Blocking::new(io, handle));
        for _ in 0..1000 {
            engine.write_all(&[1u8; 100]).await.unwrap();
        }
        assert_eq!(
            seen.load(Ordering::SeqCst),
            1,
            "only the first full buffer went out"
        );
        engine.flush().await.unwrap();
    });
    assert_eq!(writes.load(Ordering::SeqCst), 2);
    assert_eq!(data.lock().unwrap().get_ref().len(), 100_000);
    const { assert!(BUF_SIZE < 100_000) };
}

#[test]
fn a_write_after_a_read_lands_where_the_caller_stopped_reading() {
    use crate::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
    let io = Counted::default();
    *io.data.lock().unwrap() = Cursor::new(b"abcdefghij".to_vec());
    let data = io.data.clone();
    run(|handle| async move {
        let mut engine = Engine(Blocking::new(io, handle));
        let mut two = [0u8; 2];
        engine.read_exact(&mut two).await.unwrap(); // the fill read all ten
        engine.write_all(b"XY").await.unwrap();
        assert_eq!(engine.stream_position().await.unwrap(), 4);
        engine.seek(SeekFrom::Current(-1)).await.unwrap();
        let mut rest = Vec::new();
        engine.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b"Yefghij");
    });
    assert_eq!(data.lock().unwrap().get_ref(), b"abXYefghij");
}

#[test]
fn a_write_through_goes_out_in_its_own_hop_without_a_flush() {
    use crate::io::AsyncWriteExt;
    let io = Counted::default();
    let (writes, data) = (io.writes.clone(), io.data.clone());
    run(|handle| async move {
        let mut stream = Stream(Blocking::new(io, handle));
        stream.write_all(b"one ").await.unwrap();
        // This write waits for "one "'s hop; its own hop starts at once,
        // so "two " may be out already too.
        stream.write_all(b"two ").await.unwrap();
        let so_far = data.lock().unwrap().get_ref().clone();
        assert!(
            so_far == b"one " || so_far == b"one two ",
            "{:?}",
            String::from_utf8_lossy(&so_far)
        );
        stream.write_all(b"three").await.unwrap();
        stream.flush().await.unwrap();
        assert_eq!(data.lock().unwrap().get_ref(), b"one two three");
    });
    assert_eq!(writes.load(Ordering::SeqCst), 3);
}
