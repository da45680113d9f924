//! Periodic jobs — asyncio's `while True: await job(); await asyncio.sleep(period)`
//! loop, done right: `magpie::time::interval` keeps a fixed schedule
//! (the job's own duration does not push the next run back), and
//! `MissedTickBehavior` says what happens when a job overruns its period.
//!
//! ```text
//! cargo run --example scheduler [-- --period-ms 50 --cost-ms 120 --ticks 6]
//! ```
//!
//! Three sections:
//! 1. the same overrunning job (it takes longer than its period) under each
//!    `MissedTickBehavior`: `Burst` catches up on missed ticks back to back,
//!    `Delay` restarts the schedule from when the job finished, `Skip`
//!    drops missed ticks and stays on the original grid;
//! 2. a heartbeat that stays on time because the slow job runs in its own
//!    task (`spawn`) instead of inline;
//! 3. a job capped with `timeout` (asyncio's `wait_for`), so an overrun is
//!    cut off instead of delaying the schedule.

use magpie::time::{interval, sleep, timeout, Duration, Instant, MissedTickBehavior};

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The schedule's period.
    pub period: Duration,
    /// How long the overrunning job takes (make it longer than `period`).
    pub job_cost: Duration,
    /// Ticks to observe per behaviour.
    pub ticks: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            period: Duration::from_millis(50),
            job_cost: Duration::from_millis(120),
            ticks: 6,
        }
    }
}

/// The ticks one behaviour produced, as offsets from the interval's start
/// (the *scheduled* times that `tick()` returns).
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The behaviour used.
    pub behavior: MissedTickBehavior,
    /// Scheduled tick times, relative to the first tick.
    pub ticks: Vec<Duration>,
}

/// Everything the example observed.
#[derive(Debug, Clone)]
pub struct Report {
    /// Section 1: one schedule per behaviour (Burst, Delay, Skip).
    pub schedules: Vec<Schedule>,
    /// Section 2: heartbeats that ran while the slow job was busy.
    pub heartbeats_during_job: usize,
    /// Section 3: of `ticks` capped jobs, how many were cut off.
    pub jobs_cut_off: usize,
}

/// Runs the three sections on a fresh runtime, printing as it goes.
pub fn run(config: &Config) -> Report {
    let rt = magpie::Runtime::new().expect("build the runtime");
    rt.block_on(async {
        println!(
            "scheduler: period {:?}, job takes {:?}",
            config.period, config.job_cost
        );
        let mut schedules = Vec::new();
        for behavior in [
            MissedTickBehavior::Burst,
            MissedTickBehavior::Delay,
            MissedTickBehavior::Skip,
        ] {
            schedules.push(overrunning_job(config, behavior).await);
        }
        let heartbeats_during_job = heartbeat_beside_slow_job(config).await;
        let jobs_cut_off = capped_job(config).await;
        Report {
            schedules,
            heartbeats_during_job,
            jobs_cut_off,
        }
    })
}

/// Section 1: a job that runs inline and overruns every period.
async fn overrunning_job(config: &Config, behavior: MissedTickBehavior) -> Schedule {
    let mut every = interval(config.period);
    every.set_missed_tick_behavior(behavior);
    let mut ticks = Vec::with_capacity(config.ticks);
    let mut first = None;
    for n in 0..config.ticks {
        let at = every.tick().await;
        let first = *first.get_or_insert(at);
        ticks.push(at - first);
        // The job: every other run overruns (cost > period).
        if n % 2 == 0 {
            sleep(config.job_cost).await;
        }
    }
    println!(
        "  {:<6} ticks scheduled at (ms): {:?}",
        format!("{behavior:?}"),
        ticks.iter().map(|d| d.as_millis()).collect::<Vec<_>>()
    );
    Schedule { behavior, ticks }
}

/// Section 2: the slow job in its own task; the heartbeat keeps ticking.
async fn heartbeat_beside_slow_job(config: &Config) -> usize {
    let cost = config.job_cost;
    let job = magpie::spawn(async move {
        sleep(cost).await;
        "report written"
    });
    let mut every = interval(config.period / 2);
    let mut beats = 0;
    while !job.is_finished() && beats < 1_000 {
        every.tick().await;
        beats += 1;
    }
    let outcome = job.await.expect("the job does not panic");
    println!("  heartbeat ran {beats} times while the job ran in its own task ({outcome})");
    beats
}

/// Section 3: each run gets at most one period; overruns are cancelled.
async fn capped_job(config: &Config) -> usize {
    let mut every = interval(config.period);
    every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut cut_off = 0;
    for n in 0..config.ticks {
        every.tick().await;
        let cost = if n % 2 == 0 {
            config.job_cost
        } else {
            Duration::ZERO
        };
        let started = Instant::now();
        if timeout(config.period, sleep(cost)).await.is_err() {
            cut_off += 1;
            println!(
                "  run {n}: cut off after {:?} (it wanted {cost:?})",
                started.elapsed()
            );
        }
    }
    cut_off
}

fn main() {
    let mut config = Config::default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = || -> u64 {
            pair.get(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{} needs a number", pair[0]))
        };
        match pair[0].as_str() {
            "--period-ms" => config.period = Duration::from_millis(value()),
            "--cost-ms" => config.job_cost = Duration::from_millis(value()),
            "--ticks" => config.ticks = value() as usize,
            other => panic!("unknown option {other}"),
        }
    }
    let report = run(&config);
    println!("done: {} jobs cut off", report.jobs_cut_off);
}
