//! The `pipeline` example: every job's result arrives when it runs to the
//! end, the queue bounds the backlog, and `abort_all` stops the workers.

#[allow(dead_code)]
#[path = "../examples/pipeline.rs"]
mod pipeline;

use magpie::time::Duration;
use pipeline::{run, Config};

#[test]
fn every_job_is_processed_once_and_the_backlog_stays_bounded() {
    let config = Config {
        jobs: 50,
        workers: 3,
        capacity: 2,
        work: Duration::from_millis(1),
        stop_after: None,
    };
    let report = run(&config);
    assert_eq!(report.produced, 50);
    let mut jobs: Vec<u64> = report.results.iter().map(|&(job, _)| job).collect();
    jobs.sort_unstable();
    assert_eq!(jobs, (0..50).collect::<Vec<_>>());
    assert!(report.results.iter().all(|&(job, sq)| sq == job * job));
    assert!(report.max_backlog <= (config.capacity + config.workers) as u64);
    assert_eq!(report.finished, 3);
    assert_eq!(report.cancelled, 0);
}

#[test]
fn abort_all_stops_the_workers_and_the_producer_notices() {
    let config = Config {
        jobs: 1_000,
        workers: 4,
        capacity: 4,
        work: Duration::from_millis(2),
        stop_after: Some(5),
    };
    let report = run(&config);
    assert_eq!(report.results.len(), 5);
    assert_eq!(report.cancelled + report.finished, 4);
    // The producer could not get all 1000 jobs through a 4-slot queue to
    // workers that were aborted after 5 results.
    assert!(report.produced < 1_000);
}
