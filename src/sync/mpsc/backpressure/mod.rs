//! The bounded channel's buffer: the [`Ring`] plus its slow path, where
//! senders wait in FIFO order for a slot and slots can be reserved.
//!
//! # Protocol
//!
//! * **Accounting.** `in_flight = distance(head, tail) + reserved`, and it
//!   never exceeds the capacity. `reserved` counts slots promised to a
//!   [`Permit`](super::Permit) or to a granted waiting sender; it lives
//!   under `queue`'s lock (with a mirror for lock-free readers).
//! * **`SLOW` is set exactly while someone is queued or something is
//!   reserved** (changed only under the lock). It turns the ring's fast path
//!   off, so while it is set only lock holders move the tail and the counts
//!   above are exact; the first lock holder that needs it sets it with a
//!   CAS of the very tail word it counted from. Nobody barges past queued
//!   senders: with the queue non-empty every new send queues behind it.
//! * **Grants are hand-offs.** A slot freed while senders are queued goes to
//!   the head of the queue. A waiting `send` is handed a *position*: the
//!   granter claims it (moving the tail under the lock) and marks it handed
//!   ([`Ring::grant`]); the woken sender takes it and writes its value there
//!   without taking the lock again. A waiting `reserve` is handed a
//!   reservation of all the slots it asked for at once (`reserved += n`;
//!   a `reserve_many(n)` at the head waits until `n` are free, and nobody
//!   passes it meanwhile). A granted future
//!   dropped before using its grant gives it back, and a dropped `send`
//!   never sent its value. A reservation returns and flows on to the next
//!   waiter. A position is unclaimed if it is still the last one (the slot
//!   then goes to the queue's head), and otherwise published empty: the
//!   receiver steps over it, and its slot comes back then (until then the
//!   channel holds one value fewer than its capacity).
//! * **A handed position can be taken back.** The woken sender writes when
//!   its task next polls it, which may be much later: a task may keep a
//!   `send` future without polling it. The receiver does not wait for that:
//!   when its next position is handed and unwritten while later positions
//!   are claimed, it takes the position back (`revoke_head`, under the
//!   lock), publishing it empty, and goes on to the later values. The slot
//!   becomes a reservation for the same sender, so the counts stay exact and
//!   the sender keeps its turn ahead of senders queued after it. The two
//!   race with one CAS each on the position's stamp ([`Ring::take_grant`],
//!   [`Ring::revoke_head`]). The sender that wins writes, and the receiver
//!   waits for that write, already under way. The sender that loses fills
//!   its reservation at the tail, under the lock, as a `Permit` would
//!   (`push_revoked`), or gives it back if the receiver closed meanwhile or
//!   the future is dropped; its value comes after the ones the receiver
//!   took past it (as in tokio, where a woken sender holds capacity, not a
//!   place in the queue). With nothing claimed behind the position the
//!   receiver waits instead: it would wait anyway, and taking the position
//!   back would only cost the sender a trip through the lock.
//! * **No lost wake-up between a freeing receiver and a queueing sender.**
//!   The receiver frees the slot (stamp, then `head`), then a `SeqCst`
//!   fence, then reads `senders_waiting`; a sender queues itself, sets
//!   `senders_waiting`, fences, then re-reads `head` and grants what is
//!   free. At least one of them sees the other's write, so a freed slot is
//!   always handed to the queue.
//! * **Close.** `CLOSED` in the tail word stops every new claim; the queue is
//!   drained with `granted = false` (each waiting `send` gets its value
//!   back). A waiter that was granted before the close but has not used its
//!   grant yet gives it back when next polled and fails ([`Bounded::write`];
//!   `reserve` in `bounded.rs`): in tokio too, a `send` or `reserve` that has
//!   not completed fails once the receiver closed. A [`Permit`](super::Permit)
//!   already handed out may still be filled, and the receiver counts it in
//!   flight until it is used or dropped.

mod wait;

pub(crate) use wait::Wait;

