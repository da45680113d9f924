//! magpie::io helpers on in-memory readers and writers, including ones
//! that say `Pending` between chunks, as a socket would.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::executor::block_on;
use magpie::io::{
    copy, split, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
    BufWriter,
};

/// Yields `data` a few bytes at a time, saying `Pending` (after waking
/// itself) before each chunk.
struct Trickle {
    data: Vec<u8>,
    pos: usize,
    chunk: usize,
    ready: bool,
}

impl Trickle {
    fn new(data: &[u8], chunk: usize) -> Trickle {
        Trickle {
            data: data.to_vec(),
            pos: 0,
            chunk,
            ready: false,
        }
    }
}

impl AsyncRead for Trickle {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if !self.ready {
            self.ready = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.ready = false;
        let n = self.chunk.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Poll::Ready(Ok(n))
    }
}

/// Takes at most `chunk` bytes per write, saying `Pending` in between.
#[derive(Default)]
struct Sink {
    data: Vec<u8>,
    chunk: usize,
    ready: bool,
    flushes: usize,
    closed: bool,
}

impl AsyncWrite for Sink {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if !self.ready {
            self.ready = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.ready = false;
        let n = self.chunk.min(buf.len());
        self.data.extend_from_slice(&buf[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.flushes += 1;
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.closed = true;
        Poll::Ready(Ok(()))
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn read_to_end_collects_a_trickling_stream() {
    let data = pattern(100_000);
    let mut reader = Trickle::new(&data, 997);
    let mut out = b"prefix".to_vec();
    let n = block_on(reader.read_to_end(&mut out)).unwrap();
    assert_eq!(n, data.len());
    assert_eq!(&out[6..], &data[..]);
}

#[test]
fn read_exact_across_pending_and_eof() {
    let mut reader = Trickle::new(b"abcdef", 2);
    let mut buf = [0; 5];
    block_on(reader.read_exact(&mut buf)).unwrap();
    assert_eq!(&buf, b"abcde");
    let err = block_on(reader.read_exact(&mut buf)).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
}

#[test]
fn read_to_string_rejects_invalid_utf8_and_leaves_the_string() {
    let mut reader = Trickle::new(&[b'o', b'k', 0xff], 1);
    let mut s = String::from("kept");
    let err = block_on(reader.read_to_string(&mut s)).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert_eq!(s, "kept");
}

#[test]
fn write_all_and_close_reach_a_slow_writer() {
    let data = pattern(10_000);
    let mut sink = Sink {
        chunk: 333,
        ..Sink::default()
    };
    block_on(async {
        sink.write_all(&data).await?;
        sink.close().await
    })
    .unwrap();
    assert_eq!(sink.data, data);
    assert!(sink.closed);
}

#[test]
fn copy_moves_every_byte_and_flushes() {
    let data = pattern(200_000);
    let mut reader = Trickle::new(&data, 4096);
    let mut sink = Sink {
        chunk: 1500,
        ..Sink::default()
    };
    let n = block_on(copy(&mut reader, &mut sink)).unwrap();
    assert_eq!(n, data.len() as u64);
    assert_eq!(sink.data, data);
    assert!(sink.flushes >= 1);
}

#[test]
fn buf_reader_serves_lines_across_chunk_boundaries() {
    let text = b"first line\nsecond\r\n\nlast without newline";
    let mut lines = BufReader::with_capacity(4, Trickle::new(text, 3)).lines();
    let mut got = Vec::new();
    while let Some(line) = block_on(lines.next_line()).unwrap() {
        got.push(line);
    }
    assert_eq!(got, ["first line", "second", "", "last without newline"]);
}

#[test]
fn buf_writer_batches_small_writes_and_passes_big_ones() {
    let mut writer = BufWriter::with_capacity(
        64,
        Sink {
            chunk: usize::MAX,
            ..Sink::default()
        },
    );
    block_on(async {
        for _ in 0..10 {
            writer.write_all(b"12345").await?;
        }
        assert!(writer.get_ref().data.is_empty());
        writer.write_all(&[9; 100]).await?;
        writer.flush().await
    })
    .unwrap();
    assert_eq!(writer.get_ref().data.len(), 150);
    assert!(writer.buffer().is_empty());
}

#[test]
fn split_halves_reunite() {
    let (mut read, mut write) = split(futures::io::Cursor::new(Vec::new()));
    block_on(write.write_all(b"xyz")).unwrap();
    let mut buf = Vec::new();
    block_on(read.read_to_end(&mut buf)).unwrap();
    let (other_read, _other_write) = split(futures::io::Cursor::new(Vec::<u8>::new()));
    assert!(!other_read.is_pair_of(&write));
    let cursor = read.reunite(write).unwrap();
    assert_eq!(cursor.into_inner(), b"xyz");
}
