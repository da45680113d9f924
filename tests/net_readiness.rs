//! Readiness I/O on magpie's sockets: `ready`, `readable`/`writable`, the
//! `try_*` operations, `try_io`, the `poll_*_ready` methods and peeking;
//! several tasks on one direction, a dropped waiter, a closed peer, a peer
//! that sends nothing.

use std::io::{ErrorKind, IoSlice, IoSliceMut};
use std::sync::Arc;

use magpie::io::{AsyncWriteExt, Interest};
use magpie::net::{TcpListener, TcpStream, UdpSocket};
use magpie::time::{sleep, timeout, Duration};

/// Long enough for any machine; a lost wake-up shows as this error.
const PATIENCE: Duration = Duration::from_secs(10);
/// How long a wait that must not end is watched.
const QUIET: Duration = Duration::from_millis(100);

async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

#[magpie::test(worker_threads = 2)]
async fn several_tasks_awaiting_readable_on_one_stream_are_all_woken() {
    let (mut client, server) = tcp_pair().await;
    let server = Arc::new(server);
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let server = server.clone();
            magpie::spawn(async move { server.readable().await })
        })
        .collect();
    sleep(Duration::from_millis(20)).await;
    client.write_all(b"x").await.unwrap();
    for waiter in waiters {
        timeout(PATIENCE, waiter)
            .await
            .expect("a reader waiting on readable was never woken")
            .unwrap()
            .unwrap();
    }
}

#[cfg(unix)]
#[magpie::test(worker_threads = 2)]
async fn several_tasks_awaiting_ready_on_one_unix_stream_are_all_woken_by_a_read_event() {
    let (a, b) = magpie::net::UnixStream::pair().unwrap();
    let b = Arc::new(b);
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let b = b.clone();
            // Readable only: the stream is writable from the start.
            magpie::spawn(async move { b.ready(Interest::READABLE).await })
        })
        .collect();
    sleep(Duration::from_millis(20)).await;
    a.writable().await.unwrap();
    a.try_write(b"x").unwrap();
    for waiter in waiters {
        let ready = timeout(PATIENCE, waiter).await.unwrap().unwrap().unwrap();
        assert!(ready.is_readable());
    }
}

#[magpie::test]
async fn try_read_after_the_data_is_drained_says_would_block_and_the_next_readable_waits() {
    let (mut client, server) = tcp_pair().await;
    client.write_all(b"abc").await.unwrap();
    server.readable().await.unwrap();
    let mut buf = [0; 16];
    assert_eq!(server.try_read(&mut buf).unwrap(), 3);
    let err = server.try_read(&mut buf).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock);
    // The WouldBlock cleared the readiness: the next wait sleeps...
    assert!(timeout(QUIET, server.readable()).await.is_err());
    // ...until new bytes arrive.
    client.write_all(b"d").await.unwrap();
    timeout(PATIENCE, server.readable()).await.unwrap().unwrap();
    assert_eq!(server.try_read(&mut buf).unwrap(), 1);
}

