//! A line-based TCP chat server — the asyncio tutorial's
//! `asyncio.start_server` chat, where the handler keeps a set of writers and
//! loops over them for every message. Here a `broadcast` channel does the
//! fan-out, and each client's task `select!`s between its socket and the
//! channel.
//!
//! ```text
//! cargo run --example chat -- --port 7000
//! nc 127.0.0.1 7000        # first line: your name; then chat; /quit leaves
//! ```
//!
//! Points worth noticing:
//! * `Lines::next_line` keeps a partial line inside the `Lines` value (as
//!   `magpie::io::Lines` does; this one also caps the length), so it is
//!   cancellation safe in the `select!` loop; `read_line` into a fresh
//!   `String` inside the loop would not be.
//! * A client that vanishes (closes, resets, or stops reading) is noticed
//!   on its next read or write; its task announces that it left and ends.
//!   Nobody else is slowed down: a receiver that falls behind the channel's
//!   capacity gets `Lagged` and is told how many messages it missed.
//! * Shutdown: the stop future ends the accept loop, a last message tells
//!   every client task to pass it on and disconnect; any still stuck after
//!   a grace period is cancelled (`JoinSet::shutdown`).
//! * Limits: a line may be at most `MAX_LINE` bytes; a client that sends a
//!   longer one (or a long stream with no newline at all) is told so and
//!   dropped, so no client can make the server buffer without bound. When
//!   `accept` fails (out of file descriptors: `EMFILE`), the loop pauses
//!   before trying again, longer after each failure in a row, instead of
//!   spinning a core and flooding the log.

use magpie::io::{AsyncBufRead, AsyncRead, AsyncWriteExt, BufReader};
use magpie::net::tcp::OwnedWriteHalf;
use magpie::net::{TcpListener, TcpStream};
use magpie::sync::broadcast::{self, error::RecvError};
use magpie::task::JoinSet;
use magpie::time::{sleep, Duration};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

/// A message on the channel.
#[derive(Debug, Clone)]
struct Message {
    /// The sender's client id (0 for the server), so nobody hears an echo.
    from: u64,
    text: Arc<str>,
    /// The server is shutting down: pass this on, then disconnect.
    last: bool,
}

/// What the server did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Clients that connected.
    pub clients: u64,
    /// Chat lines relayed.
    pub messages: u64,
    /// `accept` calls that failed (e.g. out of file descriptors).
    pub accept_errors: u64,
}

#[derive(Default)]
struct Counters {
    clients: AtomicU64,
    messages: AtomicU64,
    accept_errors: AtomicU64,
}

/// How many messages a slow client may fall behind before it lags.
const CAPACITY: usize = 256;

/// The longest line a client may send, in bytes, without its newline.
pub const MAX_LINE: usize = 8 * 1024;

/// How long the accept loop pauses after `failures` failed accepts in a
/// row: 10 ms, doubling up to 1 s. `EMFILE` does not clear by itself:
/// retrying at once would spin a core and print an error per try, while
/// the connection that could not be accepted waits in the kernel's
/// backlog either way.
pub fn accept_backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(7);
    Duration::from_millis(10 << doublings).min(Duration::from_secs(1))
}

/// Serves the chat on `listener` until `stop` completes.
pub async fn serve(listener: TcpListener, stop: impl Future<Output = ()>) -> Summary {
    let (tx, _) = broadcast::channel::<Message>(CAPACITY);
    let counters = Arc::new(Counters::default());
    let mut clients = JoinSet::new();
    let mut stop = std::pin::pin!(stop);
    let mut next_id = 1;
    let mut failures = 0;
    loop {
        let accepted = magpie::select! {
            biased;
            _ = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, _peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                failures += 1;
                counters.accept_errors.fetch_add(1, Ordering::Relaxed);
                eprintln!("accept: {e}");
                magpie::select! {
                    biased;
                    _ = &mut stop => break,
                    _ = sleep(accept_backoff(failures)) => continue,
                }
            }
        };
        failures = 0;
        let id = next_id;
        next_id += 1;
        counters.clients.fetch_add(1, Ordering::Relaxed);
        // Subscribe before spawning: the client hears everything sent from
        // the moment it was accepted.
        let (tx, rx) = (tx.clone(), tx.subscribe());
        let counters = counters.clone();
        clients.spawn(async move {
            if let Err(e) = client(id, stream, tx, rx, &counters).await {
                eprintln!("client {id}: {e}");
            }
        });
        while clients.try_join_next().is_some() {}
    }
    let _ = tx.send(Message {
        from: 0,
        text: "* server shutting down\n".into(),
        last: true,
    });
    // Clients pass the news on and disconnect; one stuck writing to a
    // client that stopped reading is cancelled after a grace period.
    let grace = magpie::time::Duration::from_secs(5);
    let drained = magpie::time::timeout(grace, async {
        while clients.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        clients.shutdown().await;
    }
    Summary {
        clients: counters.clients.load(Ordering::Relaxed),
        messages: counters.messages.load(Ordering::Relaxed),
        accept_errors: counters.accept_errors.load(Ordering::Relaxed),
    }
}

