//! The parts of a channel shared by the bounded and unbounded flavours:
//! sender counting, closing, and waking the one receiver.
//!
//! # Protocol
//!
//! * A send pushes into the buffer (the bounded ring or the unbounded list,
//!   both lock-free on the fast path) and then ([`Chan::pushed`]) wakes the
//!   receiver's [`AtomicWaker`] — but only if the receiver said it is
//!   waiting. The receiver pops, and only if the buffer looks empty
//!   registers its waker, sets `WAITING` in its flag word (`state`) and
//!   pops once more. Both sides put a `SeqCst` fence between their write
//!   (the push; the flag) and their read (the flag; the pop), so at least
//!   one of them sees the other's write: either the receiver's second pop
//!   finds the value, or the sender sees the flag and wakes it. A push is
//!   never missed, and while the receiver is busy draining, senders only
//!   *read* the flag's cache line instead of each doing two
//!   read-modify-writes on the waker's word. The receiver clears the flag
//!   when a poll completes (a value or the end).
//! * `tx_count` counts live `Sender`s. Dropping one is a `Release`
//!   decrement that comes after all of its pushes; the receiver reads the
//!   count with `Acquire` before its last pop, so "count is zero and the
//!   buffer is empty" really means nothing more will come: the receiver
//!   drains everything senders left, then sees `None`.
//! * **After the receiver is gone** a value can still arrive: a send that
//!   claimed its place before the close may publish after the receiver's
//!   final drain went past (or stopped at) that place, and a `Permit` may
//!   send at any time. Such a value must not live until the last sender
//!   goes. The receiver's drop puts `GONE` in its flag word (`state`,
//!   where `WAITING` lived) and from then on the consumer role passes to
//!   whoever finds something to drop. A push or a give-back reads the word
//!   after the same fence as above (so either the receiver's drain finds
//!   its value or it sees `GONE`), then adds a drain *request*
//!   (`fetch_add`). Whoever adds the first request while none is pending
//!   drains; the receiver's drop holds one to start with. The drainer lets
//!   go with a CAS from the very word it last saw back to no requests;
//!   one that fails (a request came meanwhile) drains again. So a value is
//!   dropped by the time its send, or the drain running, returns.
//! * `rx_closed` is set (`SeqCst`) when the receiver closes or drops, and
//!   the buffer is closed: a bounded channel turns away every waiting
//!   `send` with its value handed back, and every waiting `reserve` (also
//!   one already handed a slot that had not returned it yet). `Sender::closed` waits on a
//!   [`Notify`], built before it checks the flag so no close is missed.
//! * **Values in flight are counted** by the buffer ([`Buffer::in_flight`]):
//!   the bounded ring's claimed positions plus its reserved slots
//!   (`backpressure.rs`), the unbounded list's counter (incremented, together
//!   with the closed check, in one CAS before the push). After `close`, the
//!   receiver reports the end only once nothing is in flight, so a send that
//!   was accepted before the close is still received, never lost. Whoever
//!   gives a reserved slot back without pushing (a dropped `Permit` or
//!   granted `send`) wakes the receiver to re-check.

use crate::loom::sync::atomic::{full_fence, AtomicBool, AtomicUsize, Ordering};
use crate::loom::sync::Arc;
use crate::sync::notify::Notify;
use crate::util::atomic_waker::AtomicWaker;
use crate::util::cache_padded::CachePadded;
use std::task::{ready, Context, Poll};

/// A buffer with one consumer, which counts what is in flight itself.
/// (Pushing is the flavour's own business: see `bounded.rs`, `unbounded.rs`.)
pub(crate) trait Buffer<T> {
    /// Takes the oldest value, and gives its space back.
    ///
    /// # Safety
    /// Only the single receiver may call this (or the last owner).
    unsafe fn pop(&self) -> Option<T>;
    /// Like `pop`, once [`Chan::senders_gone`]: also steps over anything a
    /// leaked sender left half-done, so no value behind it is lost.
    ///
    /// # Safety
    /// As `pop`, and only once nothing more can arrive.
    unsafe fn pop_final(&self) -> Option<T> {
        // SAFETY: forwarded.
        unsafe { self.pop() }
    }
    /// Values sent (or slots reserved) and not yet received. Receiver only.
    fn in_flight(&self) -> usize;
    /// Values sent and not yet received (no reservations), right now.
    fn queued(&self) -> usize;
    /// Refuses every new send from now on.
    fn close(&self);
}

