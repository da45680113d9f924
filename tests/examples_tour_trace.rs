//! The README's first command (`cargo run --release --example tour`) and
//! the `trace` example (trace, histograms and the delay plot), run
//! in-process.

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
fn the_trace_example_writes_a_chrome_trace_and_a_delay_plot() {
    let dir = std::env::temp_dir();
    let id = std::process::id();
    let trace_path = dir.join(format!("magpie-trace-example-{id}.json"));
    let svg_path = dir.join(format!("magpie-trace-example-{id}.svg"));
    trace::run(trace_path.to_str().unwrap(), svg_path.to_str().unwrap()).unwrap();

    let text = std::fs::read_to_string(&trace_path).unwrap();
    std::fs::remove_file(&trace_path).ok();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let events = json["traceEvents"].as_array().unwrap();
    assert!(events.iter().any(|e| e["name"] == "poll"));
    assert!(events.iter().any(|e| e["name"] == "spawn"));

    let svg = std::fs::read_to_string(&svg_path).unwrap();
    std::fs::remove_file(&svg_path).ok();
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
    // Tasks spawned from outside start from the injector, and the
    // ping-pong runs from the LIFO slot: both have a line (and a legend
    // entry) in the plot.
    assert!(svg.contains("injector"));
    assert!(svg.contains("LIFO slot"));
}
