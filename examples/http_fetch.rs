//! Fetch many URLs at once — asyncio's
//! `await asyncio.gather(*(fetch(u) for u in urls))` with an
//! `asyncio.Semaphore(n)` around each fetch, `asyncio.wait_for` per request
//! and `async with asyncio.timeout(total)` around the lot.
//!
//! ```text
//! cargo run --example http_fetch -- [--concurrency 4] [--timeout-ms 2000] [--deadline-ms 10000] URL...
//! ```
//!
//! The HTTP/1.1 client is written here, small on purpose: one request per
//! connection (`Connection: close`), a request line and headers out, a
//! status line and headers in, and a body framed by `Content-Length`, by
//! `Transfer-Encoding: chunked`, or by the end of the stream. `http://` only.
//!
//! For each URL it prints status, body size and latency (measured from when
//! the request got its concurrency permit, so time spent queueing behind
//! the limit is not counted).

use magpie::io::{AsyncReadExt, AsyncWriteExt};
use magpie::net::TcpStream;
use magpie::sync::Semaphore;
use magpie::task::JoinSet;
use magpie::time::{timeout, timeout_at, Duration, Instant};
use std::io;
use std::sync::Arc;

/// Fetch settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Limit for each request (connect, send, receive).
    pub per_request: Duration,
    /// Limit for the whole batch; unfinished requests are cancelled.
    pub deadline: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            concurrency: 4,
            per_request: Duration::from_secs(5),
            deadline: Duration::from_secs(30),
        }
    }
}

/// A response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header names (lower-cased) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

/// The outcome for one URL.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL, as given.
    pub url: String,
    /// The response, or why there is none ("timed out", "deadline
    /// exceeded", an I/O error).
    pub outcome: Result<Response, String>,
    /// From getting the concurrency permit to the end of the response.
    pub latency: Duration,
}

/// Largest response head and body we accept.
const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Fetches one `http://host[:port][/path]` URL.
pub async fn fetch(url: &str) -> io::Result<Response> {
    let (host, port, path) = parse_url(url)?;
    let mut stream = TcpStream::connect((host.as_str(), port)).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: magpie-http-fetch\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut reader = Reader {
        stream,
        buf: Vec::with_capacity(8192),
    };
    read_response(&mut reader).await
}

/// Fetches every URL, at most `config.concurrency` at once, each within
/// `config.per_request`, all within `config.deadline`. Results come back
/// in the order of `urls`.
pub async fn fetch_all(urls: &[String], config: &Config) -> Vec<Fetched> {
    let limit = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let mut set = JoinSet::new();
    for (index, url) in urls.iter().enumerate() {
        let (limit, url, per_request) = (limit.clone(), url.clone(), config.per_request);
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("never closed");
            let started = Instant::now();
            let outcome = match timeout(per_request, fetch(&url)).await {
                Ok(Ok(response)) => Ok(response),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_elapsed) => Err("timed out".to_string()),
            };
            let latency = started.elapsed();
            (
                index,
                Fetched {
                    url,
                    outcome,
                    latency,
                },
            )
        });
    }
    let mut results: Vec<Option<Fetched>> = vec![None; urls.len()];
    let deadline = Instant::now() + config.deadline;
    loop {
        match timeout_at(deadline, set.join_next()).await {
            Ok(Some(Ok((index, fetched)))) => results[index] = Some(fetched),
            Ok(Some(Err(join_error))) => eprintln!("a fetch task failed: {join_error}"),
            Ok(None) => break,
            Err(_elapsed) => {
                // The total deadline: cancel whatever is still running or
                // still waiting for a permit.
                set.abort_all();
                break;
            }
        }
    }
    results
        .into_iter()
        .zip(urls)
        .map(|(fetched, url)| {
            fetched.unwrap_or_else(|| Fetched {
                url: url.clone(),
                outcome: Err("deadline exceeded".to_string()),
                latency: config.deadline,
            })
        })
        .collect()
}

/// Fetches `urls` on a fresh runtime and prints one line per URL.
pub fn run(urls: &[String], config: &Config) -> io::Result<Vec<Fetched>> {
    let rt = magpie::Runtime::new()?;
    let results = rt.block_on(fetch_all(urls, config));
    for f in &results {
        match &f.outcome {
            Ok(r) => println!(
                "{:>3}  {:>8} B  {:>9.1} ms  {}",
                r.status,
                r.body.len(),
                f.latency.as_secs_f64() * 1e3,
                f.url
            ),
            Err(why) => println!("ERR  {why:>21}  {}", f.url),
        }
    }
    Ok(results)
}

