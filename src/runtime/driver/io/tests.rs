//! Driver tests: a helper thread turns the driver while the test thread
//! plays the task.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use super::{Direction, Driver, Handle, PollEvented};

/// Turns the driver on a helper thread until dropped.
struct Turning {
    stop: Arc<AtomicBool>,
    handle: Handle,
    thread: Option<thread::JoinHandle<()>>,
}

impl Turning {
    fn start() -> Turning {
        Self::start_with(Driver::new().unwrap())
    }

    fn start_oneshot() -> Turning {
        Self::start_with(Driver::new_oneshot().unwrap())
    }

    fn start_with((mut driver, handle): (Driver, Handle)) -> Turning {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (stop, handle) = (stop.clone(), handle.clone());
            thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    driver.turn(&handle, None);
                }
            })
        };
        Turning {
            stop,
            handle,
            thread: Some(thread),
        }
    }
}

impl Drop for Turning {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.unpark();
        self.thread.take().unwrap().join().unwrap();
    }
}

/// A waker that reports each wake on a channel.
struct ChannelWaker(std::sync::Mutex<mpsc::Sender<()>>);

impl Wake for ChannelWaker {
    fn wake(self: Arc<Self>) {
        let _ = self.0.lock().unwrap().send(());
    }
}

fn channel_waker() -> (Waker, mpsc::Receiver<()>) {
    let (tx, rx) = mpsc::channel();
    (
        Waker::from(Arc::new(ChannelWaker(std::sync::Mutex::new(tx)))),
        rx,
    )
}

/// A connected pair of TCP sockets on loopback (Unix-domain pairs would do
/// on Unix, but these tests run on Windows too). Nagle is off, so every
/// small write leaves at once.
fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let a = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (b, _) = listener.accept().unwrap();
    a.set_nodelay(true).unwrap();
    b.set_nodelay(true).unwrap();
    (a, b)
}

fn registered_pair(handle: &Handle) -> (PollEvented<TcpStream>, TcpStream) {
    let (a, b) = pair();
    a.set_nonblocking(true).unwrap();
    (PollEvented::new_with_handle(a, handle.clone()).unwrap(), b)
}

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn a_socket_becoming_readable_wakes_its_reader() {
    let turning = Turning::start();
    let (source, mut peer) = registered_pair(&turning.handle);
    let (waker, woken) = channel_waker();
    let mut cx = Context::from_waker(&waker);
    // The writable edge after registration may or may not have arrived;
    // reading is what we wait for.
    assert!(source.poll_ready(&mut cx, Direction::Read).is_pending());
    peer.write_all(b"ping").unwrap();
    woken.recv_timeout(WAIT).expect("reader was not woken");
    let mut buf = [0; 8];
    match source.poll_read(&mut cx, &mut buf) {
        Poll::Ready(Ok(n)) => assert_eq!(&buf[..n], b"ping"),
        other => panic!("read after wake: {other:?}"),
    }
}

/// Edge-triggered registrations only: a one-shot one (Windows' only kind)
/// reports nothing new until a waiter re-arms it, and this test holds the
/// readiness without waiting.
#[cfg(not(windows))]
#[test]
fn a_newer_event_survives_a_would_block_from_an_older_one() {
    let turning = Turning::start();
    let (source, mut peer) = registered_pair(&turning.handle);
    let (waker, woken) = channel_waker();
    let mut cx = Context::from_waker(&waker);
    assert!(source.poll_ready(&mut cx, Direction::Read).is_pending());
    peer.write_all(b"a").unwrap();
    woken.recv_timeout(WAIT).unwrap();
    let Poll::Ready(Ok(old)) = source.poll_ready(&mut cx, Direction::Read) else {
        panic!("not readable after wake");
    };
    // Drain, then a newer event arrives before the old observation clears.
    let mut buf = [0; 8];
    assert_eq!(
        std::io::Read::read(&mut source.get_ref(), &mut buf).unwrap(),
        1
    );
    peer.write_all(b"b").unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        // Wait for the driver to stamp the newer tick.
        let Poll::Ready(Ok(now)) = source.poll_ready(&mut cx, Direction::Read) else {
            panic!("readiness lost before the stale clear");
        };
        if now != old {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no newer event");
        thread::sleep(Duration::from_millis(1));
    }
    source.clear_readiness(old);
    assert!(
        source.poll_ready(&mut cx, Direction::Read).is_ready(),
        "the newer event was cleared by the stale observation"
    );
}

