//! `TcpSocket` (options first, then connect or listen with a chosen
//! backlog) and the backlog `TcpListener::bind` listens with.

use std::io::ErrorKind;
#[cfg(target_os = "linux")]
use std::os::fd::AsRawFd;
use std::time::Duration;

use magpie::net::{TcpListener, TcpSocket, TcpStream};

/// The backlog a listening socket was given, as the kernel holds it (after
/// capping it at `net.core.somaxconn`): Linux reports it in `TCP_INFO`'s
/// `tcpi_sacked` for a listener.
#[cfg(target_os = "linux")]
fn listen_backlog(listener: &impl AsRawFd) -> u32 {
    // SAFETY: `tcp_info` is plain integers; all zeroes is valid.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: the pointers describe `info` and its length, writable and
    // alive for the call.
    let result = unsafe {
        libc::getsockopt(
            listener.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut info as *mut libc::tcp_info).cast(),
            &mut len,
        )
    };
    assert_eq!(result, 0, "{}", std::io::Error::last_os_error());
    info.tcpi_sacked
}

/// What the kernel makes of a requested backlog.
#[cfg(target_os = "linux")]
fn capped(backlog: u32) -> u32 {
    let max: u32 = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .map(|s| s.trim().parse().unwrap())
        .unwrap_or(4096);
    backlog.min(max)
}

#[cfg(target_os = "linux")]
#[magpie::test]
async fn bind_listens_with_a_backlog_of_1024_as_tokio_does() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    assert_eq!(listen_backlog(&listener), capped(1024));
}

#[cfg(target_os = "linux")]
#[magpie::test]
async fn listen_uses_the_backlog_it_is_given() {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(7).unwrap();
    assert_eq!(listen_backlog(&listener), 7);
}

#[magpie::test(worker_threads = 2)]
async fn a_configured_socket_connects_and_the_stream_keeps_its_options() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_nodelay(true).unwrap();
    socket.set_keepalive(true).unwrap();
    socket.set_send_buffer_size(32 * 1024).unwrap();
    socket.set_recv_buffer_size(32 * 1024).unwrap();
    socket.set_linger(Some(Duration::from_secs(1))).unwrap();
    assert!(socket.send_buffer_size().unwrap() >= 32 * 1024);
    assert!(socket.recv_buffer_size().unwrap() >= 32 * 1024);
    assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(1)));
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let local = socket.local_addr().unwrap();

    let stream = socket.connect(addr).await.unwrap();
    let (_, peer) = listener.accept().await.unwrap();
    assert_eq!(stream.local_addr().unwrap(), local);
    assert_eq!(peer, local);
    assert!(stream.nodelay().unwrap());
}

#[magpie::test]
async fn a_socket_connecting_to_a_closed_port_is_refused() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = TcpSocket::new_v4()
        .unwrap()
        .connect(closed)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
}

#[cfg(unix)]
#[magpie::test]
async fn reuseport_lets_two_listeners_share_a_port() {
    let first = TcpSocket::new_v4().unwrap();
    first.set_reuseport(true).unwrap();
    first.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = first.local_addr().unwrap();
    let second = TcpSocket::new_v4().unwrap();
    second.set_reuseport(true).unwrap();
    second.bind(addr).unwrap();
    let (_first, _second) = (first.listen(8).unwrap(), second.listen(8).unwrap());

    // Without it, the port is taken.
    let third = TcpSocket::new_v4().unwrap();
    assert_eq!(third.bind(addr).unwrap_err().kind(), ErrorKind::AddrInUse);
}

#[magpie::test]
async fn bind_sets_reuseaddr_so_a_restarted_server_gets_its_port_back() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // A connection closed by the server first leaves its side in TIME_WAIT.
    let client = TcpStream::connect(addr).await.unwrap();
    let (server_side, _) = listener.accept().await.unwrap();
    drop(server_side);
    drop(listener);
    drop(client);
    TcpListener::bind(addr).await.unwrap();
}

#[test]
fn a_socket_is_made_and_configured_outside_a_runtime() {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(true).unwrap();
    assert!(socket.reuseaddr().unwrap());
    assert!(socket.take_error().unwrap().is_none());
    assert!(format!("{socket:?}").starts_with("TcpSocket"));
}

#[magpie::test]
async fn an_ipv6_socket_listens_and_connects_where_ipv6_exists() {
    let Ok(socket) = TcpSocket::new_v6() else {
        return;
    };
    if socket.bind("[::1]:0".parse().unwrap()).is_err() {
        return; // no IPv6 loopback here
    }
    let listener = socket.listen(16).unwrap();
    let addr = listener.local_addr().unwrap();
    let stream = TcpSocket::new_v6().unwrap().connect(addr).await.unwrap();
    assert_eq!(stream.peer_addr().unwrap(), addr);
}
