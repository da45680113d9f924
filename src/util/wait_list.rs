//! The one waker queue: every primitive in `sync` is built on it, and the
//! I/O driver keeps one per direction of each source.
//!
//! # Shape
//!
//! A [`WaitList`] is a FIFO of [`Waiter`] nodes on the crate's intrusive
//! list (`util/linked_list.rs`, whose safety contract — one lock, pinned
//! while linked, one list at a time — this file relies on). The nodes are not
//! allocated by the list: each one lives *inside the waiting future*
//! (`Acquire`, `Notified`, `Recv`, ...), which is pinned once polled, so
//! pushing, popping and unlinking an arbitrary node are all O(1) and a wait
//! allocates nothing. This file adds what a waiter is on top of the links:
//! its status, waker and payload, and the hand-off rules below.
//!
//! # Protocol
//!
//! 1. **One lock guards a list and all of its nodes.** The list lives inside
//!    the primitive's `Mutex`; every read or write of a node's links,
//!    status, waker or payload happens while that lock is held. The list's
//!    methods take `&mut WaitList`, i.e. the caller must be holding the
//!    guard, which is the proof the node access is exclusive. A waiter is
//!    only ever used with one list (the primitive's), so it is in no other.
//! 2. **A node moves `Idle → Queued → Notified`** and only the lock holder
//!    moves it. The future pushes itself (`Idle → Queued`) when it must
//!    wait; a notifier pops it (`Queued → Notified`) and takes its waker; the
//!    future, on its next poll under the lock, sees `Notified`, consumes what
//!    it was given and resets itself to `Idle`. A node is linked iff it is
//!    `Queued`.
//! 3. **Wakers are woken, and dropped, after the lock is released.**
//!    Notifiers collect them in a [`WakeList`] and call
//!    [`WakeList::wake_all`] once the guard is dropped, so a woken task
//!    never contends on a lock still held by its waker; a poll that
//!    replaces its stored waker gets the old one back ([`Recheck::Queued`])
//!    and drops it after the guard, because a waker's `Drop` may run
//!    arbitrary code (it can own a task that owns this very primitive).
//! 4. **A node is never dropped while linked.** The owning future's `Drop`
//!    takes the lock and calls [`WaitList::remove`] (a `Queued` node is
//!    unlinked). If it finds its node already `Notified`, the future was
//!    handed something (a permit, the lock, a `notify_one`) that it will now
//!    never use: the *primitive* passes it on to the next waiter while still
//!    holding the lock. That forwarding is what makes every `sync` future
//!    cancellation-safe: nothing handed to a dropped future is lost.
//!
//! 5. **One lock-free exit.** After popping a node, the notifier sets the
//!    node's `popped` flag (`Release`) as its very last touch of the node.
//!    From then on the node is in no list and belongs to its future alone,
//!    so the future, seeing the flag (`Acquire`), may read and reset its
//!    entry without the lock ([`Waiter::take_popped`]): a woken waiter does
//!    not queue on the lock its waker may still hold.
//!
//! Apart from that flag, all node access is serialised by the primitive's
//! lock; the primitives keep their own atomic fast paths (an uncontended
//! `Mutex::lock` never touches the list).

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::util::linked_list::{Link, LinkedList, Pointers};
use std::marker::PhantomPinned;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::Waker;

/// Where a [`Waiter`] stands. Changed only by the holder of the list's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Not in the list: never queued, removed, or already consumed.
    Idle,
    /// Linked in the list, waiting.
    Queued,
    /// Popped by a notifier; what that means is the primitive's business.
    Notified,
}

/// The part of a node the owning primitive reads and writes (under the lock).
#[derive(Debug)]
pub(crate) struct Entry<T> {
    pub(crate) status: Status,
    pub(crate) waker: Option<Waker>,
    /// Per-primitive payload: permits still needed, how it was notified, ...
    pub(crate) data: T,
}

/// One waiting future's node. Embed it in the future; never move it once
/// it has been pushed (the future is `!Unpin` because of it).
///
/// `repr(C)` only fixes the field order (links, entry, flag). With the
/// default layout the compiler built part of a new waiter in a stack
/// temporary and copied it into the future (unaligned, overlapping stores
/// and loads): a loop of 5 pushes, 4 pops and a remove through a
/// `Semaphore` measured 253 ns against 227 ns with this layout.
#[repr(C)]
pub(crate) struct Waiter<T> {
    /// The links, touched only by the list (under the lock).
    pointers: Pointers<Waiter<T>>,
    /// Touched under the lock, or by the owner once `popped` (rule 5).
    entry: UnsafeCell<Entry<T>>,
    /// Set by the notifier, last, after popping the node (rule 5).
    popped: AtomicBool,
    _pinned: PhantomPinned,
}

