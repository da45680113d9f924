//! Unit tests of the wheel and the time handle, driven by hand: tests pass
//! ticks to `process_at` (or a tick and nanoseconds to `process_exact`), so
//! none depends on real time.

use std::pin::Pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use super::wheel::SPAN;
use super::*;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};

/// Counts its wake-ups.
#[derive(Default)]
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: StdArc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A boxed timer with its own counting waker.
struct Timer {
    entry: Pin<Box<TimerEntry>>,
    counter: StdArc<Counter>,
    waker: Waker,
}

impl Timer {
    fn new(handle: &Handle, deadline: u64) -> Timer {
        let counter = StdArc::new(Counter::default());
        Timer {
            entry: Box::pin(TimerEntry::new(handle, deadline)),
            waker: Waker::from(counter.clone()),
            counter,
        }
    }

    /// A timer for an exact deadline, `at_ns` after the clock's start.
    fn exact(handle: &Handle, at_ns: u64) -> Timer {
        let counter = StdArc::new(Counter::default());
        let deadline = Deadline {
            tick: at_ns.div_ceil(1_000_000),
            at: at_ns,
        };
        Timer {
            entry: Box::pin(TimerEntry::with_handle(handle.clone(), deadline)),
            waker: Waker::from(counter.clone()),
            counter,
        }
    }

    /// Polls; returns the result and whether the driver was asked to wake.
    fn poll_unpark(&mut self) -> (Poll<Result<(), Shutdown>>, bool) {
        let mut unparked = false;
        let mut cx = Context::from_waker(&self.waker);
        let poll = self
            .entry
            .as_mut()
            .poll_elapsed(&mut cx, |_| unparked = true, |_| false);
        (poll, unparked)
    }

    fn poll(&mut self) -> Poll<Result<(), Shutdown>> {
        self.poll_unpark().0
    }

    fn is_ready(&mut self) -> bool {
        match self.poll() {
            Poll::Ready(Ok(())) => true,
            Poll::Pending => false,
            Poll::Ready(Err(Shutdown)) => panic!("unexpected shutdown"),
        }
    }

    fn reset(&mut self, deadline: u64) -> bool {
        let mut unparked = false;
        self.entry.as_mut().reset(deadline, |_| unparked = true);
        unparked
    }

    fn wakes(&self) -> usize {
        self.counter.0.load(Ordering::SeqCst)
    }
}

fn driver() -> Handle {
    Handle::new(Clock::new())
}

/// Files a timer for `deadline` and checks it fires exactly when the wheel
/// reaches that tick, never at `deadline - 1`.
fn assert_fires_exactly_at(handle: &Handle, deadline: u64) {
    let mut timer = Timer::new(handle, deadline);
    assert!(
        timer.poll().is_pending(),
        "deadline {deadline} is in the future"
    );
    handle.process_at(deadline - 1);
    assert_eq!(timer.wakes(), 0, "fired early for deadline {deadline}");
    assert!(!timer.is_ready());
    handle.process_at(deadline);
    assert_eq!(timer.wakes(), 1, "did not fire at deadline {deadline}");
    assert!(timer.is_ready());
}

#[test]
fn timers_fire_in_deadline_order() {
    let handle = driver();
    let deadlines = [30_u64, 5, 700, 64, 63, 5_000, 1, 65];
    let mut timers: Vec<_> = deadlines.iter().map(|&d| Timer::new(&handle, d)).collect();
    for t in &mut timers {
        assert!(t.poll().is_pending());
    }
    let mut fired = Vec::new();
    for now in 0..=5_000 {
        handle.process_at(now);
        for t in &mut timers {
            if t.wakes() == 1 && !fired.contains(&t.entry.deadline()) {
                assert_eq!(now, t.entry.deadline(), "fired at the wrong tick");
                fired.push(t.entry.deadline());
            }
        }
    }
    let mut sorted = deadlines.to_vec();
    sorted.sort_unstable();
    assert_eq!(fired, sorted);
}

