//! Several tasks waiting on the same direction of the same socket: each
//! must be woken when it becomes ready (the driver wakes every waiter of a
//! direction; they re-check and wait again if someone else took the data).

use magpie::io::{AsyncReadExt, AsyncWriteExt};
use magpie::net::{TcpListener, TcpStream, UdpSocket};
use magpie::time::{timeout, Duration};
use std::sync::Arc;

/// Long enough for any machine; a lost wake-up shows as this error.
const PATIENCE: Duration = Duration::from_secs(10);

#[magpie::test(worker_threads = 2)]
async fn two_tasks_accepting_on_one_listener_both_get_a_connection() {
    let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
    let addr = listener.local_addr().unwrap();
    let acceptors: Vec<_> = (0..2)
        .map(|_| {
            let l = listener.clone();
            magpie::spawn(async move { l.accept().await.map(|(s, _)| s) })
        })
        .collect();
    // Both acceptors are waiting before anyone connects.
    magpie::time::sleep(Duration::from_millis(20)).await;
    let _a = TcpStream::connect(addr).await.unwrap();
    let _b = TcpStream::connect(addr).await.unwrap();
    for acceptor in acceptors {
        let accepted = timeout(PATIENCE, acceptor)
            .await
            .expect("an acceptor was never woken");
        accepted.unwrap().unwrap();
    }
}

#[magpie::test(worker_threads = 2)]
async fn two_tasks_receiving_on_one_udp_socket_both_get_a_datagram() {
    let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
    let addr = socket.local_addr().unwrap();
    let receivers: Vec<_> = (0..2)
        .map(|_| {
            let s = socket.clone();
            magpie::spawn(async move {
                let mut buf = [0u8; 16];
                s.recv_from(&mut buf).await.map(|(n, _)| n)
            })
        })
        .collect();
    magpie::time::sleep(Duration::from_millis(20)).await;
    let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sender.send_to(b"one", addr).await.unwrap();
    sender.send_to(b"two", addr).await.unwrap();
    for receiver in receivers {
        let got = timeout(PATIENCE, receiver)
            .await
            .expect("a receiver was never woken");
        assert_eq!(got.unwrap().unwrap(), 3);
    }
}

#[magpie::test(worker_threads = 2)]
async fn a_read_and_a_readable_on_one_stream_are_both_woken() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let server = Arc::new(server);
    let s1 = server.clone();
    let reader = magpie::spawn(async move {
        let mut buf = [0u8; 4];
        (&*s1).read_exact(&mut buf).await.map(|()| buf)
    });
    let s2 = server.clone();
    let watcher = magpie::spawn(async move { s2.readable().await });
    magpie::time::sleep(Duration::from_millis(20)).await;
    client.write_all(b"ping").await.unwrap();
    let read = timeout(PATIENCE, reader)
        .await
        .expect("the reader was never woken");
    assert_eq!(&read.unwrap().unwrap(), b"ping");
    let seen = timeout(PATIENCE, watcher)
        .await
        .expect("the readable() waiter was never woken");
    seen.unwrap().unwrap();
}

#[magpie::test(worker_threads = 2)]
async fn a_cancelled_accept_leaves_the_other_acceptor_waiting_and_woken() {
    let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
    let addr = listener.local_addr().unwrap();
    let l1 = listener.clone();
    let cancelled = magpie::spawn(async move { l1.accept().await.map(drop) });
    let l2 = listener.clone();
    let waiting = magpie::spawn(async move { l2.accept().await.map(drop) });
    magpie::time::sleep(Duration::from_millis(20)).await;
    cancelled.abort();
    assert!(cancelled.await.unwrap_err().is_cancelled());
    let _c = TcpStream::connect(addr).await.unwrap();
    timeout(PATIENCE, waiting)
        .await
        .expect("the remaining acceptor was never woken")
        .unwrap()
        .unwrap();
}
