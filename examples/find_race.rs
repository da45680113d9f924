//! Finding a race that normal runs never hit, with deterministic
//! exploration — and proving the fix.
//!
//! ```text
//! cargo run --example find_race [-- --seeds 1000 --replays 10 --normal-runs 1000]
//! ```
//!
//! A bank keeps balances in an `Rc<RefCell<..>>`. A transfer checks the
//! balance, awaits an audit, then debits: a check-then-act across an
//! `.await`. Two transfers from the same account, 80 and 50 out of 100,
//! must never overdraw it. In a normal run they do not: the second
//! transfer first fetches an exchange rate (a few awaits), and by then the
//! first has debited, so the second is declined. Only a schedule that runs
//! the second transfer's check inside the first one's window overdraws.
//!
//! 1. **normal runs**: the same scenario on an ordinary current-thread
//!    runtime, many times: no overdraft;
//! 2. **exploration**: `runtime::try_explore` runs it under seeds 0, 1, 2…,
//!    each a deterministic runtime that picks the next task from the seed,
//!    and stops at the first overdraft, printing the seed;
//! 3. **replay**: that seed, run again, overdraws every time;
//! 4. **the fix**: the balance is held under an async `Mutex` across the
//!    check, the audit and the debit (asyncio's `async with lock:`); every
//!    seed passes.

use magpie::runtime::{try_explore, Builder};
use magpie::sync::Mutex;
use magpie::task::{spawn_local, yield_now};
use std::cell::RefCell;
use std::rc::Rc;

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seeds to explore (`0..seeds`).
    pub seeds: u64,
    /// How many times to replay the failing seed.
    pub replays: u32,
    /// Ordinary (non-deterministic) runs of the racy version.
    pub normal_runs: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            seeds: 1000,
            replays: 10,
            normal_runs: 1000,
        }
    }
}

/// Everything the example observed.
#[derive(Debug, Clone)]
pub struct Report {
    /// Normal runs of the racy version that overdrew the account.
    pub normal_overdrafts: u32,
    /// The first seed that overdraws, and its message.
    pub found: Option<(u64, String)>,
    /// How many of the seeds overdraw (the race's odds under a random
    /// schedule).
    pub failing_seeds: u64,
    /// Replays of that seed that overdrew again.
    pub replays_failed: u32,
    /// Seeds the fixed version passed (all of them, or it panicked).
    pub fixed_passed: u64,
}

/// The racy bank: check, await, act.
async fn racy_transfer(balance: Rc<RefCell<i64>>, amount: i64, rate_lookups: u32) {
    // Fetch an exchange rate first (only the second transfer does).
    for _ in 0..rate_lookups {
        yield_now().await;
    }
    if *balance.borrow() >= amount {
        audit().await; // the window: someone else may debit meanwhile
        *balance.borrow_mut() -= amount;
    }
}

/// The fixed bank: the whole check-audit-debit under one lock.
async fn fixed_transfer(balance: Rc<Mutex<i64>>, amount: i64, rate_lookups: u32) {
    for _ in 0..rate_lookups {
        yield_now().await;
    }
    let mut balance = balance.lock().await;
    if *balance >= amount {
        audit().await;
        *balance -= amount;
    }
}

/// Writing the audit record: one await.
async fn audit() {
    yield_now().await;
}

/// Awaits the second transfer makes before its check: the more, the rarer
/// the schedules that put its check inside the first one's window.
const RATE_LOOKUPS: u32 = 6;

/// Two transfers from one account of 100: 80, and 50 after
/// `RATE_LOOKUPS` rate lookups. Panics on an overdraft.
async fn racy_scenario() {
    let balance = Rc::new(RefCell::new(100));
    let a = spawn_local(racy_transfer(balance.clone(), 80, 0));
    let b = spawn_local(racy_transfer(balance.clone(), 50, RATE_LOOKUPS));
    a.await.unwrap();
    b.await.unwrap();
    let left = *balance.borrow();
    assert!(left >= 0, "overdraft: the account holds {left}");
}

async fn fixed_scenario() {
    let balance = Rc::new(Mutex::new(100));
    let a = spawn_local(fixed_transfer(balance.clone(), 80, 0));
    let b = spawn_local(fixed_transfer(balance.clone(), 50, RATE_LOOKUPS));
    a.await.unwrap();
    b.await.unwrap();
    let left = *balance.lock().await;
    assert!(left >= 0, "overdraft: the account holds {left}");
}

/// Runs the four sections.
pub fn run(config: &Config) -> Report {
    // Failing seeds panic by design; keep their messages off the output.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));

    let mut normal_overdrafts = 0;
    for _ in 0..config.normal_runs {
        let rt = Builder::new_current_thread().build().expect("runtime");
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(racy_scenario())
        }));
        normal_overdrafts += u32::from(ok.is_err());
    }

    let found = try_explore(0..config.seeds, racy_scenario)
        .err()
        .map(|failure| (failure.seed(), failure.message().to_string()));

    let failing_seeds = (0..config.seeds)
        .filter(|&seed| try_explore(seed..seed + 1, racy_scenario).is_err())
        .count() as u64;

    let mut replays_failed = 0;
    if let Some((seed, message)) = &found {
        for _ in 0..config.replays {
            if let Err(again) = try_explore(*seed..*seed + 1, racy_scenario) {
                replays_failed += u32::from(again.message() == message);
            }
        }
    }

    let fixed = try_explore(0..config.seeds, fixed_scenario);
    std::panic::set_hook(hook);
    let fixed_passed = match fixed {
        Ok(n) => n,
        Err(failure) => panic!("the fixed bank failed: {failure}"),
    };
    Report {
        normal_overdrafts,
        found,
        failing_seeds,
        replays_failed,
        fixed_passed,
    }
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
            "--seeds" => config.seeds = value(),
            "--replays" => config.replays = value() as u32,
            "--normal-runs" => config.normal_runs = value() as u32,
            other => panic!("unknown argument {other}"),
        }
    }
    let report = run(&config);
    println!(
        "1. normal runs of the racy bank: {} overdraft(s) in {} runs",
        report.normal_overdrafts, config.normal_runs
    );
    match &report.found {
        Some((seed, message)) => {
            println!(
                "2. exploring seeds 0..{}: seed {seed} fails: {message} \
                 ({} of the {} seeds overdraw)",
                config.seeds, report.failing_seeds, config.seeds
            );
            println!("   replay it: Builder::new_current_thread().deterministic({seed}), or");
            println!("   MAGPIE_SEED={seed} for a #[magpie::test(seeds = N)] test");
            println!(
                "3. replaying seed {seed}: {} of {} runs overdraw again",
                report.replays_failed, config.replays
            );
        }
        None => println!("2. exploring seeds 0..{}: no overdraft found", config.seeds),
    }
    println!(
        "4. the fixed bank (Mutex held across check, audit and debit): {} of {} seeds pass",
        report.fixed_passed, config.seeds
    );
}
