//! The storage behind `join!`, `try_join!` and `select!`: their futures in
//! one pinned list, polled by a function that owns nothing else.
//!
//! The macros build the list by pushing each branch's slot at the end
//! (`NoSlots.push(a).push(b).push(c)` is `Slots<Slots<Slots<NoSlots, A>,
//! B>, C>`), so no step of the expansion has to know how many branches
//! follow, and the slots are laid out back to back with no pointer between
//! them. [`poll_pinned`] wraps the list and a polling function into one
//! future; the function receives the list pinned and reaches a slot by
//! walking [`Slots::init`] then [`Slots::last`] (branch `i` of `n` is
//! `n - 1 - i` steps of `init` then one `last`). The function captures no
//! reference to the slots, so the future the macro awaits is the slots
//! themselves plus whatever small state the function keeps (`join!`'s
//! rotation counter; nothing for `select!`).
//!
//! Pinning is structural throughout: neither type ever moves a slot out,
//! has a `Drop` impl, or implements `Unpin` by hand, so a slot stays where
//! it was first polled until the list is dropped.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The empty list, where every list of slots starts.
#[derive(Debug)]
pub struct NoSlots;

impl NoSlots {
    /// The list holding only `slot`.
    pub fn push<Last>(self, slot: Last) -> Slots<NoSlots, Last> {
        Slots {
            init: self,
            last: slot,
        }
    }
}

/// A list of slots: all but the last (`Init`, itself a list), then the
/// last.
#[derive(Debug)]
pub struct Slots<Init, Last> {
    init: Init,
    last: Last,
}

impl<Init, Last> Slots<Init, Last> {
    /// This list with `slot` added at the end.
    pub fn push<Next>(self, slot: Next) -> Slots<Self, Next> {
        Slots {
            init: self,
            last: slot,
        }
    }

    /// Every slot but the last, still pinned.
    pub fn init(self: Pin<&mut Self>) -> Pin<&mut Init> {
        // SAFETY: `init` is structurally pinned (see the module docs): it is
        // never moved out of a pinned `Slots`.
        unsafe { self.map_unchecked_mut(|list| &mut list.init) }
    }

    /// The last slot, still pinned.
    pub fn last(self: Pin<&mut Self>) -> Pin<&mut Last> {
        // SAFETY: as for `init`: `last` is structurally pinned.
        unsafe { self.map_unchecked_mut(|list| &mut list.last) }
    }
}

/// The future of [`poll_pinned`].
#[derive(Debug)]
pub struct PollPinned<S, F> {
    slots: S,
    poll: F,
}

/// A future that polls `slots` with `poll`, which gets them pinned on
/// every call: `std::future::poll_fn` for a closure that needs pinned
/// state but should not hold a pointer to it.
pub fn poll_pinned<S, F, T>(slots: S, poll: F) -> PollPinned<S, F>
where
    F: FnMut(Pin<&mut S>, &mut Context<'_>) -> Poll<T>,
{
    PollPinned { slots, poll }
}

impl<S, F, T> Future for PollPinned<S, F>
where
    F: FnMut(Pin<&mut S>, &mut Context<'_>) -> Poll<T>,
{
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: `slots` is structurally pinned and handed out only as
        // `Pin<&mut S>`; `poll` is not pinned (only `&mut F` is taken) and
        // nothing is moved out of `self`.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: `this` lives in a pinned place and `slots` is never moved
        // (see above).
        let slots = unsafe { Pin::new_unchecked(&mut this.slots) };
        (this.poll)(slots, cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::{pending, ready};
    use std::task::Waker;

    #[test]
    fn each_slot_is_reached_by_init_steps_then_last() {
        let list = NoSlots.push(ready(1)).push(pending::<i32>()).push(ready(3));
        let mut list = std::pin::pin!(list);
        let mut cx = Context::from_waker(Waker::noop());
        let first = list.as_mut().init().init().last().poll(&mut cx);
        let second = list.as_mut().init().last().poll(&mut cx);
        let third = list.as_mut().last().poll(&mut cx);
        assert_eq!(
            (first, second, third),
            (Poll::Ready(1), Poll::Pending, Poll::Ready(3))
        );
    }

    #[test]
    fn a_list_is_as_big_as_its_slots() {
        let list = NoSlots.push(0u64).push(1u64).push(2u64);
        assert_eq!(std::mem::size_of_val(&list), 24);
    }

    #[test]
    fn poll_pinned_passes_the_slots_and_returns_what_the_function_returns() {
        let mut calls = 0;
        let fut = poll_pinned(NoSlots.push(pending::<()>()).push(ready(5)), |slots, cx| {
            calls += 1;
            slots.last().poll(cx)
        });
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(std::pin::pin!(fut).poll(&mut cx), Poll::Ready(5));
        assert_eq!(calls, 1);
    }
}
