//! A walk through magpie, end to end. Run it with
//!
//! ```text
//! cargo run --release --example tour
//! ```
//!
//! Each section prints what it did. asyncio readers: `Runtime::block_on` is
//! `asyncio.run`, `spawn` is `create_task`, `JoinSet` is `TaskGroup`,
//! `timeout` is `wait_for`.

use magpie::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use magpie::net::{TcpListener, TcpStream};
use magpie::runtime::Builder;
use magpie::sync::{mpsc, watch, Mutex, Notify, Semaphore};
use magpie::task::{self, JoinSet};
use magpie::time::{self, Duration, Instant, MissedTickBehavior};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub fn main() {
    let started = Instant::from_std(std::time::Instant::now());
    let rt = Builder::new()
        .thread_name("tour-worker")
        .build()
        .expect("build the runtime");
    println!("magpie tour: a runtime with one worker per CPU");

    rt.block_on(async {
        tasks().await;
        join_set().await;
        failures().await;
        blocking().await;
        timers().await;
        sync().await;
        networking().await.expect("loopback networking");
    });

    drop(rt);
    println!(
        "\nruntime shut down cleanly; the tour took {:?}",
        started.elapsed()
    );
}

fn section(title: &str) {
    println!("\n== {title}");
}

async fn tasks() {
    section("tasks: spawn and await");
    let h = magpie::spawn(async { 6 * 7 });
    println!(
        "spawned task {} and awaited it: {}",
        h.id(),
        h.await.unwrap()
    );

    let counter = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..100_000)
        .map(|_| {
            let counter = counter.clone();
            magpie::spawn(async move {
                counter.fetch_add(1, Ordering::Relaxed);
            })
        })
        .collect();
    let t = std::time::Instant::now();
    for h in handles {
        h.await.unwrap();
    }
    println!(
        "100,000 tasks ran on the work-stealing workers: count = {} (joined in {:?})",
        counter.load(Ordering::Relaxed),
        t.elapsed()
    );

    let mut hops = 0;
    for _ in 0..3 {
        task::yield_now().await;
        hops += 1;
    }
    println!("yield_now gave the worker back {hops} times");
}

async fn join_set() {
    section("JoinSet: a task group, results as they finish (asyncio.gather / TaskGroup)");
    let mut set = JoinSet::new();
    for (i, ms) in [30u64, 10, 20].into_iter().enumerate() {
        set.spawn(async move {
            time::sleep(Duration::from_millis(ms)).await;
            (i, ms)
        });
    }
    while let Some(res) = set.join_next().await {
        let (i, ms) = res.unwrap();
        println!("task #{i} finished after sleeping {ms} ms");
    }
}

async fn failures() {
    section("failures: panics and cancellation stay inside their task");
    // Keep the default panic report off the screen for this demo.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let err = magpie::spawn(async { panic!("something went wrong") })
        .await
        .unwrap_err();
    std::panic::set_hook(hook);
    println!("a panicking task -> JoinError: {err}");

    let h = magpie::spawn(std::future::pending::<()>());
    h.abort();
    let err = h.await.unwrap_err();
    println!("an aborted task -> is_cancelled() = {}", err.is_cancelled());
}

async fn blocking() {
    section("spawn_blocking: blocking work off the workers");
    let t = std::time::Instant::now();
    let mut set = JoinSet::new();
    for i in 0..4 {
        set.spawn_blocking(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            i
        });
    }
    let mut done = 0;
    while let Some(r) = set.join_next().await {
        r.unwrap();
        done += 1;
    }
    println!(
        "{done} blocking calls of 50 ms each ran in parallel on the blocking pool in {:?}",
        t.elapsed()
    );
}

async fn timers() {
    section("time: sleep, timeout (asyncio.wait_for), interval (periodic jobs)");
    let t = Instant::now();
    time::sleep(Duration::from_millis(25)).await;
    println!("slept 25 ms (measured {:?})", t.elapsed());

    let fast = time::timeout(Duration::from_millis(100), async { "made it" }).await;
    println!("timeout around a quick future: {fast:?}");
    let slow = time::timeout(
        Duration::from_millis(20),
        time::sleep(Duration::from_secs(10)),
    )
    .await;
    println!("timeout around a 10 s sleep after 20 ms: {slow:?}");

    let mut every = time::interval(Duration::from_millis(10));
    every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let t = Instant::now();
    for n in 1..=5 {
        every.tick().await;
        println!(
            "periodic job: tick {n} at {:>3} ms",
            t.elapsed().as_millis()
        );
    }
}

