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

#[test]
fn binary_numbers_round_trip_one_byte_at_a_time_in_both_byte_orders() {
    // Written through a writer that takes one byte per `Pending`-separated
    // call, read back through a reader that gives one byte per call.
    let mut sink = Sink {
        chunk: 1,
        ..Sink::default()
    };
    block_on(async {
        sink.write_u8(0xAB).await?;
        sink.write_i8(-7).await?;
        sink.write_u16(0x0102).await?;
        sink.write_u16_le(0x0102).await?;
        sink.write_i32(-123_456).await?;
        sink.write_u64_le(0x0102_0304_0506_0708).await?;
        sink.write_i128(i128::MIN).await?;
        sink.write_f32_le(f32::MAX).await?;
        sink.write_f64(-0.5).await
    })
    .unwrap();
    // Byte order, checked on the bytes themselves.
    assert_eq!(&sink.data[..6], &[0xAB, 0xF9, 0x01, 0x02, 0x02, 0x01]);
    assert_eq!(&sink.data[10..18], &[8, 7, 6, 5, 4, 3, 2, 1]);

    let mut reader = Trickle::new(&sink.data, 1);
    block_on(async {
        assert_eq!(reader.read_u8().await?, 0xAB);
        assert_eq!(reader.read_i8().await?, -7);
        assert_eq!(reader.read_u16().await?, 0x0102);
        assert_eq!(reader.read_u16_le().await?, 0x0102);
        assert_eq!(reader.read_i32().await?, -123_456);
        assert_eq!(reader.read_u64_le().await?, 0x0102_0304_0506_0708);
        assert_eq!(reader.read_i128().await?, i128::MIN);
        assert_eq!(reader.read_f32_le().await?, f32::MAX);
        assert_eq!(reader.read_f64().await?, -0.5);
        io::Result::Ok(())
    })
    .unwrap();
}

#[test]
fn a_number_cut_short_by_end_of_stream_is_unexpected_eof() {
    let mut reader = Trickle::new(&[1, 2, 3], 2);
    let err = block_on(reader.read_u32()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    let mut empty: &[u8] = &[];
    let err = block_on(empty.read_u8()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
}

#[test]
fn a_number_written_to_a_full_writer_is_write_zero() {
    // A writer that takes nothing (a full buffer, a closed pipe that says 0).
    let mut full = Sink::default();
    let err = block_on(full.write_u32(7)).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WriteZero);
}

#[test]
fn read_until_stops_after_the_delimiter_across_chunk_boundaries() {
    let mut reader = BufReader::with_capacity(3, Trickle::new(b"abcdefg;hij;k", 2));
    let mut buf = b"old:".to_vec();
    block_on(async {
        assert_eq!(reader.read_until(b';', &mut buf).await?, 8);
        assert_eq!(buf, b"old:abcdefg;");
        buf.clear();
        assert_eq!(reader.read_until(b';', &mut buf).await?, 4);
        assert_eq!(reader.read_until(b';', &mut buf).await?, 1);
        assert_eq!(buf, b"hij;k");
        assert_eq!(reader.read_until(b';', &mut buf).await?, 0);
        io::Result::Ok(())
    })
    .unwrap();
}

#[test]
fn split_yields_every_segment_including_empty_ones_and_no_phantom_last() {
    use futures::StreamExt;
    let reader = BufReader::with_capacity(2, Trickle::new(b"a,,bcd,\xff,", 1));
    let segments: Vec<Vec<u8>> = block_on(reader.split(b',').map(Result::unwrap).collect());
    assert_eq!(
        segments,
        [b"a".to_vec(), b"".to_vec(), b"bcd".to_vec(), vec![0xff]]
    );
}

#[test]
fn copy_buf_moves_every_byte_through_a_slow_writer_and_flushes() {
    let data = pattern(50_000);
    let mut reader = BufReader::with_capacity(1000, Trickle::new(&data, 777));
    let mut sink = Sink {
        chunk: 333,
        ..Sink::default()
    };
    let n = block_on(magpie::io::copy_buf(&mut reader, &mut sink)).unwrap();
    assert_eq!(n, data.len() as u64);
    assert_eq!(sink.data, data);
    assert!(sink.flushes >= 1, "copy_buf flushes at the end");
    // A writer that takes nothing is an error, not a spin.
    let mut reader = BufReader::new(&b"x"[..]);
    let err = block_on(magpie::io::copy_buf(&mut reader, &mut Sink::default())).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WriteZero);
}

#[test]
fn buf_stream_holds_writes_until_flush_and_buffers_reads() {
    use magpie::io::BufStream;
    magpie::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            let (near, mut far) = magpie::io::duplex(1024);
            let mut stream = BufStream::with_capacity(16, 64, near);
            stream.write_all(b"held").await?;
            // Not flushed: nothing has reached the other end yet.
            let mut probe = [0u8; 4];
            let nothing =
                magpie::time::timeout(std::time::Duration::from_millis(20), far.read(&mut probe))
                    .await;
            assert!(nothing.is_err(), "unflushed bytes leaked: {nothing:?}");
            stream.flush().await?;
            far.read_exact(&mut probe).await?;
            assert_eq!(&probe, b"held");

            far.write_all(b"line one\nline two\n").await?;
            let mut line = String::new();
            stream.read_line(&mut line).await?;
            assert_eq!(line, "line one\n");
            let mut rest = [0u8; 9];
            stream.read_exact(&mut rest).await?;
            assert_eq!(&rest, b"line two\n");
            io::Result::Ok(())
        })
        .unwrap();
}

#[test]
#[should_panic(expected = "two different streams")]
fn unsplit_of_halves_of_two_streams_panics() {
    let (read, _) = split(futures::io::Cursor::new(Vec::<u8>::new()));
    let (_, other_write) = split(futures::io::Cursor::new(Vec::<u8>::new()));
    read.unsplit(other_write);
}

#[test]
fn join_reads_from_its_reader_and_writes_to_its_writer_across_pending() {
    let data = pattern(5_000);
    let sink = Sink {
        chunk: 100,
        ..Sink::default()
    };
    let mut both = magpie::io::join(Trickle::new(&data, 333), sink);
    block_on(async {
        let mut got = Vec::new();
        both.read_to_end(&mut got).await?;
        assert_eq!(got, data);
        both.write_all(&data).await?;
        both.close().await
    })
    .unwrap();
    let (_, sink) = both.into_inner();
    assert_eq!(sink.data, data);
    assert!(sink.closed, "close reaches the writer");
}
