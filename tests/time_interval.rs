//! `Interval`: the first tick at once, never early, and each
//! `MissedTickBehavior` after the task was too busy to tick.

use futures::StreamExt;
use magpie::time::{interval, interval_at, Duration, Instant, MissedTickBehavior};

mod support;
use support::rt;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn the_first_tick_is_immediate_and_later_ones_are_never_early() {
    rt(2).block_on(async {
        let start = Instant::now();
        let mut every = interval_at(start, ms(3));
        for i in 0..5 {
            let at = every.tick().await;
            assert_eq!(at, start + ms(3) * i);
            assert!(Instant::now() >= at, "tick {i} came early");
        }
    });
}

#[test]
fn burst_catches_up_on_every_missed_tick() {
    rt(2).block_on(async {
        let mut every = interval(ms(10));
        every.set_missed_tick_behavior(MissedTickBehavior::Burst);
        let start = every.tick().await;
        std::thread::sleep(ms(35)); // the task is busy past three ticks
        for i in 1..=4 {
            assert_eq!(every.tick().await, start + ms(10) * i);
        }
        assert!(Instant::now() >= start + ms(40));
    });
}

#[test]
fn delay_restarts_the_schedule_after_a_late_tick() {
    rt(2).block_on(async {
        let mut every = interval(ms(10));
        every.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let start = every.tick().await;
        std::thread::sleep(ms(35)); // the task is busy past three ticks
        let late = every.tick().await;
        assert!(
            late >= start + ms(10) && late <= Instant::now(),
            "the late tick"
        );
        let next = every.tick().await;
        assert!(next >= start + ms(45), "a full period after the late tick");
        assert!(Instant::now() >= next);
    });
}

#[test]
fn skip_drops_missed_ticks_and_keeps_the_grid() {
    rt(2).block_on(async {
        let mut every = interval(ms(10));
        every.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let start = every.tick().await;
        std::thread::sleep(ms(35));
        let late = every.tick().await;
        assert!(
            late >= start + ms(10) && late <= Instant::now(),
            "the late tick"
        );
        let next = every.tick().await;
        assert!(next >= start + ms(40), "missed ticks are skipped");
        let step = next - late;
        assert_eq!(
            step.as_nanos() % ms(10).as_nanos(),
            0,
            "on the original grid"
        );
        assert!(Instant::now() >= next);
    });
}

#[test]
fn reset_moves_the_next_tick_a_period_away() {
    rt(2).block_on(async {
        let mut every = interval(ms(5));
        every.tick().await;
        let before = Instant::now();
        every.reset();
        assert!(every.tick().await >= before + ms(5));
    });
}

#[test]
fn an_interval_is_a_stream_of_tick_instants() {
    rt(2).block_on(async {
        let start = Instant::now();
        let ticks: Vec<Instant> = interval_at(start, ms(2)).take(3).collect().await;
        assert_eq!(ticks, vec![start, start + ms(2), start + ms(4)]);
    });
}

#[test]
#[should_panic(expected = "non-zero")]
fn a_zero_period_panics() {
    rt(2).block_on(async {
        let _ = interval(Duration::ZERO);
    });
}
