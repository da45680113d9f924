//! Unix-domain sockets: stream echo through a listener, pairs, datagrams.
#![cfg(unix)]

#[path = "support/net.rs"]
mod support;

use std::future::Future;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::time::Duration;

use magpie::io::{AsyncReadExt, AsyncWriteExt};
use magpie::net::{UnixDatagram, UnixListener, UnixStream};
use support::{assert_abandoned_connects_left_nothing, pattern};

/// A socket path unique to this process and test, removed on drop.
struct TempPath(PathBuf);

impl TempPath {
    fn new(name: &str) -> TempPath {
        let path = std::env::temp_dir().join(format!("magpie-{}-{name}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        TempPath(path)
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[magpie::test(worker_threads = 2)]
async fn a_unix_stream_echoes_through_a_listener() {
    let path = TempPath::new("echo");
    let listener = UnixListener::bind(&path.0).unwrap();
    let server = magpie::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (mut read, mut write) = (&stream, &stream);
        magpie::io::copy(&mut read, &mut write).await.unwrap();
        stream.shutdown_std(std::net::Shutdown::Write).unwrap();
    });
    let stream = UnixStream::connect(&path.0).await.unwrap();
    let sent = pattern(256 * 1024);
    let writer = {
        let sent = sent.clone();
        let mut write = &stream;
        async move {
            write.write_all(&sent).await.unwrap();
            write.close().await.unwrap();
        }
    };
    let mut received = Vec::new();
    let mut read = &stream;
    let reader = read.read_to_end(&mut received);
    let (_, n) = futures::join!(writer, reader);
    assert_eq!(n.unwrap(), sent.len());
    assert!(received == sent);
    server.await.unwrap();
}

#[magpie::test]
async fn a_unix_stream_pair_talks_both_ways() {
    let (mut a, mut b) = UnixStream::pair().unwrap();
    a.write_all(b"ping").await.unwrap();
    let mut buf = [0; 4];
    b.read_exact(&mut buf).await.unwrap();
    b.write_all(b"pong").await.unwrap();
    a.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"pong");
}

#[magpie::test]
async fn unix_datagrams_keep_their_boundaries() {
    let path = TempPath::new("dgram");
    let server = UnixDatagram::bind(&path.0).unwrap();
    let client = UnixDatagram::unbound().unwrap();
    client.send_to(b"one", &path.0).await.unwrap();
    client.send_to(b"three", &path.0).await.unwrap();
    let mut buf = [0; 16];
    let (n, _) = server.recv_from(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"one");
    let n = server.recv(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"three");
}

#[magpie::test]
async fn binding_an_existing_unix_path_fails_with_addr_in_use() {
    let path = TempPath::new("inuse");
    let _listener = UnixListener::bind(&path.0).unwrap();
    let err = UnixListener::bind(&path.0).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
}

/// A std listener at `path` whose backlog is full: one connection is
/// queued, and with a backlog of 0 the next connect has to wait (a blocking
/// connect(2) waits for room for as long as it takes).
fn full_unix_listener(
    path: &TempPath,
) -> (
    std::os::unix::net::UnixListener,
    std::os::unix::net::UnixStream,
) {
    let listener = std::os::unix::net::UnixListener::bind(&path.0).unwrap();
    // SAFETY: listen(2) on a socket this function owns; listening again
    // only changes the backlog.
    assert_eq!(unsafe { libc::listen(listener.as_raw_fd(), 0) }, 0);
    let queued = std::os::unix::net::UnixStream::connect(&path.0).unwrap();
    (listener, queued)
}

#[test]
fn a_unix_connect_that_times_out_holds_no_thread_and_the_runtime_drops_at_once() {
    let path = TempPath::new("full");
    let _full = full_unix_listener(&path);
    let rt = magpie::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let connect = UnixStream::connect(&path.0);
        let timed_out = magpie::time::timeout(Duration::from_millis(200), connect).await;
        assert!(timed_out.is_err(), "a connect to a full backlog finished");
    });
    assert_abandoned_connects_left_nothing(rt);
}

#[magpie::test(worker_threads = 2)]
async fn a_unix_connect_to_a_full_backlog_completes_once_the_listener_accepts() {
    let path = TempPath::new("wait");
    let (listener, _queued) = full_unix_listener(&path);
    let connect = magpie::spawn({
        let path = path.0.clone();
        async move { UnixStream::connect(&path).await }
    });
    magpie::time::sleep(Duration::from_millis(50)).await;
    assert!(!connect.is_finished(), "connected past a full backlog");
    let _first = listener.accept().unwrap();
    let stream = connect.await.unwrap().unwrap();
    let (_second, _) = listener.accept().unwrap();
    drop(stream);
}

