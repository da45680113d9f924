//! Scheduler benchmarks: the same workloads on magpie, tokio and smol's
//! async-executor, each with one worker per CPU, in one run so the ratios
//! are comparable.
//!
//! `cargo bench --bench rt`

mod support;

use criterion::Criterion;
use support::workloads::*;
use support::{report, Bench, Magpie, Smol, Tokio};

macro_rules! bench_all {
    ($c:expr, $name:literal, $work:ident, $magpie:expr, $tokio:expr, $smol:expr) => {{
        let mut g = $c.benchmark_group($name);
        g.bench_function(Magpie::NAME, |b| b.iter(|| $work($magpie)));
        g.bench_function(Tokio::NAME, |b| b.iter(|| $work($tokio)));
        g.bench_function(Smol::NAME, |b| b.iter(|| $work($smol)));
        g.finish();
    }};
}

fn benches(c: &mut Criterion) {
    let magpie = Magpie::new();
    let tokio = Tokio::new();
    let smol = Smol::new();
    bench_all!(
        c,
        "spawn_many_local",
        spawn_many_local,
        &magpie,
        &tokio,
        &smol
    );
    bench_all!(
        c,
        "spawn_many_remote",
        spawn_many_remote,
        &magpie,
        &tokio,
        &smol
    );
    bench_all!(c, "yield_many", yield_many, &magpie, &tokio, &smol);
    bench_all!(c, "ping_pong", ping_pong, &magpie, &tokio, &smol);
    bench_all!(c, "chained_spawn", chained_spawn, &magpie, &tokio, &smol);
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .configure_from_args();
    benches(&mut c);
    c.final_summary();
    report::print_ratio_table(
        &[
            "spawn_many_local",
            "spawn_many_remote",
            "yield_many",
            "ping_pong",
            "chained_spawn",
        ],
        &[Magpie::NAME, Tokio::NAME, Smol::NAME],
    );
}
