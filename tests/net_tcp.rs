//! TCP over loopback: data integrity, many connections, half-close, errors
//! with the OS's kind, and how reads wait.

#[path = "support/net.rs"]
mod support;

use std::future::{poll_fn, Future};
use std::io::{ErrorKind, Write};
use std::net::Shutdown;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use magpie::io::{AsyncReadExt, AsyncWriteExt};
use magpie::net::{TcpListener, TcpStream};
use magpie::task::JoinSet;
use support::{echo_server, pattern};

#[magpie::test(worker_threads = 2)]
async fn one_mebibyte_echoes_back_byte_for_byte() {
    let addr = echo_server().await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let sent = pattern(1 << 20);
    let writer = {
        let sent = sent.clone();
        magpie::spawn(async move {
            write.write_all(&sent).await.unwrap();
            drop(write); // half-close: the server's copy ends
        })
    };
    let mut received = Vec::new();
    read.read_to_end(&mut received).await.unwrap();
    writer.await.unwrap();
    assert_eq!(received.len(), sent.len());
    assert!(received == sent, "echoed bytes differ");
}

#[magpie::test(worker_threads = 2)]
async fn one_mebibyte_flows_from_server_to_client() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sent = pattern(1 << 20);
    let server = {
        let sent = sent.clone();
        magpie::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            stream.write_all(&sent).await.unwrap();
            stream.close().await.unwrap();
        })
    };
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut received = Vec::new();
    stream.read_to_end(&mut received).await.unwrap();
    server.await.unwrap();
    assert!(received == sent, "streamed bytes differ");
}

/// `clients` connections to an echo server, each making `rounds` round
/// trips of an 8-byte message naming it and the round; all must succeed.
async fn echo_round_trips(clients: u32, rounds: u32) {
    let addr = echo_server().await;
    let mut set = JoinSet::new();
    for id in 0..clients {
        set.spawn(async move {
            let mut stream = TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            for round in 0..rounds {
                let msg = [id.to_le_bytes(), round.to_le_bytes()].concat();
                stream.write_all(&msg).await?;
                let mut back = [0; 8];
                stream.read_exact(&mut back).await?;
                assert_eq!(back[..], msg[..]);
            }
            std::io::Result::Ok(())
        });
    }
    let mut done = 0;
    while let Some(result) = set.join_next().await {
        result.unwrap().unwrap();
        done += 1;
    }
    assert_eq!(done, clients);
}

#[magpie::test(worker_threads = 2)]
async fn five_hundred_connections_each_make_a_hundred_round_trips() {
    echo_round_trips(500, 100).await;
}

#[magpie::test(worker_threads = 2)]
async fn half_close_lets_the_peer_read_to_end_and_still_answer() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = magpie::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        stream.read_to_end(&mut request).await.unwrap();
        stream.write_all(b"got: ").await.unwrap();
        stream.write_all(&request).await.unwrap();
    });
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"request").await.unwrap();
    stream.shutdown_std(Shutdown::Write).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    assert_eq!(reply, "got: request");
    server.await.unwrap();
}

#[magpie::test(worker_threads = 2)]
async fn a_peer_reset_during_a_read_is_an_error_not_a_hang() {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_listener.local_addr().unwrap();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let (mut peer, _) = std_listener.accept().unwrap();
    // Bytes the peer never reads make its close a reset (RST).
    stream.write_all(b"unread").await.unwrap();
    let resetter = std::thread::spawn(move || {
        // Wait until "unread" has arrived, so the close is a reset.
        peer.peek(&mut [0; 1]).unwrap();
        peer.write_all(b"x").unwrap();
        std::thread::sleep(Duration::from_millis(50));
        drop(peer);
    });
    let mut buf = [0; 1];
    stream.read_exact(&mut buf).await.unwrap();
    // This read is pending when the reset arrives.
    let err = stream.read(&mut buf).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    resetter.join().unwrap();
}

#[magpie::test]
async fn connecting_to_a_closed_port_is_refused() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let err = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
}

#[magpie::test]
async fn binding_an_address_in_use_fails_with_addr_in_use() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = TcpListener::bind(listener.local_addr().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
}