use super::ring::{Ring, CLOSED, SLOW};
use crate::loom::sync::atomic::{full_fence, AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};
use crate::sync::permits::TryAcquire;
use crate::util::cache_padded::CachePadded;
use crate::util::wait_list::{WaitList, Waiter, WakeList};
use std::pin::Pin;
use std::task::Context;

/// What a waiting sender wants, and what it was handed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Want {
    /// A `send` (wants a position) rather than a `reserve`.
    position: bool,
    /// Slots a `reserve` wants, all at once (1 for a `send`).
    n: usize,
    /// Set by the granter; still `None` once popped means `close` turned
    /// the waiter away.
    grant: Option<Grant>,
}

/// What a slow-path sender gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grant {
    /// A position the sender claimed itself on its first poll: write the
    /// value there at once ([`Bounded::write`]).
    Position(usize),
    /// A position handed to the sender while it was queued: the receiver
    /// may take it back until the sender starts writing ([`Bounded::write`]
    /// handles both outcomes).
    Handed(usize),
    /// The reserved slots the waiter asked for: fill each with
    /// [`Bounded::push_reserved`] or give them back with
    /// [`Bounded::release_reserved`].
    Reserved,
}

struct Queue {
    waiters: WaitList<Want>,
    reserved: usize,
}

pub(crate) struct Bounded<T> {
    ring: Ring<T>,
    queue: CachePadded<Mutex<Queue>>,
    /// `Queue::reserved`, for readers without the lock.
    reserved: AtomicUsize,
}

