//! `accept` with the file-descriptor table full returns the error instead
//! of spinning. Its own test binary (so its own process): it fills the fd
//! table, which would break any test running beside it.
#![cfg(unix)]

#[path = "support/net.rs"]
mod support;

use std::io::ErrorKind;

use magpie::net::{TcpListener, TcpStream};
use support::fill_fd_table;

#[magpie::test(worker_threads = 2)]
async fn accept_with_no_free_descriptor_returns_emfile_and_recovers() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let _client = TcpStream::connect(addr).await.unwrap();

    let mut files = fill_fd_table();
    let err = listener.accept().await.unwrap_err();
    assert_eq!(err.raw_os_error(), Some(24), "expected EMFILE, got {err}");
    assert_ne!(err.kind(), ErrorKind::WouldBlock);

    // With descriptors free again the same pending connection is accepted.
    files.truncate(files.len().saturating_sub(16));
    let (_stream, peer) = listener.accept().await.unwrap();
    assert_eq!(peer.ip(), addr.ip());
    drop(files);
}