// SAFETY: a `Waiter`'s links and entry are only accessed under the lock that
// guards its list (protocol rule 1), or by its owner alone after the
// `popped` hand-off (rule 5), so moving the owning future to another thread
// or sharing references to it is sound as long as the payload and the waker
// (always `Send + Sync`) are.
unsafe impl<T: Send> Send for Waiter<T> {}
// SAFETY: as above; `&Waiter` gives no access without the list's lock.
unsafe impl<T: Send> Sync for Waiter<T> {}

// SAFETY: `pointers` names the node's own `pointers` field, found by address
// without reading the node.
unsafe impl<T> Link for Waiter<T> {
    unsafe fn pointers(node: NonNull<Self>) -> NonNull<Pointers<Self>> {
        // SAFETY: `node` points to a live waiter (the caller's contract), so
        // the projection stays in bounds and is not null.
        unsafe { NonNull::new_unchecked(&raw mut (*node.as_ptr()).pointers) }
    }
}

impl<T> Waiter<T> {
    /// A fresh, unlinked node carrying `data`.
    pub(crate) fn new(data: T) -> Waiter<T> {
        Waiter {
            pointers: Pointers::new(),
            entry: UnsafeCell::new(Entry {
                status: Status::Idle,
                waker: None,
                data,
            }),
            popped: AtomicBool::new(false),
            _pinned: PhantomPinned,
        }
    }

    /// Whether a notifier popped this node (then [`take_popped`] succeeds).
    ///
    /// [`take_popped`]: Waiter::take_popped
    pub(crate) fn is_popped(&self) -> bool {
        // Acquire: as in `take_popped`.
        self.popped.load(Ordering::Acquire)
    }

    /// If a notifier popped this node, runs `f` on its entry (no lock
    /// needed: the node is in no list any more) and clears the flag.
    /// `&mut self`: only the owning future calls this.
    pub(crate) fn take_popped<R>(&mut self, f: impl FnOnce(&mut Entry<T>) -> R) -> Option<R> {
        // Acquire pairs with the Release store in `pop_front`: every write
        // the notifier made to the node happens-before our access.
        if !self.popped.load(Ordering::Acquire) {
            return None;
        }
        // Relaxed: only we read it from here on, until we are queued again
        // (under the lock, which orders it).
        self.popped.store(false, Ordering::Relaxed);
        let result = self.entry.with_mut(|e| {
            // SAFETY: popped means unlinked and no longer touched by any
            // notifier (rule 5); `&mut self` excludes the owner's other paths.
            f(unsafe { &mut *e })
        });
        Some(result)
    }
}

impl<T> std::fmt::Debug for Waiter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Waiter { .. }")
    }
}

/// The FIFO itself; lives inside the primitive's lock.
pub(crate) struct WaitList<T> {
    list: LinkedList<Waiter<T>>,
}

impl<T> std::fmt::Debug for WaitList<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitList")
            .field("empty", &self.is_empty())
            .finish()
    }
}

impl<T> Default for WaitList<T> {
    fn default() -> Self {
        WaitList::new()
    }
}

impl<T> WaitList<T> {
    /// An empty list.
    pub(crate) const fn new() -> WaitList<T> {
        WaitList {
            list: LinkedList::new(),
        }
    }

    /// Whether nobody is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Runs `f` on the entry of the node at `ptr`.
    ///
    /// # Safety
    /// `ptr` is a live node of this list or the caller's own node, and the
    /// caller holds the lock guarding this list (it has `&mut self`).
    unsafe fn entry<R>(
        &mut self,
        ptr: NonNull<Waiter<T>>,
        f: impl FnOnce(&mut Entry<T>) -> R,
    ) -> R {
        // SAFETY: the caller guarantees the node is alive (rule 4).
        let waiter = unsafe { ptr.as_ref() };
        waiter.entry.with_mut(|e| {
            // SAFETY: we hold the list's lock (rule 1), so this access is
            // exclusive: the owner only reads its entry under the lock too,
            // or after `popped`, which is not set while it is ours.
            f(unsafe { &mut *e })
        })
    }

