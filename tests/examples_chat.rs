//! The `chat` example: names, fan-out to everyone but the sender, clients
//! that quit or vanish, and shutdown. Clients are blocking std sockets.

#[allow(dead_code)]
#[path = "../examples/chat.rs"]
mod chat;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};

struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn join(addr: SocketAddr, name: &str) -> Client {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        let mut c = Client {
            reader: BufReader::new(s.try_clone().unwrap()),
            writer: s,
        };
        assert_eq!(c.line(), "* your name?");
        c.say(name);
        assert!(c.line().starts_with(&format!("* welcome {name}")));
        c
    }

    fn say(&mut self, text: &str) {
        self.writer
            .write_all(format!("{text}\n").as_bytes())
            .unwrap();
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        line.trim_end().to_string()
    }

    /// Reads lines until one equals `want` (skipping join/leave notices
    /// that may interleave), with a bound on how many it reads.
    fn expect(&mut self, want: &str) {
        for _ in 0..20 {
            if self.line() == want {
                return;
            }
        }
        panic!("never got {want:?}");
    }
}

#[test]
fn messages_fan_out_and_vanished_clients_are_announced() {
    let rt = magpie::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap();
    let listener = rt
        .block_on(magpie::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let server = rt.spawn(chat::serve(listener, async move {
        let _ = magpie::task::spawn_blocking(move || stop_rx.recv()).await;
    }));

    let mut ann = Client::join(addr, "ann");
    let mut bob = Client::join(addr, "bob");
    ann.expect("* bob joined");
    bob.say("hi ann");
    ann.expect("bob: hi ann");
    ann.say("hi bob");
    bob.expect("ann: hi bob");

    // A client that vanishes without a word (the socket just closes).
    let carl = Client::join(addr, "carl");
    ann.expect("* carl joined");
    drop(carl);
    ann.expect("* carl left");

    // One that quits politely.
    bob.say("/quit");
    bob.expect("* bye");
    ann.expect("* bob left");

    // A client that disconnects before giving a name is no trouble. (Dan
    // joins after it, so by the time Dan is welcomed it was accepted.)
    let nameless = TcpStream::connect(addr).unwrap();
    let mut dan = Client::join(addr, "dan");
    drop(nameless);

    stop_tx.send(()).unwrap();
    ann.expect("* server shutting down");
    ann.expect("* bye");
    dan.expect("* server shutting down");
    let summary = rt.block_on(server).unwrap();
    assert_eq!(summary.clients, 5);
    assert_eq!(summary.messages, 2);
}