/// One client: a name, then lines until it leaves or vanishes.
async fn client(
    id: u64,
    stream: TcpStream,
    tx: broadcast::Sender<Message>,
    mut rx: broadcast::Receiver<Message>,
    counters: &Counters,
) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = Lines::new(read);
    write.write_all(b"* your name?\n").await?;
    let name = match lines.next_line().await {
        Ok(Some(name)) if !name.trim().is_empty() => name.trim().to_string(),
        Ok(Some(_)) => format!("guest{id}"),
        Ok(None) => return Ok(()), // left before saying anything
        Err(e) => {
            let _ = write.write_all(farewell(&e).as_bytes()).await;
            return Err(e);
        }
    };
    let online = tx.receiver_count();
    write
        .write_all(format!("* welcome {name}, {online} online\n").as_bytes())
        .await?;
    announce(&tx, id, format!("* {name} joined\n"));

    let result = loop {
        magpie::select! {
            line = lines.next_line() => match line {
                Ok(Some(line)) if line == "/quit" => break Ok(()),
                Ok(Some(line)) => {
                    counters.messages.fetch_add(1, Ordering::Relaxed);
                    announce(&tx, id, format!("{name}: {line}\n"));
                }
                // End of stream: the client closed, or vanished.
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            },
            message = rx.recv() => match message {
                Ok(message) if message.from == id => {}
                Ok(message) => {
                    if let Err(e) = send(&mut write, &message.text).await {
                        break Err(e); // the client is gone
                    }
                    if message.last {
                        break Ok(());
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    let note = format!("* you missed {n} messages\n");
                    if let Err(e) = send(&mut write, &note).await {
                        break Err(e);
                    }
                }
                Err(RecvError::Closed) => break Ok(()),
            },
        }
    };
    announce(&tx, id, format!("* {name} left\n"));
    let bye = match &result {
        Err(e) => farewell(e),
        Ok(()) => "* bye\n".to_string(),
    };
    let _ = write.write_all(bye.as_bytes()).await;
    result
}

/// The last line a client gets when its connection ends with `error`: a
/// line that was too long is worth telling it about.
fn farewell(error: &io::Error) -> String {
    if error.kind() == io::ErrorKind::InvalidData {
        format!("* {error}, bye\n")
    } else {
        "* bye\n".to_string()
    }
}

/// A client's lines, each at most [`MAX_LINE`] bytes (`\n` or `\r\n`
/// removed). Like `Lines::next_line`, it keeps a partial line inside
/// itself, so `next_line` is cancellation safe in a `select!` loop.
struct Lines<R> {
    reader: BufReader<R>,
    line: Vec<u8>,
}

impl<R: AsyncRead + Unpin> Lines<R> {
    fn new(read: R) -> Lines<R> {
        Lines {
            reader: BufReader::new(read),
            line: Vec::new(),
        }
    }

    /// The next line, `None` at end of stream, or `InvalidData` for a line
    /// over the limit or not UTF-8.
    async fn next_line(&mut self) -> io::Result<Option<String>> {
        std::future::poll_fn(|cx| self.poll_next_line(cx)).await
    }

    fn poll_next_line(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<String>>> {
        loop {
            let available = ready!(Pin::new(&mut self.reader).poll_fill_buf(cx))?;
            if available.is_empty() {
                // End of stream: what is left (if anything) is the last line.
                if self.line.is_empty() {
                    return Poll::Ready(Ok(None));
                }
                break;
            }
            let newline = available.iter().position(|&b| b == b'\n');
            let text = &available[..newline.unwrap_or(available.len())];
            if self.line.len() + text.len() > MAX_LINE {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("line longer than {MAX_LINE} bytes"),
                )));
            }
            self.line.extend_from_slice(text);
            let used = newline.map_or(text.len(), |at| at + 1);
            Pin::new(&mut self.reader).consume(used);
            if newline.is_some() {
                break;
            }
        }
        let mut line = std::mem::take(&mut self.line);
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        let line = String::from_utf8(line)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "line is not UTF-8"))?;
        Poll::Ready(Ok(Some(line)))
    }
}

async fn send(write: &mut OwnedWriteHalf, text: &str) -> io::Result<()> {
    write.write_all(text.as_bytes()).await
}

fn announce(tx: &broadcast::Sender<Message>, from: u64, text: String) {
    // An error only means nobody is listening.
    let _ = tx.send(Message {
        from,
        text: text.into(),
        last: false,
    });
}

/// Binds 127.0.0.1:`port`, prints `listening on ADDR`, serves until
/// Ctrl-C.
pub fn run(port: u16) -> io::Result<Summary> {
    let rt = magpie::Runtime::new()?;
    rt.block_on(async {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        println!("listening on {}", listener.local_addr()?);
        let stop = async {
            let _ = magpie::signal::ctrl_c().await;
        };
        Ok(serve(listener, stop).await)
    })
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let port = match args.iter().position(|a| a == "--port") {
        Some(at) => args
            .get(at + 1)
            .and_then(|p| p.parse().ok())
            .expect("--port needs a number"),
        None => 7000,
    };
    let summary = run(port)?;
    println!(
        "{} client(s), {} message(s) relayed",
        summary.clients, summary.messages
    );
    Ok(())
}