#[test]
fn a_timer_never_fires_before_its_tick_on_any_level() {
    let handle = driver();
    let mut deadlines = vec![1, 2, 63, 64, 65, 127, 128, 4_095, 4_096, 4_097];
    for level in 2..6 {
        let range = 1_u64 << (6 * level);
        deadlines.extend([range - 1, range, range + 1, range * 3 + 17]);
    }
    deadlines.push(SPAN - 1);
    for d in deadlines {
        let base = handle.elapsed_tick();
        assert_fires_exactly_at(&handle, base + d);
    }
}

#[test]
fn entries_cascade_across_every_level_when_time_jumps() {
    let handle = driver();
    let deadlines: Vec<u64> = (0..6)
        .flat_map(|level| {
            let range = 1_u64 << (6 * level);
            [range + 3, range * 5 + 1, range * 63]
        })
        .collect();
    let mut timers: Vec<_> = deadlines.iter().map(|&d| Timer::new(&handle, d)).collect();
    for t in &mut timers {
        assert!(t.poll().is_pending());
    }
    // Jump to one tick before each deadline, then to it: a single big step
    // cascades through every level in between.
    let mut sorted = deadlines.clone();
    sorted.sort_unstable();
    sorted.dedup();
    for d in sorted {
        handle.process_at(d - 1);
        for t in &timers {
            let due = t.entry.deadline() < d;
            assert_eq!(
                t.wakes() == 1,
                due,
                "deadline {} at {}",
                t.entry.deadline(),
                d - 1
            );
        }
        handle.process_at(d);
        for t in &timers {
            assert_eq!(t.wakes() == 1, t.entry.deadline() <= d);
        }
    }
}

#[test]
fn random_deadlines_fire_exactly_on_time() {
    let handle = driver();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut timers = Vec::new();
    let mut now = 0;
    for _ in 0..2_000 {
        // File a few timers at random distances (up to ~4 levels), then jump.
        for _ in 0..3 {
            let distance = 1 + rand() % (1 << (6 * (1 + rand() % 4)));
            let mut t = Timer::new(&handle, now + distance);
            assert!(t.poll().is_pending());
            timers.push(t);
        }
        now += rand() % 3_000;
        handle.process_at(now);
        for t in &mut timers {
            assert_eq!(t.wakes() == 1, t.entry.deadline() <= now, "now {now}");
        }
        timers.retain(|t| t.wakes() == 0);
    }
}

#[test]
fn next_expiration_is_the_earliest_deadline() {
    let handle = driver();
    assert_eq!(handle.next_expiration_tick(), None);
    let mut a = Timer::new(&handle, 5_000);
    let mut b = Timer::new(&handle, 70);
    assert!(a.poll().is_pending());
    assert_eq!(
        handle.next_expiration_tick(),
        Some(4_096),
        "slot start of level 2"
    );
    assert!(b.poll().is_pending());
    assert_eq!(handle.next_expiration_tick(), Some(64));
    handle.process_at(64);
    assert_eq!(handle.next_expiration_tick(), Some(70));
    handle.process_at(70);
    assert!(b.is_ready());
    drop(a);
    assert_eq!(handle.next_expiration_tick(), None);
    let _ = handle.next_expiration();
}

#[test]
fn only_a_filing_earlier_than_the_driver_waits_for_unparks_it() {
    let handle = driver();
    let mut late = Timer::new(&handle, 40);
    assert!(late.poll_unpark().1, "the driver waits forever: wake it");
    assert_eq!(handle.next_expiration_tick(), Some(40));
    let mut later = Timer::new(&handle, 50);
    assert!(!later.poll_unpark().1, "later than the driver's wake-up");
    let mut earlier = Timer::new(&handle, 20);
    assert!(earlier.poll_unpark().1, "earlier than the driver's wake-up");
    let mut between = Timer::new(&handle, 30);
    assert!(!between.poll_unpark().1, "the driver already wakes at 20");
}

#[test]
fn a_cancelled_timer_never_fires() {
    let handle = driver();
    let mut kept = Timer::new(&handle, 10);
    let mut dropped = Timer::new(&handle, 10);
    assert!(kept.poll().is_pending());
    assert!(dropped.poll().is_pending());
    let counter = dropped.counter.clone();
    drop(dropped);
    handle.process_at(10);
    assert_eq!(counter.0.load(Ordering::SeqCst), 0);
    assert_eq!(kept.wakes(), 1);
    assert_eq!(handle.next_expiration_tick(), None);
}

