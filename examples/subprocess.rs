//! Subprocesses — asyncio's `create_subprocess_exec` scenarios on magpie
//! (Unix: the commands are `sh`, `tr`, `wc`, `sleep`).
//!
//! ```text
//! cargo run --example subprocess [-- --jobs 4 --slow-secs 30 --timeout-ms 200]
//! ```
//!
//! Three sections:
//! 1. several commands run at once, each with its output captured
//!    (`asyncio.gather(*(proc.communicate() for proc in procs))`);
//! 2. a pipeline `producer | tr a-z A-Z`: the producer's stdout pipe is
//!    handed to the second child as its stdin (`stdin=proc1.stdout`), while
//!    we feed the producer through its stdin pipe and read the result;
//! 3. a slow child under a timeout: when `timeout` fires, the child is
//!    killed and reaped (`asyncio.wait_for(proc.wait(), t)` then
//!    `proc.kill()`), so it leaves no zombie behind.
//!
//! Waiting holds no thread per child: a pidfd on Linux, SIGCHLD on other
//! Unix systems.

use std::io;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use magpie::io::{AsyncReadExt, AsyncWriteExt};
use magpie::process::{Command, Stdio};
use magpie::time::timeout;

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Section 1: how many commands to run at once.
    pub jobs: usize,
    /// Section 3: how long the slow child would sleep if left alone.
    pub slow: Duration,
    /// Section 3: how long we let it run.
    pub timeout: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            jobs: 4,
            slow: Duration::from_secs(30),
            timeout: Duration::from_millis(200),
        }
    }
}

/// Everything the example observed.
#[derive(Debug)]
pub struct Report {
    /// Section 1: each job's stdout, in job order.
    pub outputs: Vec<String>,
    /// Section 1: how long all jobs took together (they overlap).
    pub concurrent_elapsed: Duration,
    /// Section 2: what came out of the end of the pipeline.
    pub piped: String,
    /// Section 3: whether the timeout fired.
    pub timed_out: bool,
    /// Section 3: the slow child's status after the kill.
    pub killed_status: ExitStatus,
    /// Section 3: the slow child's pid, reaped by now.
    pub killed_pid: u32,
}

/// Runs the three sections on a fresh runtime.
pub fn run(config: &Config) -> io::Result<Report> {
    let rt = magpie::Runtime::new()?;
    rt.block_on(async {
        let (outputs, concurrent_elapsed) = concurrent(config.jobs).await?;
        let piped = pipeline().await?;
        let (timed_out, killed_status, killed_pid) = slow_child(config).await?;
        Ok(Report {
            outputs,
            concurrent_elapsed,
            piped,
            timed_out,
            killed_status,
            killed_pid,
        })
    })
}

/// Section 1: `jobs` commands that each sleep 0.2 s, all at once.
async fn concurrent(jobs: usize) -> io::Result<(Vec<String>, Duration)> {
    let start = Instant::now();
    let handles: Vec<_> = (0..jobs)
        .map(|i| {
            magpie::spawn(async move {
                let output = Command::new("sh")
                    .args(["-c", &format!("sleep 0.2; echo job {i}")])
                    .output()
                    .await?;
                if !output.status.success() {
                    return Err(io::Error::other(format!("job {i}: {}", output.status)));
                }
                Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
            })
        })
        .collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await??);
    }
    Ok((outputs, start.elapsed()))
}

/// Section 2: `cat | tr a-z A-Z`, fed and read by us.
async fn pipeline() -> io::Result<String> {
    let mut producer = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let link: Stdio = producer.stdout.take().expect("piped").try_into()?;
    let mut upper = Command::new("tr")
        .args(["a-z", "A-Z"])
        .stdin(link)
        .stdout(Stdio::piped())
        .spawn()?;
    let mut feed = producer.stdin.take().expect("piped");
    let writer = magpie::spawn(async move {
        for word in ["magpies ", "collect ", "shiny ", "things"] {
            feed.write_all(word.as_bytes()).await?;
        }
        feed.close().await // end of file for cat, then for tr
    });
    let mut result = String::new();
    upper
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut result)
        .await?;
    writer.await??;
    producer.wait().await?;
    upper.wait().await?;
    Ok(result)
}

/// Section 3: a child that would outlive our patience.
async fn slow_child(config: &Config) -> io::Result<(bool, ExitStatus, u32)> {
    let mut child = Command::new("sleep")
        .arg(config.slow.as_secs().to_string())
        .kill_on_drop(true) // also killed if this future is dropped
        .spawn()?;
    let pid = child.id().expect("not yet reaped");
    let timed_out = match timeout(config.timeout, child.wait()).await {
        Ok(status) => {
            let status = status?;
            return Ok((false, status, pid));
        }
        Err(_elapsed) => true,
    };
    child.kill().await?; // SIGKILL, then reap
    let status = child.wait().await?;
    Ok((timed_out, status, pid))
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
            "--jobs" => config.jobs = value() as usize,
            "--slow-secs" => config.slow = Duration::from_secs(value()),
            "--timeout-ms" => config.timeout = Duration::from_millis(value()),
            other => panic!("unknown option {other}"),
        }
    }
    let report = run(&config)?;
    println!(
        "1. {} jobs in {:?} (each sleeps 0.2 s): {:?}",
        report.outputs.len(),
        report.concurrent_elapsed,
        report.outputs
    );
    println!("2. cat | tr a-z A-Z: {:?}", report.piped);
    println!(
        "3. sleep {:?} under a {:?} timeout: timed out = {}, then {} (pid {} reaped)",
        config.slow, config.timeout, report.timed_out, report.killed_status, report.killed_pid
    );
    Ok(())
}