#[magpie::test]
async fn host_names_resolve_on_the_blocking_pool() {
    let listener = TcpListener::bind(("localhost", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let client = magpie::spawn(async move { TcpStream::connect(("localhost", port)).await });
    let _ = listener.accept().await.unwrap();
    client.await.unwrap().unwrap();
}

#[test]
fn a_stream_moves_between_the_block_on_thread_and_a_worker() {
    let rt = magpie::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let addr = echo_server().await;
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let here = std::thread::current().id();
        stream.write_all(b"from block_on").await.unwrap();
        let (stream, there) = magpie::spawn(async move {
            let mut buf = [0; 13];
            stream.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"from block_on");
            stream.write_all(b"from worker").await.unwrap();
            (stream, std::thread::current().id())
        })
        .await
        .unwrap();
        assert_ne!(here, there, "the spawned task ran on the block_on thread");
        let mut stream = stream;
        let mut buf = [0; 11];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"from worker");
    });
}

#[magpie::test(worker_threads = 2)]
async fn dropping_a_stream_with_a_pending_read_is_clean() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut client = TcpStream::connect(addr).await.unwrap();
    let (mut server, _) = listener.accept().await.unwrap();

    // A read left pending, then dropped along with its stream.
    {
        let mut buf = [0; 8];
        let mut read = pin!(client.read(&mut buf));
        let first = poll_fn(|cx| Poll::Ready(read.as_mut().poll(cx))).await;
        assert!(first.is_pending());
    }
    drop(client);
    let mut rest = Vec::new();
    assert_eq!(server.read_to_end(&mut rest).await.unwrap(), 0);

    // A task blocked in a read is aborted; the runtime carries on.
    let mut blocked = TcpStream::connect(addr).await.unwrap();
    let (_peer, _) = listener.accept().await.unwrap();
    let reader = magpie::spawn(async move {
        let mut buf = [0; 8];
        blocked.read(&mut buf).await
    });
    magpie::task::yield_now().await;
    reader.abort();
    assert!(reader.await.is_err());
    let echo = echo_server().await;
    let mut again = TcpStream::connect(echo).await.unwrap();
    again.write_all(b"ok").await.unwrap();
    let mut buf = [0; 2];
    again.read_exact(&mut buf).await.unwrap();
}

/// Counts how often the wrapped future is polled.
async fn counting_polls<F: Future>(polls: &AtomicUsize, fut: F) -> F::Output {
    let mut fut = pin!(fut);
    poll_fn(|cx| {
        polls.fetch_add(1, Ordering::Relaxed);
        fut.as_mut().poll(cx)
    })
    .await
}

#[magpie::test(worker_threads = 2)]
async fn a_read_waiting_for_data_is_not_polled_in_a_loop() {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut stream = TcpStream::connect(std_listener.local_addr().unwrap())
        .await
        .unwrap();
    let (mut peer, _) = std_listener.accept().unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        peer.write_all(b"late").unwrap();
        peer
    });
    let polls = Arc::new(AtomicUsize::new(0));
    let mut buf = [0; 4];
    counting_polls(&polls, stream.read_exact(&mut buf))
        .await
        .unwrap();
    assert_eq!(&buf, b"late");
    let polls = polls.load(Ordering::Relaxed);
    assert!(polls <= 3, "read was polled {polls} times while waiting");
    drop(writer.join().unwrap());
}

#[magpie::test]
async fn std_conversions_round_trip() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let listener = TcpListener::from_std(listener.into_std().unwrap()).unwrap();
    let client = TcpStream::connect(addr).await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let client = TcpStream::try_from(client.into_std().unwrap()).unwrap();
    client.writable().await.unwrap();
    assert_eq!(client.try_write(b"abc").unwrap(), 3);
    server.readable().await.unwrap();
    let mut buf = [0; 3];
    assert_eq!(server.try_read(&mut buf).unwrap(), 3);
}

#[test]
fn a_stream_outliving_its_runtime_fails_instead_of_hanging() {
    let rt = magpie::Runtime::new().unwrap();
    let (mut stream, _peer) = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (peer, _) = listener.accept().await.unwrap();
        (stream, peer)
    });
    drop(rt);
    let other = magpie::Runtime::new().unwrap();
    let mut buf = [0; 4];
    assert!(other.block_on(stream.read(&mut buf)).is_err());
}

/// A listener whose accept queue is full, and the connections that fill it.
/// The kernel drops further SYNs to it, so a connect to it hangs until the
/// client's kernel gives up (about two minutes on Linux). Unix only: a full
/// queue on Windows refuses the connection instead.
#[cfg(unix)]
struct FullListener {
    addr: std::net::SocketAddr,
    _listener: std::net::TcpListener,
    _queued: Vec<std::net::TcpStream>,
}

