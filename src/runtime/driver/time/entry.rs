//! Timer entries: the pinned node each timer carries, and the lists the wheel
//! threads those nodes on. **All of the time driver's `unsafe` lives in this
//! file.**
//!
//! A [`TimerEntry`] is embedded in its owner (a `Sleep`), which is pinned, so
//! its [`TimerNode`] has a stable address for as long as it exists. The wheel
//! links nodes into per-slot lists ([`List`], the crate's intrusive list from
//! `util/linked_list.rs`, typed by [`NodeRef`]); filing and cancelling a
//! timer is therefore pointer surgery under the wheel lock, with no
//! allocation. The surgery itself, and the list's safety contract (one lock,
//! pinned while linked, one list at a time), live in that file; this one
//! shows how the wheel keeps that contract and adds the node's placement
//! and its fire/cancel protocol.
//!
//! # Why the raw pointers are sound
//!
//! * **(L) Lock.** A node's links and [`Placement`] (`when`, `at` and
//!   `location`) are read and written only while the wheel lock (the
//!   `Mutex<Core>` in `mod.rs`) is held. `NodeRef`s exist only inside that
//!   lock: they are stored in the wheel's lists (reachable only through the
//!   lock) or created by a `TimerEntry` method for the duration of one locked
//!   call. This is the list's rule 1.
//! * **(A) Alive.** A node whose `location` is not `Nowhere` is alive: its
//!   `TimerEntry`'s `Drop` takes the wheel lock and unlinks it before the
//!   memory goes (the owner is `!Unpin` and pinned, so the memory cannot move
//!   or be reused before `drop` runs). A node whose `location` is `Nowhere` is
//!   dereferenced only by its own entry's calls, which hold `&TimerEntry`.
//!   This is the list's rule 2.
//! * **(O) One place.** A node is linked in a list iff its `location` is not
//!   `Nowhere`, and then in exactly the list `location` names: the wheel sets
//!   `location` right after it links a node and clears it right after it
//!   unlinks one (a slot taken whole by a cascade is emptied before the lock
//!   is released), and [`List::push_front`] checks in debug builds that the
//!   node is `Nowhere`. This is the list's rule 3.
//! * **(S) Sharing.** The owner holds `Pin<&mut TimerEntry>` while the firing
//!   thread reads the node through a shared pointer. `TimerNode` is `!Unpin`
//!   (`PhantomPinned`), so the owner's `&mut` is not treated as unique
//!   (no `noalias`), and every field the two sides share sits behind an
//!   `UnsafeCell` (the links and placement, guarded by (L)) or is atomic
//!   (state, waker).
//!
//! The node's state is one atomic byte and its waker an [`AtomicWaker`]:
//! the owner's fast paths (polling a filed timer, dropping a fired one) take
//! no lock at all. Only the wheel (holding its lock) moves a node out of
//! `Filed`, and it marks the node [`BUSY`] while it still touches it, so the
//! owner knows when it may free the memory (see [`TimerEntry`]'s `Drop`).

use std::marker::PhantomPinned;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

use super::{Clock, Deadline, Filing, Handle, Moved, Shutdown};
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicU8, Ordering};
use crate::util::atomic_waker::AtomicWaker;
use crate::util::linked_list::{Link, LinkedList, Pointers};

/// Where a node currently sits. Guarded by the wheel lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Location {
    /// In no list: never filed, fired, or cancelled.
    Nowhere,
    /// In slot `slot` of level `level`.
    Slot { level: u8, slot: u8 },
    /// Due, in the wheel's pending list, about to be fired.
    Pending,
}

/// Where and for when a node is filed. Guarded by the wheel lock
/// (invariant (L)).
#[derive(Debug)]
struct Placement {
    /// The tick this node is filed for.
    when: u64,
    /// Its exact deadline (nanoseconds since the clock's start), within
    /// that tick: the wheel may fire it as soon as this has passed.
    at: u64,
    location: Location,
}

/// The timer's state as its owner and the firing thread see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum State {
    /// Never filed.
    Idle = 0,
    /// In the wheel, waiting for its deadline.
    Filed = 1,
    /// Fired: the deadline it was filed for has passed.
    Fired = 2,
    /// The runtime shut down before the timer fired.
    Shutdown = 3,
}

/// Set together with `Fired`/`Shutdown` while the wheel is still taking the
/// node's waker; cleared by the wheel's last access to the node.
pub(super) const BUSY: u8 = 0b100;

