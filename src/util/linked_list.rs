//! The one intrusive doubly linked list in magpie: the `sync` waker queue
//! (`util/wait_list.rs`) and the timer wheel's slots and pending list
//! (`runtime/driver/time/entry.rs`) are both built on it.
//!
//! # Shape
//!
//! The list neither owns nor allocates its nodes. A node is any struct that
//! embeds a [`Pointers`] (its `prev` and `next`) and says where, by
//! implementing [`Link`]; the list itself is a `head` and a `tail`. Nodes
//! live inside their owners (a pinned waiting future, a pinned `Sleep`), so
//! pushing at either end, popping at either end and unlinking any node are
//! O(1) pointer surgery with no allocation. Nodes point at each other, never
//! at the list, so a list may be moved (`std::mem::take`) with its nodes in
//! it.
//!
//! # Safety contract
//!
//! This is the whole contract, stated once. Every `unsafe` block in this file
//! and in the list's users relies on it.
//!
//! 1. **One lock.** A node's `Pointers` are read and written only by the
//!    list the node is linked in, through that list's methods: writes take
//!    `&mut LinkedList`, the walk takes `&LinkedList`. The list lives inside
//!    the lock that guards it (the sync primitive's `Mutex`, the wheel lock),
//!    so only the holder of that lock touches the pointers, and holding a
//!    `&mut` to the list is the proof. No code outside this file can name a
//!    node's `prev` or `next`.
//! 2. **Pinned while linked.** A node is neither moved nor dropped while it
//!    is linked. Its owner keeps it pinned (every node is `!Unpin`: the
//!    [`Pointers`] carry a `PhantomPinned`) and, before the node's memory
//!    goes, takes the lock and unlinks it, or learns under the lock that
//!    someone else did.
//! 3. **One list at a time.** A node is in at most one list, and is
//!    unlinked (popped or removed) from the list it was pushed on.
//!
//! Callers promise 2 and 3 when they call the `unsafe` methods
//! ([`push_front`], [`push_back`], [`remove`]); 1 is what `&mut self` and the
//! privacy of [`Pointers`] give. Under the three, every pointer the list
//! holds points to a live node, so popping, peeking and walking are safe.
//! The list clears a node's pointers when it unlinks it, so an unlinked node
//! always has `prev == next == None`.
//!
//! The pointers sit in `crate::loom::cell::UnsafeCell`, so under loom every
//! access is checked against rule 1: two unordered touches of one node's
//! pointers fail the model. The models that drive this list are
//! `loom-tests/tests/sync_{waiters,notify,semaphore,mutex}.rs` (through the
//! waker queue) and `loom-tests/tests/time_wheel.rs` (through the wheel).
//!
//! [`push_front`]: LinkedList::push_front
//! [`push_back`]: LinkedList::push_back
//! [`remove`]: LinkedList::remove

use crate::loom::cell::UnsafeCell;
use std::marker::{PhantomData, PhantomPinned};
use std::ptr::NonNull;

/// A type whose values can be linked into a [`LinkedList`].
///
/// # Safety
///
/// [`pointers`](Link::pointers) must return the address of a [`Pointers`]
/// embedded in the node `node` points to: the same one on every call, used
/// by no other node and by nothing but the list. It must compute that
/// address without reading the node (other fields may be in use elsewhere).
pub(crate) unsafe trait Link: Sized {
    /// Where `node`'s [`Pointers`] are.
    ///
    /// # Safety
    ///
    /// `node` points to a live node.
    unsafe fn pointers(node: NonNull<Self>) -> NonNull<Pointers<Self>>;
}

/// A node's `prev` and `next`, embedded in the node. Opaque outside this
/// file (contract rule 1).
pub(crate) struct Pointers<T> {
    links: UnsafeCell<Links<T>>,
    /// Makes every node `!Unpin` (contract rule 2), and keeps the owner's
    /// `&mut` to its node from being treated as unique while the list
    /// reaches the node through a shared pointer.
    _pinned: PhantomPinned,
}

struct Links<T> {
    prev: Option<NonNull<T>>,
    next: Option<NonNull<T>>,
}

impl<T> Clone for Links<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Links<T> {}