#[test]
fn a_timer_never_polled_is_never_filed() {
    let handle = driver();
    let timer = Timer::new(&handle, 10);
    assert_eq!(handle.next_expiration_tick(), None);
    drop(timer);
}

#[test]
fn a_past_deadline_is_ready_on_first_poll() {
    let handle = driver();
    handle.process_at(100);
    let mut timer = Timer::new(&handle, 100);
    assert!(timer.is_ready());
    let mut timer = Timer::new(&handle, 3);
    assert!(timer.is_ready());
}

#[test]
fn one_million_timers_filed_and_cancelled_leave_the_wheel_empty() {
    let handle = driver();
    let waker = futures::task::noop_waker_ref();
    let mut cx = Context::from_waker(waker);
    for i in 0..1_000_000_u64 {
        let entry = std::pin::pin!(TimerEntry::new(&handle, 1 + i % 100_000));
        assert!(entry.poll_elapsed(&mut cx, |_| {}, |_| false).is_pending());
    }
    assert_eq!(handle.next_expiration_tick(), None);
}

#[test]
fn many_timers_on_one_tick_all_fire_across_wake_batches() {
    let handle = driver();
    let mut timers: Vec<_> = (0..1_000).map(|_| Timer::new(&handle, 7)).collect();
    for t in &mut timers {
        assert!(t.poll().is_pending());
    }
    handle.process_at(7);
    assert!(timers.iter().all(|t| t.wakes() == 1));
    assert!(timers.iter_mut().all(Timer::is_ready));
}

#[test]
fn deadlines_two_years_away_fire_on_their_tick() {
    let handle = driver();
    let two_years = 2 * 365 * 86_400 * 1_000;
    assert!(two_years < SPAN);
    assert_fires_exactly_at(&handle, two_years);
}

#[test]
fn deadlines_beyond_the_wheel_span_fire_on_their_tick() {
    let handle = driver();
    let ten_years = 10 * 365 * 86_400 * 1_000;
    let mut near = Timer::new(&handle, 5);
    let mut far = Timer::new(&handle, ten_years);
    assert!(near.poll().is_pending());
    assert!(far.poll().is_pending());
    // Walk through time in big steps; the far timer re-files itself each
    // rotation and must not fire before its tick.
    let mut now = 0;
    while now < ten_years - 1 {
        now = (now + SPAN / 3).min(ten_years - 1);
        handle.process_at(now);
        assert_eq!(far.wakes(), 0, "fired early at {now}");
    }
    assert_eq!(near.wakes(), 1);
    handle.process_at(ten_years);
    assert_eq!(far.wakes(), 1);
    assert!(far.is_ready());
}

#[test]
fn reset_to_an_earlier_deadline_refiles_and_may_unpark() {
    let handle = driver();
    let mut timer = Timer::new(&handle, 500);
    assert!(timer.poll().is_pending());
    assert_eq!(handle.next_expiration_tick(), Some(448));
    assert!(timer.reset(20), "earlier than the driver's wake-up");
    handle.process_at(19);
    assert_eq!(timer.wakes(), 0);
    handle.process_at(20);
    assert_eq!(timer.wakes(), 1);
    assert!(timer.is_ready());
}

#[test]
fn reset_to_a_later_deadline_takes_effect_lazily_and_never_fires_early() {
    let handle = driver();
    let mut timer = Timer::new(&handle, 20);
    assert!(timer.poll().is_pending());
    assert!(!timer.reset(50), "a later deadline needs no wake-up");
    handle.process_at(20);
    // The node fired at its old tick; the owner files it again.
    assert_eq!(timer.wakes(), 1);
    assert!(!timer.is_ready());
    handle.process_at(49);
    assert_eq!(timer.wakes(), 1);
    handle.process_at(50);
    assert_eq!(timer.wakes(), 2);
    assert!(timer.is_ready());
}