/// The receiver's waker and its flag word, on one line.
struct RxWaker {
    waker: AtomicWaker,
    /// `WAITING` while the receiver lives (written by the receiver alone);
    /// `GONE` plus drain requests once it dropped (see the module docs).
    state: AtomicUsize,
}

/// `RxWaker::state`: set (before the second pop) by a receiver that found
/// the buffer empty; cleared by the receiver when a poll completes.
const WAITING: usize = 0b01;
/// `RxWaker::state`: the receiver dropped; whoever pushes drains.
const GONE: usize = 0b10;
/// `RxWaker::state`: one drain request (the count sits above the flags; at
/// most one per thread pushing at once, so it cannot overflow).
const DRAIN_REQUEST: usize = 0b100;

pub(crate) struct Chan<T, B> {
    buffer: B,
    /// Written by both sides: on its own cache line.
    rx_waker: CachePadded<RxWaker>,
    tx_count: AtomicUsize,
    /// Live `WeakTx` handles (only counted, for `weak_count`).
    weak_count: AtomicUsize,
    rx_closed: AtomicBool,
    closed_notify: Notify,
    _values: std::marker::PhantomData<T>,
}

impl<T, B: Buffer<T>> Chan<T, B> {
    pub(crate) fn new(buffer: B) -> Arc<Chan<T, B>> {
        Arc::new(Chan {
            buffer,
            rx_waker: CachePadded::new(RxWaker {
                waker: AtomicWaker::new(),
                state: AtomicUsize::new(0),
            }),
            tx_count: AtomicUsize::new(1),
            weak_count: AtomicUsize::new(0),
            rx_closed: AtomicBool::new(false),
            closed_notify: Notify::new(),
            _values: std::marker::PhantomData,
        })
    }

    /// The buffer, for the flavour's send paths.
    pub(crate) fn buffer(&self) -> &B {
        &self.buffer
    }

    /// Wakes the receiver (to re-check after a slot came back unused).
    pub(crate) fn wake_rx(&self) {
        self.rx_waker.waker.wake();
    }

    /// After a push into the buffer: wakes the receiver if it is waiting,
    /// or drops the value if the receiver is gone.
    pub(crate) fn pushed(&self) {
        // SeqCst fence between the push and our read of the flag; pairs
        // with the receiver's fence between its flag write and its pop
        // (see the module docs).
        full_fence();
        let state = self.rx_waker.state.load(Ordering::Relaxed);
        if state & WAITING != 0 {
            self.wake_rx();
        } else if state & GONE != 0 {
            self.drain_for_gone_receiver();
        }
    }

    /// A slot came back without a value (a dropped `Permit` or waiting
    /// send, a grant turned down after a close): wakes the receiver, which
    /// may be waiting for in-flight slots after its close, or, if it is
    /// gone, drops what a position given up empty held up behind it.
    pub(crate) fn gave_back(&self) {
        self.wake_rx();
        self.pushed();
    }

    /// The receiver is gone and we made something reachable: drain it, or
    /// have the drainer go round once more (see the module docs). A value
    /// whose `Drop` panics panics here, after the drain.
    #[cold]
    fn drain_for_gone_receiver(&self) {
        // AcqRel: Release publishes what we pushed to whoever drains next
        // (its CAS reads this word later); Acquire, if we drain, orders the
        // last drainer's pops (its Release CAS) before ours.
        let prev = self
            .rx_waker
            .state
            .fetch_add(DRAIN_REQUEST, Ordering::AcqRel);
        if prev < DRAIN_REQUEST {
            // SAFETY: no request was pending, so nobody is draining (the
            // receiver is gone): ours, the first, gives us the role.
            unsafe { self.drain(prev + DRAIN_REQUEST) };
        }
    }