// SAFETY: the pointers are only touched by the holder of the lock that
// guards the list the node is in (rule 1), whichever thread that is; they
// lead to other `T`s, so a `Pointers<T>` may cross threads when `T` may.
unsafe impl<T: Send> Send for Pointers<T> {}
// SAFETY: `&Pointers` gives no access outside this file, and inside it every
// access is serialised by the list's lock (rule 1).
unsafe impl<T: Sync> Sync for Pointers<T> {}

impl<T> Pointers<T> {
    /// The pointers of a node in no list.
    pub(crate) fn new() -> Pointers<T> {
        Pointers {
            links: UnsafeCell::new(Links {
                prev: None,
                next: None,
            }),
            _pinned: PhantomPinned,
        }
    }
}

impl<T> std::fmt::Debug for Pointers<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Reading the links here could race the list's lock holder.
        f.write_str("Pointers { .. }")
    }
}

/// Runs `f` on `node`'s links, for writing.
///
/// # Safety
///
/// `node` is live (rule 2) and the caller holds the lock of the list `node`
/// is linked in, or `node` is in no list and the caller holds the lock of the
/// list it is being pushed on (rule 1).
unsafe fn with_links<T: Link, R>(node: NonNull<T>, f: impl FnOnce(&mut Links<T>) -> R) -> R {
    // SAFETY: `node` is live (this function's contract), which is all
    // `Link::pointers` asks.
    let pointers = unsafe { T::pointers(node) };
    // SAFETY: the `Pointers` of a live node is live; a shared reference to it
    // is fine, all mutation goes through its `UnsafeCell`.
    let pointers = unsafe { pointers.as_ref() };
    pointers.links.with_mut(|links| {
        // SAFETY: the caller holds the lock that guards these links (rule 1),
        // so this access is exclusive.
        f(unsafe { &mut *links })
    })
}

/// A copy of `node`'s links.
///
/// # Safety
///
/// As for [`with_links`], except that shared access to the list suffices:
/// the caller has at least `&LinkedList` of the list `node` is in (nobody
/// holds `&mut`, so nobody writes).
unsafe fn read_links<T: Link>(node: NonNull<T>) -> Links<T> {
    // SAFETY: `node` is live (contract).
    let pointers = unsafe { T::pointers(node) };
    // SAFETY: as in `with_links`.
    let pointers = unsafe { pointers.as_ref() };
    pointers.links.with(|links| {
        // SAFETY: writes need `&mut` to the list, which the caller's borrow
        // excludes (rule 1), so this read races no write.
        unsafe { *links }
    })
}

/// An intrusive doubly linked list of `T`s. See the contract at the top of
/// this file.
pub(crate) struct LinkedList<T: Link> {
    head: Option<NonNull<T>>,
    tail: Option<NonNull<T>>,
}

// SAFETY: the list only holds pointers to its nodes and touches nothing but
// their `Pointers` (rule 1); moving it to another thread (inside its lock)
// hands that thread pointers to `T`s, which is fine when `T: Send`.
unsafe impl<T: Link + Send> Send for LinkedList<T> {}
// SAFETY: `&LinkedList` only reads: the head, the tail and (walking) the
// nodes' links, which no one writes while the shared borrow lasts (rule 1).
// It hands out pointers to `T`s, so `T: Sync` is required.
unsafe impl<T: Link + Sync> Sync for LinkedList<T> {}

impl<T: Link> Default for LinkedList<T> {
    fn default() -> Self {
        LinkedList::new()
    }
}

impl<T: Link> std::fmt::Debug for LinkedList<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkedList")
            .field("head", &self.head)
            .field("tail", &self.tail)
            .finish()
    }
}

impl<T: Link> LinkedList<T> {
    /// An empty list.
    pub(crate) const fn new() -> LinkedList<T> {
        LinkedList {
            head: None,
            tail: None,
        }
    }

    /// Whether no node is linked.
    pub(crate) fn is_empty(&self) -> bool {
        debug_assert_eq!(self.head.is_none(), self.tail.is_none());
        self.head.is_none()
    }

    /// The first node, if any (still linked).
    pub(crate) fn front(&self) -> Option<NonNull<T>> {
        self.head
    }