#[test]
fn reset_to_a_passed_tick_fires_at_once() {
    let handle = driver();
    let mut timer = Timer::new(&handle, 200);
    assert!(timer.poll().is_pending());
    handle.process_at(100);
    timer.reset(90);
    assert_eq!(timer.wakes(), 1);
    assert!(timer.is_ready());
}

#[test]
fn reset_after_completion_runs_the_timer_again() {
    let handle = driver();
    let mut timer = Timer::new(&handle, 10);
    assert!(timer.poll().is_pending());
    handle.process_at(10);
    assert!(timer.is_ready());
    timer.reset(30);
    assert!(!timer.is_ready());
    handle.process_at(29);
    assert!(!timer.is_ready());
    handle.process_at(30);
    assert!(timer.is_ready());
}

#[test]
fn a_replaced_waker_is_the_one_woken() {
    let handle = driver();
    let mut timer = Timer::new(&handle, 10);
    assert!(timer.poll().is_pending());
    let other = StdArc::new(Counter::default());
    let waker = Waker::from(other.clone());
    let mut cx = Context::from_waker(&waker);
    assert!(timer
        .entry
        .as_mut()
        .poll_elapsed(&mut cx, |_| {}, |_| false)
        .is_pending());
    handle.process_at(10);
    assert_eq!(timer.wakes(), 0);
    assert_eq!(other.0.load(Ordering::SeqCst), 1);
}

#[test]
fn shutdown_fires_every_timer_with_an_error_and_refuses_new_ones() {
    let handle = driver();
    let mut timers: Vec<_> = (1..100).map(|d| Timer::new(&handle, d * 1_000)).collect();
    for t in &mut timers {
        assert!(t.poll().is_pending());
    }
    handle.shutdown();
    assert!(handle.is_shutdown());
    for t in &mut timers {
        assert_eq!(t.wakes(), 1);
        assert_eq!(t.poll(), Poll::Ready(Err(Shutdown)));
    }
    let mut late = Timer::new(&handle, 5);
    assert_eq!(late.poll(), Poll::Ready(Err(Shutdown)));
    assert_eq!(handle.next_expiration_tick(), None);
    handle.shutdown();
}

#[test]
fn the_real_clock_drives_process() {
    let handle = driver();
    let now = handle.clock().now_tick();
    // Bring the wheel to the present first, so a stall before filing cannot
    // put the timer on a higher level than the test expects.
    handle.process();
    let mut timer = Timer::new(&handle, now + 2);
    assert!(timer.poll().is_pending());
    let deadline = handle.next_expiration().expect("a timer is filed");
    std::thread::sleep(deadline.saturating_duration_since(std::time::Instant::now()));
    handle.process();
    assert!(timer.is_ready());
}

#[test]
fn a_timer_whose_exact_deadline_has_passed_completes_without_filing() {
    let handle = driver();
    let mut cx = Context::from_waker(futures::task::noop_waker_ref());
    // The owner is only asked when the deadline is near the wheel's time.
    handle.process_at(49);
    let mut entry = Box::pin(TimerEntry::new(&handle, 50));
    let poll = entry.as_mut().poll_elapsed(&mut cx, |_| {}, |_| true);
    assert_eq!(poll, Poll::Ready(Ok(())));
    assert_eq!(handle.next_expiration_tick(), None, "nothing was filed");
    // Completed stays completed; a later reset runs it again.
    assert!(entry
        .as_mut()
        .poll_elapsed(&mut cx, |_| {}, |_| false)
        .is_ready());
    entry.as_mut().reset(80, |_| {});
    assert!(entry
        .as_mut()
        .poll_elapsed(&mut cx, |_| {}, |_| false)
        .is_pending());
    handle.process_at(80);
    assert!(entry
        .as_mut()
        .poll_elapsed(&mut cx, |_| {}, |_| false)
        .is_ready());
}

