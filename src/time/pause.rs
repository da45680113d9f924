//! Pausing the runtime's clock: [`pause`], [`resume`], [`advance`], in
//! tokio's shapes (`tokio::time::{pause, resume, advance}`).
//!
//! While a current-thread runtime's clock is paused, [`Instant::now`],
//! `sleep`, `interval` and `timeout` all read it, and it moves only by
//! [`advance`] or by *auto-advance*: when the runtime has nothing to run
//! (no task runnable, no I/O ready, no `spawn_blocking` job in flight), the
//! clock jumps to the next timer's deadline. So a test of an hour of
//! `interval` ticks runs in milliseconds, and a timeout can be tested
//! without waiting for it.
//!
//! Only a current-thread runtime can pause its clock: on the multi-thread
//! runtime "nothing to run" is not one thread's observation (another worker
//! may be running a task while this one sleeps), so auto-advance could fire
//! a timeout early. `pause` panics there with a message that says so, and
//! `Builder::start_paused` fails to build.

use crate::runtime::driver::time::ClockError;
use crate::runtime::Handle;
use std::time::Duration;

/// Runs `f` with the current runtime's clock, after checking that the
/// runtime may pause it.
#[track_caller]
fn with_clock<R>(what: &str, f: impl FnOnce(&Handle) -> R) -> R {
    let handle = Handle::try_current().unwrap_or_else(|_| {
        panic!(
            "`time::{what}` called outside a magpie runtime: call it inside `block_on` of a \
             current-thread runtime, or in `#[magpie::test]`"
        )
    });
    if !handle.inner.is_current_thread() {
        panic!(
            "`time::{what}` needs a current-thread runtime (`Builder::new_current_thread()`, \
             or `#[magpie::test]`'s default flavor): on the multi-thread runtime, auto-advance \
             could not know that no worker is running a task"
        );
    }
    f(&handle)
}

/// Pauses time: the runtime's clock stands still from now on, and moves
/// only by [`advance`] or by auto-advance: when the runtime has nothing to
/// run (no task runnable, no I/O ready, no `spawn_blocking` job in flight),
/// it jumps to the next timer's deadline. `Instant::now`, `sleep`,
/// `interval` and `timeout` all follow it.
///
/// # Panics
///
/// Outside a runtime, on a multi-thread runtime, or if time is already
/// paused.
///
/// ```
/// use magpie::time::{self, Duration, Instant};
///
/// let rt = magpie::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     time::pause();
///     let start = Instant::now();
///     // An hour of sleeping, in no real time: the clock auto-advances.
///     time::sleep(Duration::from_secs(3600)).await;
///     assert_eq!(Instant::now() - start, Duration::from_secs(3600));
/// });
/// ```
#[track_caller]
pub fn pause() {
    with_clock("pause", |h| match h.driver().time.clock().pause() {
        Ok(()) => {}
        Err(ClockError::AlreadyPaused) => panic!("`time::pause`: time is already paused"),
        Err(ClockError::NotPaused) => unreachable!(),
    })
}

/// Resumes time: the clock runs again at the real rate, from where it
/// stands (it does not jump to the wall clock).
///
/// # Panics
///
/// Outside a runtime, on a multi-thread runtime, or if time is not paused.
///
/// ```
/// use magpie::time::{self, Duration, Instant};
///
/// let rt = magpie::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     time::pause();
///     let frozen = Instant::now();
///     time::resume();
///     time::sleep(Duration::from_millis(2)).await; // real time again
///     assert!(Instant::now() - frozen >= Duration::from_millis(2));
/// });
/// ```
#[track_caller]
pub fn resume() {
    with_clock("resume", |h| match h.driver().time.clock().resume() {
        Ok(()) => {}
        Err(ClockError::NotPaused) => panic!("`time::resume`: time is not paused"),
        Err(ClockError::AlreadyPaused) => unreachable!(),
    })
}

/// Moves the paused clock forward by `by`, fires the timers that are then
/// due, and yields so that the tasks they woke run before this returns.
///
/// # Panics
///
/// Outside a runtime, on a multi-thread runtime, or if time is not paused.
///
/// ```
/// use magpie::time::{self, Duration};
///
/// let rt = magpie::runtime::Builder::new_current_thread()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let timer = magpie::spawn(time::sleep(Duration::from_secs(10)));
///     time::advance(Duration::from_secs(9)).await;
///     assert!(!timer.is_finished());
///     time::advance(Duration::from_secs(1)).await;
///     assert!(timer.is_finished());
/// });
/// ```
#[track_caller]
pub fn advance(by: Duration) -> impl std::future::Future<Output = ()> {
    let handle = with_clock("advance", |h| {
        match h.driver().time.clock().advance(by) {
            Ok(()) => {}
            Err(ClockError::NotPaused) => panic!("`time::advance`: time is not paused"),
            Err(ClockError::AlreadyPaused) => unreachable!(),
        }
        h.clone()
    });
    async move {
        handle.driver().time.process();
        // Twice: once for the woken timers' tasks to run, once for what
        // they spawned or woke in turn.
        crate::task::yield_now().await;
        crate::task::yield_now().await;
    }
}
