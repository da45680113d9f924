//! The `subprocess` example: jobs overlap, the pipeline delivers, and the
//! slow child is killed at the timeout and reaped.
#![cfg(unix)]

#[allow(dead_code)]
#[path = "../examples/subprocess.rs"]
mod subprocess;

use std::os::unix::process::ExitStatusExt;
use std::time::Duration;
use subprocess::{run, Config};

#[test]
fn subprocess_example_overlaps_pipes_and_kills_on_timeout() {
    let config = Config {
        jobs: 6,
        slow: Duration::from_secs(60),
        timeout: Duration::from_millis(100),
    };
    let report = run(&config).unwrap();
    let expected: Vec<_> = (0..6).map(|i| format!("job {i}")).collect();
    assert_eq!(report.outputs, expected);
    // Six 0.2 s jobs one after another would take 1.2 s.
    assert!(
        report.concurrent_elapsed < Duration::from_millis(1000),
        "{:?}",
        report.concurrent_elapsed
    );
    assert_eq!(report.piped, "MAGPIES COLLECT SHINY THINGS");
    assert!(report.timed_out);
    assert_eq!(report.killed_status.signal(), Some(9));
    // SAFETY: signal 0 only checks whether the pid exists.
    let alive = unsafe { libc::kill(report.killed_pid as libc::pid_t, 0) } == 0;
    assert!(!alive, "the killed child was reaped, not left a zombie");
}
