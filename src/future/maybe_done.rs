//! `MaybeDone`: a future, then its output, then nothing. The slot that
//! `join!` and `try_join!` keep for each of their futures.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// One `join!` slot.
#[derive(Debug)]
pub enum MaybeDone<F: Future> {
    /// Still running.
    Future(F),
    /// Finished; the output waits to be taken.
    Done(F::Output),
    /// The output was taken.
    Gone,
}

impl<F: Future> MaybeDone<F> {
    /// Polls the future if it is still running. True once the output is
    /// available (or was taken).
    pub fn poll_done(self: Pin<&mut Self>, cx: &mut Context<'_>) -> bool {
        // SAFETY: the future in `Future(f)` is structurally pinned: it is
        // only replaced (dropped in place) via `set`, never moved out.
        let this = unsafe { self.get_unchecked_mut() };
        match this {
            MaybeDone::Future(f) => {
                // SAFETY: see above; `this` lives in a pinned place.
                match unsafe { Pin::new_unchecked(f) }.poll(cx) {
                    Poll::Ready(v) => {
                        *this = MaybeDone::Done(v);
                        true
                    }
                    Poll::Pending => false,
                }
            }
            MaybeDone::Done(_) | MaybeDone::Gone => true,
        }
    }

    /// The output, if the future finished and it was not taken yet.
    pub fn output_mut(self: Pin<&mut Self>) -> Option<&mut F::Output> {
        // SAFETY: the output is not structurally pinned (it is a plain
        // value once produced); we never move the future out.
        match unsafe { self.get_unchecked_mut() } {
            MaybeDone::Done(v) => Some(v),
            _ => None,
        }
    }

    /// Takes the output out, leaving `Gone`.
    pub fn take_output(self: Pin<&mut Self>) -> Option<F::Output> {
        // SAFETY: we only move out of `Done`, which holds no pinned data;
        // a `Future` slot is left untouched.
        let this = unsafe { self.get_unchecked_mut() };
        match this {
            MaybeDone::Done(_) => match std::mem::replace(this, MaybeDone::Gone) {
                MaybeDone::Done(v) => Some(v),
                _ => unreachable!(),
            },
            _ => None,
        }
    }
}