#[magpie::test]
async fn a_peer_that_sends_nothing_leaves_readable_pending_and_try_read_would_block() {
    let (_client, server) = tcp_pair().await;
    assert!(timeout(QUIET, server.readable()).await.is_err());
    let err = server.try_read(&mut [0; 4]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(server.poll_read_ready(&mut cx).is_pending());
    // Writing is still possible (the poller reports it; on Windows only
    // once asked, so wait rather than poll once).
    timeout(PATIENCE, server.writable()).await.unwrap().unwrap();
}

#[magpie::test]
async fn a_closed_peer_makes_the_stream_readable_at_end_of_stream() {
    let (client, server) = tcp_pair().await;
    drop(client);
    timeout(PATIENCE, server.readable()).await.unwrap().unwrap();
    assert_eq!(server.try_read(&mut [0; 4]).unwrap(), 0);
}

#[magpie::test(worker_threads = 2)]
async fn a_waiter_dropped_mid_wait_does_not_keep_the_others_from_waking() {
    let (mut client, server) = tcp_pair().await;
    let server = Arc::new(server);
    let dropped = {
        let server = server.clone();
        magpie::spawn(async move { server.readable().await })
    };
    let kept = {
        let server = server.clone();
        magpie::spawn(async move { server.readable().await })
    };
    sleep(Duration::from_millis(20)).await;
    dropped.abort();
    assert!(dropped.await.unwrap_err().is_cancelled());
    // A wait given up by `timeout` leaves the list too.
    assert!(timeout(Duration::from_millis(5), server.readable())
        .await
        .is_err());
    client.write_all(b"x").await.unwrap();
    timeout(PATIENCE, kept).await.unwrap().unwrap().unwrap();
}

#[magpie::test]
async fn ready_says_which_direction_is_ready() {
    let (mut client, server) = tcp_pair().await;
    let both = Interest::READABLE | Interest::WRITABLE;
    let ready = server.ready(both).await.unwrap();
    assert!(ready.is_writable());
    assert!(!ready.is_readable());
    client.write_all(b"x").await.unwrap();
    let ready = timeout(PATIENCE, server.ready(Interest::READABLE))
        .await
        .unwrap()
        .unwrap();
    assert!(ready.is_readable());
}

#[magpie::test]
async fn try_io_that_would_block_clears_readiness_until_the_next_event() {
    let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    a.send_to(b"one", b.local_addr().unwrap()).await.unwrap();
    b.readable().await.unwrap();
    // Not called when the direction is not ready.
    let mut called = false;
    let err = b
        .try_io(Interest::WRITABLE | Interest::READABLE, || {
            called = true;
            Err::<(), _>(ErrorKind::WouldBlock.into())
        })
        .unwrap_err();
    assert!(called);
    assert_eq!(err.kind(), ErrorKind::WouldBlock);
    // The readiness was cleared although a datagram is queued: on Linux,
    // where the driver is edge-triggered, only a new event wakes the next
    // wait. (Pollers that re-arm in level mode, such as Windows' AFD,
    // report the queued datagram again: also correct.)
    #[cfg(target_os = "linux")]
    assert!(timeout(QUIET, b.readable()).await.is_err());
    a.send_to(b"two", b.local_addr().unwrap()).await.unwrap();
    timeout(PATIENCE, b.readable()).await.unwrap().unwrap();
    let mut buf = [0; 8];
    assert_eq!(b.try_recv_from(&mut buf).unwrap().0, 3);
}

#[magpie::test]
async fn vectored_try_read_and_try_write_scatter_and_gather() {
    let (client, server) = tcp_pair().await;
    client.writable().await.unwrap();
    let bufs = [IoSlice::new(b"head"), IoSlice::new(b"body")];
    assert_eq!(client.try_write_vectored(&bufs).unwrap(), 8);
    let (mut head, mut body) = ([0; 4], [0; 4]);
    let mut got = 0;
    while got < 8 {
        server.readable().await.unwrap();
        let mut bufs = [IoSliceMut::new(&mut head), IoSliceMut::new(&mut body)];
        match server.try_read_vectored(&mut bufs) {
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            result => got += result.unwrap(),
        }
    }
    assert_eq!((&head, &body), (b"head", b"body"));
}

#[magpie::test]
async fn poll_peek_leaves_the_bytes_for_the_next_read() {
    let (mut client, server) = tcp_pair().await;
    client.write_all(b"peek").await.unwrap();
    let mut buf = [0; 4];
    let n = std::future::poll_fn(|cx| server.poll_peek(cx, &mut buf))
        .await
        .unwrap();
    assert_eq!(&buf[..n], &b"peek"[..n]);
    let mut again = [0; 4];
    let m = magpie::io::AsyncReadExt::read(&mut &server, &mut again)
        .await
        .unwrap();
    assert_eq!(&again[..m], &b"peek"[..m]);
}

#[magpie::test]
async fn udp_try_and_poll_operations_send_receive_and_peek() {
    let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let to_b = b.local_addr().unwrap();
    let mut buf = [0; 8];
    assert_eq!(
        b.try_recv_from(&mut buf).unwrap_err().kind(),
        ErrorKind::WouldBlock
    );
    a.writable().await.unwrap();
    assert_eq!(a.try_send_to(b"first", to_b).unwrap(), 5);
    std::future::poll_fn(|cx| a.poll_send_to(cx, b"second", to_b))
        .await
        .unwrap();
    let (n, from) = b.peek_from(&mut buf).await.unwrap();
    assert_eq!((&buf[..n], from), (&b"first"[..], a.local_addr().unwrap()));
    let (n, _) = b.try_peek_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"first");
    let (n, _) = std::future::poll_fn(|cx| b.poll_recv_from(cx, &mut buf))
        .await
        .unwrap();
    assert_eq!(&buf[..n], b"first");
    let (n, _) = std::future::poll_fn(|cx| b.poll_peek_from(cx, &mut buf))
        .await
        .unwrap();
    assert_eq!(&buf[..n], b"second");
    b.connect(a.local_addr().unwrap()).await.unwrap();
    assert_eq!(b.recv(&mut buf).await.unwrap(), 6);
    b.writable().await.unwrap();
    assert_eq!(b.try_send(b"back").unwrap(), 4);
    a.readable().await.unwrap();
    a.connect(to_b).await.unwrap();
    assert_eq!(a.try_recv(&mut buf).unwrap(), 4);
}