/// Splits `http://host[:port][/path]`.
fn parse_url(url: &str) -> io::Result<(String, u16, String)> {
    let invalid = |why: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("{url}: {why}"));
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid("only http:// URLs are supported"))?;
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().map_err(|_| invalid("bad port"))?),
        None => (authority, 80),
    };
    if host.is_empty() {
        return Err(invalid("no host"));
    }
    Ok((host.to_string(), port, path.to_string()))
}

/// The connection and what was read from it but not yet consumed.
struct Reader {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Reader {
    /// Reads once more into the buffer; false at end of stream.
    async fn fill(&mut self) -> io::Result<bool> {
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }

    /// Takes bytes up to and including `delimiter`.
    async fn take_through(&mut self, delimiter: &[u8], limit: usize) -> io::Result<Vec<u8>> {
        let mut searched = 0;
        loop {
            if let Some(at) = self.buf[searched..]
                .windows(delimiter.len())
                .position(|w| w == delimiter)
            {
                let end = searched + at + delimiter.len();
                return Ok(self.buf.drain(..end).collect());
            }
            if self.buf.len() > limit {
                return Err(bad("response line or head too long"));
            }
            searched = self.buf.len().saturating_sub(delimiter.len() - 1);
            if !self.fill().await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// Takes exactly `n` bytes.
    async fn take(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < n {
            if !self.fill().await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(self.buf.drain(..n).collect())
    }
}

fn bad(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.to_string())
}

async fn read_response(reader: &mut Reader) -> io::Result<Response> {
    let head = reader.take_through(b"\r\n\r\n", MAX_HEAD).await?;
    let head = String::from_utf8(head).map_err(|_| bad("head is not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err(bad("not an HTTP/1.x response"));
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status code"))?;
    let headers: Vec<(String, String)> = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let chunked = header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        read_chunked(reader).await?
    } else if let Some(len) = header("content-length") {
        let len: usize = len.parse().map_err(|_| bad("bad Content-Length"))?;
        if len > MAX_BODY {
            return Err(bad("body too large"));
        }
        reader.take(len).await?
    } else {
        // No framing: the body runs to the end of the stream.
        while reader.fill().await? {
            if reader.buf.len() > MAX_BODY {
                return Err(bad("body too large"));
            }
        }
        std::mem::take(&mut reader.buf)
    };
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// `size-in-hex[;extensions]\r\n data \r\n` ... `0\r\n [trailers] \r\n`.
async fn read_chunked(reader: &mut Reader) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = reader.take_through(b"\r\n", 1024).await?;
        let line =
            std::str::from_utf8(&line[..line.len() - 2]).map_err(|_| bad("bad chunk size"))?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| bad("bad chunk size"))?;
        if size == 0 {
            // Trailers, if any, end with an empty line.
            while reader.take_through(b"\r\n", MAX_HEAD).await?.len() > 2 {}
            return Ok(body);
        }
        if body.len() + size > MAX_BODY {
            return Err(bad("body too large"));
        }
        let chunk = reader.take(size + 2).await?;
        if !chunk.ends_with(b"\r\n") {
            return Err(bad("chunk not followed by CRLF"));
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

fn main() -> io::Result<()> {
    let mut config = Config::default();
    let mut urls = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> u64 {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name} needs a number"))
        };
        match arg.as_str() {
            "--concurrency" => config.concurrency = number(&arg) as usize,
            "--timeout-ms" => config.per_request = Duration::from_millis(number(&arg)),
            "--deadline-ms" => config.deadline = Duration::from_millis(number(&arg)),
            _ => urls.push(arg),
        }
    }
    if urls.is_empty() {
        eprintln!(
            "usage: http_fetch [--concurrency N] [--timeout-ms MS] [--deadline-ms MS] URL..."
        );
        std::process::exit(2);
    }
    let results = run(&urls, &config)?;
    let ok = results.iter().filter(|f| f.outcome.is_ok()).count();
    println!("{ok}/{} fetched", results.len());
    Ok(())
}
