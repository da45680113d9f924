//! Blocking a thread on a future: the thread's parker as a waker, and the
//! flag that says "this thread drives a runtime, it must not block".
//!
//! Two floors need this. The runtime's `block_on` parks its thread between
//! polls of the future it runs (`runtime/block_on.rs`), and the `sync`
//! primitives' `blocking_*` bridges (`blocking_recv`, `blocking_lock`, ...)
//! park a plain thread until their future completes. `sync/` may not import
//! `runtime/`, so both the parker and the flag live here, below both:
//!
//! * **The flag.** [`enter`] is called by the runtime on every thread that
//!   drives tasks (a worker, or a thread inside `block_on`); it returns a
//!   guard that clears the flag. [`is_entered`] reads it. The runtime's
//!   context (`runtime/context.rs`) keeps no copy of its own, so there is
//!   one answer to "may this thread block?", whoever asks.
//! * **The parker.** One [`Parker`] per thread (in a thread-local, reused by
//!   every call), wrapped as a [`Waker`] that unparks it. [`block_on`]
//!   polls the future, and between polls parks on the one park protocol
//!   (`util/parker.rs`): a wake that lands before the park makes the park
//!   return at once, so no wake-up is lost and nothing spins.

use crate::util::parker::Parker;
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Parks the calling thread on the one park protocol (`util/parker.rs`);
/// its waker unparks it.
pub(crate) struct ThreadParker(Parker);

impl ThreadParker {
    /// Sleeps until the waker made from this parker is woken (or returns at
    /// once if it was woken since the last park).
    pub(crate) fn park(&self) {
        self.0.park();
    }
}

impl Wake for ThreadParker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

crate::loom::thread_local! {
    /// One parker per thread, reused by every blocking call on it: no
    /// allocation per call.
    static PARKER: (Arc<ThreadParker>, Waker) = {
        let parker = Arc::new(ThreadParker(Parker::new()));
        let waker = Waker::from(parker.clone());
        (parker, waker)
    };
}

/// This thread's parker and the waker that unparks it.
pub(crate) fn thread_parker() -> (Arc<ThreadParker>, Waker) {
    PARKER.with(|(p, w)| (p.clone(), w.clone()))
}

crate::loom::const_thread_local! {
    static ENTERED: Cell<bool> = Cell::new(false);
}

/// Marks this thread as driving a runtime until the guard drops. Returns
/// `None` (and changes nothing) if it already was; during thread-local
/// teardown there is nothing to mark, and the guard does nothing.
pub(crate) fn enter() -> Option<EnteredGuard> {
    let was = ENTERED.try_with(|e| e.replace(true)).unwrap_or(false);
    if was {
        // (Not `then_some`: it would build a guard, whose drop clears the
        // flag, even when refusing.)
        return None;
    }
    Some(EnteredGuard {
        _not_send: std::marker::PhantomData,
    })
}

/// Clears the flag [`enter`] set.
pub(crate) struct EnteredGuard {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for EnteredGuard {
    fn drop(&mut self) {
        let _ = ENTERED.try_with(|e| e.set(false));
    }
}

/// Sets the flag to `entered`, returning what it was (for
/// `block_in_place`, which leaves the runtime for a while and comes back).
pub(crate) fn replace_entered(entered: bool) -> bool {
    ENTERED.try_with(|e| e.replace(entered)).unwrap_or(false)
}

/// Whether this thread drives a runtime (a worker, or inside `block_on`):
/// code here must not block waiting for other tasks.
pub(crate) fn is_entered() -> bool {
    ENTERED.try_with(|e| e.get()).unwrap_or(false)
}

/// Runs `future` to completion on this thread, parking between polls: the
/// engine of the `sync` primitives' `blocking_*` methods.
///
/// # Panics
/// If this thread drives a runtime: blocking it would stall every task on
/// it (possibly the very one that would wake us). `what` names the method
/// in the message.
#[track_caller]
pub(crate) fn block_on<F: Future>(what: &str, future: F) -> F::Output {
    if is_entered() {
        panic!(
            "`{what}` called from within a magpie runtime: it would block the \
             thread that runs async tasks (possibly the one it waits for). \
             Use the async method with `.await` instead, or call `{what}` \
             from `magpie::task::spawn_blocking` or a plain thread"
        );
    }
    let (parker, waker) = thread_parker();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        parker.park();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_set_while_the_guard_lives_and_does_not_nest() {
        assert!(!is_entered());
        let guard = enter().expect("not entered yet");
        assert!(is_entered());
        assert!(enter().is_none(), "a second enter is refused");
        assert!(is_entered(), "and leaves the flag set");
        drop(guard);
        assert!(!is_entered());
    }

    #[test]
    fn block_on_parks_until_another_thread_wakes_the_future() {
        let (tx, rx) = std::sync::mpsc::channel::<Waker>();
        let waker = std::thread::spawn(move || {
            let waker = rx.recv().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(20));
            waker.wake();
        });
        let mut polls = 0;
        let out = block_on(
            "test",
            std::future::poll_fn(|cx| {
                polls += 1;
                if polls == 1 {
                    tx.send(cx.waker().clone()).unwrap();
                    return Poll::Pending;
                }
                Poll::Ready(polls)
            }),
        );
        // Woken once, polled once more: no spinning in between.
        assert_eq!(out, 2);
        waker.join().unwrap();
    }

    #[test]
    #[should_panic(expected = "`blocking_thing` called from within a magpie runtime")]
    fn block_on_refuses_a_thread_that_drives_a_runtime() {
        let _guard = enter();
        block_on("blocking_thing", async {});
    }
}
