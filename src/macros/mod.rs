//! The combinator macros: [`join!`](crate::join!),
//! [`try_join!`](crate::try_join!) and [`select!`](crate::select!).
//!
//! All three run their futures *inside the task that awaits them*: no
//! spawning, no extra allocation, no `'static` or `Send` requirement on the
//! futures. The flip side is that they make progress only while that task
//! is polled, and on one core at a time; for CPU-parallel work, `spawn`
//! the futures (or use a `JoinSet`) and join the handles.
//!
//! They are `macro_rules!` macros. Each branch's future gets its own local
//! variable by macro hygiene (every recursion step of the parsing macro
//! introduces a fresh `slot` identifier), so there is no tuple indexing and
//! no limit on the number of branches other than the recursion limit.

#[macro_use]
mod join;
#[macro_use]
mod select;

/// Support code for the macros' expansions. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::future::maybe_done::MaybeDone;
    use std::future::Future;
    use std::pin::Pin;

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