    /// Appends `waiter` with `waker`, marking it `Queued`.
    ///
    /// # Safety
    /// `waiter` is `Idle`, is only ever used with this list, and its owner
    /// removes it (under the lock) before it is dropped (protocol rule 4).
    pub(crate) unsafe fn push_back(&mut self, waiter: Pin<&Waiter<T>>, waker: Waker) {
        let ptr = NonNull::from(waiter.get_ref());
        // SAFETY: our own node, pinned, and we hold the lock.
        unsafe {
            self.entry(ptr, |e| {
                debug_assert_eq!(e.status, Status::Idle);
                // Empty: a pop takes the waker, and only a dropping future
                // removes its node (keeping its waker until it is gone).
                debug_assert!(e.waker.is_none(), "a waiter re-queued with a waker");
                e.status = Status::Queued;
                e.waker = Some(waker);
            })
        };
        // SAFETY: the list's contract. `Idle` means in no list (rule 2); the
        // waiter is pinned and its owner unlinks it under the lock before
        // dropping it (this method's contract, rule 4); it is only used with
        // this list, whose lock we hold (rule 1).
        unsafe { self.list.push_back(ptr) };
    }

    /// Runs `f` on the entry of the caller's own `waiter`.
    ///
    /// # Safety
    /// `waiter` is only ever used with this list.
    pub(crate) unsafe fn with_entry<R>(
        &mut self,
        waiter: &Waiter<T>,
        f: impl FnOnce(&mut Entry<T>) -> R,
    ) -> R {
        // SAFETY: the caller's own node (alive: it is borrowed) and the lock is held.
        unsafe { self.entry(NonNull::from(waiter), f) }
    }

    /// For a queued waiter's poll: [`Recheck::Queued`] (waker refreshed)
    /// while `waiter` is still queued; [`Recheck::Popped`] once it was
    /// popped (then its flag is set and [`Waiter::take_popped`] succeeds).
    ///
    /// # Safety
    /// `waiter` is only ever used with this list.
    pub(crate) unsafe fn still_queued(&mut self, waiter: &Waiter<T>, waker: &Waker) -> Recheck {
        // SAFETY: forwarded contract; we hold the lock.
        unsafe {
            self.with_entry(waiter, |e| {
                if e.status == Status::Queued {
                    Recheck::Queued(update_waker(&mut e.waker, waker))
                } else {
                    Recheck::Popped
                }
            })
        }
    }

    /// Runs `f` on the entry of the first waiter, if any.
    pub(crate) fn with_front<R>(&mut self, f: impl FnOnce(&mut Entry<T>) -> R) -> Option<R> {
        let head = self.list.front()?;
        // SAFETY: the head is linked, hence alive (rule 4); we hold the lock.
        Some(unsafe { self.entry(head, f) })
    }

    /// Runs `f` on the entry of the last waiter, if any.
    pub(crate) fn with_back<R>(&mut self, f: impl FnOnce(&mut Entry<T>) -> R) -> Option<R> {
        let tail = self.list.back()?;
        // SAFETY: the tail is linked, hence alive (rule 4); we hold the lock.
        Some(unsafe { self.entry(tail, f) })
    }

    /// Unlinks the first waiter, marks it `Notified` and returns its waker.
    pub(crate) fn pop_front(&mut self) -> Option<Waker> {
        let head = self.list.pop_front()?;
        // SAFETY: just unlinked from this list, whose lock we hold.
        unsafe { self.notify_popped(head) }
    }

    /// Unlinks the last waiter (the newest), marks it `Notified` and
    /// returns its waker: `Notify::notify_last`.
    pub(crate) fn pop_back(&mut self) -> Option<Waker> {
        let tail = self.list.pop_back()?;
        // SAFETY: just unlinked from this list, whose lock we hold.
        unsafe { self.notify_popped(tail) }
    }

    /// Marks a node just unlinked by a pop `Notified`, sets its `popped`
    /// flag and returns its waker.
    ///
    /// # Safety
    /// `node` was linked in this list until the caller's pop, under the
    /// lock the caller still holds.
    unsafe fn notify_popped(&mut self, node: NonNull<Waiter<T>>) -> Option<Waker> {
        // SAFETY: it was linked, so it is alive until its owner sees the
        // `popped` flag we set below (rules 4 and 5); we hold the lock.
        let waker = unsafe {
            self.entry(node, |e| {
                e.status = Status::Notified;
                e.waker.take()
            })
        };
        // SAFETY: as above: the node is alive until its owner sees the flag.
        let waiter = unsafe { node.as_ref() };
        // Release pairs with `take_popped`'s Acquire. This is our last touch
        // of the node: its owner may free it as soon as it sees the flag.
        waiter.popped.store(true, Ordering::Release);
        waker
    }

