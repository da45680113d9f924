//! `task::block_in_place`: run blocking code on a worker thread without
//! stalling the worker's queue.
//!
//! The calling thread lends its worker to a thread of the blocking pool,
//! which runs the worker's loop (its LIFO slot, local queue, stealing,
//! parking: everything but the pinned tasks) while the caller blocks in
//! `f`; then the caller recalls it and carries on with the task it was
//! polling.
//!
//! ```text
//!  worker thread:  poll task T ── block_in_place(f) ── f() ──────── recall, wait ── T continues
//!                                    │ lend                            │ unpark worker
//!  pool thread:                      └─ worker loop (turn/park) ...... sees recall ─ done
//! ```
//!
//! The hand-off: the `Worker` stays where it is (on the caller's stack,
//! which outlives the loan because the caller waits for the loan to end),
//! and exactly one thread uses it at a time: the caller stops using it
//! (its thread-local worker pointer is cleared) before the pool thread
//! starts, and uses it again only after the pool thread has finished
//! (`Loan::wait`, a mutex and condition variable: the happens-before edge).
//! A recall sets a flag and unparks the worker, which checks the flag on
//! every turn and after every park (loom model: `rt_block_in_place.rs`).
//! Pinned `!Send` tasks never run on the pool thread: while lent, their
//! wakes go to the inbox and wait for their own thread.

use super::worker::Worker;
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::runtime::context;
use crate::runtime::task::Meta;
use std::panic::{self, AssertUnwindSafe};

/// When the loan ends.
struct Loan {
    done: Mutex<bool>,
    ended: Condvar,
}

impl Loan {
    fn wait(&self) {
        let mut done = self.done.lock();
        while !*done {
            done = self.ended.wait(done);
        }
    }
}

/// Ends the loan when dropped: after the pool thread's loop, or if the pool
/// drops the job unrun (it is shutting down).
struct EndLoan(Arc<Loan>);

impl Drop for EndLoan {
    fn drop(&mut self) {
        *self.0.done.lock() = true;
        self.0.ended.notify_all();
    }
}

/// The lent worker, as the pool thread gets it.
struct Lent(*const Worker);

// SAFETY: the pointer crosses to one pool thread, which is the only user
// of the worker until the loan ends (see the module docs): the caller
// stopped using it first and waits for `EndLoan` before using it again.
unsafe impl Send for Lent {}

/// Runs `f`, lending this thread's worker (if it is a multi-thread
/// worker) to another thread meanwhile.
///
/// Panics on a current-thread runtime's thread, where there is no other
/// thread to run the tasks.
#[track_caller]
pub(crate) fn block_in_place<R>(f: impl FnOnce() -> R) -> R {
    let worker = context::with_worker(|worker| match worker {
        None => None,
        Some(w) if w.is_current_thread_core() => panic!(
            "`task::block_in_place` called on a current-thread runtime: its tasks run only on \
             this thread, so nothing could run them while it blocks. Use \
             `task::spawn_blocking`, or a multi-thread runtime"
        ),
        Some(w) => Some(w as *const Worker),
    });
    match worker {
        // Not on a worker (outside a runtime, or in a multi-thread
        // runtime's `block_on`): nothing to hand over.
        None => f(),
        // SAFETY: the pointer came from this thread's context, which holds
        // it only while the worker lives on this thread's stack, further
        // down the stack from here.
        Some(worker) => unsafe { &*worker }.lend(f),
    }
}

impl Worker {
    fn lend<R>(&self, f: impl FnOnce() -> R) -> R {
        let shared = self.shared().clone();
        let loan = Arc::new(Loan {
            done: Mutex::new(false),
            ended: Condvar::new(),
        });
        shared.set_recall(self.index(), false);
        self.lent.set(true);
        let end = EndLoan(loan.clone());
        let lent = Lent(self);
        // Stop using the worker on this thread before the pool thread can
        // start: from here on, wakes on this thread go through the
        // runtime's queues.
        let left = context::leave_worker();
        let job = shared.blocking().spawn(
            move || {
                let end = end;
                let lent = lent;
                // SAFETY: see `Lent`: this thread is now the worker's only
                // user, until `end` drops at the end of this closure.
                let worker = unsafe { &*lent.0 };
                let _entered = context::enter_runtime();
                let _ctx = context::set_worker(worker);
                worker.run_lent();
                drop(end);
            },
            Meta::here(),
        );
        let out = panic::catch_unwind(AssertUnwindSafe(f));
        shared.set_recall(self.index(), true);
        loan.wait();
        drop(left);
        drop(job);
        self.lent.set(false);
        match out {
            Ok(out) => out,
            Err(payload) => panic::resume_unwind(payload),
        }
    }

    /// The worker loop on the thread it is lent to, until recalled.
    fn run_lent(&self) {
        let shared = self.shared();
        while !shared.is_shutdown() && !shared.is_recalled(self.index()) {
            if !self.turn() {
                self.park();
            }
        }
    }
}
