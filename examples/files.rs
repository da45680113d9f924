//! Reading many files at once — asyncio's
//! `await asyncio.to_thread(lambda: open(path).read())`, gathered over a
//! directory with an `asyncio.Semaphore` capping how many are open.
//!
//! ```text
//! cargo run --example files [-- --files 500 --limit 16 --size 4096]
//! ```
//!
//! It writes `files` files into a fresh temporary directory, lists the
//! directory with `fs::read_dir`, reads every file in its own task with
//! `fs::read` (each read is one hop to the blocking pool, so no worker
//! blocks), and caps the reads in flight with a `Semaphore`. The report
//! says how many bytes came back and the most reads that were ever in
//! flight together — never more than the limit.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use magpie::sync::Semaphore;

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// How many files to write and read back.
    pub files: usize,
    /// Reads in flight at most.
    pub limit: usize,
    /// Bytes per file.
    pub size: usize,
    /// Where to put them (a fresh directory, removed at the end).
    pub dir: PathBuf,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            files: 500,
            limit: 16,
            size: 4096,
            dir: std::env::temp_dir().join(format!("magpie-files-{}", std::process::id())),
        }
    }
}

/// What the example observed.
#[derive(Debug)]
pub struct Report {
    /// Files found by `read_dir`.
    pub listed: usize,
    /// Files read back whole and with the right contents.
    pub verified: usize,
    /// Bytes read in total.
    pub bytes: usize,
    /// The most reads that were in flight at once.
    pub peak_in_flight: usize,
    /// Time for the concurrent reads.
    pub elapsed: Duration,
}

/// The contents of file `i`: its number, repeated to `size` bytes.
fn contents(i: usize, size: usize) -> Vec<u8> {
    format!("{i:08}")
        .into_bytes()
        .into_iter()
        .cycle()
        .take(size)
        .collect()
}

/// Writes the files, reads them all back concurrently, removes them.
pub fn run(config: &Config) -> io::Result<Report> {
    let rt = magpie::Runtime::new()?;
    rt.block_on(async {
        let dir = config.dir.clone();
        let _ = magpie::fs::remove_dir_all(&dir).await;
        magpie::fs::create_dir_all(&dir).await?;
        for i in 0..config.files {
            magpie::fs::write(dir.join(format!("{i:08}.txt")), contents(i, config.size)).await?;
        }
        let result = read_all(config).await;
        magpie::fs::remove_dir_all(&dir).await?;
        result
    })
}

async fn read_all(config: &Config) -> io::Result<Report> {
    let mut paths = Vec::new();
    let mut entries = magpie::fs::read_dir(&config.dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        paths.push(entry.path());
    }

    let start = Instant::now();
    let permits = Arc::new(Semaphore::new(config.limit));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let reads: Vec<_> = paths
        .iter()
        .cloned()
        .map(|path| {
            let (permits, in_flight, peak) = (permits.clone(), in_flight.clone(), peak.clone());
            magpie::spawn(async move {
                let _permit = permits.acquire_owned().await.expect("never closed");
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                let read = magpie::fs::read(&path).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                read.map(|bytes| (path, bytes))
            })
        })
        .collect();

    let (mut verified, mut bytes) = (0, 0);
    for read in reads {
        let (path, data) = read.await??;
        bytes += data.len();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if let Ok(i) = stem.parse::<usize>() {
            if data == contents(i, config.size) {
                verified += 1;
            }
        }
    }
    Ok(Report {
        listed: paths.len(),
        verified,
        bytes,
        peak_in_flight: peak.load(Ordering::SeqCst),
        elapsed: start.elapsed(),
    })
}

fn main() -> io::Result<()> {
    let mut config = Config::default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = || -> usize {
            pair.get(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{} needs a number", pair[0]))
        };
        match pair[0].as_str() {
            "--files" => config.files = value(),
            "--limit" => config.limit = value(),
            "--size" => config.size = value(),
            other => panic!("unknown option {other}"),
        }
    }
    let report = run(&config)?;
    println!(
        "read {} of {} files ({} bytes) in {:?}, at most {} at once (limit {})",
        report.verified,
        report.listed,
        report.bytes,
        report.elapsed,
        report.peak_in_flight,
        config.limit
    );
    Ok(())
}