    /// Drops whatever is buffered as the one consumer left, then gives the
    /// role back: from the word `seen` (`GONE` and the requests served) to
    /// `GONE`, or, if a request came meanwhile, round again. Resumes the
    /// first panic of a value's `Drop` once the role is given back.
    ///
    /// # Safety
    /// The caller holds the consumer role: it is the receiver's drop, or it
    /// added the first drain request while none was pending; `seen` is the
    /// word its own change left.
    unsafe fn drain(&self, mut seen: usize) {
        let mut result = Ok(());
        loop {
            // SAFETY: holding the role (requests pending, and we the one
            // that added the first) makes us the only consumer.
            let round = drop_all(|| unsafe { self.pop() });
            if result.is_ok() {
                result = round;
            }
            // AcqRel: Release hands our pops to the next drainer (its
            // Acquire fetch_add); Acquire, on failure, pairs with the
            // request that came meanwhile, whose value we drain next.
            match self.rx_waker.state.compare_exchange(
                seen,
                GONE,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => seen = actual,
            }
        }
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        // SeqCst: one total order with `closed_notify`'s generation (see `closed`).
        self.rx_closed.load(Ordering::SeqCst)
    }

    /// Waits until the receiver is closed or dropped.
    pub(crate) async fn closed(&self) {
        loop {
            let notified = self.closed_notify.notified();
            if self.is_closed() {
                return;
            }
            notified.await;
        }
    }

    pub(crate) fn add_sender(&self) {
        // Relaxed: a new handle made from an existing one orders nothing.
        self.tx_count.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds a sender unless none is left (a `WeakSender` upgrading).
    pub(crate) fn try_add_sender(&self) -> bool {
        let mut cur = self.tx_count.load(Ordering::Relaxed);
        while cur > 0 {
            match self.tx_count.compare_exchange_weak(
                cur,
                cur + 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => cur = actual,
            }
        }
        false
    }

    pub(crate) fn drop_sender(&self) {
        // Release: our pushes happen-before the receiver's Acquire read of
        // a zero count. Acquire is not needed: we touch nothing after.
        if self.tx_count.fetch_sub(1, Ordering::Release) == 1 {
            self.wake_rx();
        }
    }

    pub(crate) fn sender_count(&self) -> usize {
        self.tx_count.load(Ordering::Relaxed)
    }

    /// Live weak senders (a snapshot; nothing depends on it).
    pub(crate) fn weak_count(&self) -> usize {
        self.weak_count.load(Ordering::Relaxed)
    }

    /// Values sent and not yet received, right now.
    pub(crate) fn len(&self) -> usize {
        self.buffer.queued()
    }

    /// Receiver side: stops all further sends; buffered values stay.
    pub(crate) fn close(&self) {
        // SeqCst: pairs with `closed`'s SeqCst read after its generation read.
        self.rx_closed.store(true, Ordering::SeqCst);
        self.buffer.close();
        self.closed_notify.notify_waiters();
    }

    /// # Safety
    /// Only the receiver calls this.
    unsafe fn pop(&self) -> Option<T> {
        // SAFETY: forwarded single-consumer contract.
        unsafe { self.buffer.pop() }
    }

    /// Nothing more can arrive: every sender is gone, or the receiver
    /// closed and nothing is in flight. Called after a pop found nothing.
    ///
    /// With no sender left nothing can be in flight either: a reserved
    /// slot's `Permit` and a waiting `send` borrow their `Sender`. Only a
    /// leaked one (`mem::forget`) could still hold a slot or a claimed
    /// position; it must not keep the receiver waiting forever, and the
    /// final pops step over it (`Buffer::pop_final`).
    fn senders_gone(&self) -> bool {
        // Acquire pairs with the Release decrement in `drop_sender`.
        self.tx_count.load(Ordering::Acquire) == 0
            || (self.is_closed() && self.buffer.in_flight() == 0)
    }

    /// # Safety
    /// Only the receiver calls this.
    pub(crate) unsafe fn try_recv(&self) -> Result<T, super::error::TryRecvError> {
        // SAFETY: forwarded single-consumer contract.
        if let Some(v) = unsafe { self.pop() } {
            return Ok(v);
        }
        if self.senders_gone() {
            // SAFETY: as above. Every push of a gone sender is visible now,
            // and nothing more can arrive.
            return unsafe { self.buffer.pop_final() }
                .ok_or(super::error::TryRecvError::Disconnected);
        }
        Err(super::error::TryRecvError::Empty)
    }

    /// # Safety
    /// Only the receiver calls this.
    pub(crate) unsafe fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let coop = ready!(crate::runtime::task::coop::poll_proceed(cx));
        // SAFETY: forwarded single-consumer contract (for all pops below).
        let mut value = unsafe { self.pop() };
        if value.is_none() {
            self.rx_waker.waker.register(cx.waker());
            // Relaxed store, then the SeqCst fence that orders it before
            // our second pop; pairs with the fence in `pushed`. (Only the
            // receiver writes the word while it lives.)
            self.rx_waker.state.store(WAITING, Ordering::Relaxed);
            full_fence();
            // SAFETY: as above, the caller is the only consumer.
            value = unsafe { self.pop() };
        }
        if value.is_none() && !self.senders_gone() {
            return Poll::Pending;
        }
        // Only the receiver writes the flag; read first so a busy receiver
        // does not dirty the line senders read.
        if self.rx_waker.state.load(Ordering::Relaxed) != 0 {
            self.rx_waker.state.store(0, Ordering::Relaxed);
        }
        if value.is_none() {
            // SAFETY: as above, the caller is the only consumer, and
            // nothing more can arrive.
            value = unsafe { self.buffer.pop_final() };
        }
        coop.made_progress();
        Poll::Ready(value)
    }