    /// Pops every waiter (each becomes `Notified`), calling `f` on each entry
    /// before its waker goes into `wakers`.
    pub(crate) fn drain(&mut self, wakers: &mut WakeList, mut f: impl FnMut(&mut T)) {
        while self.with_front(|e| f(&mut e.data)).is_some() {
            if let Some(waker) = self.pop_front() {
                wakers.push(waker);
            }
        }
    }

    /// Unlinks the caller's `waiter` if it is `Queued` (it becomes `Idle`)
    /// and returns the status it had.
    ///
    /// # Safety
    /// `waiter` is only ever used with this list.
    pub(crate) unsafe fn remove(&mut self, waiter: &Waiter<T>) -> Status {
        let ptr = NonNull::from(waiter);
        // SAFETY: our own node, and we hold the lock.
        let status = unsafe {
            self.entry(ptr, |e| {
                let status = e.status;
                if status == Status::Queued {
                    // The waker stays in the entry: it is dropped with the
                    // waiter, after the caller's guard (rule 3).
                    e.status = Status::Idle;
                }
                status
            })
        };
        if status == Status::Queued {
            // SAFETY: `Queued` means linked (rule 2), and in this list, the
            // only one it is used with; alive (borrowed); lock held.
            let linked = unsafe { self.list.remove(ptr) };
            debug_assert!(linked, "a queued waiter is linked");
        }
        status
    }
}

/// Wakers collected under a lock, woken after it is released.
///
/// Holds up to 32 inline; more spill into a `Vec` (only `notify_waiters`-like
/// operations with many waiters get there). The inline part is uninitialised
/// memory counted by `len`, so making, filling and dropping a list costs in
/// proportion to the wakers in it: a mutex hand-off collects one waker, and
/// an `[Option<Waker>; 32]` cost it 32 writes, a 0.5 KiB move and 32
/// drop checks (a quarter of a contended lock/unlock pair, measured).
pub(crate) struct WakeList {
    inline: [MaybeUninit<Waker>; 32],
    /// `inline[..len]` are initialised.
    len: usize,
    spill: Vec<Waker>,
}

impl Default for WakeList {
    fn default() -> WakeList {
        WakeList {
            inline: [const { MaybeUninit::uninit() }; 32],
            len: 0,
            spill: Vec::new(),
        }
    }
}

impl WakeList {
    /// An empty list.
    pub(crate) fn new() -> WakeList {
        WakeList::default()
    }

    /// Adds one waker.
    pub(crate) fn push(&mut self, waker: Waker) {
        if self.len < self.inline.len() {
            self.inline[self.len].write(waker);
            self.len += 1;
        } else {
            self.spill.push(waker);
        }
    }

    /// Adds a waker if there is one.
    pub(crate) fn push_opt(&mut self, waker: Option<Waker>) {
        if let Some(waker) = waker {
            self.push(waker);
        }
    }

    /// Wakes everything collected, in the order collected, leaving the
    /// list empty. Call with no lock held.
    ///
    /// A `wake` that panics (a foreign executor's waker) does not stop the
    /// others: each waker here was handed something (a permit, the lock, a
    /// notification), so a waiter left unwoken would sleep on it forever.
    /// Every waker is woken, then the first panic goes on to the caller.
    pub(crate) fn wake_all(&mut self) {
        let mut panicked = None;
        let n = std::mem::replace(&mut self.len, 0);
        for slot in &mut self.inline[..n] {
            // SAFETY: `inline[..n]` were initialised (the invariant), and
            // `len` is already 0, so each is read exactly once.
            wake_catching(unsafe { slot.assume_init_read() }, &mut panicked);
        }
        for waker in self.spill.drain(..) {
            wake_catching(waker, &mut panicked);
        }
        if let Some(payload) = panicked {
            std::panic::resume_unwind(payload);
        }
    }
}

/// Wakes `waker`; if that panics, keeps the first panic's payload.
#[inline]
fn wake_catching(waker: Waker, panicked: &mut Option<Box<dyn std::any::Any + Send>>) {
    if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| waker.wake())) {
        panicked.get_or_insert(payload);
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        let n = std::mem::replace(&mut self.len, 0);
        for slot in &mut self.inline[..n] {
            // SAFETY: as in `wake_all`: initialised, read once.
            drop(unsafe { slot.assume_init_read() });
        }
    }
}

/// What [`WaitList::still_queued`] found.
#[must_use = "a replaced waker must be dropped after the lock is released"]
pub(crate) enum Recheck {
    /// Still queued, with the new waker stored. The waker it replaced, if
    /// any, is handed back: drop it only after releasing the lock, since
    /// its `Drop` may run arbitrary code (it can own a task that owns this
    /// primitive) and would deadlock on the lock.
    Queued(Option<Waker>),
    /// Popped by a notifier.
    Popped,
}