impl State {
    /// The state part of a state byte (without [`BUSY`]).
    fn of(byte: u8) -> State {
        match byte & !BUSY {
            0 => State::Idle,
            1 => State::Filed,
            2 => State::Fired,
            _ => State::Shutdown,
        }
    }
}

/// The part of a timer the wheel links to.
#[derive(Debug)]
pub(crate) struct TimerNode {
    /// The list links, touched only by the wheel's lists (invariant (L)).
    pointers: Pointers<TimerNode>,
    placement: UnsafeCell<Placement>,
    /// A [`State`], plus [`BUSY`] while the wheel finishes firing.
    state: AtomicU8,
    /// Woken when the node fires.
    waker: AtomicWaker,
    _pinned: PhantomPinned,
}

// SAFETY: `pointers` and `placement` are only touched under the wheel lock
// (invariant (L)), so the raw pointers in them are never accessed from two
// threads at once; `state` is atomic and `waker` is an `AtomicWaker`.
// Nothing else is shared.
unsafe impl Send for TimerNode {}
// SAFETY: as for `Send`: all shared access goes through the wheel lock or
// atomics.
unsafe impl Sync for TimerNode {}

// SAFETY: `pointers` names the node's own `pointers` field, found by address
// without reading the node.
unsafe impl Link for TimerNode {
    unsafe fn pointers(node: NonNull<TimerNode>) -> NonNull<Pointers<TimerNode>> {
        // SAFETY: `node` points to a live node (the caller's contract), so
        // the projection stays in bounds and is not null.
        unsafe { NonNull::new_unchecked(&raw mut (*node.as_ptr()).pointers) }
    }
}

impl TimerNode {
    fn new() -> TimerNode {
        TimerNode {
            pointers: Pointers::new(),
            placement: UnsafeCell::new(Placement {
                when: 0,
                at: 0,
                location: Location::Nowhere,
            }),
            state: AtomicU8::new(State::Idle as u8),
            waker: AtomicWaker::new(),
            _pinned: PhantomPinned,
        }
    }
}

/// A pointer to a node, valid under the invariants at the top of this file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NodeRef(NonNull<TimerNode>);

impl NodeRef {
    fn of(node: &TimerNode) -> NodeRef {
        NodeRef(NonNull::from(node))
    }

    fn node(&self) -> &TimerNode {
        // SAFETY: the node is alive: it is either linked in the wheel or the
        // caller is its own entry (invariant (A)); only shared access is made.
        unsafe { self.0.as_ref() }
    }

    fn placement<R>(self, f: impl FnOnce(&mut Placement) -> R) -> R {
        self.node().placement.with_mut(|placement| {
            // SAFETY: the wheel lock is held (invariant (L)), so no other
            // access to this placement is in progress; the node is alive
            // (invariant (A)).
            f(unsafe { &mut *placement })
        })
    }

    /// The tick this node is filed for.
    pub(super) fn when(self) -> u64 {
        self.placement(|p| p.when)
    }

    pub(super) fn set_when(self, when: u64) {
        self.placement(|p| p.when = when);
    }

    /// The exact deadline this node is filed for.
    pub(super) fn at(self) -> u64 {
        self.placement(|p| p.at)
    }

    pub(super) fn set_at(self, at: u64) {
        self.placement(|p| p.at = at);
    }

    pub(super) fn location(self) -> Location {
        self.placement(|p| p.location)
    }

    pub(super) fn set_location(self, location: Location) {
        self.placement(|p| p.location = location);
    }

    /// Sets the state of a node the wheel holds no other reference to (it
    /// is being filed, under the wheel lock, or is not in the wheel).
    pub(super) fn set_state(&self, state: State) {
        // Release: publishes the waker registered before it.
        self.node().state.store(state as u8, Ordering::Release);
    }

    /// Registers the waker to wake when the node fires. Only the owner
    /// calls this. `false`: a fire was taking the previous waker meanwhile
    /// (nothing registered; the fire's state store is visible now).
    pub(super) fn register(&self, waker: &Waker) -> bool {
        self.node().waker.try_register(waker)
    }

    /// Marks an unlinked node fired with `state` (`Fired` or `Shutdown`) and
    /// takes its waker. Called under the wheel lock; the final store is the
    /// wheel's last access to the node.
    pub(super) fn fire(&self, state: State) -> Option<Waker> {
        let node = self.node();
        // Release (both stores): an owner that reads either state also sees
        // the node unlinked. The first store comes before the waker is
        // taken, so an owner registering a new waker meanwhile re-reads the
        // state, sees it fired, and does not wait for a wake-up that the
        // old waker got.
        node.state.store(state as u8 | BUSY, Ordering::Release);
        let waker = node.waker.take();
        node.state.store(state as u8, Ordering::Release);
        waker
    }
}

