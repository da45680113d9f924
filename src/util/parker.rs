//! The one park protocol: a thread sleeps until another one unparks it, and
//! no unpark is ever lost.
//!
//! Who may wait: the single owner of a [`Parker`] (a worker, or a thread in
//! `block_on`). It sleeps either on the parker's own condvar
//! ([`Parker::park`]) or *elsewhere* ([`Parker::park_elsewhere`]: the
//! worker that holds the I/O driver sleeps in the poller). Anyone may call
//! [`Parker::unpark`].
//!
//! The state word moves like this (every change is `SeqCst`):
//!
//! ```text
//!            park (CAS)              unpark (swap)
//!   EMPTY ──────────────► PARKED_* ───────────────► NOTIFIED
//!     ▲                                                │
//!     └──────────── the sleeper consumes it ───────────┘
//! ```
//!
//! Who wakes whom: `unpark` swaps the state to `NOTIFIED` and looks at what
//! it replaced: `PARKED_CONDVAR` → it notifies the condvar, after taking
//! the mutex, so the sleeper is either before its CAS (and will see
//! `NOTIFIED`) or inside `wait` (and gets the notify); `PARKED_ELSEWHERE` →
//! it returns [`Unparked::Elsewhere`] and the caller wakes that place (the
//! poller's notify); `EMPTY` or `NOTIFIED` → nothing, the owner will see
//! `NOTIFIED` before it sleeps.
//!
//! Why no wake-up is lost: the owner moves `EMPTY → PARKED_*` with a CAS;
//! if an unpark got in first the CAS fails on `NOTIFIED` and the owner
//! returns at once. After the CAS succeeds, an unpark sees `PARKED_*` and
//! wakes the matching sleep. A `NOTIFIED` left behind is consumed by the
//! next park (a spurious wake-up, which every caller tolerates).
//!
//! Loom models: `loom-tests/tests/rt_park.rs` (through the workers, who
//! park both ways) and `block_on` (which parks on the condvar).

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Condvar, Mutex};

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_ELSEWHERE: usize = 2;
const NOTIFIED: usize = 3;

/// A park/unpark pair of one thread's sleep. Share it (in an `Arc`)
/// between the owner, who parks, and whoever unparks.
#[derive(Debug)]
pub(crate) struct Parker {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
}

/// What an [`Parker::unpark`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unparked {
    /// Nothing more to do: the owner was awake, already notified, or
    /// sleeping on the condvar (which has been notified).
    Done,
    /// The owner sleeps elsewhere: the caller must wake that place.
    Elsewhere,
}

impl Parker {
    pub(crate) fn new() -> Parker {
        Parker {
            state: AtomicUsize::new(EMPTY),
            mutex: Mutex::new(()),
            condvar: Condvar::new(),
        }
    }

    /// Takes a pending notification, if there is one.
    pub(crate) fn consume_notification(&self) -> bool {
        self.state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
    }

    /// Sleeps on the condvar until unparked. Owner only.
    pub(crate) fn park(&self) {
        if self.consume_notification() {
            return;
        }
        let mut guard = self.mutex.lock();
        if !self.announce(PARKED_CONDVAR) {
            return;
        }
        loop {
            guard = self.condvar.wait(guard);
            if self.consume_notification() {
                return;
            }
            // Spurious: keep sleeping.
        }
    }

    /// Runs `sleep` (which blocks somewhere an [`Unparked::Elsewhere`]
    /// unpark can reach) unless a notification is already pending; returns
    /// its result, or `None` if it was not run. Owner only.
    pub(crate) fn park_elsewhere<R>(&self, sleep: impl FnOnce() -> R) -> Option<R> {
        if !self.announce(PARKED_ELSEWHERE) {
            return None;
        }
        let out = sleep();
        match self.state.swap(EMPTY, SeqCst) {
            NOTIFIED | PARKED_ELSEWHERE => {}
            actual => unreachable!("inconsistent park state {actual}"),
        }
        Some(out)
    }

    /// `EMPTY → parked`; false (and the notification consumed) if an
    /// unpark came first.
    fn announce(&self, parked: usize) -> bool {
        match self.state.compare_exchange(EMPTY, parked, SeqCst, SeqCst) {
            Ok(_) => true,
            Err(NOTIFIED) => {
                self.state.store(EMPTY, SeqCst);
                false
            }
            Err(actual) => unreachable!("inconsistent park state {actual}"),
        }
    }

    /// Wakes the owner, or makes its next park return at once.
    pub(crate) fn unpark(&self) -> Unparked {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => Unparked::Done,
            PARKED_CONDVAR => {
                // Taking the mutex orders us after the sleeper's CAS and
                // before (or inside) its wait, so the notify reaches it.
                drop(self.mutex.lock());
                self.condvar.notify_one();
                Unparked::Done
            }
            PARKED_ELSEWHERE => Unparked::Elsewhere,
            actual => unreachable!("inconsistent park state {actual}"),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::{Parker, Unparked};
    use std::sync::Arc;

    #[test]
    fn an_unpark_before_the_park_makes_it_return_at_once() {
        let p = Parker::new();
        assert_eq!(p.unpark(), Unparked::Done);
        p.park();
        assert!(!p.consume_notification());
    }

    #[test]
    fn park_elsewhere_is_skipped_when_notified_and_reports_the_sleeper() {
        let p = Parker::new();
        p.unpark();
        assert_eq!(p.park_elsewhere(|| 1), None);
        let seen = p.park_elsewhere(|| p.unpark());
        assert_eq!(seen, Some(Unparked::Elsewhere));
        // The unpark that found it elsewhere is not left behind.
        assert!(!p.consume_notification());
    }

    #[test]
    fn an_unpark_from_another_thread_ends_a_condvar_park() {
        let p = Arc::new(Parker::new());
        let q = p.clone();
        let t = std::thread::spawn(move || q.park());
        std::thread::sleep(std::time::Duration::from_millis(10));
        p.unpark();
        t.join().unwrap();
    }
}