#[magpie::test]
async fn a_unix_connect_to_a_missing_path_fails_with_not_found() {
    let path = TempPath::new("missing");
    let err = UnixStream::connect(&path.0).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn a_unix_connect_after_the_runtime_shut_down_says_so() {
    let path = TempPath::new("late");
    let _listener = std::os::unix::net::UnixListener::bind(&path.0).unwrap();
    let rt = magpie::Runtime::new().unwrap();
    let handle = rt.handle().clone();
    drop(rt);
    let err = handle.block_on(UnixStream::connect(&path.0)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("runtime") && text.contains("shut down"),
        "{text}"
    );
    assert!(!text.contains("task"), "an internal task leaks: {text}");
}

#[magpie::test]
async fn a_unix_socket_binds_listens_and_connects_with_a_chosen_backlog() {
    let path = TempPath::new("socket-builder");
    let socket = magpie::net::UnixSocket::new_stream().unwrap();
    socket.bind(&path.0).unwrap();
    let listener = socket.listen(8).unwrap();
    let mut client = magpie::net::UnixSocket::new_stream()
        .unwrap()
        .connect(&path.0)
        .await
        .unwrap();
    let (mut server, _) = listener.accept().await.unwrap();
    client.write_all(b"built").await.unwrap();
    let mut buf = [0; 5];
    server.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"built");
}

#[magpie::test]
async fn a_unix_socket_of_the_wrong_kind_is_refused() {
    let stream = magpie::net::UnixSocket::new_stream().unwrap();
    assert_eq!(
        stream.datagram().unwrap_err().kind(),
        std::io::ErrorKind::InvalidInput
    );
    let datagram = magpie::net::UnixSocket::new_datagram().unwrap();
    assert_eq!(
        datagram.listen(1).unwrap_err().kind(),
        std::io::ErrorKind::InvalidInput
    );
}

#[magpie::test]
async fn a_datagram_unix_socket_bound_to_a_path_receives() {
    let path = TempPath::new("socket-dgram");
    let socket = magpie::net::UnixSocket::new_datagram().unwrap();
    socket.bind(&path.0).unwrap();
    let server = socket.datagram().unwrap();
    let client = UnixDatagram::unbound().unwrap();
    client.send_to(b"dg", &path.0).await.unwrap();
    let mut buf = [0; 4];
    assert_eq!(server.recv(&mut buf).await.unwrap(), 2);
    assert_eq!(
        server.try_recv(&mut buf).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock
    );
}

#[cfg(any(target_os = "linux", target_os = "android"))]
#[magpie::test]
async fn a_linux_abstract_name_binds_and_connects_with_no_file() {
    use std::os::linux::net::SocketAddrExt;
    let name = format!("\0magpie-abstract-{}", std::process::id());
    let listener = UnixListener::bind(&name).unwrap();
    let bound = listener.local_addr().unwrap();
    assert_eq!(bound.as_abstract_name(), Some(&name.as_bytes()[1..]));
    assert!(!std::path::Path::new(&name[1..]).exists());
    let mut client = UnixStream::connect(&name).await.unwrap();
    let (mut server, _) = listener.accept().await.unwrap();
    client.write_all(b"abs").await.unwrap();
    let mut buf = [0; 3];
    server.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"abs");
    // The name is in use while the listener lives.
    assert_eq!(
        UnixListener::bind(&name).unwrap_err().kind(),
        std::io::ErrorKind::AddrInUse
    );
    let dgram_name = format!("\0magpie-abstract-dg-{}", std::process::id());
    let dgram = UnixDatagram::bind(&dgram_name).unwrap();
    assert!(dgram.local_addr().unwrap().as_abstract_name().is_some());
}

#[magpie::test(worker_threads = 2)]
async fn unix_stream_halves_move_to_tasks_and_the_dropped_write_half_shuts_down() {
    let (a, mut b) = UnixStream::pair().unwrap();
    let (mut read, write) = a.into_split();
    let reader = magpie::spawn(async move {
        let mut buf = [0; 2];
        read.read_exact(&mut buf).await.map(|_| buf)
    });
    b.write_all(b"hi").await.unwrap();
    assert_eq!(&reader.await.unwrap().unwrap(), b"hi");
    drop(write);
    let mut rest = Vec::new();
    assert_eq!(b.read_to_end(&mut rest).await.unwrap(), 0);
}

#[magpie::test]
async fn unix_datagram_try_and_poll_operations_work_on_a_pair() {
    let (a, b) = UnixDatagram::pair().unwrap();
    let mut buf = [0; 8];
    assert_eq!(
        b.try_recv(&mut buf).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock
    );
    a.writable().await.unwrap();
    assert_eq!(a.try_send(b"one").unwrap(), 3);
    std::future::poll_fn(|cx| a.poll_send(cx, b"two"))
        .await
        .unwrap();
    b.readable().await.unwrap();
    assert_eq!(b.try_recv(&mut buf).unwrap(), 3);
    let n = std::future::poll_fn(|cx| b.poll_recv(cx, &mut buf))
        .await
        .unwrap();
    assert_eq!(&buf[..n], b"two");
    let ready = b
        .ready(magpie::io::Interest::READABLE | magpie::io::Interest::WRITABLE)
        .await
        .unwrap();
    // Readable stays set until an operation says WouldBlock (a hint).
    assert!(ready.is_writable() && ready.is_readable());
    assert_eq!(
        b.try_recv(&mut buf).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock
    );
    let ready = b
        .ready(magpie::io::Interest::READABLE | magpie::io::Interest::WRITABLE)
        .await
        .unwrap();
    assert!(ready.is_writable() && !ready.is_readable());
}

