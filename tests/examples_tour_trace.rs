//! The README's first command (`cargo run --release --example tour`) and
//! the `trace` example, run in-process.

#[allow(dead_code)]
#[path = "../examples/tour.rs"]
mod tour;

#[allow(dead_code)]
#[path = "../examples/trace.rs"]
mod trace;

#[test]
fn the_tour_runs_end_to_end() {
    tour::main();
}

#[test]
fn the_trace_example_writes_a_chrome_trace() {
    let path =
        std::env::temp_dir().join(format!("magpie-trace-example-{}.json", std::process::id()));
    trace::run(path.to_str().unwrap()).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let events = json["traceEvents"].as_array().unwrap();
    assert!(events.iter().any(|e| e["name"] == "poll"));
    assert!(events.iter().any(|e| e["name"] == "spawn"));
}
