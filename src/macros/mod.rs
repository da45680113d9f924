//! The combinator macros: [`join!`](crate::join!),
//! [`try_join!`](crate::try_join!) and [`select!`](crate::select!).
//!
//! All three run their futures *inside the task that awaits them*: no
//! spawning, no extra allocation, no `'static` or `Send` requirement on the
//! futures. The flip side is that they make progress only while that task
//! is polled, and on one core at a time; for CPU-parallel work, `spawn`
//! the futures (or use a `JoinSet`) and join the handles.
//!
//! They are `macro_rules!` macros that read one branch per recursion step
//! (so the default recursion limit allows about 120 branches) and keep
//! their futures in one pinned list of slots (`future/slots.rs`). `join!`
//! polls the list through generic code (`future/join_slots.rs`); `select!`
//! reaches each branch's slot by a path of `init` steps that each parsing
//! step extends. Every local they need gets a fresh name by macro hygiene,
//! so there is no tuple indexing and no counting in the expansion. The
//! future a `join!` or `select!` awaits is that list, plus `join!`'s
//! rotation counter: no pointer or output slot per branch.

#[macro_use]
mod join;
// Not `#[macro_use]`: in this crate `pin!` stays std's (`$crate::pin!`
// is the exported one).
mod pin;
#[macro_use]
mod select;

/// Support code for the macros' expansions. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::future::join_slots::{poll_join, poll_try_join, JoinSlots, TryJoinSlots};
    pub use crate::future::maybe_done::MaybeDone;
    pub use crate::future::slots::{poll_pinned, NoSlots, PollPinned, Slots};
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// What `select!`'s polling returns: the winning branch's value, nested
    /// one `Earlier` per branch after it (of three branches, the first
    /// wins as `Earlier(Earlier(Last(v)))`, the third as `Last(v)`), or
    /// [`Disabled`] under one `Earlier` per branch when every branch is
    /// disabled. Built and matched by the same tokens, so the expansion
    /// never counts.
    #[derive(Debug)]
    pub enum Outcome<Earlier, Last> {
        /// A branch before the last one won, or none did.
        Earlier(Earlier),
        /// The last branch won with this value.
        Last(Last),
    }

    /// Every branch of a `select!` is disabled: the `else` branch runs.
    #[derive(Debug)]
    pub struct Disabled;

    /// A list of `select!` slots (`Option<F>` each), and the [`Outcome`]
    /// its polling returns.
    pub trait Branches {
        /// `Disabled` under one `Outcome` per branch.
        type Outcome;
    }

    impl Branches for NoSlots {
        type Outcome = Disabled;
    }

    impl<Init: Branches, F: Future> Branches for Slots<Init, Option<F>> {
        type Outcome = Outcome<Init::Outcome, F::Output>;
    }

    /// [`poll_pinned`] for `select!`, with the closure's return type fixed
    /// by the slots. Left to inference from the `Outcome` values the
    /// closure builds, the type checker's work grows so fast with the
    /// number of branches that 64 of them took over a minute.
    pub fn poll_branches<S, P>(slots: S, poll: P) -> PollPinned<S, P>
    where
        S: Branches,
        P: FnMut(Pin<&mut S>, &mut Context<'_>) -> Poll<S::Outcome>,
    {
        poll_pinned(slots, poll)
    }

    /// [`poll_pinned`] for `join!`, with the closure's return type fixed by
    /// the slots (see [`poll_branches`]).
    pub fn poll_joined<S, P>(slots: S, poll: P) -> PollPinned<S, P>
    where
        S: JoinSlots,
        P: FnMut(Pin<&mut S>, &mut Context<'_>) -> Poll<S::Outputs>,
    {
        poll_pinned(slots, poll)
    }

    /// [`poll_pinned`] for `try_join!`, with the closure's return type fixed
    /// by the slots (see [`poll_branches`]).
    pub fn poll_try_joined<S, P>(slots: S, poll: P) -> PollPinned<S, P>
    where
        S: TryJoinSlots,
        P: FnMut(Pin<&mut S>, &mut Context<'_>) -> Poll<Result<S::Oks, S::Error>>,
    {
        poll_pinned(slots, poll)
    }

    /// What `select!` without `else` does when every branch is disabled.
    /// A function rather than `panic!` in the expansion, whose own macro
    /// steps would count against the recursion limit.
    #[track_caller]
    pub fn all_branches_disabled() -> ! {
        panic!("select!: all branches are disabled and there is no else branch")
    }

    /// An arm of a `select!` expansion that is never taken: the one whose
    /// guard always refuses, or the fallback of a pattern that matched the
    /// same value a moment ago.
    #[track_caller]
    pub fn never_taken() -> ! {
        unreachable!("select!: an arm its expansion never takes")
    }

    /// `Pending` (the task woken) when the task's cooperative budget is
    /// spent: `select!` checks it before polling any branch, as tokio's
    /// does, so a loop around a `select!` whose winning branch spends no
    /// budget still yields.
    #[inline]
    pub fn poll_budget_available(cx: &mut Context<'_>) -> Poll<()> {
        crate::runtime::task::coop::poll_budget_available(cx)
    }

    /// A number in `0..n`: the branch `select!` polls first.
    pub fn random_below(n: usize) -> usize {
        crate::future::random_below(n)
    }
}