#[test]
fn a_far_deadline_is_filed_without_asking_the_clock_and_a_lagging_wheel_still_fires_it() {
    let handle = driver();
    let mut cx = Context::from_waker(futures::task::noop_waker_ref());
    handle.process_at(10);
    // Tick 12 is more than one tick past the wheel: not even possibly due.
    let mut entry = Box::pin(TimerEntry::new(&handle, 12));
    let poll = entry.as_mut().poll_elapsed(
        &mut cx,
        |_| {},
        |_| panic!("the clock must not be read for a far deadline"),
    );
    assert!(poll.is_pending());
    assert_eq!(handle.next_expiration_tick(), Some(12));
    // Had the real time already passed tick 12 (the wheel lagging), the next
    // turn fires it: filed, never lost.
    handle.process_at(40);
    assert!(entry
        .as_mut()
        .poll_elapsed(&mut cx, |_| {}, |_| false)
        .is_ready());
    // Tick 41 is within one tick of the wheel: the owner is asked.
    let mut near = Box::pin(TimerEntry::new(&handle, 41));
    let poll = near.as_mut().poll_elapsed(&mut cx, |_| {}, |_| true);
    assert_eq!(poll, Poll::Ready(Ok(())));
    assert_eq!(handle.next_expiration_tick(), None);
}

#[test]
fn a_few_timers_in_the_next_slot_fire_at_their_exact_deadlines() {
    let handle = driver();
    handle.process_at(10);
    // Tick 11 covers (10 ms, 11 ms]: three timers inside it.
    let mut late = Timer::exact(&handle, 10_900_000);
    let mut early = Timer::exact(&handle, 10_300_000);
    let mut middle = Timer::exact(&handle, 10_500_000);
    for t in [&mut late, &mut early, &mut middle] {
        assert!(t.poll().is_pending());
    }
    // The driver wakes at the earliest exact deadline, not at 11 ms.
    let clock = handle.clock();
    assert_eq!(
        handle.next_expiration(),
        Some(clock.nanos_instant(10_300_000))
    );
    // Just before it: nothing. At it: that one only — never early.
    assert_eq!(handle.process_exact(10, 10_299_999), 0);
    assert_eq!(handle.process_exact(10, 10_300_000), 1);
    assert!(early.is_ready());
    assert!(!middle.is_ready() && !late.is_ready());
    assert_eq!(
        handle.next_expiration(),
        Some(clock.nanos_instant(10_500_000))
    );
    assert_eq!(handle.process_exact(10, 10_600_000), 1);
    assert!(middle.is_ready() && !late.is_ready());
    // The tick's end fires the rest as before.
    assert_eq!(handle.process_at(11), 1);
    assert!(late.is_ready());
    assert_eq!(handle.next_expiration(), None);
}

#[test]
fn a_crowded_slot_fires_whole_at_its_end() {
    let handle = driver();
    handle.process_at(10);
    let mut timers: Vec<Timer> = (0..=EXACT_LIMIT as u64)
        .map(|i| Timer::exact(&handle, 10_100_000 + i * 10_000))
        .collect();
    for t in &mut timers {
        assert!(t.poll().is_pending());
    }
    // More than `EXACT_LIMIT` in the slot: wait for its end, one wake-up.
    assert_eq!(
        handle.next_expiration(),
        Some(handle.clock().tick_instant(11))
    );
    assert_eq!(handle.process_exact(10, 10_999_999), 0);
    assert_eq!(handle.process_at(11), EXACT_LIMIT + 1);
    assert!(timers.iter_mut().all(Timer::is_ready));
}

#[test]
fn a_lazy_reset_later_within_the_same_tick_is_never_fired_early() {
    let handle = driver();
    handle.process_at(10);
    let mut timer = Timer::exact(&handle, 10_200_000);
    assert!(timer.poll().is_pending());
    // Moved later inside the same tick: only recorded (no lock)...
    let later = Deadline {
        tick: 11,
        at: 10_800_000,
    };
    timer.entry.as_mut().reset_exact(later, |_| {});
    // ...so the node still fires at its old exact deadline, and the owner
    // files it again instead of completing early.
    assert_eq!(handle.process_exact(10, 10_500_000), 1);
    assert!(!timer.is_ready(), "completed before its new deadline");
    assert_eq!(handle.process_exact(10, 10_799_999), 0);
    assert!(!timer.is_ready());
    assert_eq!(handle.process_exact(10, 10_800_000), 1);
    assert!(timer.is_ready());
}