impl<T> Bounded<T> {
    pub(crate) fn new(capacity: usize) -> Bounded<T> {
        Bounded {
            ring: Ring::new(capacity),
            queue: CachePadded::new(Mutex::new(Queue {
                waiters: WaitList::new(),
                reserved: 0,
            })),
            reserved: AtomicUsize::new(0),
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.ring.capacity()
    }

    /// Slots neither holding a value nor reserved, right now.
    pub(crate) fn free(&self) -> usize {
        let reserved = self.reserved.load(Ordering::Acquire);
        self.capacity().saturating_sub(self.claimed() + reserved)
    }

    /// Claimed positions: values sent, or being written (no reservations).
    fn claimed(&self) -> usize {
        let head = self.ring.head();
        self.ring.distance(head, self.ring.tail(Ordering::Acquire))
    }

    /// Values sent or slots reserved, not yet received. Receiver only.
    pub(crate) fn in_flight(&self) -> usize {
        // `reserved` first: a reserved push claims its position before it
        // lowers the count, so reading in this order never misses both.
        let reserved = self.reserved.load(Ordering::Acquire);
        reserved + self.claimed()
    }

    /// The fast path: one CAS, if nobody is queued, nothing is reserved and
    /// a slot is free.
    pub(crate) fn try_push(&self, value: T) -> Result<(), T> {
        self.ring.try_push(value)
    }

    /// Sends now if a slot is free (the slow path of `try_send`).
    pub(crate) fn try_send_slow(&self, value: T) -> Result<(), (T, TryAcquire)> {
        let claimed = self.claim_now(&mut self.queue.lock());
        match claimed {
            Ok(pos) => {
                self.ring.write(pos, value);
                Ok(())
            }
            Err(e) => Err((value, e)),
        }
    }

    /// Writes a `send`'s value at the position it was granted (or, if the
    /// receiver took a handed position back, at the tail), unless the
    /// receiver closed since: then the slot goes back and so does the
    /// value (a send that has not completed fails once the receiver
    /// closed, as in tokio). The caller wakes the receiver either way.
    pub(crate) fn write(&self, grant: Grant, value: T) -> Result<(), T> {
        let pos = match grant {
            Grant::Position(pos) => pos,
            Grant::Handed(pos) if self.ring.take_grant(pos) => pos,
            Grant::Handed(_) => return self.push_revoked(value),
            Grant::Reserved => unreachable!("a waiting send is granted a position"),
        };
        // SeqCst: one order with `close`'s `fetch_or`. A write that sees no
        // `CLOSED` is still received: its position is claimed, so the
        // receiver counts it in flight until it is published.
        if self.ring.tail(Ordering::SeqCst) & CLOSED == 0 {
            self.ring.write(pos, value);
            return Ok(());
        }
        let q = self.queue.lock();
        self.abandon(pos);
        // Closed: this grants nothing, but turns the fast-path flag off if
        // we were the last thing it was set for.
        self.regrant(q);
        Err(value)
    }

    /// The receiver took back the position handed to us, and reserved a
    /// slot for us instead (`revoke_head`): fills it, unless the receiver
    /// closed since (then gives it back).
    #[cold]
    fn push_revoked(&self, value: T) -> Result<(), T> {
        let mut q = self.queue.lock();
        // SeqCst: as in `write`. (`close` sets the flag before it takes
        // the lock, so a close that got the lock before us is seen.)
        if self.ring.tail(Ordering::SeqCst) & CLOSED != 0 {
            self.unreserve(&mut q, 1);
            self.regrant(q);
            return Err(value);
        }
        self.push_reserved_locked(&mut q, value);
        Ok(())
    }

    /// Reserves `n` slots if they are free and nobody is queued.
    pub(crate) fn try_reserve(&self, n: usize) -> Result<(), TryAcquire> {
        self.reserve_locked(&mut self.queue.lock(), n)
    }

    /// Fills a slot the caller reserved.
    pub(crate) fn push_reserved(&self, value: T) {
        self.push_reserved_locked(&mut self.queue.lock(), value);
    }

    /// Gives back `n` reserved slots the caller will not fill.
    pub(crate) fn release_reserved(&self, n: usize) {
        let mut q = self.queue.lock();
        self.unreserve(&mut q, n);
        self.regrant(q);
    }

    /// Waits (in FIFO order) for a position to write a value at
    /// (`position`, for a `send`), or for `n` slots to reserve at once (a
    /// `reserve`; `n` is 1 for a send). `n` is at most the capacity and
    /// not 0: a request that can never be met would hold up the queue.
    pub(crate) fn wait(&self, position: bool, n: usize) -> Wait<'_, T> {
        debug_assert!(n > 0 && n <= self.capacity() && (n == 1 || !position));
        Wait {
            chan: self,
            position,
            n,
            waiter: Waiter::new(Want {
                position,
                n,
                grant: None,
            }),
            queued: false,
        }
    }

    /// Stops all further claims; waiting senders are turned away.
    pub(crate) fn close(&self) {
        self.ring.close();
        let mut q = self.queue.lock();
        let mut wakers = WakeList::new();
        q.waiters.drain(&mut wakers, |want| want.grant = None);
        self.ring.set_senders_waiting(false);
        drop(q);
        wakers.wake_all();
    }

    /// Takes the oldest value; if senders are queued, hands them the slot.
    /// Takes back a handed position it would otherwise wait behind.
    ///
    /// # Safety
    /// Only the receiver calls this.
    pub(crate) unsafe fn pop(&self) -> Option<T> {
        loop {
            let before = self.ring.own_head();
            // SAFETY: forwarded single-consumer contract.
            let value = unsafe { self.ring.pop() };
            if self.ring.own_head() != before {
                // (We freed at least one slot: a value's, or a skipped one's.)
                // SeqCst fence between freeing the slot (the head store in
                // `pop`) and reading the flag; pairs with the fence in
                // `Wait::poll_wait` (see the module docs).
                full_fence();
                if self.ring.senders_waiting() {
                    let mut q = self.queue.lock();
                    let mut wakers = WakeList::new();
                    self.grant_locked(&mut q, self.ring.head(), &mut wakers);
                    drop(q);
                    wakers.wake_all();
                }
            }
            // Nothing to take because the next position was handed to a
            // send that has not written, with later ones claimed: take it
            // back and go on (see the module docs).
            if value.is_some() || !self.ring.held_up_by_grant() || !self.revoke_head() {
                return value;
            }
        }
    }

