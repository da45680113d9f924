//! Scheduling-policy and observability benchmarks, magpie only: the same
//! workloads under each LIFO-slot / steal-batch setting, and with task
//! tracking or the scheduling trace switched on. Prints Markdown tables of
//! the means (BENCHMARKS.md reports them).
//!
//! `cargo bench --bench policy`

mod support;

use criterion::Criterion;
use magpie::runtime::StealBatch;
use support::workloads::*;
use support::{report, Magpie};

const POLICIES: [&str; 4] = ["lifo+half", "lifo+one", "nolifo+half", "nolifo+one"];
const OBSERVE: [&str; 3] = ["default", "task_tracking", "trace"];

fn policy(name: &str) -> Magpie {
    let (lifo, batch) = match name {
        "lifo+half" => (true, StealBatch::Half),
        "lifo+one" => (true, StealBatch::One),
        "nolifo+half" => (false, StealBatch::Half),
        "nolifo+one" => (false, StealBatch::One),
        other => unreachable!("{other}"),
    };
    Magpie::with(|b| {
        b.steal_batch(batch);
        if !lifo {
            b.disable_lifo_slot();
        }
    })
}

fn observe(name: &str) -> Magpie {
    Magpie::with(|b| match name {
        "default" => {}
        "task_tracking" => {
            b.enable_task_tracking();
        }
        "trace" => {
            b.trace_events(1 << 16);
        }
        other => unreachable!("{other}"),
    })
}

fn benches(c: &mut Criterion) {
    let policies: Vec<(&str, Magpie)> = POLICIES.iter().map(|p| (*p, policy(p))).collect();
    for (workload, f) in [
        ("policy/ping_pong", ping_pong::<Magpie> as fn(&Magpie)),
        ("policy/yield_many", yield_many::<Magpie>),
        ("policy/spawn_many_remote", spawn_many_remote::<Magpie>),
    ] {
        let mut g = c.benchmark_group(workload);
        for (name, rt) in &policies {
            g.bench_function(*name, |b| b.iter(|| f(rt)));
        }
        g.finish();
    }
    drop(policies);
    let observed: Vec<(&str, Magpie)> = OBSERVE.iter().map(|o| (*o, observe(o))).collect();
    for (workload, f) in [
        ("observe/yield_many", yield_many::<Magpie> as fn(&Magpie)),
        ("observe/ping_pong", ping_pong::<Magpie>),
    ] {
        let mut g = c.benchmark_group(workload);
        for (name, rt) in &observed {
            g.bench_function(*name, |b| b.iter(|| f(rt)));
        }
        g.finish();
    }
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .configure_from_args();
    benches(&mut c);
    c.final_summary();
    println!("\nScheduling policy (mean time; ratios are the default lifo+half over each):");
    report::print_ratio_table(
        &[
            "policy/ping_pong",
            "policy/yield_many",
            "policy/spawn_many_remote",
        ],
        &POLICIES,
    );
    println!("\nObservability cost (ratios: default over each; below 1.0 = the feature costs):");
    report::print_ratio_table(&["observe/yield_many", "observe/ping_pong"], &OBSERVE);
}