#[test]
fn a_dropped_source_is_deregistered() {
    let turning = Turning::start();
    let (source, mut peer) = registered_pair(&turning.handle);
    assert_eq!(turning.handle.registered(), 1);
    drop(source);
    assert_eq!(turning.handle.registered(), 0);
    // Its peer's activity must not reach anything.
    let _ = peer.write_all(b"late");
    let (again, _peer2) = registered_pair(&turning.handle);
    let (waker, _woken) = channel_waker();
    let mut cx = Context::from_waker(&waker);
    thread::sleep(Duration::from_millis(20));
    assert!(again.poll_ready(&mut cx, Direction::Read).is_pending());
}

#[test]
fn unpark_wakes_a_blocked_turn() {
    let (mut driver, handle) = Driver::new().unwrap();
    let (done_tx, done_rx) = mpsc::channel();
    let turner = {
        let handle = handle.clone();
        thread::spawn(move || {
            driver.turn(&handle, None);
            done_tx.send(()).unwrap();
        })
    };
    thread::sleep(Duration::from_millis(20));
    handle.unpark();
    done_rx.recv_timeout(WAIT).expect("turn did not return");
    turner.join().unwrap();
}

#[test]
fn shutdown_fails_pending_and_new_waits() {
    let turning = Turning::start();
    let (source, _peer) = registered_pair(&turning.handle);
    let (waker, woken) = channel_waker();
    let mut cx = Context::from_waker(&waker);
    assert!(source.poll_ready(&mut cx, Direction::Read).is_pending());
    turning.handle.shutdown();
    woken.recv_timeout(WAIT).unwrap();
    assert!(matches!(
        source.poll_ready(&mut cx, Direction::Read),
        Poll::Ready(Err(_))
    ));
    let (a, _b) = pair();
    assert!(PollEvented::new_with_handle(a, turning.handle.clone()).is_err());
}

#[test]
fn a_pending_read_does_not_spin_the_driver() {
    let turning = Turning::start();
    let (source, _peer) = registered_pair(&turning.handle);
    let wakes = Arc::new(AtomicUsize::new(0));
    struct Count(Arc<AtomicUsize>);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let waker = Waker::from(Arc::new(Count(wakes.clone())));
    let mut cx = Context::from_waker(&waker);
    let mut buf = [0; 4];
    assert!(source.poll_read(&mut cx, &mut buf).is_pending());
    thread::sleep(Duration::from_millis(50));
    assert_eq!(wakes.load(Ordering::SeqCst), 0);
}

#[test]
fn one_shot_registrations_rearm_for_each_waiting_direction() {
    let turning = Turning::start_oneshot();
    let (source, mut peer) = registered_pair(&turning.handle);
    let (read_waker, read_woken) = channel_waker();
    let (write_waker, write_woken) = channel_waker();
    // Writable arrives once the writer re-arms interest.
    let mut write_cx = Context::from_waker(&write_waker);
    if source
        .poll_ready(&mut write_cx, Direction::Write)
        .is_pending()
    {
        write_woken
            .recv_timeout(WAIT)
            .expect("writer was not woken");
    }
    let mut read_cx = Context::from_waker(&read_waker);
    let mut buf = [0; 8];
    for round in 0..3u8 {
        assert!(source.poll_read(&mut read_cx, &mut buf).is_pending());
        peer.write_all(&[round]).unwrap();
        read_woken.recv_timeout(WAIT).expect("reader was not woken");
        match source.poll_read(&mut read_cx, &mut buf) {
            Poll::Ready(Ok(1)) => assert_eq!(buf[0], round),
            other => panic!("round {round}: {other:?}"),
        }
    }
}
