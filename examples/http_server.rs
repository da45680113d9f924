//! A small HTTP/1.1 server — what asyncio users write with
//! `asyncio.start_server(handle, host, port)` plus `loop.add_signal_handler`
//! for a graceful stop, and `asyncio.wait_for` around every read.
//!
//! ```text
//! cargo run --example http_server -- --port 8080 [--max-requests N] [--shutdown-after-ms MS]
//! curl -v http://127.0.0.1:8080/            # static route
//! curl -v --data 'hi' http://127.0.0.1:8080/echo
//! ```
//!
//! What it shows:
//! * keep-alive connections (HTTP/1.1 default, `Connection: close` honoured),
//!   bodies framed by `Content-Length` (responses to `/chunked` are chunked);
//! * a connection limit: an `OwnedSemaphorePermit` per connection. At the
//!   limit a new client does not wait behind idle keep-alive connections:
//!   the one that has been idle longest is closed to make room. Only if
//!   none is idle does the new client wait, and those after it wait in the
//!   kernel's backlog;
//! * timeouts: an idle connection is closed after `idle_timeout`, and a
//!   request's head and body must arrive within `header_timeout` of its
//!   first byte (a slow-loris client that trickles bytes gets 408);
//! * limits: a malformed request gets 400, a body over the limit 413, a head
//!   over the limit 431; each closes the connection, and the server goes on;
//! * graceful shutdown on Ctrl-C (SIGINT) or SIGTERM (what `kill`,
//!   systemd and container runtimes send), or after `--max-requests`
//!   requests, or `--shutdown-after-ms`: stop accepting, close idle
//!   connections, let in-flight requests finish (up to a grace period),
//!   then return.
//!
//! The read loop is cancellation safe: bytes go into a buffer owned by the
//! connection, outside the futures that `select!` and `timeout` may drop.

use magpie::io::AsyncReadExt;
use magpie::io::AsyncWriteExt;
use magpie::net::{TcpListener, TcpStream};
#[cfg(unix)]
use magpie::signal::unix::{signal, SignalKind};
use magpie::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use magpie::task::JoinSet;
use magpie::time::{sleep, timeout, timeout_at, Duration, Instant};
use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Server settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Port on 127.0.0.1 (0 picks a free one).
    pub port: u16,
    /// Connections served at once. At the limit the longest-idle
    /// keep-alive connection is closed for a new client; if none is idle,
    /// new clients wait.
    pub max_connections: usize,
    /// Largest request head (request line + headers), else 431.
    pub max_head_bytes: usize,
    /// Largest request body, else 413.
    pub max_body_bytes: u64,
    /// An idle keep-alive connection is closed after this long.
    pub idle_timeout: Duration,
    /// A request's head and body must arrive within this, else 408.
    pub header_timeout: Duration,
    /// Shut down after serving this many requests.
    pub max_requests: Option<u64>,
    /// Shut down after this long.
    pub shutdown_after: Option<Duration>,
    /// How long in-flight requests get to finish at shutdown.
    pub grace: Duration,
    /// Print one line per request.
    pub log: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            port: 8080,
            max_connections: 256,
            max_head_bytes: 8 * 1024,
            max_body_bytes: 1024 * 1024,
            idle_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            max_requests: None,
            shutdown_after: None,
            grace: Duration::from_secs(10),
            log: true,
        }
    }
}

/// What the server did, returned when it stops.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Connections accepted.
    pub connections: u64,
    /// Requests answered (any status the routes produce).
    pub requests: u64,
    /// Requests refused with 400, 408, 413, 431 or 501.
    pub rejected: u64,
    /// Idle keep-alive connections closed to make room at the limit.
    pub closed_idle: u64,
    /// Connections still open when shutdown began.
    pub open_at_shutdown: u64,
}

/// The live counters behind [`Summary`].
#[derive(Debug, Default)]
struct Stats {
    connections: AtomicU64,
    requests: AtomicU64,
    rejected: AtomicU64,
    closed_idle: AtomicU64,
    /// Connections open right now.
    open: AtomicU64,
}

/// Counts a connection as open for as long as it lives.
struct Open<'a>(&'a AtomicU64);

