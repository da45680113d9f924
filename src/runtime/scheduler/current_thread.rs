//! The current-thread runtime's loop: the thread in `block_on` is the
//! runtime's only worker.
//!
//! A current-thread runtime is the multi-thread scheduler with one worker
//! and no worker thread: the worker's parts (its queues and parker, the
//! "core") wait in [`Shared`] until a `block_on` takes them, runs the loop
//! below on its own thread, and gives them back when its future is done.
//! Tasks spawned meanwhile from other threads wait in the injector; the
//! next `block_on` runs them. So everything the multi-thread runtime has
//! (the task cell, the driver park, metrics, trace, dump, slow-poll
//! reports, pinned tasks) works here unchanged, for worker 0.
//!
//! Each round: poll the `block_on` future if it was woken, then run tasks
//! (the worker's usual search order) until there are none, `event_interval`
//! have run, or the future was woken again (but at least one, so a future
//! that keeps waking itself cannot starve them); with nothing to do, park (in the driver: the thread
//! sleeps in `Poller::wait` until I/O, a timer, a remote wake or the
//! future's waker). The future's waker sets a flag and unparks worker 0:
//! the same unpark a remote spawn uses, so a wake cannot be lost between
//! the flag check and the park (the parker keeps the token).
//!
//! With the clock paused (`time::pause`), a thread with nothing to run
//! does not sleep: it polls I/O without blocking and, if nothing is ready
//! and no `spawn_blocking` job is in flight, moves the clock to the next
//! timer's deadline (auto-advance). Only this flavor may pause its clock:
//! here "nothing to run" is one thread's observation.

use super::worker::{Parts, Worker};
use super::Shared;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::Arc;
use crate::runtime::context;
use crate::runtime::task::coop;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Wake, Waker};

/// The waker of the future a current-thread `block_on` drives.
pub(crate) struct MainWake {
    shared: Arc<Shared>,
    pub(super) woken: AtomicBool,
}

impl MainWake {
    pub(super) fn is_woken(&self) -> bool {
        self.woken.load(Ordering::Acquire)
    }
}

impl Wake for MainWake {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        // Release pairs with the driver's Acquire swap: what the waker's
        // caller wrote before waking is visible to the next poll.
        self.woken.store(true, Ordering::Release);
        self.shared.unpark_worker(0);
    }
}

/// Drives the runtime with `future` as the main task until it completes.
/// `None` if the runtime shut down first (the core is then dropped).
pub(crate) fn drive<F: Future>(
    shared: &Arc<Shared>,
    parts: Parts,
    mut future: Pin<&mut F>,
) -> Option<F::Output> {
    let main = std::sync::Arc::new(MainWake {
        shared: shared.clone(),
        woken: AtomicBool::new(true),
    });
    let waker = Waker::from(main.clone());
    let mut cx = Context::from_waker(&waker);
    let worker = Worker::new(shared.clone(), parts, Some(main.clone()));
    let core = CoreGuard {
        worker: Some(worker),
    };
    let worker = core.worker.as_ref().expect("set above");
    let _ctx = context::set_worker(worker);
    let _forced = shared.count_forced_yields();
    shared.observer.on_worker_start(0);
    if worker.is_deterministic() {
        worker.det().borrow_mut().enter();
        return super::deterministic::run(shared, worker, &main, future, &mut cx);
    }
    let batch = shared.config.event_interval.max(1);
    loop {
        if shared.is_shutdown() {
            return None;
        }
        // Load first: the swap is a locked instruction, paid on every
        // round otherwise.
        if main.is_woken() && main.woken.swap(false, Ordering::Acquire) {
            if let Poll::Ready(out) = coop::budget(|| future.as_mut().poll(&mut cx)) {
                return Some(out);
            }
        }
        // Run tasks: at least one before the future is polled again (a
        // future that keeps waking itself, like a `yield_now` loop, must
        // not starve them), at most `event_interval` in a row.
        let mut ran = 0;
        while ran < batch && !shared.is_shutdown() && worker.turn() {
            ran += 1;
            if main.is_woken() {
                break;
            }
        }
        if ran == 0 && !main.is_woken() && !auto_advance(shared, worker, &main) {
            worker.park();
        }
    }
}

/// With the clock paused and nothing to run, moves the clock to the next
/// timer's deadline and fires what is then due, instead of sleeping. Not
/// while a `spawn_blocking` job is in flight (its result is real-time
/// input), nor while I/O is ready (polled first, without blocking). True if
/// there may be work now.
pub(super) fn auto_advance(shared: &Shared, worker: &Worker, main: &MainWake) -> bool {
    let time = &shared.driver_handle().time;
    if !time.clock().is_paused() || shared.blocking().in_flight() > 0 {
        return false;
    }
    worker.maintenance();
    if worker.has_work() || shared.has_stealable_work() || main.is_woken() {
        return true;
    }
    match time.next_expiration() {
        Some(at) => {
            time.clock().advance_to(at);
            time.process();
            true
        }
        None => false,
    }
}

/// Gives the core back when `drive` returns or unwinds (a panic in the
/// `block_on` future): tasks spawned so far survive for the next
/// `block_on`. After shutdown, drops it instead (cancelling the pinned
/// tasks here if this thread owns them).
struct CoreGuard {
    worker: Option<Worker>,
}

impl Drop for CoreGuard {
    fn drop(&mut self) {
        let Some(worker) = self.worker.take() else {
            return;
        };
        if worker.is_deterministic() {
            worker.det().borrow_mut().exit();
        }
        let shared = worker.shared().clone();
        if shared.is_shutdown() {
            worker.drain_queues();
            shared.return_core(worker.into_parts());
            shared.shutdown_idle_core();
        } else {
            shared.return_core(worker.into_parts());
            // A shutdown that began after our check may have looked for the
            // core while we held it: finish its job (the core lock orders
            // the two, so one of us sees the other).
            if shared.is_shutdown() {
                shared.shutdown_idle_core();
            }
        }
    }
}
