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
//! their futures in one pinned list of slots (`future/slots.rs`), reached by
//! a path of `init` steps that each step extends; every local they need
//! gets a fresh name by macro hygiene, so there is no tuple indexing and
//! no counting in the expansion. The future a `join!` or `select!` awaits
//! is that list, plus `join!`'s rotation counter: no pointer per branch.

#[macro_use]
mod join;
#[macro_use]
mod select;

/// Support code for the macros' expansions. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::future::maybe_done::MaybeDone;
    pub use crate::future::slots::{poll_pinned, NoSlots, PollPinned, Slots};
    use std::future::Future;
    use std::pin::Pin;

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

    /// A number in `0..n`: the branch `select!` polls first.
    pub fn random_below(n: usize) -> usize {
        crate::future::random_below(n)
    }

    /// If the slot holds an `Err`, takes and returns the error.
    pub fn take_err<F, T, E>(slot: Pin<&mut MaybeDone<F>>) -> Option<E>
    where
        F: Future<Output = Result<T, E>>,
    {
        let mut slot = slot;
        match slot.as_mut().output_mut() {
            Some(Err(_)) => match slot.take_output() {
                Some(Err(e)) => Some(e),
                _ => unreachable!("the slot held an error a moment ago"),
            },
            _ => None,
        }
    }

    /// Takes the `Ok` value out of a finished slot.
    pub fn take_ok<F, T, E>(slot: Pin<&mut MaybeDone<F>>) -> T
    where
        F: Future<Output = Result<T, E>>,
    {
        match slot.take_output() {
            Some(Ok(v)) => v,
            _ => unreachable!("try_join! takes outputs only once all are Ok"),
        }
    }
}
