//! The `scheduler` example: the schedules it reports have the shape each
//! `MissedTickBehavior` promises. (Only the shape: how many ticks were
//! missed depends on the machine.)

#[allow(dead_code)]
#[path = "../examples/scheduler.rs"]
mod scheduler;

use magpie::time::{Duration, MissedTickBehavior};
use scheduler::{run, Config};

#[test]
fn scheduler_example_keeps_each_behaviours_promise() {
    let config = Config {
        period: Duration::from_millis(10),
        job_cost: Duration::from_millis(25),
        ticks: 5,
    };
    let report = run(&config);
    let p = config.period;
    assert_eq!(report.schedules.len(), 3);
    for s in &report.schedules {
        assert_eq!(s.ticks.len(), config.ticks);
        assert_eq!(s.ticks[0], Duration::ZERO);
        let steps = s.ticks.windows(2).map(|w| w[1] - w[0]);
        match s.behavior {
            // Burst: every tick of the original schedule, none dropped.
            MissedTickBehavior::Burst => {
                for (k, t) in s.ticks.iter().enumerate() {
                    assert_eq!(*t, p * k as u32);
                }
            }
            // Delay: never two ticks closer than one period.
            MissedTickBehavior::Delay => {
                for step in steps {
                    assert!(step >= p, "{step:?}");
                }
            }
            // Skip: on the original grid, strictly later each time.
            MissedTickBehavior::Skip => {
                for t in &s.ticks {
                    assert_eq!(t.as_nanos() % p.as_nanos(), 0, "{t:?} off the grid");
                }
                for step in steps {
                    assert!(step >= p);
                }
            }
        }
    }
    assert!(report.jobs_cut_off <= config.ticks);
}