    /// The receiver takes back its next position from the waiting send it
    /// was handed to, which keeps a reserved slot instead. `false` if that
    /// send started writing first (the receiver then waits for its value).
    #[cold]
    fn revoke_head(&self) -> bool {
        let mut q = self.queue.lock();
        self.ring.revoke_head(|| {
            // Before the position's slot comes free: turn the fast path off
            // (it is off while anything is reserved) and count the sender's
            // reservation, so that slot stays its own. The head moves on
            // before we unlock, so `used + reserved` never overcounts.
            self.set_slow();
            q.reserved += 1;
            // Release: as every update of the mirror, for `in_flight` and
            // `free`, which read it (Acquire) without the lock.
            self.reserved.store(q.reserved, Ordering::Release);
        })
    }

    /// Whether the caller may take `n` slots now, counting from the tail
    /// `word`: not if closed (checked first, so a close in progress reads
    /// as closed), not past queued senders (no barging), not if fewer are
    /// free.
    fn check_room(&self, q: &Queue, word: usize, n: usize) -> Result<(), TryAcquire> {
        if word & CLOSED != 0 {
            return Err(TryAcquire::Closed);
        }
        if !q.waiters.is_empty() {
            return Err(TryAcquire::NoPermits);
        }
        let used = self.ring.distance(self.ring.head(), word);
        if used + q.reserved + n > self.capacity() {
            return Err(TryAcquire::NoPermits);
        }
        Ok(())
    }

    /// Claims a position for the caller's value right away, unless closed,
    /// someone is queued (no barging) or nothing is free.
    fn claim_now(&self, q: &mut Queue) -> Result<usize, TryAcquire> {
        let mut word = self.ring.tail(Ordering::Acquire);
        loop {
            self.check_room(q, word, 1)?;
            // From the very word we counted with: if a fast-path send moved
            // the tail since, count again.
            match self.ring.cas_tail(word, self.ring.claimed(word)) {
                Ok(_) => return Ok(word & !(SLOW | CLOSED)),
                Err(actual) => word = actual,
            }
        }
    }

    /// Takes `n` slots for the caller, unless closed, someone is queued (no
    /// barging) or fewer are free.
    fn reserve_locked(&self, q: &mut Queue, n: usize) -> Result<(), TryAcquire> {
        let mut word = self.ring.tail(Ordering::Acquire);
        loop {
            self.check_room(q, word, n)?;
            if word & SLOW != 0 {
                break;
            }
            // Turn the fast path off, from the very word we counted with:
            // if a fast-path send moved the tail since, count again.
            match self.ring.cas_tail(word, word | SLOW) {
                Ok(_) => break,
                Err(actual) => word = actual,
            }
        }
        q.reserved += n;
        self.reserved.store(q.reserved, Ordering::Release);
        Ok(())
    }

    fn push_reserved_locked(&self, q: &mut Queue, value: T) {
        q.reserved -= 1;
        // Claim first, then lower the mirror (see `in_flight`).
        let idle = q.reserved == 0 && q.waiters.is_empty();
        let pos = self.ring.claim_locked(idle);
        self.reserved.store(q.reserved, Ordering::Release);
        self.ring.write(pos, value);
    }

    fn unreserve(&self, q: &mut Queue, n: usize) {
        q.reserved -= n;
        self.reserved.store(q.reserved, Ordering::Release);
    }