impl Open<'_> {
    fn count(open: &AtomicU64) -> Open<'_> {
        open.fetch_add(1, Ordering::Relaxed);
        Open(open)
    }
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Shared by the accept loop and every connection.
struct Shared {
    config: Config,
    stats: Stats,
    /// `true` once shutdown began; connections watch it while idle.
    shutdown: watch::Sender<bool>,
    /// The connections waiting for a request, longest-idle first.
    idle: IdleList,
}

/// The kept-alive connections waiting for their next request, in the order
/// they began to wait. At the connection limit the accept loop closes the
/// one that has waited longest, so a new client is served instead of
/// queued behind idle keep-alive connections.
#[derive(Default)]
struct IdleList {
    /// Each waiting connection's place in line, and its close signal.
    waiting: Mutex<BTreeMap<u64, Arc<Notify>>>,
    next_place: AtomicU64,
    /// Signalled when a connection begins to wait.
    went_idle: Notify,
}

impl IdleList {
    /// Puts the connection whose close signal is `close` at the back of
    /// the line, until the returned guard drops.
    fn wait(&self, close: &Arc<Notify>) -> Idle<'_> {
        let place = self.next_place.fetch_add(1, Ordering::Relaxed);
        self.waiting.lock().unwrap().insert(place, close.clone());
        self.went_idle.notify_one();
        Idle { list: self, place }
    }

    /// Tells the longest-idle connection to close; `false` if none is
    /// idle. The signal is kept until that connection next waits, so one
    /// that just started on a request finishes it first.
    fn close_longest_idle(&self) -> bool {
        let longest = self.waiting.lock().unwrap().pop_first();
        match longest {
            Some((_, close)) => {
                close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// A connection's place in the [`IdleList`]; dropping it leaves the line.
struct Idle<'a> {
    list: &'a IdleList,
    place: u64,
}

impl Drop for Idle<'_> {
    fn drop(&mut self) {
        self.list.waiting.lock().unwrap().remove(&self.place);
    }
}

/// Binds 127.0.0.1:`config.port`, prints `listening on http://ADDR`, and
/// serves until Ctrl-C, SIGTERM (on Unix), `max_requests` or
/// `shutdown_after`.
pub fn run(config: Config) -> io::Result<Summary> {
    let rt = magpie::Runtime::new()?;
    rt.block_on(async {
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        // Listen before saying we are up: until then a signal has its
        // default effect (exit).
        let signalled = shutdown_signal()?;
        println!("listening on http://{}", listener.local_addr()?);
        let after = config.shutdown_after;
        let stop = async move {
            let timer = async {
                match after {
                    Some(after) => sleep(after).await,
                    None => std::future::pending().await,
                }
            };
            magpie::select! {
                _ = timer => println!("shutdown timer fired"),
                _ = signalled => {}
            }
        };
        Ok(serve(listener, config, stop).await)
    })
}

/// Completes at SIGINT (Ctrl-C) or SIGTERM, which stop the server the same
/// way, and prints which came. Listening starts here, not at the first
/// poll.
#[cfg(unix)]
fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        magpie::select! {
            _ = interrupt.recv() => println!("Ctrl-C (SIGINT)"),
            _ = terminate.recv() => println!("SIGTERM"),
        }
    })
}

/// Completes at Ctrl-C, and prints so. Windows has no SIGTERM; the console
/// handler is installed when the future is first polled, just after this.
#[cfg(windows)]
fn shutdown_signal() -> io::Result<impl Future<Output = ()>> {
    Ok(async {
        if magpie::signal::ctrl_c().await.is_ok() {
            println!("Ctrl-C");
        }
    })
}

