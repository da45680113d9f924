//! Producer → bounded queue → N workers → results — asyncio's
//! `asyncio.Queue(maxsize=N)` with worker tasks, and `task.cancel()` on all
//! of them to stop early. Here the queue is a bounded `mpsc` channel (a
//! full queue makes the producer's `send` wait: back-pressure), the
//! workers live in a `JoinSet`, and `JoinSet::abort_all` cancels them.
//!
//! ```text
//! cargo run --example pipeline [-- --jobs 40 --workers 4 --capacity 4 --stop-after 10]
//! ```
//!
//! Two runs: one to completion (every job's result arrives, the queue never
//! holds more than its capacity), and one stopped early after a few
//! results, where the workers are aborted mid-job and the producer notices
//! the queue is gone.
//!
//! The workers share the receiver behind a `magpie::sync::Mutex`. The lock
//! is held across `recv().await`, deliberately: only one idle worker waits
//! on the queue at a time, and the lock is released before the job runs.

use magpie::sync::{mpsc, Mutex};
use magpie::task::JoinSet;
use magpie::time::{sleep, Duration};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Pipeline settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Jobs the producer makes.
    pub jobs: u64,
    /// Worker tasks.
    pub workers: usize,
    /// Queue capacity (the back-pressure point).
    pub capacity: usize,
    /// How long one job takes.
    pub work: Duration,
    /// Abort the workers after this many results (`None`: run to the end).
    pub stop_after: Option<u64>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            jobs: 40,
            workers: 4,
            capacity: 4,
            work: Duration::from_millis(5),
            stop_after: None,
        }
    }
}

/// What happened.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Jobs the producer got into the queue.
    pub produced: u64,
    /// Times the producer found the queue full and had to wait.
    pub producer_waits: u64,
    /// The most jobs ever sent but not yet taken by a worker (at most
    /// `capacity` plus the workers that had just taken one).
    pub max_backlog: u64,
    /// `(job, result)` pairs, in arrival order.
    pub results: Vec<(u64, u64)>,
    /// Workers that were aborted.
    pub cancelled: usize,
    /// Workers that ended on their own (the queue closed and drained).
    pub finished: usize,
}

/// Runs the pipeline on a fresh runtime.
pub fn run(config: &Config) -> Report {
    let rt = magpie::Runtime::new().expect("build the runtime");
    rt.block_on(pipeline(config))
}

/// The pipeline itself.
pub async fn pipeline(config: &Config) -> Report {
    let (jobs_tx, jobs_rx) = mpsc::channel::<u64>(config.capacity);
    let (results_tx, mut results_rx) = mpsc::channel::<(u64, u64)>(config.capacity);
    let jobs_rx = Arc::new(Mutex::new(jobs_rx));
    let taken = Arc::new(AtomicU64::new(0));

    let mut workers = JoinSet::new();
    for worker in 0..config.workers {
        let (jobs_rx, results_tx, taken) = (jobs_rx.clone(), results_tx.clone(), taken.clone());
        let work = config.work;
        workers.spawn(async move {
            loop {
                // Lock, wait for a job, unlock: one idle worker at the queue.
                let job = jobs_rx.lock().await.recv().await;
                let Some(job) = job else { break };
                taken.fetch_add(1, Ordering::Relaxed);
                sleep(work).await; // the "work"
                if results_tx.send((job, job * job)).await.is_err() {
                    break; // nobody wants results any more
                }
            }
            worker
        });
    }
    // Only the workers hold result senders now: when they are all gone,
    // `results_rx.recv()` returns `None`.
    drop(results_tx);
    // The queue's receiver lives only in the workers, too: when they are
    // aborted, the producer's `send` fails.
    drop(jobs_rx);

    let jobs = config.jobs;
    let producer = magpie::spawn({
        let taken = taken.clone();
        async move {
            let (mut produced, mut waits, mut max_backlog) = (0, 0, 0);
            for job in 0..jobs {
                let sent = match jobs_tx.try_send(job) {
                    Ok(()) => true,
                    Err(mpsc::error::TrySendError::Full(job)) => {
                        waits += 1; // back-pressure: wait for room
                        jobs_tx.send(job).await.is_ok()
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => false,
                };
                if !sent {
                    println!("  producer: the queue is gone after {produced} jobs");
                    break;
                }
                produced += 1;
                max_backlog = u64::max(max_backlog, produced - taken.load(Ordering::Relaxed));
            }
            (produced, waits, max_backlog)
        }
    });

    let mut report = Report::default();
    while let Some(result) = results_rx.recv().await {
        report.results.push(result);
        if config
            .stop_after
            .is_some_and(|n| report.results.len() as u64 >= n)
        {
            println!(
                "  collector: have {} results, aborting the workers",
                report.results.len()
            );
            workers.abort_all();
            break;
        }
    }
    while let Some(ended) = workers.join_next().await {
        match ended {
            Ok(_) => report.finished += 1,
            Err(e) if e.is_cancelled() => report.cancelled += 1,
            Err(e) => panic!("a worker panicked: {e}"),
        }
    }
    // With the workers gone, the queue's receiver is dropped; a producer
    // still waiting in `send` gets an error and ends.
    let (produced, waits, max_backlog) = producer.await.expect("the producer does not panic");
    report.produced = produced;
    report.producer_waits = waits;
    report.max_backlog = max_backlog;
    report
}

fn print(title: &str, config: &Config, report: &Report) {
    println!(
        "{title}: {} jobs produced, producer waited {} times for room (capacity {}, max backlog {}), \
         {} results, workers finished {} / cancelled {}",
        report.produced,
        report.producer_waits,
        config.capacity,
        report.max_backlog,
        report.results.len(),
        report.finished,
        report.cancelled
    );
}

fn main() {
    let mut config = Config::default();
    let mut stop_after = 10;
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = || -> u64 {
            pair.get(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{} needs a number", pair[0]))
        };
        match pair[0].as_str() {
            "--jobs" => config.jobs = value(),
            "--workers" => config.workers = value() as usize,
            "--capacity" => config.capacity = value() as usize,
            "--stop-after" => stop_after = value(),
            other => panic!("unknown option {other}"),
        }
    }
    let report = run(&config);
    print("to completion", &config, &report);
    let early = Config {
        stop_after: Some(stop_after),
        ..config
    };
    let report = run(&early);
    print("stopped early", &early, &report);
}