    /// Hands free slots to the queue's head, in order; turns the fast path
    /// back on once nobody is queued and nothing is reserved. `head` is the
    /// consumer's position as the caller knows it (exact for the receiver,
    /// an `Acquire` read for anyone else: maybe older, never newer).
    ///
    /// Callers unlock and wake themselves. (Folding "unlock, then wake"
    /// in here, with the guard passed by value, made mpsc_throughput 35%
    /// slower in an A/B: 16 → 22 ms, the receiver's `pop` calls it.)
    fn grant_locked(&self, q: &mut Queue, head: usize, wakers: &mut WakeList) {
        let mut word = self.ring.tail(Ordering::Acquire);
        if word & CLOSED == 0 {
            // `SLOW` is set while anyone is queued, so `word`'s position
            // is stable while we hold the lock.
            let used = self.ring.distance(head, word);
            let mut free = self.capacity().saturating_sub(used + q.reserved);
            while free > 0 {
                let Some((position, n)) = q.waiters.with_front(|e| (e.data.position, e.data.n))
                else {
                    break;
                };
                if n > free {
                    // The head waits for more (FIFO: nobody passes it).
                    break;
                }
                let grant = if position {
                    let pos = self.ring.claim_locked(false);
                    self.ring.grant(pos);
                    Grant::Handed(pos)
                } else {
                    q.reserved += n;
                    Grant::Reserved
                };
                q.waiters.with_front(|e| e.data.grant = Some(grant));
                wakers.push_opt(q.waiters.pop_front());
                free -= n;
            }
            self.reserved.store(q.reserved, Ordering::Release);
        }
        if q.waiters.is_empty() {
            self.ring.set_senders_waiting(false);
            while q.reserved == 0 && word & SLOW != 0 {
                match self.ring.cas_tail(word, word & !SLOW) {
                    Ok(_) => break,
                    Err(actual) => word = actual,
                }
            }
        }
    }

    /// A granted `send` was dropped before writing at `pos`. If `pos` is
    /// still the last position claimed, the claim is undone (and the
    /// caller's `grant_locked` hands the slot to the queue's head, in
    /// order); otherwise `pos` is published empty, and its slot comes back
    /// once the receiver steps over it. (Handing `pos` itself to the next
    /// waiter would be wrong: that waiter's task may already have a value
    /// at a later position, and would see its messages reordered.)
    fn abandon(&self, pos: usize) {
        if !self.ring.unclaim(pos) {
            self.ring.skip(pos);
        }
    }

    /// Hands what is free to the queue, unlocks, and wakes whom it served.
    /// (The receiver's `pop` and a waiter's first poll spell this out: see
    /// `grant_locked` for why.)
    fn regrant(&self, mut q: MutexGuard<'_, Queue>) {
        let mut wakers = WakeList::new();
        self.grant_locked(&mut q, self.ring.head(), &mut wakers);
        drop(q);
        wakers.wake_all();
    }

    /// Turns the fast path off (`CLOSED` already does). Lock holder only.
    fn set_slow(&self) {
        let mut word = self.ring.tail(Ordering::Acquire);
        while word & (SLOW | CLOSED) == 0 {
            match self.ring.cas_tail(word, word | SLOW) {
                Ok(_) => break,
                Err(actual) => word = actual,
            }
        }
    }

    /// Queues the caller's `waiter`, turning the fast path off.
    ///
    /// # Safety
    /// As [`WaitList::push_back`].
    unsafe fn enqueue(&self, q: &mut Queue, waiter: Pin<&Waiter<Want>>, cx: &Context<'_>) {
        self.set_slow();
        // SAFETY: forwarded.
        unsafe { q.waiters.push_back(waiter, cx.waker().clone()) };
        self.ring.set_senders_waiting(true);
    }
}

impl<T> super::chan::Buffer<T> for Bounded<T> {
    unsafe fn pop(&self) -> Option<T> {
        // SAFETY: forwarded single-consumer contract.
        unsafe { Bounded::pop(self) }
    }

    unsafe fn pop_final(&self) -> Option<T> {
        // SAFETY: forwarded contract (single consumer, no sender left).
        unsafe { self.ring.pop_final() }
    }

    fn in_flight(&self) -> usize {
        Bounded::in_flight(self)
    }

    fn queued(&self) -> usize {
        self.claimed()
    }

    fn close(&self) {
        Bounded::close(self)
    }
}
