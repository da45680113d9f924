//! The `http_server` example, driven by `curl` (when installed), by raw
//! well-formed and malformed bytes, and by SIGINT and SIGTERM in a child
//! process.
//!
//! The server runs on a magpie runtime in this process; the clients are
//! plain blocking std sockets and subprocesses on the test thread. Every
//! blocking read has a generous timeout as a hang guard only.
#![cfg(unix)]

#[allow(dead_code)]
#[path = "../examples/http_server.rs"]
mod http_server;
#[path = "support/net.rs"]
mod support;

use http_server::{serve, Config, Summary};
use magpie::time::Duration;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};

/// A server on a port of its own; `stop` shuts it down gracefully.
struct Server {
    // Dropped before `rt`: a test that panics midway must still release the
    // server's stop signal, or dropping the runtime would wait on it forever.
    stop: Option<std::sync::mpsc::Sender<()>>,
    rt: magpie::Runtime,
    addr: SocketAddr,
    done: Option<magpie::task::JoinHandle<Summary>>,
}

impl Server {
    fn start(config: Config) -> Server {
        let parts = support::server_parts();
        let done = parts.rt.spawn(serve(parts.listener, config, parts.stopped));
        Server {
            rt: parts.rt,
            addr: parts.addr,
            stop: Some(parts.stop),
            done: Some(done),
        }
    }

    fn stop(&mut self) -> Summary {
        drop(self.stop.take());
        self.rt.block_on(self.done.take().unwrap()).unwrap()
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        s
    }
}

fn quiet() -> Config {
    Config {
        port: 0,
        log: false,
        ..Config::default()
    }
}

/// Sends `bytes`, then reads everything until the server closes.
fn exchange(server: &Server, bytes: &[u8]) -> String {
    let mut s = server.connect();
    s.write_all(bytes).unwrap();
    // Half-close: the server's lingering close sees our end at once.
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads one `Content-Length` response from a kept-alive connection.
fn read_response(reader: &mut BufReader<TcpStream>) -> (String, String) {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        head.push_str(&line);
    }
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    (head, String::from_utf8(body).unwrap())
}

