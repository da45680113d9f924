//! What `join!` and `try_join!` do with their list of [`MaybeDone`] slots
//! (`future/slots.rs`): poll a range of them in order, and take the outputs
//! once all are done. Written once here, generically over the list, so the
//! expansion has no code per future: it builds the list, keeps the rotation
//! counter, and flattens the outputs.
//!
//! The outputs come out nested as the list is (`(((), a), b)`); the macro
//! flattens them with one pattern. Because the polling function's return
//! type follows from the list's type, the type checker knows it before it
//! reads the closure; with per-future code and an inferred return type, 64
//! futures took it seconds.

use crate::future::maybe_done::MaybeDone;
use crate::future::slots::{NoSlots, Slots};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A list of `join!` slots.
pub trait JoinSlots {
    /// How many slots.
    const LEN: usize;
    /// The outputs, nested as the list is: `(((), a), b)`.
    type Outputs;

    /// Polls the unfinished slots whose index is in `from..to`, in index
    /// order. False if one of them is still running.
    fn poll_range(self: Pin<&mut Self>, cx: &mut Context<'_>, from: usize, to: usize) -> bool;

    /// Takes every output. Panics if one is missing.
    fn take_outputs(self: Pin<&mut Self>) -> Self::Outputs;
}

impl JoinSlots for NoSlots {
    const LEN: usize = 0;
    type Outputs = ();

    fn poll_range(self: Pin<&mut Self>, _: &mut Context<'_>, _: usize, _: usize) -> bool {
        true
    }

    fn take_outputs(self: Pin<&mut Self>) {}
}

impl<Init: JoinSlots, F: Future> JoinSlots for Slots<Init, MaybeDone<F>> {
    const LEN: usize = Init::LEN + 1;
    type Outputs = (Init::Outputs, F::Output);

    fn poll_range(mut self: Pin<&mut Self>, cx: &mut Context<'_>, from: usize, to: usize) -> bool {
        let earlier_done = self.as_mut().init().poll_range(cx, from, to);
        let index = Init::LEN;
        let done = !(from..to).contains(&index) || self.last().poll_done(cx);
        earlier_done && done
    }

    fn take_outputs(mut self: Pin<&mut Self>) -> Self::Outputs {
        let init = self.as_mut().init().take_outputs();
        let last = self.last().take_output();
        (init, last.expect("join! output taken twice"))
    }
}

/// One poll of `join!`: the slots from `start` to the end, then those
/// before `start`; the outputs once every slot is done.
pub fn poll_join<S: JoinSlots>(
    mut slots: Pin<&mut S>,
    cx: &mut Context<'_>,
    start: usize,
) -> Poll<S::Outputs> {
    let later_done = slots.as_mut().poll_range(cx, start, S::LEN);
    let earlier_done = slots.as_mut().poll_range(cx, 0, start);
    if later_done && earlier_done {
        Poll::Ready(slots.take_outputs())
    } else {
        Poll::Pending
    }
}

/// A non-empty list of `try_join!` slots, whose futures all fail with the
/// same error type.
pub trait TryJoinSlots {
    /// How many slots.
    const LEN: usize;
    /// The error every future may fail with.
    type Error;
    /// The `Ok` values, nested as the list is: `(((), a), b)`.
    type Oks;

    /// Polls the unfinished slots whose index is in `from..to`, in index
    /// order, and returns the first error one of them finishes with. Else
    /// false if one of them is still running.
    fn poll_range(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        from: usize,
        to: usize,
    ) -> Result<bool, Self::Error>;

