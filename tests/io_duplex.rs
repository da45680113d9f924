//! In-memory streams: `duplex` (back-pressure, wakeups, end of stream and
//! broken pipe when an end goes), `copy_bidirectional` (shutdown travels
//! through), `empty`, `sink`, `repeat`.

use std::io::ErrorKind;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use magpie::io::{
    copy_bidirectional, duplex, empty, repeat, sink, AsyncRead, AsyncReadExt, AsyncWrite,
    AsyncWriteExt,
};
use magpie::time::{timeout, Duration};

const PATIENCE: Duration = Duration::from_secs(10);

#[test]
fn a_duplex_writer_stops_at_the_buffer_size_until_the_reader_makes_room() {
    let (mut a, mut b) = duplex(4);
    let mut cx = Context::from_waker(Waker::noop());
    let wrote = Pin::new(&mut a).poll_write(&mut cx, b"abcdef");
    assert!(matches!(wrote, Poll::Ready(Ok(4))));
    assert!(Pin::new(&mut a).poll_write(&mut cx, b"ef").is_pending());
    let mut buf = [0; 3];
    assert!(matches!(
        Pin::new(&mut b).poll_read(&mut cx, &mut buf),
        Poll::Ready(Ok(3))
    ));
    assert_eq!(&buf, b"abc");
    // Three bytes of room again.
    assert!(matches!(
        Pin::new(&mut a).poll_write(&mut cx, b"efgh"),
        Poll::Ready(Ok(3))
    ));
}

#[magpie::test(worker_threads = 2)]
async fn a_blocked_duplex_writer_is_woken_when_the_reader_drains() {
    let (mut a, mut b) = duplex(8);
    let data: Vec<u8> = (0..200u8).collect();
    let expected = data.clone();
    let writer = magpie::spawn(async move {
        a.write_all(&data).await?;
        a.close().await
    });
    let mut got = Vec::new();
    timeout(PATIENCE, b.read_to_end(&mut got))
        .await
        .expect("a duplex waiter was never woken")
        .unwrap();
    assert_eq!(got, expected);
    writer.await.unwrap().unwrap();
}

#[magpie::test(worker_threads = 2)]
async fn a_waiting_duplex_reader_sees_end_of_stream_when_the_other_end_drops() {
    let (a, mut b) = duplex(8);
    let reader = magpie::spawn(async move {
        let mut buf = [0; 4];
        b.read(&mut buf).await
    });
    magpie::time::sleep(Duration::from_millis(20)).await;
    drop(a);
    let n = timeout(PATIENCE, reader).await.unwrap().unwrap().unwrap();
    assert_eq!(n, 0);
}

#[magpie::test]
async fn writing_to_a_dropped_duplex_end_fails_with_broken_pipe_but_buffered_bytes_are_read() {
    let (mut a, mut b) = duplex(8);
    a.write_all(b"last").await.unwrap();
    drop(a);
    let mut got = Vec::new();
    b.read_to_end(&mut got).await.unwrap();
    assert_eq!(got, b"last");
    let err = b.write_all(b"x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BrokenPipe);
}

#[magpie::test]
async fn a_blocked_duplex_writer_fails_when_the_reader_drops() {
    let (mut a, b) = duplex(2);
    let writer = magpie::spawn(async move { a.write_all(b"more than two").await });
    magpie::time::sleep(Duration::from_millis(20)).await;
    drop(b);
    let err = timeout(PATIENCE, writer)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BrokenPipe);
}

#[magpie::test(worker_threads = 2)]
async fn copy_bidirectional_carries_both_ways_and_passes_each_shutdown_on() {
    let (mut client, mut front) = duplex(16);
    let (mut back, mut server) = duplex(16);
    let proxy = magpie::spawn(async move { copy_bidirectional(&mut front, &mut back).await });
    // The server reads until end of stream, which comes only if the
    // client's close is passed on to `back`; then it replies and closes.
    let server = magpie::spawn(async move {
        let mut got = Vec::new();
        server.read_to_end(&mut got).await?;
        server.write_all(b"reply").await?;
        server.close().await?;
        Ok::<_, std::io::Error>(got)
    });
    // Far more than the two 16-byte buffers hold: back-pressure all the way.
    let request = vec![7u8; 1000];
    timeout(PATIENCE, client.write_all(&request))
        .await
        .unwrap()
        .unwrap();
    client.close().await.unwrap();
    let got = timeout(PATIENCE, server).await.unwrap().unwrap().unwrap();
    assert_eq!(got, request);
    let mut reply = Vec::new();
    timeout(PATIENCE, client.read_to_end(&mut reply))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reply, b"reply");
    let counts = timeout(PATIENCE, proxy).await.unwrap().unwrap().unwrap();
    assert_eq!(counts, (1000, 5));
}

#[magpie::test]
async fn copy_bidirectional_fails_when_a_side_cannot_be_written() {
    let (mut client, mut front) = duplex(16);
    let (mut back, server) = duplex(16);
    drop(server);
    client.write_all(b"nobody listens").await.unwrap();
    let err = copy_bidirectional(&mut front, &mut back).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BrokenPipe);
}

#[test]
fn empty_sink_and_repeat_behave_as_their_names_say() {
    futures::executor::block_on(async {
        let mut buf = Vec::new();
        assert_eq!(empty().read_to_end(&mut buf).await.unwrap(), 0);
        let mut out = sink();
        out.write_all(&[1; 1000]).await.unwrap();
        let mut four = [0; 4];
        repeat(9).read_exact(&mut four).await.unwrap();
        assert_eq!(four, [9; 4]);
        let mut limited = futures::io::AsyncReadExt::take(repeat(1), 300);
        let n = magpie::io::copy(&mut limited, &mut sink()).await.unwrap();
        assert_eq!(n, 300);
    });
}

#[magpie::test]
async fn a_task_reading_repeat_forever_still_lets_other_tasks_run() {
    let other = magpie::spawn(async { 42 });
    let mut source = repeat(0);
    let mut buf = [0; 1];
    // Current-thread runtime: without the coop budget this loop would
    // starve `other` until it ends.
    let mut reads = 0;
    while !other.is_finished() {
        source.read_exact(&mut buf).await.unwrap();
        reads += 1;
        assert!(reads < 100_000, "the repeat loop never yielded");
    }
    assert_eq!(other.await.unwrap(), 42);
}
