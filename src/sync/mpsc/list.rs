//! The unbounded channel's buffer: a lock-free linked list (Vyukov's
//! multi-producer, single-consumer node queue).
//!
//! # Protocol
//!
//! The list always holds a *stub*: `head` points at a node whose value was
//! already taken. A producer allocates a node, swaps it into `tail`
//! (`AcqRel`) and then links the previous tail to it with a `Release` store
//! of `prev.next`. The consumer follows `head.next` with `Acquire`; when it
//! finds a node it takes its value, frees the old stub and the node becomes
//! the new stub.
//!
//! Between a producer's swap and its link the list looks empty to the
//! consumer even if later nodes exist. That is fine for a channel: the
//! producer wakes the receiver only after linking, and a sender's drop
//! (which the receiver waits for before reporting "closed") comes after its
//! link too.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use crate::util::cache_padded::CachePadded;
use std::ptr;

struct Node<T> {
    next: AtomicPtr<Node<T>>,
    value: UnsafeCell<Option<T>>,
}

impl<T> Node<T> {
    fn alloc(value: Option<T>) -> *mut Node<T> {
        Box::into_raw(Box::new(Node {
            next: AtomicPtr::new(ptr::null_mut()),
            value: UnsafeCell::new(value),
        }))
    }
}

pub(crate) struct List<T> {
    /// Producers swap this; the consumer's `head` is on another cache line.
    tail: CachePadded<AtomicPtr<Node<T>>>,
    /// The stub; only the consumer reads or writes it.
    head: UnsafeCell<*mut Node<T>>,
}

impl<T> List<T> {
    pub(crate) fn new() -> List<T> {
        let stub = Node::alloc(None);
        List {
            tail: CachePadded::new(AtomicPtr::new(stub)),
            head: UnsafeCell::new(stub),
        }
    }

    /// Appends `value`.
    pub(crate) fn push(&self, value: T) {
        let node = Node::alloc(Some(value));
        // AcqRel: Release publishes our node's contents to the next producer
        // that links after it; Acquire makes `prev` (another producer's
        // node) valid to write to.
        let prev = self.tail.swap(node, Ordering::AcqRel);
        // SAFETY: `prev` stays allocated until the consumer moves past it,
        // which needs this very link.
        unsafe { (*prev).next.store(node, Ordering::Release) };
    }

    /// Takes the oldest linked value, if any.
    ///
    /// # Safety
    /// Only one thread at a time may pop (the channel's receiver).
    pub(crate) unsafe fn pop(&self) -> Option<T> {
        // SAFETY: single consumer: we own `head`.
        let head = self.head.with(|p| unsafe { *p });
        // Acquire pairs with the producer's Release link, making the node's
        // value visible.
        // SAFETY: the stub is live until we replace and free it below.
        let next = unsafe { (*head).next.load(Ordering::Acquire) };
        if next.is_null() {
            return None;
        }
        // SAFETY: `next` is linked and fully written; we are its only reader.
        let value = unsafe { (*next).value.with_mut(|p| (*p).take()) };
        // SAFETY: single consumer: we own `head`.
        self.head.with_mut(|p| unsafe { *p = next });
        // SAFETY: the old stub is unreachable: `tail` moved past it (it has a
        // `next`) and we just moved `head` off it.
        drop(unsafe { Box::from_raw(head) });
        value
    }
}

impl<T> Drop for List<T> {
    fn drop(&mut self) {
        // SAFETY: `&mut self`: no producer or other consumer remains.
        let dropped = super::chan::drop_all(|| unsafe { self.pop() });
        // SAFETY: `&mut self`: we own `head`.
        let stub = self.head.with(|p| unsafe { *p });
        // SAFETY: the last stub is owned by the list alone.
        drop(unsafe { Box::from_raw(stub) });
        if let Err(panic) = dropped {
            std::panic::resume_unwind(panic);
        }
    }
}

/// The unbounded channel's buffer: the list plus a count of the values in
/// flight, which also carries the closed flag (`in_flight << 1 | CLOSED`),
/// so a send counts itself and checks for a close in one CAS.
pub(crate) struct Counted<T> {
    list: List<T>,
    count: CachePadded<AtomicUsize>,
}

const CLOSED: usize = 1;
const ONE: usize = 2;

impl<T> Counted<T> {
    pub(crate) fn new() -> Counted<T> {
        Counted {
            list: List::new(),
            count: CachePadded::new(AtomicUsize::new(0)),
        }
    }

    /// Appends `value`, unless the receiver closed (then it comes back).
    pub(crate) fn push(&self, value: T) -> Result<(), T> {
        let mut cur = self.count.load(Ordering::Relaxed);
        loop {
            if cur & CLOSED != 0 {
                return Err(value);
            }
            // Relaxed: the count orders nothing by itself; the push that
            // follows is published by the list (and the channel's fence
            // pair around its receiver's `waiting` flag).
            match self.count.compare_exchange_weak(
                cur,
                cur + ONE,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(actual) => cur = actual,
            }
        }
        self.list.push(value);
        Ok(())
    }
}

impl<T> super::chan::Buffer<T> for Counted<T> {
    unsafe fn pop(&self) -> Option<T> {
        // SAFETY: forwarded single-consumer contract.
        let value = unsafe { self.list.pop() }?;
        // Release: orders our read of the value before a later `in_flight`
        // reader's conclusions (nothing else depends on it).
        self.count.fetch_sub(ONE, Ordering::Release);
        Some(value)
    }

    fn in_flight(&self) -> usize {
        self.count.load(Ordering::Acquire) >> 1
    }

    fn queued(&self) -> usize {
        // Sends counted and not yet received (a send counts itself just
        // before it links its node).
        self.in_flight()
    }

    fn close(&self) {
        // SeqCst: like the channel's `rx_closed`; a send's CAS sees it or
        // counts before it.
        self.count.fetch_or(CLOSED, Ordering::SeqCst);
    }
}

// SAFETY: values move between threads through the list (T: Send); the
// consumer-only `head` is guarded by the single-consumer contract of `pop`.
unsafe impl<T: Send> Send for List<T> {}
// SAFETY: as above; producers only touch `tail` and fresh nodes.
unsafe impl<T: Send> Sync for List<T> {}
