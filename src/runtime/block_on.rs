//! `block_on`: on a current-thread runtime, the calling thread takes the
//! runtime's core and runs its tasks (`scheduler/current_thread.rs`); on a
//! multi-thread runtime (or while another thread drives the current-thread
//! core) it polls the future and sleeps on the thread's parker
//! (`util/blocking.rs`, shared with `sync`'s `blocking_*` bridges) between
//! polls.

use crate::loom::sync::Arc;
use crate::runtime::scheduler::{current_thread, Shared};
use crate::runtime::task::coop;
use crate::util::blocking::thread_parker;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

/// Runs `future` to completion on this thread. The caller has entered the
/// runtime context (nested calls panic before reaching here).
///
/// Panics if `shared`'s runtime shut itself down because a task panicked
/// (`UnhandledPanic::ShutdownRuntime`) and the future is still waiting:
/// what it waits for may never come then. (A future that is ready, such as
/// the `JoinHandle` of a cancelled task, still returns its output.)
#[track_caller]
pub(crate) fn block_on<F: Future>(shared: &Arc<Shared>, future: F) -> F::Output {
    let mut future = pin!(future);
    if shared.is_current_thread() {
        loop {
            if let Some(core) = shared.take_core() {
                match current_thread::drive(shared, core, future.as_mut()) {
                    Some(out) => return out,
                    // Shut down: nothing drives tasks any more; wait for the
                    // future alone (or report why the runtime stopped).
                    None => break,
                }
            }
            // Another thread drives the core: wait for the future, or for
            // the core to be given back.
            if let Some(out) = park_loop(shared, future.as_mut(), true) {
                return out;
            }
        }
    }
    park_loop(shared, future, false).expect("waits until ready")
}

/// Polls `future` until it is ready, sleeping between polls; with
/// `until_core_free`, returns `None` as soon as the current-thread core may
/// be free.
#[track_caller]
fn park_loop<F: Future>(
    shared: &Shared,
    mut future: std::pin::Pin<&mut F>,
    until_core_free: bool,
) -> Option<F::Output> {
    let (parker, waker) = thread_parker();
    let mut cx = Context::from_waker(&waker);
    let _watch = shared.watch_fatal(&waker);
    loop {
        if until_core_free {
            shared.wait_for_core(&waker);
        }
        if let Poll::Ready(out) = coop::budget(|| future.as_mut().poll(&mut cx)) {
            return Some(out);
        }
        if until_core_free && !shared.is_shutdown() && shared.core_is_free() {
            return None;
        }
        // Still waiting: if the runtime shut itself down, what we wait for
        // may never come (no worker drives timers or I/O any more).
        if shared.is_shutdown() {
            if let Some(reason) = shared.fatal() {
                panic!("{reason}");
            }
        }
        parker.park();
    }
}
