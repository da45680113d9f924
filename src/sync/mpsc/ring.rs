//! The bounded channel's buffer: a ring of exactly `capacity` slots,
//! allocated once. The ring itself enforces the capacity: a send is one CAS
//! on the producers' tail word, a receive touches no word the producers
//! write, and no counter sits beside the ring.
//!
//! # Positions
//!
//! A position is `(lap + index) * ONE`: `index` in `0..capacity`, `lap` a
//! multiple of `one_lap` (the power of two above `capacity`, so stepping the
//! index never carries into the lap). The tail *word* keeps two flags in
//! the bits below `ONE` ([`SLOW`], [`CLOSED`]); stamps and the head never
//! have them. All arithmetic wraps modulo 2^64, consistently.
//!
//! # Protocol (Vyukov's bounded queue, one consumer)
//!
//! * A slot's `stamp` is `p` when it is free for the producer that claims
//!   position `p`, and `p + ONE` once that producer published its value.
//!   The consumer takes the value and frees the slot for the same index of
//!   the next lap with `stamp = p + one_lap`.
//! * **Fast path** ([`Ring::try_push`]): with no flag set, a producer whose
//!   slot is free claims `p` with a CAS of the tail word to the next
//!   position, writes, and publishes with a `Release` store of the stamp.
//!   A slot still holding (or about to hold) the previous lap's value means
//!   the ring is full: the producer fails and takes the slow path.
//! * **Flags stop the fast path.** The CAS compares the whole word, so once
//!   `SLOW` (senders are queued or slots are reserved: `backpressure.rs`
//!   then accounts for every slot under its lock) or `CLOSED` is set, no
//!   fast-path claim succeeds. While `SLOW` is set only the lock holder
//!   moves the tail ([`Ring::claim_locked`]), so its counts stay exact.
//! * A position the slow path hands to a waiting sender is marked in its
//!   stamp ([`Ring::grant`]: `stamp = p + GRANTED`) until that sender
//!   starts writing. Whoever changes the mark first owns the position: the
//!   sender with a CAS back to `p` ([`Ring::take_grant`]), after which it
//!   writes and publishes as above; or the consumer, which would otherwise
//!   wait behind a sender that may not be polled for a long time, with a CAS
//!   that publishes it empty ([`Ring::revoke_head`], under the slow path's
//!   lock: see `backpressure.rs` for what the sender gets instead).
//! * A position claimed by the slow path for a waiting sender that is then
//!   dropped is published *empty* ([`Ring::skip`]: `stamp = p + ONE +
//!   SKIPPED`); the consumer frees it and steps over it.
//! * The consumer's `head` and its `senders_waiting` flag share a cache
//!   line no producer writes on the fast path.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::util::cache_padded::CachePadded;
use std::mem::MaybeUninit;

/// Tail-word flag: the slow path accounts for every slot (senders are
/// queued, or slots are reserved); fast-path sends stand aside.
pub(crate) const SLOW: usize = 0b01;
/// Tail-word flag: the receiver closed; only reserved slots may still fill.
pub(crate) const CLOSED: usize = 0b10;
const FLAGS: usize = SLOW | CLOSED;
/// One position step, above the flag bits.
const ONE: usize = 4;
/// Stamp bit: the position was published without a value.
const SKIPPED: usize = 0b01;
/// Stamp bit: the position was handed to a waiting sender that has not
/// started writing; the consumer may still take it back.
const GRANTED: usize = 0b10;

