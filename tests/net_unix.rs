//! Unix-domain sockets: stream echo through a listener, pairs, datagrams.
#![cfg(unix)]

#[path = "support/net.rs"]
mod support;

use std::path::PathBuf;

use magpie::io::{AsyncReadExt, AsyncWriteExt};
use magpie::net::{UnixDatagram, UnixListener, UnixStream};
use support::pattern;

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
        stream.shutdown(std::net::Shutdown::Write).unwrap();
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