    /// The last node, if any (still linked).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn back(&self) -> Option<NonNull<T>> {
        self.tail
    }

    /// Links `node` at the front.
    ///
    /// # Safety
    ///
    /// `node` is live and in no list, stays pinned until it is unlinked from
    /// this list, and is unlinked from this list before it is dropped
    /// (rules 2 and 3).
    pub(crate) unsafe fn push_front(&mut self, node: NonNull<T>) {
        debug_assert_ne!(self.head, Some(node), "node is already linked");
        let old = self.head;
        // SAFETY: `node` is live and in no list (this method's contract) and
        // we hold the lock (`&mut self`, rule 1).
        unsafe {
            with_links(node, |links| {
                debug_assert!(links.prev.is_none() && links.next.is_none());
                links.next = old;
            })
        };
        match old {
            // SAFETY: the old head is linked here, hence live (rule 2).
            Some(old) => unsafe { with_links(old, |links| links.prev = Some(node)) },
            None => self.tail = Some(node),
        }
        self.head = Some(node);
    }

    /// Links `node` at the back.
    ///
    /// # Safety
    ///
    /// As for [`push_front`](LinkedList::push_front).
    pub(crate) unsafe fn push_back(&mut self, node: NonNull<T>) {
        debug_assert_ne!(self.tail, Some(node), "node is already linked");
        let old = self.tail;
        // SAFETY: as in `push_front`.
        unsafe {
            with_links(node, |links| {
                debug_assert!(links.prev.is_none() && links.next.is_none());
                links.prev = old;
            })
        };
        match old {
            // SAFETY: the old tail is linked here, hence live (rule 2).
            Some(old) => unsafe { with_links(old, |links| links.next = Some(node)) },
            None => self.head = Some(node),
        }
        self.tail = Some(node);
    }

    /// Unlinks and returns the first node.
    pub(crate) fn pop_front(&mut self) -> Option<NonNull<T>> {
        let head = self.head?;
        // SAFETY: the head is linked in this list, hence live (rule 2), and
        // we hold the lock (`&mut self`, rule 1).
        unsafe { self.unlink(head, read_links(head)) };
        Some(head)
    }

    /// Unlinks and returns the last node.
    pub(crate) fn pop_back(&mut self) -> Option<NonNull<T>> {
        let tail = self.tail?;
        // SAFETY: the tail is linked in this list, hence live (rule 2), and
        // we hold the lock (`&mut self`, rule 1).
        unsafe { self.unlink(tail, read_links(tail)) };
        Some(tail)
    }

    /// Unlinks `node` if it is linked; returns whether it was.
    ///
    /// # Safety
    ///
    /// `node` is live, and linked in this list or in none (rule 3).
    pub(crate) unsafe fn remove(&mut self, node: NonNull<T>) -> bool {
        // SAFETY: `node` is live (contract); it is in this list, whose lock
        // we hold, or in none, so no one else touches its links (rule 1).
        let links = unsafe { read_links(node) };
        // Only a head has no `prev`; an unlinked node has neither pointer.
        if links.prev.is_none() && self.head != Some(node) {
            debug_assert!(links.next.is_none(), "node is linked in another list");
            return false;
        }
        // SAFETY: it is linked, and (contract) in this list; `links` are its
        // current links.
        unsafe { self.unlink(node, links) };
        true
    }

    /// The nodes from front to back. The borrow keeps the list (and so
    /// every node in it) as it is while the walk lasts.
    pub(crate) fn iter(&self) -> Iter<'_, T> {
        Iter {
            next: self.head,
            _list: PhantomData,
        }
    }

    /// The pointer surgery: unlinks `node`, whose links are `links`, and
    /// clears its pointers.
    ///
    /// # Safety
    ///
    /// `node` is linked in this list and `links` are its current links.
    unsafe fn unlink(&mut self, node: NonNull<T>, links: Links<T>) {
        // SAFETY: `node` is linked here, hence live (rule 2), and we hold the
        // lock (`&mut self`, rule 1).
        unsafe {
            with_links(node, |l| {
                l.prev = None;
                l.next = None;
            })
        };
        match links.prev {
            // SAFETY: a linked neighbour is live (rule 2); lock held.
            Some(prev) => unsafe { with_links(prev, |l| l.next = links.next) },
            None => self.head = links.next,
        }
        match links.next {
            // SAFETY: a linked neighbour is live (rule 2); lock held.
            Some(next) => unsafe { with_links(next, |l| l.prev = links.prev) },
            None => self.tail = links.prev,
        }
    }
}