#[magpie::test]
async fn socket_options_on_streams_and_datagram_sockets_read_back() {
    let (client, _server) = tcp_pair().await;
    client.set_ttl(33).unwrap();
    assert_eq!(client.ttl().unwrap(), 33);
    assert_eq!(client.linger().unwrap(), None);
    client.set_linger(Some(Duration::from_secs(3))).unwrap();
    assert_eq!(client.linger().unwrap(), Some(Duration::from_secs(3)));
    let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    udp.set_ttl(9).unwrap();
    assert_eq!(udp.ttl().unwrap(), 9);
    udp.set_broadcast(true).unwrap();
    assert!(udp.broadcast().unwrap());
}

#[magpie::test]
async fn a_linger_of_zero_resets_the_connection_on_drop() {
    let (client, server) = tcp_pair().await;
    client.set_linger(Some(Duration::ZERO)).unwrap();
    drop(client);
    timeout(PATIENCE, server.readable()).await.unwrap().unwrap();
    let err = server.try_read(&mut [0; 4]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
}

/// A full hang-up (`EPOLLHUP`) shows as `READ_CLOSED | WRITE_CLOSED` (each
/// to a wait with that interest), and the bits stay after a read of EOF.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[magpie::test]
async fn a_hung_up_unix_stream_is_ready_read_and_write_closed() {
    let (a, b) = magpie::net::UnixStream::pair().unwrap();
    drop(b);
    let ready = timeout(PATIENCE, a.ready(Interest::READABLE))
        .await
        .unwrap()
        .unwrap();
    assert!(ready.is_read_closed(), "{ready:?}");
    assert_eq!(a.try_read(&mut [0; 4]).unwrap(), 0);
    // Sticky: the hang-up is still reported to the next wait.
    let again = timeout(PATIENCE, a.ready(Interest::READABLE))
        .await
        .unwrap()
        .unwrap();
    assert!(again.is_read_closed(), "{again:?}");
    let again = timeout(PATIENCE, a.ready(Interest::WRITABLE))
        .await
        .unwrap()
        .unwrap();
    assert!(again.is_write_closed(), "{again:?}");
}

#[cfg(any(target_os = "linux", target_os = "android"))]
#[magpie::test]
async fn a_reset_tcp_connection_is_ready_read_closed() {
    let (client, server) = tcp_pair().await;
    client.set_linger(Some(Duration::ZERO)).unwrap();
    drop(client);
    let ready = timeout(PATIENCE, server.ready(Interest::READABLE))
        .await
        .unwrap()
        .unwrap();
    assert!(ready.is_read_closed(), "{ready:?}");
}

#[magpie::test]
async fn a_half_closed_peer_is_readable_but_not_read_closed() {
    // The peer shut down its writing half only: no hang-up yet, just EOF.
    let (mut client, server) = tcp_pair().await;
    client.shutdown().await.unwrap();
    let ready = timeout(PATIENCE, server.ready(Interest::READABLE))
        .await
        .unwrap()
        .unwrap();
    assert!(ready.is_readable());
    assert!(!ready.is_write_closed(), "{ready:?}");
    assert_eq!(server.try_read(&mut [0; 4]).unwrap(), 0);
    drop(client);
}