#[test]
fn serves_the_static_and_echo_routes_on_one_kept_alive_connection() {
    let mut server = Server::start(quiet());
    let s = server.connect();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    let mut w = s;
    // Two requests in one write (pipelined), then a third.
    w.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello")
        .unwrap();
    let (head, body) = read_response(&mut reader);
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert_eq!(body, "hello from magpie\n");
    let (head, body) = read_response(&mut reader);
    assert!(head.contains("Connection: keep-alive"), "{head}");
    assert_eq!(body, "hello");
    w.write_all(b"GET /nowhere HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let (head, _) = read_response(&mut reader);
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    drop((reader, w));
    let summary = server.stop();
    assert_eq!(summary.connections, 1);
    assert_eq!(summary.requests, 3);
}

#[test]
fn malformed_requests_get_400_and_the_connection_closes() {
    let mut server = Server::start(quiet());
    for bad in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\n\r\n",                 // no Host
        b"GET / HTTP/9.9\r\nHost: t\r\n\r\n",      // version
        b"GET nopath HTTP/1.1\r\nHost: t\r\n\r\n", // target
        b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: t\r\nno colon here\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: \xff\xfe\r\n\r\n", // not UTF-8
    ] {
        let reply = exchange(&server, bad);
        assert!(
            reply.starts_with("HTTP/1.1 400 Bad Request"),
            "{bad:?} -> {reply}"
        );
        assert!(reply.contains("Connection: close"));
    }
    let reply = exchange(
        &server,
        b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    assert!(reply.starts_with("HTTP/1.1 501"), "{reply}");
    // The server carries on.
    let reply = exchange(
        &server,
        b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    let summary = server.stop();
    assert_eq!(summary.rejected, 8);
}

#[test]
fn oversized_heads_get_431_and_oversized_bodies_413() {
    let mut server = Server::start(Config {
        max_head_bytes: 1024,
        max_body_bytes: 100,
        ..quiet()
    });
    let mut big_head = b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: ".to_vec();
    big_head.extend(std::iter::repeat_n(b'a', 5000));
    big_head.extend_from_slice(b"\r\n\r\n");
    let reply = exchange(&server, &big_head);
    assert!(reply.starts_with("HTTP/1.1 431"), "{reply}");

    let reply = exchange(
        &server,
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\n\r\n",
    );
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");

    let mut exact =
        b"POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 100\r\n\r\n"
            .to_vec();
    exact.extend(std::iter::repeat_n(b'z', 100));
    let reply = exchange(&server, &exact);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.ends_with(&"z".repeat(100)));
    server.stop();
}

#[test]
fn a_slow_loris_client_gets_408_and_an_idle_one_is_closed() {
    let mut server = Server::start(Config {
        header_timeout: Duration::from_millis(200),
        idle_timeout: Duration::from_millis(200),
        ..quiet()
    });
    // Starts a request and never finishes its head.
    let reply = {
        let mut s = server.connect();
        s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ")
            .unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    };
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    // Connects and says nothing: closed without a response.
    let mut idle = server.connect();
    let mut reply = String::new();
    let _ = idle.read_to_string(&mut reply);
    assert_eq!(reply, "");
    let summary = server.stop();
    assert_eq!(summary.rejected, 1);
}

/// A connection that made one request and is kept alive, idle.
fn kept_alive(server: &Server) -> (TcpStream, BufReader<TcpStream>) {
    let s = server.connect();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    (&s).write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let (head, _) = read_response(&mut reader);
    assert!(head.contains("Connection: keep-alive"), "{head}");
    (s, reader)
}

/// Whether the server closed the connection: a read finds end of stream.
fn closed_by_server(reader: &mut BufReader<TcpStream>) -> bool {
    let mut rest = Vec::new();
    matches!(reader.read_to_end(&mut rest), Ok(0))
}

const CLOSE: &[u8] = b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

#[test]
fn at_the_connection_limit_the_longest_idle_connection_makes_room() {
    let mut server = Server::start(Config {
        max_connections: 2,
        idle_timeout: Duration::from_secs(120),
        ..quiet()
    });
    let (_older, mut older_reader) = kept_alive(&server);
    let (newer, mut newer_reader) = kept_alive(&server);

    // A third client is served at once, not after an idle timeout...
    let reply = exchange(&server, CLOSE);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    // ...because the connection idle the longest was closed for it.
    assert!(closed_by_server(&mut older_reader));
    // The other one is still kept alive.
    (&newer).write_all(CLOSE).unwrap();
    let (head, _) = read_response(&mut newer_reader);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");

    let summary = server.stop();
    assert_eq!(summary.connections, 3);
    assert_eq!(summary.closed_idle, 1);
}

#[test]
fn at_the_limit_with_every_connection_busy_a_new_client_waits_for_a_slot() {
    let mut server = Server::start(Config {
        max_connections: 1,
        ..quiet()
    });
    let busy = server.connect();
    let mut busy_reader = BufReader::new(busy.try_clone().unwrap());
    (&busy)
        .write_all(b"GET /sleep?ms=300 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    // A second client comes while that request is in flight (or about to
    // be: a client that has not been answered yet is never closed for
    // another).
    let second = std::thread::spawn({
        let addr = server.addr;
        move || {
            let mut s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
                .unwrap();
            s.write_all(CLOSE).unwrap();
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            out
        }
    });
    // The busy request is not cut short for it, and then it is served.
    let mut rest = String::new();
    busy_reader.read_to_string(&mut rest).unwrap();
    assert!(rest.ends_with("slept 300 ms\n"), "{rest}");
    let reply = second.join().unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    let summary = server.stop();
    assert_eq!(summary.connections, 2);
    assert_eq!(summary.closed_idle, 0);
}

#[test]
fn the_shutdown_count_includes_only_connections_still_open() {
    let mut server = Server::start(quiet());
    let (_open, _open_reader) = kept_alive(&server);
    for _ in 0..3 {
        // Kept alive, then the client leaves: the server closes its side
        // (the client reads end of stream) and the connection is over.
        let (s, mut reader) = kept_alive(&server);
        s.shutdown(std::net::Shutdown::Write).unwrap();
        assert!(closed_by_server(&mut reader));
    }
    let summary = server.stop();
    assert_eq!(summary.connections, 4);
    assert_eq!(summary.open_at_shutdown, 1);
}

fn curl_available() -> bool {
    Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok()
}

#[test]
fn curl_gets_pages_reuses_the_connection_and_posts_to_echo() {
    if !curl_available() {
        println!("curl is not installed: skipping the curl checks");
        return;
    }
    let mut server = Server::start(quiet());
    let base = format!("http://{}", server.addr);
    // Two URLs in one curl run share a kept-alive connection.
    let out = Command::new("curl")
        .args(["--noproxy", "*"])
        .args([
            "-sS",
            "--max-time",
            "30",
            "-w",
            "[%{http_code} %{num_connects}]\n",
        ])
        .arg(format!("{base}/"))
        .arg(format!("{base}/chunked"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("hello from magpie\n[200 1]"), "{text}");
    assert!(
        text.contains("line 19\n[200 0]"),
        "second request reused the connection: {text}"
    );

    let out = Command::new("curl")
        .args(["--noproxy", "*"])
        .args(["-sS", "--max-time", "30", "--data-binary", "ping pong"])
        .arg(format!("{base}/echo"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ping pong");

    let out = Command::new("curl")
        .args(["--noproxy", "*"])
        .args([
            "-sS",
            "--max-time",
            "30",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .arg(format!("{base}/missing"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "404");
    let summary = server.stop();
    assert_eq!(summary.requests, 4);
    assert_eq!(summary.connections, 3);
}

const CHILD_ENV: &str = "MAGPIE_HTTP_SERVER_CHILD";

/// Runs only in the child process: the example's own `run`, stopped by
/// SIGINT or SIGTERM.
#[test]
fn server_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let summary = http_server::run(Config {
        port: 0,
        ..Config::default()
    })
    .unwrap();
    println!("child served {} request(s)", summary.requests);
}

#[test]
fn ctrl_c_lets_the_in_flight_request_finish() {
    a_signal_lets_the_in_flight_request_finish(libc::SIGINT, "Ctrl-C (SIGINT)");
}

#[test]
fn sigterm_lets_the_in_flight_request_finish_as_ctrl_c_does() {
    a_signal_lets_the_in_flight_request_finish(libc::SIGTERM, "SIGTERM");
}

/// Runs the example's `run` in a child process, starts a slow request,
/// sends `signal` while it is in flight, and checks the request finishes,
/// the server says `announced` and shuts down cleanly.
fn a_signal_lets_the_in_flight_request_finish(signal: libc::c_int, announced: &str) {
    let mut child = ChildGuard::spawn(
        Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "server_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, "1"),
    );
    let pid = child.0.id() as libc::pid_t;
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut next_line = move || lines.next().and_then(Result::ok);

    let addr = loop {
        let line = next_line().expect("child printed its address");
        // The test harness may have printed "test server_child ... " first.
        if let Some((_, addr)) = line.split_once("listening on http://") {
            break addr.trim().to_string();
        }
    };
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    s.write_all(b"GET /sleep?ms=5000 HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    // Once the server logged the request, it is in flight: interrupt.
    loop {
        let line = next_line().expect("child logged the request");
        if line.contains("GET /sleep") {
            break;
        }
    }
    // SAFETY: kill(2) on our own child process.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("Connection: close"), "{reply}");
    assert!(reply.ends_with("slept 5000 ms\n"), "{reply}");

    let mut rest = Vec::new();
    while let Some(line) = next_line() {
        rest.push(line);
    }
    let status = child.0.wait().unwrap();
    assert!(status.success(), "{status}: {rest:?}");
    assert!(rest.iter().any(|l| l == announced), "{rest:?}");
    assert!(
        rest.iter()
            .any(|l| l.starts_with("shutdown complete: 1 connection(s) were open")),
        "{rest:?}"
    );
    assert!(
        rest.iter().any(|l| l.contains("child served 1 request")),
        "{rest:?}"
    );
}

/// A child process that is killed when the test ends (also on panic), and
/// killed after two minutes if still running (a hang guard, not a timing
/// assertion).
struct ChildGuard(
    std::process::Child,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
);

impl ChildGuard {
    fn spawn(cmd: &mut Command) -> ChildGuard {
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let pid = child.id() as libc::pid_t;
        let watch = done.clone();
        std::thread::spawn(move || {
            for _ in 0..1200 {
                if watch.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            // SAFETY: kill(2) on our own child, which has not been reaped
            // (the guard reaps it only after setting `done`).
            unsafe { libc::kill(pid, libc::SIGKILL) };
        });
        ChildGuard(child, done)
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        self.1.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn max_requests_stops_the_server_by_itself() {
    let support::ServerParts {
        rt, listener, addr, ..
    } = support::server_parts();
    let config = Config {
        max_requests: Some(2),
        ..quiet()
    };
    let done = rt.spawn(serve(listener, config, std::future::pending()));
    for _ in 0..2 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut reply = String::new();
        let _ = s.read_to_string(&mut reply);
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    }
    let summary = rt.block_on(done).unwrap();
    assert_eq!(summary.requests, 2);
}
