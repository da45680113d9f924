//! The `find_race` example: normal runs never overdraw, exploration finds
//! the overdraft within 1,000 seeds, its seed replays it 10 times out of
//! 10, and the fixed version passes every seed.

#[allow(dead_code)]
#[path = "../examples/find_race.rs"]
mod find_race;

use find_race::{run, Config};

#[test]
fn exploration_finds_the_overdraft_replays_it_and_passes_the_fix() {
    let config = Config {
        seeds: 1000,
        replays: 10,
        normal_runs: 200,
    };
    let report = run(&config);
    assert_eq!(report.normal_overdrafts, 0, "a normal run overdrew");
    let (seed, message) = report.found.expect("an overdraft within 1,000 seeds");
    assert!(seed < 1000);
    assert!(message.contains("overdraft"), "{message}");
    assert!(report.failing_seeds >= 1 && report.failing_seeds < 1000);
    assert_eq!(report.replays_failed, 10, "the seed replays its failure");
    assert_eq!(report.fixed_passed, 1000);
}