    /// Takes every `Ok` value. Panics if one is missing or an `Err`.
    fn take_oks(self: Pin<&mut Self>) -> Self::Oks;
}

/// Polls a `try_join!` slot if `index` is in `from..to`: its error, if it
/// finished with one; else whether it is done.
fn poll_try_slot<F, T, E>(
    slot: Pin<&mut MaybeDone<F>>,
    cx: &mut Context<'_>,
    index: usize,
    (from, to): (usize, usize),
) -> Result<bool, E>
where
    F: Future<Output = Result<T, E>>,
{
    let mut slot = slot;
    if !(from..to).contains(&index) {
        return Ok(true);
    }
    if !slot.as_mut().poll_done(cx) {
        return Ok(false);
    }
    match slot.as_mut().output_mut() {
        Some(Err(_)) => match slot.take_output() {
            Some(Err(e)) => Err(e),
            _ => unreachable!("the slot held an error a moment ago"),
        },
        _ => Ok(true),
    }
}

/// Takes the `Ok` value out of a finished slot.
fn take_ok<F, T, E>(slot: Pin<&mut MaybeDone<F>>) -> T
where
    F: Future<Output = Result<T, E>>,
{
    match slot.take_output() {
        Some(Ok(v)) => v,
        _ => unreachable!("try_join! takes outputs only once all are Ok"),
    }
}

impl<F, T, E> TryJoinSlots for Slots<NoSlots, MaybeDone<F>>
where
    F: Future<Output = Result<T, E>>,
{
    const LEN: usize = 1;
    type Error = E;
    type Oks = ((), T);

    fn poll_range(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        from: usize,
        to: usize,
    ) -> Result<bool, E> {
        poll_try_slot(self.last(), cx, 0, (from, to))
    }

    fn take_oks(self: Pin<&mut Self>) -> Self::Oks {
        ((), take_ok(self.last()))
    }
}

impl<Before, Prev, F, T, E> TryJoinSlots for Slots<Slots<Before, Prev>, MaybeDone<F>>
where
    Slots<Before, Prev>: TryJoinSlots<Error = E>,
    F: Future<Output = Result<T, E>>,
{
    const LEN: usize = <Slots<Before, Prev> as TryJoinSlots>::LEN + 1;
    type Error = E;
    type Oks = (<Slots<Before, Prev> as TryJoinSlots>::Oks, T);

    fn poll_range(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        from: usize,
        to: usize,
    ) -> Result<bool, E> {
        let earlier_done = self.as_mut().init().poll_range(cx, from, to)?;
        let index = <Slots<Before, Prev> as TryJoinSlots>::LEN;
        let done = poll_try_slot(self.last(), cx, index, (from, to))?;
        Ok(earlier_done && done)
    }

    fn take_oks(mut self: Pin<&mut Self>) -> Self::Oks {
        let init = self.as_mut().init().take_oks();
        (init, take_ok(self.last()))
    }
}

/// One poll of `try_join!`: as [`poll_join`], but the first error a slot
/// finishes with (in polling order) ends it.
pub fn poll_try_join<S: TryJoinSlots>(
    mut slots: Pin<&mut S>,
    cx: &mut Context<'_>,
    start: usize,
) -> Poll<Result<S::Oks, S::Error>> {
    let later_done = match slots.as_mut().poll_range(cx, start, S::LEN) {
        Ok(done) => done,
        Err(e) => return Poll::Ready(Err(e)),
    };
    let earlier_done = match slots.as_mut().poll_range(cx, 0, start) {
        Ok(done) => done,
        Err(e) => return Poll::Ready(Err(e)),
    };
    if later_done && earlier_done {
        Poll::Ready(Ok(slots.take_oks()))
    } else {
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::{pending, ready};
    use std::task::Waker;

    #[test]
    fn join_outputs_come_out_nested_in_argument_order() {
        let slots = NoSlots
            .push(MaybeDone::Future(ready(1)))
            .push(MaybeDone::Future(ready("two")));
        let mut slots = std::pin::pin!(slots);
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(
            poll_join(slots.as_mut(), &mut cx, 1),
            Poll::Ready((((), 1), "two"))
        );
    }

    #[test]
    fn join_is_pending_while_one_slot_is() {
        let slots = NoSlots
            .push(MaybeDone::Future(ready(1)))
            .push(MaybeDone::Future(pending::<u8>()));
        let mut slots = std::pin::pin!(slots);
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(poll_join(slots.as_mut(), &mut cx, 0), Poll::Pending);
    }

    #[test]
    fn try_join_returns_the_first_error_in_polling_order() {
        let failing = |e: &'static str| MaybeDone::Future(ready(Err::<(), _>(e)));
        let mut cx = Context::from_waker(Waker::noop());
        for (start, first) in [(0, "a"), (1, "b"), (2, "c")] {
            let slots = NoSlots
                .push(failing("a"))
                .push(failing("b"))
                .push(failing("c"));
            let slots = std::pin::pin!(slots);
            assert_eq!(
                poll_try_join(slots, &mut cx, start),
                Poll::Ready(Err(first))
            );
        }
    }
}
