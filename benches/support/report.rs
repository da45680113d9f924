//! Reads criterion's saved estimates back and prints a Markdown table of
//! mean (or median) times and ratios (magpie's time divided by each peer's: below 1.0
//! means magpie is faster).

use std::path::PathBuf;

fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// Mean time in nanoseconds of `group/function` from the last run. A
/// function made with `BenchmarkId::new(name, parameter)` is written
/// `name/parameter` (criterion keeps them as two folders).
pub fn mean_ns(group: &str, function: &str) -> Option<f64> {
    estimate_ns(group, function, "mean")
}

/// Criterion's estimate `stat` ("mean", "median", ...) in nanoseconds of
/// `group/function` from the last run.
pub fn estimate_ns(group: &str, function: &str, stat: &str) -> Option<f64> {
    // criterion turns the characters it cannot use in paths into `_`.
    let clean = |s: &str| s.replace(['/', '\\', ':', '?', '*', '"', '<', '>', '|'], "_");
    let mut path = criterion_dir().join(clean(group));
    for part in function.split('/') {
        path.push(clean(part));
    }
    let path = path.join("new").join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json[stat]["point_estimate"].as_f64()
}

pub fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// One row per group; columns: each function's mean, then the first
/// function's time over each other's.
pub fn print_ratio_table(groups: &[&str], functions: &[&str]) {
    print_ratio_table_of("mean", groups, functions);
}

/// As [`print_ratio_table`], with criterion's estimate `stat` ("mean",
/// "median") instead of the mean.
pub fn print_ratio_table_of(stat: &str, groups: &[&str], functions: &[&str]) {
    // The ratio columns name the functions without a parameter
    // (`magpie/tokio`, not `magpie/32/tokio/32`).
    fn name(function: &str) -> &str {
        function.split('/').next().unwrap_or(function)
    }
    print_table(
        stat,
        groups,
        functions,
        |first, other| format!("{}/{}", name(first), name(other)),
        |first, other| first / other,
    );
}

/// One row per group; columns: each function's `stat` time, then each
/// other function's time over the first's (the inverse of
/// [`print_ratio_table`]: for a baseline and the settings that add to it,
/// so above 1.0 means the setting costs).
pub fn print_cost_table(stat: &str, groups: &[&str], functions: &[&str]) {
    print_table(
        stat,
        groups,
        functions,
        |base, other| format!("{other}/{base}"),
        |base, other| other / base,
    );
}

/// The table both of the above print: each function's `stat` time, then
/// one column per function after the first, headed `heading(first,
/// other)` and holding `ratio(first's time, other's time)`.
fn print_table(
    stat: &str,
    groups: &[&str],
    functions: &[&str],
    heading: impl Fn(&str, &str) -> String,
    ratio: impl Fn(f64, f64) -> f64,
) {
    let Some((first, others)) = functions.split_first() else {
        return;
    };
    let mut header = format!("| workload | {} |", functions.join(" | "));
    let mut rule = String::from("|---|");
    for _ in functions {
        rule.push_str("---|");
    }
    for o in others {
        header.push_str(&format!(" {} |", heading(first, o)));
        rule.push_str("---|");
    }
    println!("\n{header}\n{rule}");
    for group in groups {
        let times: Vec<Option<f64>> = functions
            .iter()
            .map(|f| estimate_ns(group, f, stat))
            .collect();
        let mut row = format!("| {group} |");
        for t in &times {
            row.push_str(&format!(
                " {} |",
                t.map(human).unwrap_or_else(|| "-".into())
            ));
        }
        for t in &times[1..] {
            match (times[0], t) {
                (Some(a), Some(b)) => row.push_str(&format!(" {:.2} |", ratio(a, *b))),
                _ => row.push_str(" - |"),
            }
        }
        println!("{row}");
    }
}