#[magpie::test]
async fn a_unix_stream_peek_leaves_the_bytes_for_the_next_read() {
    let (mut a, mut b) = UnixStream::pair().unwrap();
    a.write_all(b"hello").await.unwrap();
    let mut buf = [0; 5];
    // A stream may deliver part of what was written: peek until all is there.
    while b.peek(&mut buf).await.unwrap() < 5 {}
    assert_eq!(&buf, b"hello");
    let mut again = [0; 5];
    let n = std::future::poll_fn(|cx| b.poll_peek(cx, &mut again))
        .await
        .unwrap();
    assert_eq!(&again[..n], &b"hello"[..n]);
    let mut read = [0; 5];
    b.read_exact(&mut read).await.unwrap();
    assert_eq!(&read, b"hello");
    assert_eq!(
        b.try_read(&mut read).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "peeking did not duplicate the bytes"
    );
}

#[magpie::test]
async fn a_unix_stream_peek_after_the_peer_closed_returns_zero() {
    let (mut a, mut b) = UnixStream::pair().unwrap();
    a.write_all(b"last").await.unwrap();
    drop(a);
    let mut rest = Vec::new();
    b.read_to_end(&mut rest).await.unwrap();
    assert_eq!(rest, b"last");
    assert_eq!(b.peek(&mut [0; 4]).await.unwrap(), 0);
    let n = std::future::poll_fn(|cx| b.poll_peek(cx, &mut [0; 4]))
        .await
        .unwrap();
    assert_eq!(n, 0);
}

/// Three tasks wait in `peek` on one stream before anything is written;
/// one write wakes them all, and each sees the same bytes.
#[magpie::test(worker_threads = 2)]
async fn several_tasks_peeking_at_one_unix_stream_all_see_the_bytes() {
    let (mut a, b) = UnixStream::pair().unwrap();
    let b = std::sync::Arc::new(b);
    let (started, mut all_started) = magpie::sync::mpsc::channel::<()>(3);
    let peekers: Vec<_> = (0..3)
        .map(|_| {
            let (b, started) = (b.clone(), started.clone());
            magpie::spawn(async move {
                let mut buf = [0; 1];
                let n = {
                    let mut peek = std::pin::pin!(b.peek(&mut buf));
                    // Waiting (queued) before the write.
                    std::future::poll_fn(|cx| {
                        assert!(peek.as_mut().poll(cx).is_pending());
                        std::task::Poll::Ready(())
                    })
                    .await;
                    started.send(()).await.unwrap();
                    peek.await.unwrap()
                };
                (n, buf)
            })
        })
        .collect();
    for _ in 0..3 {
        all_started.recv().await.unwrap();
    }
    a.write_all(b"x").await.unwrap();
    for peeker in peekers {
        assert_eq!(peeker.await.unwrap(), (1, *b"x"));
    }
    let mut buf = [0; 2];
    assert_eq!(b.try_read(&mut buf).unwrap(), 1, "the byte is still queued");
}

#[magpie::test]
async fn a_unix_datagram_peek_and_peek_from_leave_the_datagram_queued() {
    let dir = TempPath::new("peek-from");
    let receiver = UnixDatagram::bind(&dir.0).unwrap();
    let sender = UnixDatagram::unbound().unwrap();
    sender.send_to(b"one", &dir.0).await.unwrap();
    sender.send_to(b"two", &dir.0).await.unwrap();
    let mut buf = [0; 8];
    assert_eq!(receiver.peek(&mut buf).await.unwrap(), 3);
    assert_eq!(&buf[..3], b"one");
    let (n, from) = receiver.peek_from(&mut buf).await.unwrap();
    assert_eq!((n, &buf[..3]), (3, &b"one"[..]));
    assert!(from.is_unnamed(), "an unbound sender has no name: {from:?}");
    let n = std::future::poll_fn(|cx| receiver.poll_peek(cx, &mut buf))
        .await
        .unwrap();
    assert_eq!(&buf[..n], b"one");
    assert_eq!(receiver.recv(&mut buf).await.unwrap(), 3);
    assert_eq!(receiver.peek(&mut buf).await.unwrap(), 3);
    assert_eq!(&buf[..3], b"two");
}

#[magpie::test]
async fn peer_cred_names_this_process_on_both_ends_of_a_connection() {
    let dir = std::env::temp_dir().join(format!("magpie-ucred-{}", std::process::id()));
    let _ = std::fs::remove_file(&dir);
    let listener = magpie::net::UnixListener::bind(&dir).unwrap();
    let client = magpie::net::UnixStream::connect(&dir).await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    // SAFETY: getuid/getgid have no preconditions.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    for cred in [client.peer_cred().unwrap(), server.peer_cred().unwrap()] {
        assert_eq!((cred.uid(), cred.gid()), (uid, gid));
        if cfg!(any(target_os = "linux", target_os = "android")) {
            assert_eq!(cred.pid(), Some(std::process::id() as i32));
        }
    }
    let _ = std::fs::remove_file(&dir);
}