/// Serves connections from `listener` until `stop` completes (or
/// `config.max_requests` requests were answered), then shuts down
/// gracefully and returns the counts.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    stop: impl Future<Output = ()>,
) -> Summary {
    let (shutdown, mut shutting_down) = watch::channel(false);
    let limit = Arc::new(Semaphore::new(config.max_connections));
    let grace = config.grace;
    let shared = Arc::new(Shared {
        config,
        stats: Stats::default(),
        shutdown,
        idle: IdleList::default(),
    });
    let mut stop = std::pin::pin!(stop);
    let mut connections = JoinSet::new();
    loop {
        let (stream, peer) = magpie::select! {
            biased;
            _ = &mut stop => break,
            _ = shutting_down.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    eprintln!("accept: {e}");
                    sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        // A slot for it: at the limit, one made by closing an idle
        // connection. While none is free, the clients after this one wait
        // in the kernel's backlog.
        let permit = magpie::select! {
            biased;
            _ = &mut stop => break,
            _ = shutting_down.changed() => break,
            permit = make_room(&limit, &shared.idle) => permit,
        };
        shared.stats.connections.fetch_add(1, Ordering::Relaxed);
        let shared = shared.clone();
        let idle = shared.shutdown.subscribe();
        connections.spawn(async move {
            connection(stream, peer, &shared, idle).await;
            drop(permit);
        });
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
    }

    // Graceful shutdown: no new connections; idle ones close at once, busy
    // ones after their current response; wait `grace` for them.
    drop(listener);
    let open = shared.stats.open.load(Ordering::Relaxed);
    shared.shutdown.send_replace(true);
    let drained = timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
    println!(
        "shutdown complete: {open} connection(s) were open, {}",
        if drained.is_ok() {
            "all finished"
        } else {
            "some were cut off after the grace period"
        }
    );
    Summary {
        connections: shared.stats.connections.load(Ordering::Relaxed),
        requests: shared.stats.requests.load(Ordering::Relaxed),
        rejected: shared.stats.rejected.load(Ordering::Relaxed),
        closed_idle: shared.stats.closed_idle.load(Ordering::Relaxed),
        open_at_shutdown: open,
    }
}

/// A connection slot: at once if one is free. At the limit, the
/// longest-idle connection is told to close and its slot is taken; while
/// no connection is idle, this waits until one is (or one ends).
async fn make_room(limit: &Arc<Semaphore>, idle: &IdleList) -> OwnedSemaphorePermit {
    loop {
        if let Ok(permit) = limit.clone().try_acquire_owned() {
            return permit;
        }
        let closing = idle.close_longest_idle();
        magpie::select! {
            biased;
            permit = limit.clone().acquire_owned() => return permit.expect("never closed"),
            _ = idle.went_idle.notified(), if !closing => {}
        }
    }
}

/// A parsed request head.
#[derive(Debug)]
struct Request {
    method: String,
    target: String,
    content_length: u64,
    keep_alive: bool,
}

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Refusal {
    BadRequest,
    Timeout,
    TooLarge,
    HeadTooLarge,
    NotImplemented,
}

impl Refusal {
    fn status(self) -> (u16, &'static str) {
        match self {
            Refusal::BadRequest => (400, "Bad Request"),
            Refusal::Timeout => (408, "Request Timeout"),
            Refusal::TooLarge => (413, "Payload Too Large"),
            Refusal::HeadTooLarge => (431, "Request Header Fields Too Large"),
            Refusal::NotImplemented => (501, "Not Implemented"),
        }
    }
}

/// One connection: requests in sequence until close, timeout or shutdown.
async fn connection(
    mut stream: TcpStream,
    peer: SocketAddr,
    shared: &Shared,
    mut shutdown: watch::Receiver<bool>,
) {
    // Declared before everything else, so dropped after everything else but
    // before `stream` (a parameter) closes the socket: a client that sees
    // the close also sees the count go down.
    let _open = Open::count(&shared.stats.open);
    let config = &shared.config;
    // Signalled when the server needs this connection's slot; it closes
    // the next time it waits for a request (see `IdleList`).
    let close = Arc::new(Notify::new());
    // Its place among the idle keep-alive connections, once it has one. (A
    // client that connected and has not sent a request yet is not one: it
    // may be about to, and `idle_timeout` bounds its wait.)
    let mut idle: Option<Idle<'_>> = None;
    // Received but not yet consumed bytes: lives outside every future that
    // may be cancelled, so no byte is lost when a select! branch loses.
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    loop {
        // Wait for the first byte of the next request.
        if buf.is_empty() {
            let _idle = idle.take();
            if *shutdown.borrow() {
                return;
            }
            let first = magpie::select! {
                biased;
                _ = shutdown.changed() => return,
                _ = close.notified() => {
                    shared.stats.closed_idle.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                read = timeout(config.idle_timeout, read_more(&mut stream, &mut buf)) => read,
            };
            match first {
                Ok(Ok(n)) if n > 0 => {}
                _ => return, // idle timeout, EOF or error
            }
        }
        // Busy with a request (a pipelined one, too) until its response is out.
        drop(idle.take());
        let deadline = Instant::now() + config.header_timeout;
        let request = match timeout_at(deadline, read_request(&mut stream, &mut buf, config)).await
        {
            Ok(Ok(Some(request))) => request,
            Ok(Ok(None)) => return, // the client went away mid-request
            Ok(Err(refusal)) => return refuse(&mut stream, shared, refusal).await,
            Err(_elapsed) => return refuse(&mut stream, shared, Refusal::Timeout).await,
        };
        // The body, under the same deadline as the head.
        let body_len = request.content_length as usize;
        let body = timeout_at(deadline, async {
            while buf.len() < body_len {
                if read_more(&mut stream, &mut buf).await? == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
            }
            Ok::<_, io::Error>(buf.drain(..body_len).collect::<Vec<u8>>())
        })
        .await;
        let body = match body {
            Ok(Ok(body)) => body,
            Ok(Err(_)) => return,
            Err(_elapsed) => return refuse(&mut stream, shared, Refusal::Timeout).await,
        };
        if config.log {
            println!("{peer} {} {}", request.method, request.target);
        }
        let (status, reason, content_type, payload, chunked) = route(&request, body).await;
        let keep_alive = request.keep_alive && !*shutdown.borrow();
        let response = render(status, reason, content_type, &payload, chunked, keep_alive);
        if keep_alive {
            // Idle from the moment the response is ready, so the line of
            // idle connections is in the order their responses were made.
            idle = Some(shared.idle.wait(&close));
        }
        if stream.write_all(&response).await.is_err() {
            return;
        }
        shared.stats.requests.fetch_add(1, Ordering::Relaxed);
        let served = shared.stats.requests.load(Ordering::Relaxed);
        if config.max_requests.is_some_and(|max| served >= max) {
            shared.shutdown.send_replace(true);
        }
        if !keep_alive {
            let _ = stream.shutdown_std(Shutdown::Write);
            return;
        }
    }
}

/// Reads once into `buf`. Cancellation safe: bytes are appended only when
/// the read completes.
async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<usize> {
    let mut chunk = [0u8; 4096];
    let n = stream.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

/// Reads until `buf` holds a whole head, parses it and removes it from
/// `buf`. `Ok(None)` if the peer closed first.
async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    config: &Config,
) -> Result<Option<Request>, Refusal> {
    let mut searched = 0;
    let head_len = loop {
        if let Some(at) = find(&buf[searched..], b"\r\n\r\n") {
            break searched + at + 4;
        }
        if buf.len() > config.max_head_bytes {
            return Err(Refusal::HeadTooLarge);
        }
        searched = buf.len().saturating_sub(3);
        match read_more(stream, buf).await {
            Ok(0) | Err(_) => return Ok(None),
            Ok(_) => {}
        }
    };
    if head_len > config.max_head_bytes {
        return Err(Refusal::HeadTooLarge);
    }
    let request = parse_head(&buf[..head_len])?;
    buf.drain(..head_len);
    if request.content_length > config.max_body_bytes {
        return Err(Refusal::TooLarge);
    }
    Ok(Some(request))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses a request head (ending in the blank line).
fn parse_head(head: &[u8]) -> Result<Request, Refusal> {
    let head = std::str::from_utf8(head).map_err(|_| Refusal::BadRequest)?;
    let mut lines = head.split("\r\n");
    let mut parts = lines.next().unwrap_or("").split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) => (m, t, v),
        _ => return Err(Refusal::BadRequest),
    };
    let method_ok = !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase());
    if !method_ok || !target.starts_with('/') {
        return Err(Refusal::BadRequest);
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(Refusal::BadRequest),
    };
    let mut content_length: Option<u64> = None;
    let mut connection = String::new();
    let mut has_host = false;
    for line in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or(Refusal::BadRequest)?;
        if name.is_empty() || name.contains(|c: char| c.is_whitespace()) {
            return Err(Refusal::BadRequest);
        }
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => {
                let n: u64 = value.parse().map_err(|_| Refusal::BadRequest)?;
                if content_length.is_some_and(|old| old != n) {
                    return Err(Refusal::BadRequest);
                }
                content_length = Some(n);
            }
            "transfer-encoding" => return Err(Refusal::NotImplemented),
            "connection" => connection = value.to_ascii_lowercase(),
            "host" => has_host = true,
            _ => {}
        }
    }
    if http11 && !has_host {
        return Err(Refusal::BadRequest);
    }
    let keep_alive = if http11 {
        !connection.contains("close")
    } else {
        connection.contains("keep-alive")
    };
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        content_length: content_length.unwrap_or(0),
        keep_alive,
    })
}

