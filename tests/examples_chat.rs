//! The `chat` example: names, fan-out to everyone but the sender, clients
//! that quit or vanish, and shutdown. Clients are blocking std sockets.

#[allow(dead_code)]
#[path = "../examples/chat.rs"]
mod chat;
#[path = "support/net.rs"]
mod support;

use std::io::{BufRead, BufReader, Read, Write};
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

/// A chat server on a port of its own; `stop` shuts it down.
struct Server {
    // Dropped before `rt`: a test that panics midway must still release the
    // server's stop signal, or dropping the runtime would wait on it.
    stop: Option<std::sync::mpsc::Sender<()>>,
    rt: magpie::Runtime,
    addr: SocketAddr,
    done: Option<magpie::task::JoinHandle<chat::Summary>>,
}

impl Server {
    fn start() -> Server {
        let parts = support::server_parts();
        let done = parts.rt.spawn(chat::serve(parts.listener, parts.stopped));
        Server {
            stop: Some(parts.stop),
            rt: parts.rt,
            addr: parts.addr,
            done: Some(done),
        }
    }

    fn stop(&mut self) -> chat::Summary {
        drop(self.stop.take());
        self.rt.block_on(self.done.take().unwrap()).unwrap()
    }
}

#[test]
fn messages_fan_out_and_vanished_clients_are_announced() {
    let mut server = Server::start();
    let addr = server.addr;

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

    server.stop.take().unwrap().send(()).unwrap();
    ann.expect("* server shutting down");
    ann.expect("* bye");
    dan.expect("* server shutting down");
    let summary = server.stop();
    assert_eq!(summary.clients, 5);
    assert_eq!(summary.messages, 2);
    assert_eq!(summary.accept_errors, 0);
}

#[test]
fn a_line_at_the_limit_is_relayed_and_a_longer_one_drops_its_sender() {
    let mut server = Server::start();
    let mut ann = Client::join(server.addr, "ann");
    let mut bob = Client::join(server.addr, "bob");
    ann.expect("* bob joined");

    let longest = "x".repeat(chat::MAX_LINE);
    bob.say(&longest);
    ann.expect(&format!("bob: {longest}"));

    // One byte more, and no newline at all: the server does not wait for
    // one, it tells bob and hangs up.
    let too_long = "y".repeat(chat::MAX_LINE + 1);
    bob.writer.write_all(too_long.as_bytes()).unwrap();
    bob.expect(&format!("* line longer than {} bytes, bye", chat::MAX_LINE));
    assert_eq!(bob.line(), "", "the connection stays open");
    ann.expect("* bob left");

    // The others carry on.
    let mut cy = Client::join(server.addr, "cy");
    cy.say("still here");
    ann.expect("cy: still here");
    drop((ann, cy));
    let summary = server.stop();
    assert_eq!(summary.messages, 2);
}

#[test]
fn a_name_over_the_limit_drops_the_client_before_it_joins() {
    let mut server = Server::start();
    let s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    let mut writer = s;
    writer
        .write_all("z".repeat(chat::MAX_LINE + 1).as_bytes())
        .unwrap();
    let mut all = String::new();
    reader.read_to_string(&mut all).unwrap();
    assert_eq!(
        all,
        format!(
            "* your name?\n* line longer than {} bytes, bye\n",
            chat::MAX_LINE
        )
    );
    server.stop();
}

#[test]
fn the_accept_back_off_grows_from_10_ms_to_a_second() {
    let pauses: Vec<u64> = (1..=10)
        .map(|n| chat::accept_backoff(n).as_millis() as u64)
        .collect();
    assert_eq!(pauses, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
    assert_eq!(chat::accept_backoff(u32::MAX).as_millis(), 1000);
}