/// A walk over a list's nodes, front to back; see [`LinkedList::iter`].
pub(crate) struct Iter<'a, T: Link> {
    next: Option<NonNull<T>>,
    _list: PhantomData<&'a LinkedList<T>>,
}

impl<T: Link> Iterator for Iter<'_, T> {
    type Item = NonNull<T>;

    fn next(&mut self) -> Option<NonNull<T>> {
        let node = self.next?;
        // SAFETY: `node` is linked in the list we borrow, hence live (rule
        // 2), and the borrow excludes every writer of its links (rule 1).
        self.next = unsafe { read_links(node) }.next;
        Some(node)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::pin::{pin, Pin};

    /// A test node: a value and the pointers.
    struct Node {
        value: u32,
        pointers: Pointers<Node>,
    }

    // SAFETY: returns the node's own `pointers` field, by address only.
    unsafe impl Link for Node {
        unsafe fn pointers(node: NonNull<Node>) -> NonNull<Pointers<Node>> {
            // SAFETY: `node` is live (the caller's contract), so the field's
            // address is in bounds and not null.
            unsafe { NonNull::new_unchecked(&raw mut (*node.as_ptr()).pointers) }
        }
    }

    fn node(value: u32) -> Node {
        Node {
            value,
            pointers: Pointers::new(),
        }
    }

    fn ptr(node: Pin<&mut Node>) -> NonNull<Node> {
        // The list only goes through the pointers' `UnsafeCell`, so a
        // pointer made from a shared reference is enough.
        NonNull::from(&*node)
    }

    fn value(node: NonNull<Node>) -> u32 {
        // SAFETY: every test node outlives the list operations on it.
        unsafe { node.as_ref() }.value
    }

    fn values(list: &LinkedList<Node>) -> Vec<u32> {
        list.iter().map(value).collect()
    }

    #[test]
    fn pushes_at_the_back_pop_from_the_front_in_order() {
        let (a, b, c) = (pin!(node(1)), pin!(node(2)), pin!(node(3)));
        let mut list = LinkedList::new();
        assert!(list.is_empty());
        // SAFETY: the nodes are pinned on the stack, declared before the
        // list (so dropped after it), and each is in this list only.
        unsafe {
            list.push_back(ptr(a));
            list.push_back(ptr(b));
            list.push_back(ptr(c));
        }
        assert_eq!(values(&list), [1, 2, 3]);
        assert_eq!(list.front().map(value), Some(1));
        assert_eq!(list.back().map(value), Some(3));
        assert_eq!(list.pop_front().map(value), Some(1));
        assert_eq!(list.pop_front().map(value), Some(2));
        assert_eq!(list.pop_front().map(value), Some(3));
        assert_eq!(list.pop_front(), None);
        assert!(list.is_empty());
        assert_eq!(list.back(), None);
    }

    #[test]
    fn pushes_at_the_front_pop_from_the_back_in_order() {
        let (a, b, c) = (pin!(node(1)), pin!(node(2)), pin!(node(3)));
        let mut list = LinkedList::new();
        // SAFETY: as above.
        unsafe {
            list.push_front(ptr(a));
            list.push_front(ptr(b));
            list.push_front(ptr(c));
        }
        assert_eq!(values(&list), [3, 2, 1]);
        assert_eq!(list.pop_back().map(value), Some(1));
        assert_eq!(list.pop_back().map(value), Some(2));
        assert_eq!(list.pop_back().map(value), Some(3));
        assert_eq!(list.pop_back(), None);
        assert!(list.is_empty());
    }

    #[test]
    fn both_ends_mix() {
        let (a, b, c, d) = (pin!(node(1)), pin!(node(2)), pin!(node(3)), pin!(node(4)));
        let mut list = LinkedList::new();
        // SAFETY: as above.
        unsafe {
            list.push_back(ptr(b));
            list.push_front(ptr(a));
            list.push_back(ptr(c));
        }
        assert_eq!(values(&list), [1, 2, 3]);
        assert_eq!(list.pop_back().map(value), Some(3));
        // SAFETY: as above.
        unsafe { list.push_front(ptr(d)) };
        assert_eq!(values(&list), [4, 1, 2]);
        assert_eq!(list.pop_front().map(value), Some(4));
        assert_eq!(list.pop_back().map(value), Some(2));
        assert_eq!(list.pop_front().map(value), Some(1));
        assert!(list.is_empty());
    }

    #[test]
    fn removes_from_the_head_the_middle_and_the_tail() {
        let mut nodes = [
            Box::pin(node(1)),
            Box::pin(node(2)),
            Box::pin(node(3)),
            Box::pin(node(4)),
            Box::pin(node(5)),
        ];
        let ptrs: Vec<NonNull<Node>> = nodes.iter_mut().map(|n| ptr(n.as_mut())).collect();
        let mut list = LinkedList::new();
        for &p in &ptrs {
            // SAFETY: boxed and pinned, outlive the list, in this list only.
            unsafe { list.push_back(p) };
        }
        // SAFETY: each node removed below is live and linked in this list.
        assert!(unsafe { list.remove(ptrs[2]) });
        assert_eq!(values(&list), [1, 2, 4, 5]);
        // SAFETY: as above.
        assert!(unsafe { list.remove(ptrs[0]) });
        assert_eq!(values(&list), [2, 4, 5]);
        // SAFETY: as above.
        assert!(unsafe { list.remove(ptrs[4]) });
        assert_eq!(values(&list), [2, 4]);
        assert_eq!(list.front().map(value), Some(2));
        assert_eq!(list.back().map(value), Some(4));
        // The links were mended in both directions.
        assert_eq!(list.pop_back().map(value), Some(4));
        assert_eq!(list.pop_back().map(value), Some(2));
        assert!(list.is_empty());
    }

    #[test]
    fn removing_the_only_node_empties_the_list_and_a_second_remove_is_a_no_op() {
        let a = pin!(node(1));
        let a = ptr(a);
        let mut list = LinkedList::new();
        // SAFETY: pinned, outlives the list, in this list only.
        unsafe { list.push_back(a) };
        // SAFETY: live and linked here.
        assert!(unsafe { list.remove(a) });
        assert!(list.is_empty());
        assert_eq!((list.front(), list.back()), (None, None));
        // SAFETY: live and now in no list.
        assert!(!unsafe { list.remove(a) });
        // It can be linked again, at either end.
        // SAFETY: in no list again.
        unsafe { list.push_front(a) };
        assert_eq!(values(&list), [1]);
        assert_eq!(list.pop_back(), Some(a));
    }

    #[test]
    fn remove_of_an_unlinked_node_leaves_the_list_alone() {
        let (a, b) = (pin!(node(1)), pin!(node(2)));
        let (a, b) = (ptr(a), ptr(b));
        let mut list = LinkedList::new();
        // SAFETY: pinned, outlive the list; `b` is in no list.
        unsafe {
            list.push_back(a);
            assert!(!list.remove(b));
        }
        assert_eq!(values(&list), [1]);
        assert_eq!(list.pop_front(), Some(a));
    }

    #[test]
    fn walks_front_to_back_and_a_moved_list_keeps_its_nodes() {
        let mut nodes: Vec<Pin<Box<Node>>> = (0..10).map(|i| Box::pin(node(i))).collect();
        let mut list = LinkedList::new();
        for n in &mut nodes {
            // SAFETY: boxed and pinned, outlive the list, in this list only.
            unsafe { list.push_back(ptr(n.as_mut())) };
        }
        assert_eq!(values(&list), (0..10).collect::<Vec<_>>());
        assert_eq!(
            list.iter().take(3).map(value).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        let mut taken = std::mem::take(&mut list);
        assert!(list.is_empty());
        assert_eq!(list.iter().next(), None);
        assert_eq!(values(&taken), (0..10).collect::<Vec<_>>());
        while taken.pop_front().is_some() {}
    }
}