type Reply = (u16, &'static str, &'static str, Vec<u8>, bool);

/// The routes.
async fn route(request: &Request, body: Vec<u8>) -> Reply {
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    match (request.method.as_str(), path) {
        ("GET", "/") => (
            200,
            "OK",
            "text/plain",
            b"hello from magpie\n".to_vec(),
            false,
        ),
        (_, "/echo") => (200, "OK", "application/octet-stream", body, false),
        ("GET", "/sleep") => {
            let ms: u64 = query
                .strip_prefix("ms=")
                .and_then(|v| v.parse().ok())
                .unwrap_or(100)
                .min(10_000);
            sleep(Duration::from_millis(ms)).await;
            (
                200,
                "OK",
                "text/plain",
                format!("slept {ms} ms\n").into_bytes(),
                false,
            )
        }
        ("GET", "/chunked") => {
            let text: String = (0..20).map(|i| format!("line {i}\n")).collect();
            (200, "OK", "text/plain", text.into_bytes(), true)
        }
        (_, "/" | "/sleep" | "/chunked") => (
            405,
            "Method Not Allowed",
            "text/plain",
            b"method not allowed\n".to_vec(),
            false,
        ),
        _ => (
            404,
            "Not Found",
            "text/plain",
            b"not found\n".to_vec(),
            false,
        ),
    }
}

