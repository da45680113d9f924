//! What latency histograms and runtime hooks cost, magpie only: three
//! scheduler workloads on a runtime with default settings, with
//! `enable_histograms()`, with every hook set to an empty closure, and
//! with default settings again (how far two identical runtimes differ: the
//! noise), in one process. Prints a Markdown table of the medians and of each
//! setting's time over the default's (above 1.0 = the setting costs);
//! BENCHMARKS.md reports it.
//!
//! `cargo bench --bench observe` (under a minute)

mod support;

use criterion::Criterion;
use support::workloads::*;
use support::{report, Magpie};

/// The settings compared, the default first (the ratios' denominator)
/// and again last: the two defaults' ratio is the noise of the run.
const SETTINGS: [&str; 4] = ["default", "histograms", "hooks", "default_again"];

const GROUPS: [&str; 3] = [
    "observe_cost/yield_many",
    "observe_cost/ping_pong",
    "observe_cost/spawn_many_local",
];

/// A runtime (one worker per CPU, as in every bench) with `setting`.
fn runtime(setting: &str) -> Magpie {
    Magpie::with(|b| match setting {
        "default" | "default_again" => {}
        "histograms" => {
            b.enable_histograms();
        }
        // Every hook set, each doing nothing: what remains is the cost of
        // calling them (and of the observed poll path they switch on).
        "hooks" => {
            b.on_thread_park(|| {})
                .on_thread_unpark(|| {})
                .on_task_spawn(|_| {})
                .on_task_terminate(|_| {})
                .on_before_task_poll(|_| {})
                .on_after_task_poll(|_| {});
        }
        other => unreachable!("{other}"),
    })
}

fn benches(c: &mut Criterion) {
    let workloads: [fn(&Magpie); 3] = [
        yield_many::<Magpie>,
        ping_pong::<Magpie>,
        spawn_many_local::<Magpie>,
    ];
    for (group, f) in GROUPS.into_iter().zip(workloads) {
        let mut g = c.benchmark_group(group);
        for setting in SETTINGS {
            // Built just before its turn and dropped after it, so no other
            // runtime's threads are around.
            let rt = runtime(setting);
            g.bench_function(setting, |b| b.iter(|| f(&rt)));
        }
        g.finish();
    }
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args();
    benches(&mut c);
    c.final_summary();
    println!("\nHistograms and hooks (median time; ratios: each setting over the default, above 1.0 = it costs):");
    report::print_cost_table("median", &GROUPS, &SETTINGS);
}