async fn networking() -> std::io::Result<()> {
    section("networking: a TCP echo server and clients on loopback");
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    println!("echo server listening on {addr}");
    // The server: one task per connection, line by line.
    let server = magpie::spawn(async move {
        let mut served = 0;
        while served < 3 {
            let (stream, peer) = listener.accept().await?;
            served += 1;
            magpie::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                while let Some(line) = lines.next_line().await? {
                    write
                        .write_all(format!("echo: {line}\n").as_bytes())
                        .await?;
                }
                println!("server: {peer} hung up");
                Ok::<_, std::io::Error>(())
            });
        }
        Ok::<_, std::io::Error>(())
    });
    // Three clients at once.
    let mut clients = JoinSet::new();
    for id in 0..3 {
        clients.spawn(async move {
            let mut stream = TcpStream::connect(addr).await?;
            stream
                .write_all(format!("hello from client {id}\n").as_bytes())
                .await?;
            stream.shutdown_std(std::net::Shutdown::Write)?;
            let mut reply = String::new();
            stream.read_to_string(&mut reply).await?;
            Ok::<_, std::io::Error>((id, reply))
        });
    }
    while let Some(res) = clients.join_next().await {
        let (id, reply) = res??;
        println!("client {id} got {:?}", reply.trim_end());
    }
    server.await??;
    // The listener is gone with the server task: a fourth client is refused.
    match TcpStream::connect(addr).await {
        Err(e) => println!("a fourth client after the server closed: {:?}", e.kind()),
        Ok(_) => println!("a fourth client connected (the port was reused)"),
    }
    Ok(())
}

async fn sync() {
    section("sync: a bounded queue, a semaphore-bounded pool, a lock and an event");
    // Producer -> bounded queue (asyncio.Queue(maxsize=4)) -> consumer.
    let (tx, mut rx) = mpsc::channel::<u32>(4);
    let producer = magpie::spawn(async move {
        for item in 1..=10 {
            // Waits while the queue is full: back-pressure.
            tx.send(item).await.expect("consumer alive");
        }
        // Dropping the sender closes the queue.
    });
    let mut consumed = Vec::new();
    while let Some(item) = rx.recv().await {
        consumed.push(item);
    }
    producer.await.unwrap();
    println!("consumer drained the queue in order: {consumed:?}");

    // A pool of 8 jobs, at most 3 at a time (asyncio.Semaphore(3)).
    let pool = Arc::new(Semaphore::new(3));
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(Mutex::new(0usize));
    let mut jobs = JoinSet::new();
    for _ in 0..8 {
        let (pool, running, peak) = (pool.clone(), running.clone(), peak.clone());
        jobs.spawn(async move {
            let _permit = pool.acquire().await.expect("semaphore open");
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            {
                // async with lock: the guard is released at the end of the block.
                let mut peak = peak.lock().await;
                *peak = (*peak).max(now);
            }
            time::sleep(Duration::from_millis(5)).await;
            running.fetch_sub(1, Ordering::SeqCst);
        });
    }
    while jobs.join_next().await.is_some() {}
    println!(
        "8 jobs through a 3-permit semaphore: at most {} ran at once",
        *peak.lock().await
    );

    // An event (asyncio.Event): a `watch` flag that waiters wait on; one
    // that starts waiting after it was set sees it at once.
    let (set_event, event) = watch::channel(false);
    let mut waiters = JoinSet::new();
    for id in 0..3 {
        let mut event = event.clone();
        waiters.spawn(async move {
            while !*event.borrow_and_update() {
                event.changed().await.expect("event sender alive");
            }
            id
        });
    }
    set_event.send(true).expect("waiters alive");
    let mut woke = Vec::new();
    while let Some(id) = waiters.join_next().await {
        woke.push(id.unwrap());
    }
    woke.sort();
    // A one-shot signal (Notify stores the permit if nobody waits yet).
    let done = Arc::new(Notify::new());
    let d = done.clone();
    magpie::spawn(async move { d.notify_one() });
    done.notified().await;
    println!("the event woke every waiter: {woke:?}; a Notify signalled completion");
}
