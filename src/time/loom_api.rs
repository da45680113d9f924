//! What the whole-runtime loom models need of time (re-exported as
//! `magpie::__loom::rt` under `cfg(loom)` only): under loom the runtime's
//! clock stands still until a model moves it.

use super::sleep::current_runtime;
use super::{Instant, Sleep};
use crate::runtime::Handle;
use std::time::Duration;

/// A sleep until the start of tick `tick` (1 ms ticks from the runtime's
/// start) of the current runtime's clock.
pub fn sleep_until_tick(tick: u64) -> Sleep {
    let time = current_runtime("sleep_until_tick");
    let at = Instant::from_std(time.clock().tick_instant(tick));
    Sleep::new(time, at)
}

/// Moves `rt`'s clock forward by `by` and unparks its driver, as the
/// passing of real time would end the poller's timed wait.
pub fn advance(rt: &Handle, by: Duration) {
    let driver = rt.driver();
    driver
        .time
        .clock()
        .advance(by)
        .expect("the loom clock always advances");
    driver.unpark();
}