/// One wheel slot, or the pending list: the crate's intrusive list, in
/// [`NodeRef`]s. Only accessed under the wheel lock (invariant (L)).
#[derive(Debug, Default)]
pub(super) struct List(LinkedList<TimerNode>);

impl List {
    pub(super) const fn new() -> List {
        List(LinkedList::new())
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The nodes from first to last.
    pub(super) fn iter(&self) -> impl Iterator<Item = NodeRef> + '_ {
        self.0.iter().map(NodeRef)
    }

    /// Links `node`, which must be in no list (its location `Nowhere`); the
    /// caller then records where it is.
    pub(super) fn push_front(&mut self, node: NodeRef) {
        debug_assert_eq!(node.location(), Location::Nowhere, "node is in a list");
        // SAFETY: the list's contract: the node is alive and stays pinned
        // until the wheel unlinks it, which its entry's `Drop` waits for
        // (invariant (A)); it is in no list (invariant (O)); and we hold the
        // wheel lock, which guards this list (invariant (L)).
        unsafe { self.0.push_front(node.0) };
    }

    pub(super) fn pop_front(&mut self) -> Option<NodeRef> {
        self.0.pop_front().map(NodeRef)
    }

    /// Unlinks `node`, which must be in this list.
    pub(super) fn remove(&mut self, node: NodeRef) {
        // SAFETY: the node is linked (its location names this list,
        // invariant (O)), hence alive (invariant (A)); we hold the wheel
        // lock (invariant (L)).
        let linked = unsafe { self.0.remove(node.0) };
        debug_assert!(linked, "node is not in this list");
    }
}

/// One timer: a deadline (a tick and the exact instant in it) and the node
/// the wheel files.
///
/// The owner must pin it (it is `!Unpin`). It is registered lazily on the
/// first [`poll_elapsed`](TimerEntry::poll_elapsed); dropping it cancels it.
#[derive(Debug)]
pub(crate) struct TimerEntry {
    handle: Handle,
    /// When the owner wants to wake. Owner-only.
    deadline: Deadline,
    /// The deadline the node was last filed for, if it ever was.
    /// Owner-only; needs no lock. (While the node is in the wheel, it is
    /// what `Links::when`/`at` say.)
    filed: Option<Deadline>,
    node: TimerNode,
}

impl TimerEntry {
    /// A timer for `deadline` (a tick of `handle`'s clock), not yet filed.
    #[cfg_attr(not(any(test, loom)), allow(dead_code))]
    pub(crate) fn new(handle: &Handle, deadline: u64) -> TimerEntry {
        TimerEntry::with_handle(handle.clone(), Deadline::at_tick(deadline))
    }

    /// A timer for an exact `deadline`, taking the handle by value (one
    /// reference count less for callers that own one).
    pub(crate) fn with_handle(handle: Handle, deadline: Deadline) -> TimerEntry {
        TimerEntry {
            handle,
            deadline,
            filed: None,
            node: TimerNode::new(),
        }
    }

    /// The time driver this timer belongs to.
    pub(crate) fn handle(&self) -> &Handle {
        &self.handle
    }

    /// The tick this timer completes at.
    #[cfg(test)]
    pub(crate) fn deadline(&self) -> u64 {
        self.deadline.tick
    }

    #[allow(clippy::type_complexity)]
    fn project(self: Pin<&mut Self>) -> (&Handle, &mut Deadline, &mut Option<Deadline>, NodeRef) {
        // SAFETY: `node` is never moved out of the pinned entry; only the
        // owner-only plain fields are handed out by `&mut`, and the node only
        // by a shared pointer.
        let this = unsafe { self.get_unchecked_mut() };
        let node = NodeRef::of(&this.node);
        (&this.handle, &mut this.deadline, &mut this.filed, node)
    }