struct Slot<T> {
    stamp: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

/// What only the consumer writes (and the slow path reads).
struct Consumer {
    /// The next position to read.
    head: AtomicUsize,
    /// Set (under the senders' lock) while senders are queued: after
    /// freeing a slot the consumer must let them in.
    senders_waiting: AtomicBool,
}

pub(crate) struct Ring<T> {
    /// Next position to claim, plus the flags.
    tail: CachePadded<AtomicUsize>,
    rx: CachePadded<Consumer>,
    slots: Box<[Slot<T>]>,
    capacity: usize,
    /// `ONE` times the power of two above `capacity`.
    one_lap: usize,
}

impl<T> Ring<T> {
    /// A ring of exactly `capacity` (> 0) slots.
    pub(crate) fn new(capacity: usize) -> Ring<T> {
        assert!(capacity > 0, "a ring needs at least one slot");
        let one_lap = capacity
            .checked_add(1)
            .and_then(usize::checked_next_power_of_two)
            .and_then(|n| n.checked_mul(ONE))
            .expect("channel capacity too large");
        let slots = (0..capacity)
            .map(|i| Slot {
                stamp: AtomicUsize::new(i * ONE),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Ring {
            tail: CachePadded::new(AtomicUsize::new(0)),
            rx: CachePadded::new(Consumer {
                head: AtomicUsize::new(0),
                senders_waiting: AtomicBool::new(false),
            }),
            slots,
            capacity,
            one_lap,
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    fn slot(&self, pos: usize) -> &Slot<T> {
        &self.slots[(pos & (self.one_lap - 1)) / ONE]
    }

    /// The position after `pos` (flags clear).
    fn next(&self, pos: usize) -> usize {
        let index = (pos & (self.one_lap - 1)) / ONE;
        if index + 1 < self.capacity {
            pos.wrapping_add(ONE)
        } else {
            (pos & !(self.one_lap - 1)).wrapping_add(self.one_lap)
        }
    }

    /// Positions claimed and not yet read, between a `head` and a tail
    /// `word` (its flags ignored). Exact when the two are a consistent
    /// pair; a head read after the tail moved on may make it small, which
    /// no caller acts on without a CAS of that same tail word.
    pub(crate) fn distance(&self, head: usize, word: usize) -> usize {
        let tail = word & !FLAGS;
        let lap_mask = !(self.one_lap - 1);
        let laps = (tail & lap_mask).wrapping_sub(head & lap_mask) as isize;
        let (ti, hi) = ((tail & !lap_mask) / ONE, (head & !lap_mask) / ONE);
        match laps {
            0 => ti.saturating_sub(hi),
            l if l == self.one_lap as isize => self.capacity - hi + ti,
            l if l < 0 => 0,
            _ => self.capacity,
        }
    }

    /// The tail word (position and flags).
    pub(crate) fn tail(&self, order: Ordering) -> usize {
        self.tail.load(order)
    }

    /// Replaces the tail word `cur` by `new` (both with their flags).
    pub(crate) fn cas_tail(&self, cur: usize, new: usize) -> Result<usize, usize> {
        // SeqCst: flag changes are ordered with the fences of the slow
        // path's wake-up handshakes (see `backpressure.rs`).
        self.tail
            .compare_exchange(cur, new, Ordering::SeqCst, Ordering::SeqCst)
    }

    /// Sets `CLOSED`: no fast-path claim succeeds from now on.
    pub(crate) fn close(&self) {
        self.tail.fetch_or(CLOSED, Ordering::SeqCst);
    }

    /// The consumer's next position (`Acquire`: a slot freed before it is
    /// visibly free).
    pub(crate) fn head(&self) -> usize {
        self.rx.head.load(Ordering::Acquire)
    }

    /// The head as the consumer itself sees it.
    pub(crate) fn own_head(&self) -> usize {
        self.rx.head.load(Ordering::Relaxed)
    }

    pub(crate) fn senders_waiting(&self) -> bool {
        self.rx.senders_waiting.load(Ordering::Relaxed)
    }

    /// Lock holder only (see `backpressure.rs`).
    pub(crate) fn set_senders_waiting(&self, waiting: bool) {
        if self.rx.senders_waiting.load(Ordering::Relaxed) != waiting {
            self.rx.senders_waiting.store(waiting, Ordering::Relaxed);
        }
    }

    /// The fast path: appends `value` if no flag is set and the ring has a
    /// free slot; gives it back otherwise (the caller takes the slow path).
    pub(crate) fn try_push(&self, value: T) -> Result<(), T> {
        let mut word = self.tail.load(Ordering::Relaxed);
        loop {
            if word & FLAGS != 0 {
                return Err(value);
            }
            let slot = self.slot(word);
            // Acquire pairs with the consumer's Release that freed the slot,
            // so its read of the old value happens-before our write.
            let stamp = slot.stamp.load(Ordering::Acquire);
            let lag = word.wrapping_sub(stamp) as isize;
            if lag == 0 {
                // Acquire on success pairs with `unclaim`'s (SeqCst) CAS:
                // a position that was handed to a waiting sender, taken by
                // it and given back was free before, with the same stamp, so
                // our stamp load may have read the older write. Through the
                // tail we still come after the grant's and the take's stamp
                // writes, and our publish cannot be ordered before them (it
                // would be lost). Otherwise the stamp publishes; failure:
                // Relaxed, we only look again.
                match self.tail.compare_exchange_weak(
                    word,
                    self.next(word),
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        self.publish(slot, word, value);
                        return Ok(());
                    }
                    Err(actual) => word = actual,
                }
            } else if lag > 0 {
                // The slot still belongs to the previous lap (its value is
                // unread, or not even written yet): the ring is full.
                return Err(value);
            } else {
                // Someone claimed `word` after our load: look again. (The
                // stamp we saw was published, or marked handed, after that
                // claim, so this load sees a newer tail; or `word` again if
                // the handed position was taken and given back: then
                // Acquire, pairing with `unclaim`'s CAS, makes the take's
                // stamp write visible to our next look at the slot.)
                word = self.tail.load(Ordering::Acquire);
            }
        }
    }

    /// The tail word after claiming `word`'s position (flags kept).
    pub(crate) fn claimed(&self, word: usize) -> usize {
        self.next(word & !FLAGS) | (word & FLAGS)
    }

    /// Claims the next position whatever the flags and returns it. Only
    /// the slow path's lock holder calls this, with `SLOW` set (so nobody
    /// else moves the position); `clear_slow` clears that flag in the same
    /// step.
    pub(crate) fn claim_locked(&self, clear_slow: bool) -> usize {
        let mut word = self.tail.load(Ordering::Acquire);
        // Checked before any state changes (the position is stable: see
        // above), so a broken count panics without leaving a claimed
        // position nobody will publish.
        self.claimed_slot(word & !FLAGS);
        loop {
            let mut new = self.claimed(word);
            if clear_slow {
                new &= !SLOW;
            }
            // Only `close`'s fetch_or can race with us.
            match self.cas_tail(word, new) {
                Ok(_) => return word & !FLAGS,
                Err(actual) => word = actual,
            }
        }
    }

    /// Undoes the claim of `pos` if it is still the last position claimed
    /// (nobody wrote there; the next claim gets it again). `false` if a
    /// later claim came first.
    pub(crate) fn unclaim(&self, pos: usize) -> bool {
        let mut word = self.tail.load(Ordering::Acquire);
        while word & !FLAGS == self.next(pos) {
            match self.cas_tail(word, pos | (word & FLAGS)) {
                Ok(_) => return true,
                Err(actual) => word = actual,
            }
        }
        false
    }

    /// Writes `value` at `pos`, a position the caller claimed (under the
    /// slow path's lock, which counted it free from the consumer's head).
    pub(crate) fn write(&self, pos: usize, value: T) {
        self.publish(self.claimed_slot(pos), pos, value);
    }

    /// Marks `pos`, a position the caller (the slow path's lock holder)
    /// claimed, as handed to a waiting sender: until that sender takes it
    /// ([`take_grant`](Ring::take_grant)) the consumer may take it back
    /// ([`revoke_head`](Ring::revoke_head)).
    pub(crate) fn grant(&self, pos: usize) {
        // SeqCst: the consumer takes a position back only if it sees this
        // mark, and a send claimed behind the position must not leave it
        // waiting. That send either wakes the consumer (then the mark
        // happens-before the consumer's next look), or the consumer sees its
        // value through the fence pair of `Chan::pushed` / `poll_recv`. In
        // that case the mark, being SeqCst, precedes the sender's fence in
        // the SeqCst order (the sender claimed under the same lock, or read
        // the SeqCst CAS that turned the fast path back on after this store),
        // hence the consumer's fence, so the consumer's read after its fence
        // sees it. A missed mark would only mean waiting for the sender, as
        // before revocation existed. (Not distinguished by loom, which
        // models SeqCst accesses as AcqRel.)
        self.claimed_slot(pos)
            .stamp
            .store(pos | GRANTED, Ordering::SeqCst);
    }

    /// The sender handed `pos` claims it for writing. `false` if the
    /// consumer took it back first.
    pub(crate) fn take_grant(&self, pos: usize) -> bool {
        // Success: Relaxed, the slot is ours already (the grant reached us
        // through the queue's hand-off, after the slot was freed); this only
        // keeps the consumer out. Failure: Relaxed, the consumer took it
        // back under the queue's lock, which we take next.
        self.slot(pos)
            .stamp
            .compare_exchange(pos | GRANTED, pos, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    }

    /// Whether the consumer's next position was handed to a waiting sender
    /// that has not started writing, with later positions claimed: the
    /// consumer would otherwise wait behind it. Consumer only.
    pub(crate) fn held_up_by_grant(&self) -> bool {
        let head = self.rx.head.load(Ordering::Relaxed);
        // Relaxed, both: a hint for `revoke_head`, whose CAS decides. (See
        // `grant` for why the mark is seen when it matters.)
        self.slot(head).stamp.load(Ordering::Relaxed) == head | GRANTED
            && self.distance(head, self.tail.load(Ordering::Relaxed)) > 1
    }

    /// Takes the consumer's next position back from the waiting sender it
    /// was handed to, unless that sender started writing (`false`): marks it
    /// published empty, runs `recount` (the caller keeps the sender's slot
    /// counted), then frees the slot and moves on. Consumer only, holding
    /// the slow path's lock, so that no lock holder counts free slots
    /// between `recount` and the head moving on.
    pub(crate) fn revoke_head(&self, recount: impl FnOnce()) -> bool {
        let head = self.rx.head.load(Ordering::Relaxed);
        let slot = self.slot(head);
        // Relaxed: no value was written, so none is read; the sender that
        // loses learns what it holds instead under the lock we hold.
        let revoked = slot.stamp.compare_exchange(
            head | GRANTED,
            head.wrapping_add(ONE) | SKIPPED,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
        if revoked.is_err() {
            return false;
        }
        recount();
        self.free_head(slot, head);
        true
    }

    /// Publishes `pos`, a position the caller claimed, without a value: its
    /// sender was dropped before it could write.
    pub(crate) fn skip(&self, pos: usize) {
        let slot = self.claimed_slot(pos);
        // Release: as `publish` (the consumer frees the slot after it).
        slot.stamp
            .store(pos.wrapping_add(ONE) | SKIPPED, Ordering::Release);
    }

    fn claimed_slot(&self, pos: usize) -> &Slot<T> {
        let slot = self.slot(pos);
        // Acquire: as in `try_push`. The slow path counted the slot free
        // from the consumer's head, which is stored after the stamp.
        let stamp = slot.stamp.load(Ordering::Acquire);
        assert_eq!(stamp, pos, "a claimed slot is always free");
        slot
    }

    fn publish(&self, slot: &Slot<T>, pos: usize, value: T) {
        // SAFETY: we claimed `pos` and its slot is free (`stamp == pos`),
        // so nobody else reads or writes the value until we publish.
        slot.value.with_mut(|p| unsafe { (*p).write(value) });
        // Release pairs with the consumer's Acquire load of the stamp.
        slot.stamp.store(pos.wrapping_add(ONE), Ordering::Release);
    }

    /// Takes the oldest value, if one is published, stepping over skipped
    /// positions.
    ///
    /// # Safety
    /// Only one thread at a time may pop (the channel's receiver).
    pub(crate) unsafe fn pop(&self) -> Option<T> {
        loop {
            let head = self.rx.head.load(Ordering::Relaxed);
            let slot = self.slot(head);
            // Acquire pairs with the producer's Release store of the stamp.
            let stamp = slot.stamp.load(Ordering::Acquire);
            let value = if stamp == head.wrapping_add(ONE) {
                // SAFETY: the value is written and published, and we are
                // the only consumer.
                Some(slot.value.with(|p| unsafe { (*p).assume_init_read() }))
            } else if stamp == head.wrapping_add(ONE) | SKIPPED {
                None
            } else {
                return None;
            };
            self.free_head(slot, head);
            if value.is_some() {
                return value;
            }
        }
    }
}

impl<T> Ring<T> {
    /// Like [`pop`](Ring::pop), once nobody will ever write again: also
    /// steps over positions that were claimed and never published (only a
    /// leaked send or permit leaves one), up to the tail, so nothing sent
    /// behind such a gap is lost.
    ///
    /// # Safety
    /// The caller is the only consumer, and no producer will write a
    /// claimed position any more.
    pub(crate) unsafe fn pop_final(&self) -> Option<T> {
        loop {
            // SAFETY: forwarded single-consumer contract.
            if let Some(value) = unsafe { self.pop() } {
                return Some(value);
            }
            let head = self.rx.head.load(Ordering::Relaxed);
            if head == self.tail.load(Ordering::Acquire) & !FLAGS {
                return None;
            }
            // Claimed and never to be published: free it and go on.
            self.free_head(self.slot(head), head);
        }
    }

    /// The consumer is done with `head` (whose slot is `slot`): frees the
    /// slot for the next lap and moves on.
    fn free_head(&self, slot: &Slot<T>, head: usize) {
        // Release pairs with the next lap's producer's Acquire of the stamp.
        slot.stamp
            .store(head.wrapping_add(self.one_lap), Ordering::Release);
        // Release: a slow-path reader of the head (Acquire) sees the slot
        // freed.
        self.rx.head.store(self.next(head), Ordering::Release);
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // SAFETY: `&mut self`: no other consumer or producer exists.
        if let Err(panic) = super::chan::drop_all(|| unsafe { self.pop_final() }) {
            std::panic::resume_unwind(panic);
        }
    }
}

// SAFETY: values move between threads through the ring (T: Send); each slot
// is owned by exactly one side at a time, as its stamp says.
unsafe impl<T: Send> Send for Ring<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Ring<T> {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn holds_exactly_its_capacity_across_many_laps() {
        for capacity in [1, 2, 3, 5, 8] {
            let ring = Ring::new(capacity);
            let mut next_in = 0;
            let mut next_out = 0;
            for _ in 0..20 {
                while ring.try_push(next_in).is_ok() {
                    next_in += 1;
                }
                assert_eq!(next_in - next_out, capacity, "capacity {capacity}");
                assert_eq!(
                    ring.distance(ring.head(), ring.tail(Ordering::Relaxed)),
                    capacity
                );
                // Drain part of it, so the laps and indexes interleave.
                for _ in 0..capacity.div_ceil(2) {
                    // SAFETY: one consumer (this thread).
                    assert_eq!(unsafe { ring.pop() }, Some(next_out));
                    next_out += 1;
                }
            }
        }
    }

    #[test]
    fn a_flag_stops_the_fast_path_and_a_reserved_push_ignores_it() {
        let ring = Ring::new(2);
        let word = ring.tail(Ordering::Relaxed);
        ring.cas_tail(word, word | SLOW).unwrap();
        assert_eq!(ring.try_push(1), Err(1));
        let pos = ring.claim_locked(true);
        ring.write(pos, 2);
        assert_eq!(ring.tail(Ordering::Relaxed) & SLOW, 0);
        ring.close();
        assert_eq!(ring.try_push(3), Err(3));
        let pos = ring.claim_locked(false);
        ring.write(pos, 4);
        assert_eq!(ring.distance(ring.head(), ring.tail(Ordering::Relaxed)), 2);
        // SAFETY: one consumer (this thread).
        unsafe {
            assert_eq!(ring.pop(), Some(2));
            assert_eq!(ring.pop(), Some(4));
            assert_eq!(ring.pop(), None);
        }
    }

    #[test]
    fn a_skipped_position_is_stepped_over_and_freed() {
        let ring = Ring::new(2);
        let word = ring.tail(Ordering::Relaxed);
        ring.cas_tail(word, word | SLOW).unwrap();
        let skipped = ring.claim_locked(false);
        let kept = ring.claim_locked(true);
        // SAFETY: one consumer (this thread).
        assert_eq!(unsafe { ring.pop() }, None, "nothing published yet");
        ring.write(kept, 7);
        // The skipped position is not yet published: the consumer waits.
        // SAFETY: one consumer (this thread), as above.
        assert_eq!(unsafe { ring.pop() }, None);
        ring.skip(skipped);
        // SAFETY: one consumer (this thread), as above.
        assert_eq!(unsafe { ring.pop() }, Some(7));
        assert_eq!(ring.distance(ring.head(), ring.tail(Ordering::Relaxed)), 0);
        // Both slots are free again.
        ring.try_push(8).unwrap();
        ring.try_push(9).unwrap();
        assert_eq!(ring.try_push(10), Err(10));
    }

    #[test]
    fn values_left_in_the_ring_are_dropped_with_it() {
        let value = std::sync::Arc::new(());
        let ring = Ring::new(3);
        ring.try_push(value.clone()).unwrap();
        ring.try_push(value.clone()).unwrap();
        drop(ring);
        assert_eq!(std::sync::Arc::strong_count(&value), 1);
    }
}
