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

/// Checks that the connects `rt` abandoned (timed out, aborted) left
/// nothing behind: no blocking thread, and dropping the runtime returns.
/// The drop runs on another thread, waited for up to 20 s: a hang guard,
/// not a timing assertion (a runtime that waits for a stuck connect(2)
/// hangs for minutes).
pub fn assert_abandoned_connects_left_nothing(rt: magpie::Runtime) {
    let blocking_threads = rt.handle().metrics().num_blocking_threads();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        drop(rt);
        let _ = done_tx.send(());
    });
    if done_rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .is_err()
    {
        panic!("dropping the runtime hangs: it waits for a connect(2) nobody wants");
    }
    assert_eq!(blocking_threads, 0, "connect used blocking threads");
}

/// Opens `/dev/null` until the process runs out of file descriptors
/// (`EMFILE`); dropping the files frees them. Only for a test binary of its
/// own: every other test in the process would fail to open anything.
pub fn fill_fd_table() -> Vec<std::fs::File> {
    let mut files = Vec::new();
    loop {
        match std::fs::File::open("/dev/null") {
            Ok(file) => files.push(file),
            Err(e) if e.raw_os_error() == Some(24) => return files, // EMFILE
            Err(e) => panic!("unexpected error while filling the fd table: {e}"),
        }
        assert!(files.len() < 1 << 20, "no fd limit in sight");
    }
}

/// What a test needs to run an example server: a 2-worker runtime, a
/// listener on a free loopback port, and a stop signal for the server: the
/// future `stopped` completes once `stop` is sent to or dropped.
pub struct ServerParts {
    pub rt: magpie::Runtime,
    pub listener: TcpListener,
    pub addr: SocketAddr,
    pub stop: std::sync::mpsc::Sender<()>,
    pub stopped: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
}

pub fn server_parts() -> ServerParts {
    let rt = magpie::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stop_rx) = std::sync::mpsc::channel::<()>();
    // A blocking channel, waited on by the blocking pool.
    let stopped = Box::pin(async move {
        let _ = magpie::task::spawn_blocking(move || stop_rx.recv()).await;
    });
    ServerParts {
        rt,
        listener,
        addr,
        stop,
        stopped,
    }
}
