//! The `chat` example's accept loop out of file descriptors: it backs off
//! instead of spinning, and serves again once descriptors are free. Its own
//! test binary (so its own process): it fills the fd table, which would
//! break any test running beside it.
#![cfg(unix)]

#[allow(dead_code)]
#[path = "../examples/chat.rs"]
mod chat;
#[path = "support/net.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use magpie::net::TcpSocket;
use support::fill_fd_table;

/// The most failed accepts the back-off allows in `window`: one at once,
/// then one after each pause that fits. Sleeps never end early, so on a
/// slow machine there are fewer, never more.
fn most_failures_in(window: Duration) -> u32 {
    let (mut failures, mut waited) = (1, Duration::ZERO);
    loop {
        waited += chat::accept_backoff(failures);
        if waited > window {
            return failures;
        }
        failures += 1;
    }
}

#[test]
fn at_emfile_the_accept_loop_backs_off_and_then_serves_the_waiting_client() {
    let support::ServerParts {
        rt,
        listener,
        addr,
        stop,
        stopped,
    } = support::server_parts();
    let server = rt.spawn(chat::serve(listener, stopped));

    // The client's socket exists before the table fills; connecting needs
    // no new descriptor on this side, but accepting it does on the server's.
    let socket = TcpSocket::new_v4().unwrap();
    let files = fill_fd_table();
    let start = Instant::now();
    let client = rt.block_on(socket.connect(addr)).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    drop(files);
    let window = start.elapsed();

    // Served once descriptors are free again.
    let client = client.into_std().unwrap();
    client.set_nonblocking(false).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut line = String::new();
    BufReader::new(client).read_line(&mut line).unwrap();
    assert_eq!(line, "* your name?\n");

    stop.send(()).unwrap();
    let summary = rt.block_on(server).unwrap();
    assert!(summary.accept_errors >= 1, "accept never hit EMFILE");
    let most = most_failures_in(window);
    assert!(
        summary.accept_errors <= u64::from(most),
        "{} failed accepts in {window:?}: the loop retries without pausing \
         (the back-off allows {most})",
        summary.accept_errors
    );
}
