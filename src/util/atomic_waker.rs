//! A single waker slot that one party registers into and many may wake,
//! without a lock.
//!
//! Used where exactly one task waits (a channel's receiver, a oneshot's two
//! ends) and the notifying side must stay lock-free.
//!
//! # Protocol
//!
//! One state word with two bits:
//!
//! * `REGISTERING`: the (single) registering task is writing the slot.
//! * `WAKING`: some waker is taking the slot.
//!
//! `register` moves `WAITING → REGISTERING`, writes the waker, then tries
//! `REGISTERING → WAITING`. If a `wake` arrived meanwhile (it set `WAKING`
//! and found `REGISTERING`, so it could not touch the slot), that CAS fails
//! and the registering task takes the waker back out and wakes it itself:
//! the wake is never lost. `wake` sets `WAKING`; only if the word was
//! `WAITING` does it own the slot, take the waker and clear `WAKING`.
//! Whoever owns the slot is the only one touching the `UnsafeCell`.

use crate::loom::cell::UnsafeCell;
use crate::loom::hint::spin_loop;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use std::task::Waker;

const WAITING: usize = 0;
const REGISTERING: usize = 0b01;
const WAKING: usize = 0b10;

pub(crate) struct AtomicWaker {
    state: AtomicUsize,
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the slot is only accessed by the party that owns it through the
// state word (see the protocol above).
unsafe impl Send for AtomicWaker {}
// SAFETY: as above.
unsafe impl Sync for AtomicWaker {}

impl std::fmt::Debug for AtomicWaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AtomicWaker")
    }
}

impl AtomicWaker {
    pub(crate) fn new() -> AtomicWaker {
        AtomicWaker {
            state: AtomicUsize::new(WAITING),
            waker: UnsafeCell::new(None),
        }
    }

    /// Registers `waker` to be woken by the next [`wake`](Self::wake).
    /// Only one thread may call this at a time (the single waiting party).
    pub(crate) fn register(&self, waker: &Waker) {
        if !self.try_register(waker) {
            // A wake raced the registration, so ours could be missed: wake
            // ourselves to poll again, and let the waking thread finish
            // (under loom this yields to it).
            waker.wake_by_ref();
            spin_loop();
        }
    }

    /// Registers `waker`, unless a [`wake`](Self::wake) runs at the same
    /// time: then nothing is registered and `false` comes back. The caller
    /// must then re-check its condition — everything the waking thread wrote
    /// before it woke is visible — instead of waiting. Only one thread may
    /// call this at a time (the single waiting party).
    pub(crate) fn try_register(&self, waker: &Waker) -> bool {
        // Acquire pairs with the Release that ended the last owner's turn
        // (a `wake`'s clearing of WAKING or our own previous registration),
        // and on failure with the waker's AcqRel `fetch_or`.
        match self
            .state
            .compare_exchange(WAITING, REGISTERING, Ordering::Acquire, Ordering::Acquire)
            .unwrap_or_else(|actual| actual)
        {
            WAITING => {
                // SAFETY: we moved WAITING → REGISTERING, so we own the slot.
                self.waker.with_mut(|slot| unsafe {
                    match &*slot {
                        Some(old) if old.will_wake(waker) => {}
                        _ => *slot = Some(waker.clone()),
                    }
                });
                // AcqRel: Release publishes the slot write to the next
                // `wake`; Acquire (on failure) sees a concurrent waker's bit
                // and what it wrote before.
                let res = self.state.compare_exchange(
                    REGISTERING,
                    WAITING,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                );
                if res.is_ok() {
                    return true;
                }
                // A `wake` came while we held the slot: it is now
                // REGISTERING | WAKING and the waker left it to us.
                // SAFETY: still REGISTERING, we still own the slot.
                let taken = self.waker.with_mut(|slot| unsafe { (*slot).take() });
                // AcqRel pairs with the waker's fetch_or.
                self.state.swap(WAITING, Ordering::AcqRel);
                drop(taken);
                false
            }
            // WAKING: a wake is taking the old waker right now. (REGISTERING
            // would be a concurrent register, which the single-registrant
            // contract rules out; answering "re-check" is conservative.)
            _ => false,
        }
    }

    /// Takes the registered waker, if any, leaving the slot empty.
    pub(crate) fn take(&self) -> Option<Waker> {
        // AcqRel: Acquire pairs with the registrant's Release so we see the
        // waker it stored; Release orders our prior writes (the message the
        // wake announces) before the registrant's next check.
        match self.state.fetch_or(WAKING, Ordering::AcqRel) {
            WAITING => {
                // SAFETY: we moved WAITING → WAKING, so we own the slot.
                let waker = self.waker.with_mut(|slot| unsafe { (*slot).take() });
                // Release: ends our ownership; pairs with `register`'s Acquire.
                self.state.fetch_and(!WAKING, Ordering::Release);
                waker
            }
            // A registrant holds the slot (it will see WAKING and wake
            // itself) or another waker is already taking it.
            _ => None,
        }
    }

    /// Wakes the registered waker, if any.
    pub(crate) fn wake(&self) {
        if let Some(waker) = self.take() {
            waker.wake();
        }
    }
}