/// Stores `waker` in `slot` unless the stored one already wakes the same
/// task; returns the replaced waker, which the caller must drop after
/// releasing the lock that guards `slot` (its `Drop` may re-enter).
#[must_use = "a replaced waker must be dropped after the lock is released"]
pub(crate) fn update_waker(slot: &mut Option<Waker>, waker: &Waker) -> Option<Waker> {
    match slot {
        Some(old) if old.will_wake(waker) => None,
        _ => slot.replace(waker.clone()),
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::pin::pin;

    /// A waker that records its id in a shared log when woken.
    struct Logged(u32, std::sync::Arc<std::sync::Mutex<Vec<u32>>>);

    impl std::task::Wake for Logged {
        fn wake(self: std::sync::Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }

    #[test]
    fn wake_list_wakes_each_once_in_order_past_the_inline_part() {
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let wakers: Vec<std::sync::Arc<Logged>> = (0..40)
            .map(|i| std::sync::Arc::new(Logged(i, log.clone())))
            .collect();
        let mut list = WakeList::new();
        for w in &wakers {
            list.push(Waker::from(w.clone()));
        }
        list.wake_all();
        assert_eq!(*log.lock().unwrap(), (0..40).collect::<Vec<_>>());
        // Every clone the list held was consumed by its wake.
        assert!(wakers.iter().all(|w| std::sync::Arc::strong_count(w) == 1));
        // Waking again is a no-op: the list was left empty.
        list.wake_all();
        assert_eq!(log.lock().unwrap().len(), 40);
    }

    #[test]
    fn wake_list_dropped_unwoken_drops_its_wakers() {
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let w = std::sync::Arc::new(Logged(7, log.clone()));
        let mut list = WakeList::new();
        for _ in 0..3 {
            list.push(Waker::from(w.clone()));
        }
        assert_eq!(std::sync::Arc::strong_count(&w), 4);
        drop(list);
        assert_eq!(std::sync::Arc::strong_count(&w), 1);
        assert!(log.lock().unwrap().is_empty());
    }

    #[test]
    fn pops_in_fifo_order_and_removes_from_the_middle() {
        let mut list = WaitList::new();
        let a = pin!(Waiter::new(1));
        let b = pin!(Waiter::new(2));
        let c = pin!(Waiter::new(3));
        // SAFETY: the nodes outlive the list operations and are removed or
        // popped before the end of the test.
        unsafe {
            list.push_back(a.as_ref(), Waker::noop().clone());
            list.push_back(b.as_ref(), Waker::noop().clone());
            list.push_back(c.as_ref(), Waker::noop().clone());
            assert_eq!(list.remove(&b), Status::Queued);
            assert_eq!(list.remove(&b), Status::Idle);
        }
        assert_eq!(list.with_front(|e| e.data), Some(1));
        assert!(list.pop_front().is_some());
        assert_eq!(list.with_front(|e| e.data), Some(3));
        assert!(list.pop_front().is_some());
        assert!(list.is_empty());
        assert!(list.pop_back().is_none());
        // SAFETY: own nodes of this list.
        unsafe {
            assert_eq!(list.with_entry(&a, |e| e.status), Status::Notified);
            assert_eq!(list.remove(&c), Status::Notified);
        }
    }

    #[test]
    fn pop_back_takes_the_newest_waiter_and_marks_it_popped() {
        let mut list = WaitList::new();
        let a = pin!(Waiter::new(1));
        let mut b = pin!(Waiter::new(2));
        // SAFETY: the nodes outlive the list operations and are popped or
        // removed before the end of the test.
        unsafe {
            list.push_back(a.as_ref(), Waker::noop().clone());
            list.push_back(b.as_ref(), Waker::noop().clone());
        }
        assert_eq!(list.with_back(|e| e.data), Some(2));
        assert!(list.pop_back().is_some());
        assert!(b.is_popped() && !a.is_popped());
        // SAFETY: not moved out of the pin; the node is in no list.
        let seen = unsafe { b.as_mut().get_unchecked_mut() }.take_popped(|e| e.status);
        assert_eq!(seen, Some(Status::Notified));
        assert_eq!(list.with_front(|e| e.data), Some(1));
        assert_eq!(list.with_back(|e| e.data), Some(1));
        // SAFETY: own node of this list.
        assert_eq!(unsafe { list.remove(&a) }, Status::Queued);
        assert!(list.is_empty());
    }
}
