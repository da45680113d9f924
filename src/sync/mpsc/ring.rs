//! The bounded channel's buffer: a fixed ring of slots, allocated once.
//!
//! # Protocol (Vyukov's bounded queue, single consumer)
//!
//! Each slot carries a sequence number. A slot at position `pos` is free for
//! the producer that claims `pos` when `seq == pos`, and full (ready for the
//! consumer) when `seq == pos + 1`. A producer claims a position with a CAS
//! on `tail`, writes the value, then publishes it with a `Release` store of
//! `seq = pos + 1`; the consumer reads `seq` with `Acquire`, takes the value
//! and frees the slot for the next lap with `seq = pos + size`.
//!
//! The channel's semaphore guarantees a producer holds one of `capacity ≤
//! size` permits, and a permit comes back only after the consumer freed a
//! slot, so `push` never finds the ring full.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::padded::CachePadded;
use std::mem::MaybeUninit;

struct Slot<T> {
    seq: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

pub(crate) struct Ring<T> {
    slots: Box<[Slot<T>]>,
    mask: usize,
    /// Next position the (single) consumer reads; only the consumer writes
    /// it, on its own cache line. (The producers' `tail` is passed in: the
    /// channel keeps it on the line of the permit word producers take
    /// first, so a send touches one contended line, not two.)
    head: CachePadded<AtomicUsize>,
}

impl<T> Ring<T> {
    /// A ring able to hold at least `capacity` values.
    pub(crate) fn new(capacity: usize) -> Ring<T> {
        let size = capacity.max(1).next_power_of_two();
        let slots = (0..size)
            .map(|i| Slot {
                seq: AtomicUsize::new(i),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Ring {
            slots,
            mask: size - 1,
            head: CachePadded::new(AtomicUsize::new(0)),
        }
    }

    /// Appends `value`, claiming a position from `tail` (the ring's only
    /// tail, always the same word); gives it back if the ring is full.
    pub(crate) fn push(&self, tail: &AtomicUsize, value: T) -> Result<(), T> {
        let mut pos = tail.load(Ordering::Relaxed);
        loop {
            let slot = &self.slots[pos & self.mask];
            // Acquire pairs with the consumer's Release that freed the slot,
            // so its read of the old value happens-before our write.
            let seq = slot.seq.load(Ordering::Acquire);
            let lap = seq.wrapping_sub(pos) as isize;
            if lap == 0 {
                // Relaxed: the claim orders nothing; `seq` publishes the value.
                match tail.compare_exchange_weak(
                    pos,
                    pos.wrapping_add(1),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // SAFETY: we claimed `pos` and the slot is free for it
                        // (`seq == pos`), so no one else touches the value.
                        slot.value.with_mut(|p| unsafe { (*p).write(value) });
                        // Release pairs with the consumer's Acquire on `seq`.
                        slot.seq.store(pos.wrapping_add(1), Ordering::Release);
                        return Ok(());
                    }
                    Err(actual) => pos = actual,
                }
            } else if lap < 0 {
                return Err(value);
            } else {
                pos = tail.load(Ordering::Relaxed);
            }
        }
    }

    /// Takes the oldest value, if one is published.
    ///
    /// # Safety
    /// Only one thread at a time may pop (the channel's receiver).
    pub(crate) unsafe fn pop(&self) -> Option<T> {
        let pos = self.head.load(Ordering::Relaxed);
        let slot = &self.slots[pos & self.mask];
        // Acquire pairs with the producer's Release store of `seq`.
        if slot.seq.load(Ordering::Acquire) != pos.wrapping_add(1) {
            return None;
        }
        // SAFETY: `seq == pos + 1`: the value is written and published, and
        // we are the only consumer.
        let value = slot.value.with(|p| unsafe { (*p).assume_init_read() });
        // Release pairs with the next lap's producer's Acquire load of `seq`.
        slot.seq.store(
            pos.wrapping_add(self.mask).wrapping_add(1),
            Ordering::Release,
        );
        self.head.store(pos.wrapping_add(1), Ordering::Relaxed);
        Some(value)
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // SAFETY: `&mut self`: no other consumer or producer exists.
        while unsafe { self.pop() }.is_some() {}
    }
}

// SAFETY: values move between threads through the ring (T: Send); each slot
// is owned by exactly one side at a time, as its `seq` says.
unsafe impl<T: Send> Send for Ring<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Ring<T> {}
