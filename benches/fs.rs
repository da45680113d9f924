//! File system benchmarks: magpie::fs against tokio::fs, in one run, on
//! runtimes with the same number of workers (and both with their default
//! blocking pools). Both run every file operation on a blocking pool.
//!
//! * `read_10k_files`: 10,000 files of 256 bytes, each read whole by its
//!   own task (`fs::read`), all joined: the pool hop and the task, times
//!   10,000.
//! * `file_100b_reads`: one 256 KiB file read through `File` in 100-byte
//!   reads. magpie's `File` fetches 64 KiB per hop and serves the small
//!   reads from its buffer; tokio's fetches what each read asks for, one
//!   hop per read.
//!
//! Run: `cargo bench --bench fs` (about 40 s; prints a ratio table at the
//! end: magpie's time over tokio's, below 1.0 means magpie is faster).

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::Criterion;
use support::{report, Bench, Magpie, Tokio};

const FILES: usize = 10_000;
const FILE_SIZE: usize = 256;
const BIG_FILE: usize = 256 * 1024;
const SMALL_READ: usize = 100;

/// The files, written once for the whole run, removed at the end.
struct Fixture {
    dir: PathBuf,
    small: Vec<PathBuf>,
    big: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = std::env::temp_dir().join(format!("magpie-bench-fs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let small: Vec<_> = (0..FILES)
            .map(|i| {
                let path = dir.join(format!("{i:05}"));
                std::fs::write(&path, [i as u8; FILE_SIZE]).unwrap();
                path
            })
            .collect();
        let big = dir.join("big");
        std::fs::write(&big, vec![7u8; BIG_FILE]).unwrap();
        Fixture { dir, small, big }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn magpie_read_all(rt: &Magpie, paths: &[PathBuf]) -> usize {
    rt.block_on(async {
        let tasks: Vec<_> = paths
            .iter()
            .cloned()
            .map(|p| magpie::spawn(async move { magpie::fs::read(p).await.unwrap().len() }))
            .collect();
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        total
    })
}

fn tokio_read_all(rt: &Tokio, paths: &[PathBuf]) -> usize {
    rt.block_on(async {
        let tasks: Vec<_> = paths
            .iter()
            .cloned()
            .map(|p| tokio::spawn(async move { tokio::fs::read(p).await.unwrap().len() }))
            .collect();
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        total
    })
}

fn magpie_small_reads(rt: &Magpie, path: &Path) -> usize {
    use magpie::io::AsyncReadExt;
    rt.block_on(async {
        let mut file = magpie::fs::File::open(path).await.unwrap();
        let (mut buf, mut total) = ([0u8; SMALL_READ], 0);
        loop {
            match file.read(&mut buf).await.unwrap() {
                0 => return total,
                n => total += n,
            }
        }
    })
}

fn tokio_small_reads(rt: &Tokio, path: &Path) -> usize {
    use tokio::io::AsyncReadExt;
    rt.block_on(async {
        let mut file = tokio::fs::File::open(path).await.unwrap();
        let (mut buf, mut total) = ([0u8; SMALL_READ], 0);
        loop {
            match file.read(&mut buf).await.unwrap() {
                0 => return total,
                n => total += n,
            }
        }
    })
}

fn main() {
    let fixture = Fixture::new();
    let magpie = Magpie::new();
    let tokio = Tokio::new();
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6))
        .configure_from_args();

    let mut group = c.benchmark_group("read_10k_files");
    group.bench_function(Magpie::NAME, |b| {
        b.iter(|| assert_eq!(magpie_read_all(&magpie, &fixture.small), FILES * FILE_SIZE))
    });
    group.bench_function(Tokio::NAME, |b| {
        b.iter(|| assert_eq!(tokio_read_all(&tokio, &fixture.small), FILES * FILE_SIZE))
    });
    group.finish();

    let mut group = c.benchmark_group("file_100b_reads");
    group.bench_function(Magpie::NAME, |b| {
        b.iter(|| assert_eq!(magpie_small_reads(&magpie, &fixture.big), BIG_FILE))
    });
    group.bench_function(Tokio::NAME, |b| {
        b.iter(|| assert_eq!(tokio_small_reads(&tokio, &fixture.big), BIG_FILE))
    });
    group.finish();

    c.final_summary();
    report::print_ratio_table(
        &["read_10k_files", "file_100b_reads"],
        &[Magpie::NAME, Tokio::NAME],
    );
}
