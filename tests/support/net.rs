//! Shared helpers for the net tests: byte patterns and a loopback echo
//! server.
#![allow(dead_code)]

use std::net::SocketAddr;

use magpie::net::TcpListener;

/// `len` bytes that differ from their neighbours, so a shifted or
/// dropped chunk is caught.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// Starts a TCP echo server on loopback in the current runtime; each
/// connection echoes until its client half-closes.
pub async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    magpie::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                // Out of descriptors for a moment (EMFILE): keep serving
                // instead of leaving the waiting clients hanging.
                Err(_) => {
                    magpie::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            };
            magpie::spawn(async move {
                let (mut read, mut write) = stream.into_split();
                let _ = magpie::io::copy(&mut read, &mut write).await;
            });
        }
    });
    addr
}
