#![cfg(loom)]
//! Loom models of the timer wheel's races: cancel against fire, reset
//! against fire, a waker replaced while the timer fires, and shutdown
//! against a poll. Each model runs the real driver with time advanced by
//! hand on one thread while the timer's owner acts on another. The wheel's
//! slots are the crate's one intrusive list (`src/util/linked_list.rs`), so
//! these models also check that every touch of a node's links is ordered by
//! the wheel lock.

use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use magpie::__loom::time::{TimeDriver, Timer};

/// A waker that counts its wake-ups.
#[derive(Default)]
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counting_waker() -> (Arc<Counter>, Waker) {
    let counter = Arc::new(Counter::default());
    let waker = Waker::from(counter.clone());
    (counter, waker)
}

fn wakes(counter: &Counter) -> usize {
    counter.0.load(Ordering::SeqCst)
}

fn poll(timer: &mut Timer, waker: &Waker) -> Poll<bool> {
    timer.poll(&mut Context::from_waker(waker))
}

/// Files a timer for `tick` with a fresh counting waker.
fn filed_timer(driver: &TimeDriver, tick: u64) -> (Timer, Arc<Counter>, Waker) {
    let (counter, waker) = counting_waker();
    let mut timer = driver.timer(tick);
    assert!(poll(&mut timer, &waker).is_pending());
    (timer, counter, waker)
}

#[test]
fn cancel_racing_fire_leaves_the_wheel_empty_and_wakes_at_most_once() {
    loom::model(|| {
        let driver = TimeDriver::new();
        let (timer, counter, _waker) = filed_timer(&driver, 5);
        let firing = {
            let driver = driver.clone();
            thread::spawn(move || driver.process_at(5))
        };
        drop(timer);
        firing.join().unwrap();
        assert!(wakes(&counter) <= 1);
        assert_eq!(driver.next_expiration(), None);
    });
}

#[test]
fn reset_earlier_racing_fire_is_never_lost() {
    loom::model(|| {
        let driver = TimeDriver::new();
        let (mut timer, counter, waker) = filed_timer(&driver, 10);
        let firing = {
            let driver = driver.clone();
            thread::spawn(move || driver.process_at(6))
        };
        timer.reset(4);
        let first = poll(&mut timer, &waker);
        firing.join().unwrap();
        // Either the poll saw it fired, or it was woken when it fired.
        if first.is_pending() {
            assert_eq!(wakes(&counter), 1);
        }
        assert_eq!(poll(&mut timer, &waker), Poll::Ready(true));
    });
}

#[test]
fn reset_later_racing_fire_never_completes_early() {
    loom::model(|| {
        let driver = TimeDriver::new();
        let (mut timer, _counter, waker) = filed_timer(&driver, 5);
        let firing = {
            let driver = driver.clone();
            thread::spawn(move || driver.process_at(6))
        };
        timer.reset(8);
        assert!(poll(&mut timer, &waker).is_pending(), "tick 8 not reached");
        firing.join().unwrap();
        assert!(poll(&mut timer, &waker).is_pending(), "tick 8 not reached");
        driver.process_at(7);
        assert!(poll(&mut timer, &waker).is_pending(), "tick 8 not reached");
        driver.process_at(8);
        assert_eq!(poll(&mut timer, &waker), Poll::Ready(true));
    });
}

#[test]
fn a_waker_replaced_while_the_timer_fires_is_not_lost() {
    loom::model(|| {
        let driver = TimeDriver::new();
        let (mut timer, old, _old_waker) = filed_timer(&driver, 5);
        let (new, new_waker) = counting_waker();
        let firing = {
            let driver = driver.clone();
            thread::spawn(move || driver.process_at(5))
        };
        let polled = poll(&mut timer, &new_waker);
        firing.join().unwrap();
        if polled.is_pending() {
            assert_eq!(wakes(&new), 1, "the replacement waker must be woken");
            assert_eq!(wakes(&old), 0);
        } else {
            // The poll saw the fire itself. The fire may have woken the old
            // waker first, or (if it met the registration half-way) nobody:
            // no wake-up is needed, and none is ever doubled.
            assert!(wakes(&old) + wakes(&new) <= 1);
        }
        assert_eq!(poll(&mut timer, &new_waker), Poll::Ready(true));
    });
}

#[test]
fn shutdown_racing_a_poll_wakes_the_timer_with_an_error() {
    loom::model(|| {
        let driver = TimeDriver::new();
        let (mut timer, counter, waker) = filed_timer(&driver, 5);
        let stopping = {
            let driver = driver.clone();
            thread::spawn(move || driver.shutdown())
        };
        let polled = poll(&mut timer, &waker);
        stopping.join().unwrap();
        if polled.is_pending() {
            assert_eq!(wakes(&counter), 1);
        }
        assert_eq!(poll(&mut timer, &waker), Poll::Ready(false));
        assert_eq!(driver.next_expiration(), None);
    });
}

/// The owner sees the fire (possibly while the wheel is still taking the
/// waker, `BUSY`) and drops the timer at once: the drop must wait for the
/// wheel to finish with the node (it takes the wheel lock when `BUSY`).
#[test]
fn a_timer_dropped_as_soon_as_it_is_seen_fired_is_released_cleanly() {
    loom::model(|| {
        let driver = TimeDriver::new();
        let (mut timer, counter, waker) = filed_timer(&driver, 5);
        let firing = {
            let driver = driver.clone();
            thread::spawn(move || driver.process_at(5))
        };
        // Pending: the drop cancels (racing the fire); ready: it saw the
        // fire. Either way at most one wake and nothing left filed.
        let _ = poll(&mut timer, &waker);
        drop(timer);
        firing.join().unwrap();
        assert!(wakes(&counter) <= 1);
        assert_eq!(driver.next_expiration(), None);
    });
}