#[cfg(unix)]
fn full_listener() -> FullListener {
    use std::os::fd::AsRawFd;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    // SAFETY: listen(2) on a socket this function owns; listening again
    // only changes the backlog.
    assert_eq!(unsafe { libc::listen(listener.as_raw_fd(), 0) }, 0);
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    for _ in 0..64 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(stream) => queued.push(stream),
            // This SYN was dropped: the queue is full.
            Err(e) if e.kind() == ErrorKind::TimedOut => {
                return FullListener {
                    addr,
                    _listener: listener,
                    _queued: queued,
                }
            }
            Err(e) => panic!("filling the accept queue: {e}"),
        }
    }
    panic!("the accept queue never filled");
}

#[cfg(unix)]
#[test]
fn a_connect_that_times_out_or_is_aborted_holds_no_thread_and_the_runtime_drops_at_once() {
    let full = full_listener();
    let rt = magpie::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap();
    let addr = full.addr;
    rt.block_on(async {
        let timed_out = magpie::time::timeout(Duration::from_millis(200), TcpStream::connect(addr));
        assert!(
            timed_out.await.is_err(),
            "a connect to a full queue finished"
        );
        let aborted = magpie::spawn(TcpStream::connect(addr));
        magpie::time::sleep(Duration::from_millis(50)).await;
        aborted.abort();
        assert!(aborted.await.unwrap_err().is_cancelled());
    });
    support::assert_abandoned_connects_left_nothing(rt);
}

#[magpie::test]
async fn connect_tries_each_address_and_keeps_the_last_error() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let open = listener.local_addr().unwrap();
    let stream = TcpStream::connect(&[closed, open][..]).await.unwrap();
    assert_eq!(stream.peer_addr().unwrap(), open);
    let err = TcpStream::connect(&[closed, closed][..]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
}

#[magpie::test]
async fn a_connect_to_ipv6_loopback_works_or_fails_cleanly() {
    // Not every machine has IPv6 loopback; where binding works, connect must.
    let Ok(listener) = TcpListener::bind("[::1]:0").await else {
        return;
    };
    let addr = listener.local_addr().unwrap();
    let stream = TcpStream::connect(addr).await.unwrap();
    let (_, peer) = listener.accept().await.unwrap();
    assert_eq!(stream.local_addr().unwrap(), peer);
}

/// Errors after the runtime is gone say so, whatever path they take (a
/// literal address, or a host name looked up on the blocking pool).
#[test]
fn connect_and_bind_after_the_runtime_shut_down_say_so() {
    let rt = magpie::Runtime::new().unwrap();
    let handle = rt.handle().clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(rt);
    let errors = [
        handle.block_on(TcpStream::connect(addr)).unwrap_err(),
        handle
            .block_on(TcpStream::connect(("localhost", addr.port())))
            .unwrap_err(),
        handle
            .block_on(TcpListener::bind(("localhost", 0)))
            .unwrap_err(),
        handle
            .block_on(magpie::net::UdpSocket::bind(("localhost", 0)))
            .unwrap_err(),
    ];
    for err in errors {
        let text = err.to_string();
        assert!(
            text.contains("runtime") && text.contains("shut down"),
            "{text}"
        );
        assert!(!text.contains("task"), "an internal task leaks: {text}");
    }
}

#[magpie::test]
async fn write_vectored_gathers_slices_in_order() {
    use std::io::IoSlice;
    let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut client = magpie::net::TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (mut server, _) = listener.accept().await.unwrap();
    let parts: [&[u8]; 3] = [b"one ", b"", b"two three"];
    let mut slices: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
    let mut bufs = &mut slices[..];
    let mut sent = 0;
    while !bufs.is_empty() {
        let n = client.write_vectored(bufs).await.unwrap();
        assert!(n > 0);
        sent += n;
        IoSlice::advance_slices(&mut bufs, n);
    }
    assert_eq!(sent, 13);
    client.shutdown().await.unwrap();
    let mut got = Vec::new();
    server.read_to_end(&mut got).await.unwrap();
    assert_eq!(got, b"one two three");
}

#[test]
fn one_io_event_per_driver_turn_still_serves_every_connection() {
    // The poller hands over one event per turn: the other ready sockets
    // wait in the poller, none is lost.
    let rt = magpie::runtime::Builder::new()
        .worker_threads(2)
        .max_io_events_per_tick(1)
        .build()
        .unwrap();
    rt.block_on(echo_round_trips(50, 20));
}

#[test]
#[should_panic(expected = "max_io_events_per_tick must be at least 1")]
fn zero_io_events_per_tick_is_refused() {
    magpie::runtime::Builder::new().max_io_events_per_tick(0);
}