    /// Appends up to `limit` values to `buf`; waits only while none is ready.
    ///
    /// # Safety
    /// Only the receiver calls this.
    pub(crate) unsafe fn poll_recv_many(
        &self,
        cx: &mut Context<'_>,
        buf: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        // SAFETY: forwarded single-consumer contract.
        let Some(first) = ready!(unsafe { self.poll_recv(cx) }) else {
            return Poll::Ready(0);
        };
        buf.push(first);
        let mut n = 1;
        while n < limit {
            // SAFETY: as above.
            match unsafe { self.pop() } {
                Some(v) => buf.push(v),
                None => break,
            }
            n += 1;
        }
        Poll::Ready(n)
    }

    /// The receiver is going away: close, release the waker, drop what is
    /// buffered (giving back the slots), and leave what arrives later to
    /// the senders that push it (see the module docs).
    ///
    /// # Safety
    /// Only the receiver calls this, once.
    pub(crate) unsafe fn drop_receiver(&self) {
        self.close();
        // Nobody registers a waker again: release ours now rather than when
        // the last sender goes (a waker can own a whole task). A sender
        // waking it at this very moment takes it instead.
        drop(self.rx_waker.waker.take());
        // We hold the consumer role with one request. SeqCst swap, then the
        // fence before our pops; pairs with the fence in `pushed`: a push
        // we do not see sees `GONE`.
        self.rx_waker
            .state
            .swap(GONE | DRAIN_REQUEST, Ordering::SeqCst);
        full_fence();
        // SAFETY: the receiver's drop, holding the role it just set up.
        unsafe { self.drain(GONE | DRAIN_REQUEST) };
    }
}

/// Drops every value `next` yields, in order. If dropping one panics, the
/// rest are still dropped (and their slots or nodes freed); the first
/// panic comes back for the caller to resume once its own cleanup is done,
/// and any later one is dropped with its payload. The receiver's drain and
/// the buffers' own `Drop` go through here, so one value whose `Drop`
/// panics never keeps the others alive.
pub(super) fn drop_all<T>(mut next: impl FnMut() -> Option<T>) -> std::thread::Result<()> {
    let mut first = Ok(());
    while let Some(value) = next() {
        // AssertUnwindSafe: nothing is observed after a panic but the
        // payload; the buffer is only read through `next`, which the
        // panicking drop did not touch.
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(value)));
        if first.is_ok() {
            first = dropped;
        }
    }
    first
}

/// A strong sender handle: counts in `tx_count`.
pub(crate) struct Tx<T, B: Buffer<T>> {
    chan: Arc<Chan<T, B>>,
}

/// The one receiver handle.
pub(crate) struct Rx<T, B: Buffer<T>> {
    chan: Arc<Chan<T, B>>,
}

/// A weak sender handle: keeps the memory, not the channel, alive.
pub(crate) struct WeakTx<T, B: Buffer<T>> {
    chan: Arc<Chan<T, B>>,
}