/// Renders a whole response into one buffer (one write).
fn render(
    status: u16,
    reason: &str,
    content_type: &str,
    body: &[u8],
    chunked: bool,
    keep_alive: bool,
) -> Vec<u8> {
    let connection = if keep_alive { "keep-alive" } else { "close" };
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {}", body.len())
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nServer: magpie-example\r\nContent-Type: {content_type}\r\n{framing}\r\nConnection: {connection}\r\n\r\n"
    )
    .into_bytes();
    if chunked {
        for piece in body.chunks(37) {
            out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
            out.extend_from_slice(piece);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
    } else {
        out.extend_from_slice(body);
    }
    out
}

/// Sends the refusal's status with `Connection: close`, then closes
/// gracefully: shut down our side, and discard what the client still sends
/// for a moment, so the kernel does not answer it with a reset that could
/// destroy the response before the client reads it.
async fn refuse(stream: &mut TcpStream, shared: &Shared, refusal: Refusal) {
    shared.stats.rejected.fetch_add(1, Ordering::Relaxed);
    let (status, reason) = refusal.status();
    if shared.config.log {
        println!("refused: {status} {reason}");
    }
    let body = format!("{status} {reason}\n");
    let response = render(status, reason, "text/plain", body.as_bytes(), false, false);
    if stream.write_all(&response).await.is_err() {
        return;
    }
    let _ = stream.shutdown_std(Shutdown::Write);
    let _ = timeout(Duration::from_millis(500), async {
        let mut sink = [0u8; 4096];
        let mut budget = 1024 * 1024;
        while budget > 0 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => budget -= n.min(budget),
            }
        }
    })
    .await;
}

fn main() -> io::Result<()> {
    let mut config = Config::default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = || -> u64 {
            pair.get(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{} needs a number", pair[0]))
        };
        match pair[0].as_str() {
            "--port" => config.port = value() as u16,
            "--max-connections" => config.max_connections = value() as usize,
            "--max-requests" => config.max_requests = Some(value()),
            "--shutdown-after-ms" => config.shutdown_after = Some(Duration::from_millis(value())),
            "--idle-timeout-ms" => config.idle_timeout = Duration::from_millis(value()),
            "--header-timeout-ms" => config.header_timeout = Duration::from_millis(value()),
            other => panic!("unknown option {other}"),
        }
    }
    let summary = run(config)?;
    println!(
        "served {} request(s) on {} connection(s), refused {}",
        summary.requests, summary.connections, summary.rejected
    );
    Ok(())
}