    /// Completes once the deadline has passed; until then the
    /// task of `cx` is woken when it is. `unpark` is called when the driver
    /// must be woken to notice an earlier deadline. `is_due` is asked (only
    /// when the timer is about to be filed, and its tick is within one of
    /// the wheel's time) whether the owner's exact deadline has already
    /// passed: then it completes at once, with no lock and no trip through
    /// the driver (ticks round deadlines up, so the wheel alone would hold
    /// it until the next tick).
    pub(crate) fn poll_elapsed(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        unpark: impl FnOnce(&Handle),
        is_due: impl FnOnce(&Clock) -> bool,
    ) -> Poll<Result<(), Shutdown>> {
        let (handle, deadline, filed, node) = self.project();
        if let Some(at) = *filed {
            // Acquire pairs with the wheel's Release stores in `fire`.
            let mut now = State::of(node.node().state.load(Ordering::Acquire));
            if now == State::Filed {
                // Whether or not a racing fire kept us from registering,
                // re-read: a fire that took (or is taking) the previous
                // waker stored its state first (see `NodeRef::fire`), and
                // the waker protocol's read-modify-writes order that store
                // before this load. So either the fire wakes our waker, or
                // we see it here.
                let _ = node.register(cx.waker());
                now = State::of(node.node().state.load(Ordering::Acquire));
            }
            match now {
                State::Filed => return Poll::Pending,
                // Fired for a deadline at or after ours: done. (Filed
                // earlier than the deadline after a lazy `reset` to a later
                // one: fall through and file again.)
                State::Fired if *deadline <= at => return Poll::Ready(Ok(())),
                State::Shutdown => return Poll::Ready(Err(Shutdown)),
                State::Fired | State::Idle => {}
            }
        }
        *filed = Some(*deadline);
        // Ask the owner (who reads the clock) only if the deadline is near
        // the wheel's time: a far deadline cannot be due yet, unless the
        // wheel lags; then filing it is still right (the next turn fires it).
        if handle.may_be_due(deadline.tick) && is_due(handle.clock()) {
            // Never filed: mark it so later polls answer at once. (A node
            // that fired already says so, and the wheel may still be
            // finishing with it: leave its state to the wheel.)
            if State::of(node.node().state.load(Ordering::Relaxed)) == State::Idle {
                node.set_state(State::Fired);
            }
            return Poll::Ready(Ok(()));
        }
        match handle.file(node, *deadline, cx.waker()) {
            Filing::Fired => Poll::Ready(Ok(())),
            Filing::Shutdown => Poll::Ready(Err(Shutdown)),
            Filing::Filed {
                unpark: wake_driver,
            } => {
                if wake_driver {
                    unpark(handle);
                }
                Poll::Pending
            }
        }
    }

    /// Moves the deadline to the start of tick `new_deadline`.
    #[cfg_attr(not(any(test, loom)), allow(dead_code))]
    pub(crate) fn reset(self: Pin<&mut Self>, new_deadline: u64, unpark: impl FnOnce(&Handle)) {
        self.reset_exact(Deadline::at_tick(new_deadline), unpark)
    }

    /// Moves the deadline. A later deadline is only recorded (no lock): if
    /// the node fires at its old deadline, the next poll files it again. An
    /// earlier deadline re-files a filed node under the wheel lock.
    pub(crate) fn reset_exact(
        self: Pin<&mut Self>,
        new_deadline: Deadline,
        unpark: impl FnOnce(&Handle),
    ) {
        let (handle, deadline, filed, node) = self.project();
        *deadline = new_deadline;
        let Some(at) = *filed else { return };
        if new_deadline >= at {
            return;
        }
        match handle.move_earlier(node, new_deadline) {
            Moved::Refiled {
                unpark: wake_driver,
            } => {
                *filed = Some(new_deadline);
                if wake_driver {
                    unpark(handle);
                }
            }
            Moved::Fired => *filed = Some(new_deadline),
            // Already fired at `at`, which is after the new deadline too.
            Moved::NotFiled => {}
        }
    }

    /// Whether the wheel may still touch the node: it is filed, or a fire is
    /// still finishing with it.
    pub(crate) fn is_filed(&self) -> bool {
        // Acquire pairs with the wheel's last (Release) store in `fire`:
        // once we read a final `Fired`/`Shutdown`, the wheel is done.
        let byte = self.node.state.load(Ordering::Acquire);
        byte & BUSY != 0 || State::of(byte) == State::Filed
    }
}

impl Drop for TimerEntry {
    fn drop(&mut self) {
        if self.filed.is_none() {
            return;
        }
        // Fired or shut down, and not BUSY: the wheel's last access to the
        // node was the store we just read, so there is nothing to unlink.
        if !self.is_filed() {
            return;
        }
        // Filed, or a fire still finishing (it holds the wheel lock until
        // its last store): `cancel` takes the wheel lock, unlinks the node
        // if it is still linked, and after it no one touches the node.
        self.handle.cancel(NodeRef::of(&self.node));
    }
}