/// A fresh channel around `buffer`.
pub(crate) fn pair<T, B: Buffer<T>>(buffer: B) -> (Tx<T, B>, Rx<T, B>) {
    let chan = Chan::new(buffer);
    (Tx { chan: chan.clone() }, Rx { chan })
}

impl<T, B: Buffer<T>> std::ops::Deref for Tx<T, B> {
    type Target = Chan<T, B>;
    fn deref(&self) -> &Chan<T, B> {
        &self.chan
    }
}

impl<T, B: Buffer<T>> Tx<T, B> {
    pub(crate) fn downgrade(&self) -> WeakTx<T, B> {
        WeakTx::new(self.chan.clone())
    }

    pub(crate) fn same_channel(&self, other: &Tx<T, B>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T, B: Buffer<T>> Clone for Tx<T, B> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        Tx {
            chan: self.chan.clone(),
        }
    }
}

impl<T, B: Buffer<T>> Drop for Tx<T, B> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T, B: Buffer<T>> WeakTx<T, B> {
    fn new(chan: Arc<Chan<T, B>>) -> WeakTx<T, B> {
        // Relaxed: a statistic (see `weak_count`).
        chan.weak_count.fetch_add(1, Ordering::Relaxed);
        WeakTx { chan }
    }

    pub(crate) fn upgrade(&self) -> Option<Tx<T, B>> {
        self.chan.try_add_sender().then(|| Tx {
            chan: self.chan.clone(),
        })
    }
}

impl<T, B: Buffer<T>> Clone for WeakTx<T, B> {
    fn clone(&self) -> Self {
        WeakTx::new(self.chan.clone())
    }
}

impl<T, B: Buffer<T>> Drop for WeakTx<T, B> {
    fn drop(&mut self) {
        self.chan.weak_count.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<T, B: Buffer<T>> std::ops::Deref for WeakTx<T, B> {
    type Target = Chan<T, B>;
    fn deref(&self) -> &Chan<T, B> {
        &self.chan
    }
}

impl<T, B: Buffer<T>> Rx<T, B> {
    pub(crate) fn chan(&self) -> &Chan<T, B> {
        &self.chan
    }

    pub(crate) fn try_recv(&mut self) -> Result<T, super::error::TryRecvError> {
        // SAFETY: `&mut` on the only `Rx`: we are the single consumer.
        unsafe { self.chan.try_recv() }
    }

    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // SAFETY: `&mut` on the only `Rx`: we are the single consumer.
        unsafe { self.chan.poll_recv(cx) }
    }

    pub(crate) fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        // SAFETY: `&mut` on the only `Rx`: we are the single consumer.
        unsafe { self.chan.poll_recv_many(cx, buf, limit) }
    }
}

impl<T, B: Buffer<T>> Drop for Rx<T, B> {
    fn drop(&mut self) {
        // SAFETY: the only `Rx`, dropped once.
        unsafe { self.chan.drop_receiver() }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::super::{list::List, ring::Ring};

    /// Panics when dropped, after giving its `Arc` back.
    struct Loud(#[allow(dead_code)] std::sync::Arc<()>);

    impl Drop for Loud {
        fn drop(&mut self) {
            panic!("a value's drop panicked");
        }
    }

    /// Drops `buffer` holding three `Loud` values pushed by `push`: the
    /// first panic comes out, and every value was dropped all the same.
    fn every_value_is_dropped<B>(buffer: B, push: fn(&B, Loud)) {
        let value = std::sync::Arc::new(());
        for _ in 0..3 {
            push(&buffer, Loud(value.clone()));
        }
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(buffer)));
        assert!(res.is_err(), "the first panic goes on");
        assert_eq!(std::sync::Arc::strong_count(&value), 1);
    }

    #[test]
    fn a_value_whose_drop_panics_does_not_keep_the_rest_of_the_ring_alive() {
        every_value_is_dropped(Ring::new(3), |ring, v| assert!(ring.try_push(v).is_ok()));
    }

    #[test]
    fn a_value_whose_drop_panics_does_not_keep_the_rest_of_the_list_alive() {
        every_value_is_dropped(List::new(), List::push);
    }
}
