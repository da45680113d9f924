//! The `files` example: every file read back intact, never more reads in
//! flight than the semaphore allows.

#[allow(dead_code)]
#[path = "../examples/files.rs"]
mod files;

use files::{run, Config};

#[test]
fn files_example_reads_everything_within_the_limit() {
    let config = Config {
        files: 200,
        limit: 8,
        size: 1000,
        dir: std::env::temp_dir().join(format!("magpie-files-test-{}", std::process::id())),
    };
    let report = run(&config).unwrap();
    assert_eq!(report.listed, 200);
    assert_eq!(report.verified, 200);
    assert_eq!(report.bytes, 200 * 1000);
    assert!(report.peak_in_flight >= 1);
    assert!(
        report.peak_in_flight <= 8,
        "{} reads at once",
        report.peak_in_flight
    );
    assert!(!config.dir.exists(), "the example cleans up");
}
