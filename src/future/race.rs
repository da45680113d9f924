//! `race`: the first of two futures to finish.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs two futures in the current task and returns the output of the first
/// one to complete; the other is dropped (cancelled) with the `Race`.
///
/// Which future is polled first is chosen at random on every poll, so
/// neither side can starve the other by always being ready. If you want a
/// fixed order, use [`select!`](crate::select!) with `biased;`.
///
/// ```
/// use magpie::future::race;
/// use magpie::time::{sleep, Duration};
///
/// let rt = magpie::Runtime::new().unwrap();
/// let winner = rt.block_on(race(
///     async {
///         sleep(Duration::from_secs(60)).await;
///         "slow"
///     },
///     async { "fast" },
/// ));
/// assert_eq!(winner, "fast");
/// ```
pub fn race<A, B, T>(a: A, b: B) -> Race<A::IntoFuture, B::IntoFuture>
where
    A: IntoFuture<Output = T>,
    B: IntoFuture<Output = T>,
{
    Race {
        a: a.into_future(),
        b: b.into_future(),
    }
}

/// The future returned by [`race`].
///
/// ```
/// use magpie::future::{race, ready, Race, Ready};
///
/// let r: Race<Ready<u8>, Ready<u8>> = race(ready(1), ready(2));
/// let rt = magpie::Runtime::new().unwrap();
/// let v = rt.block_on(r);
/// assert!(v == 1 || v == 2);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Race<A, B> {
    a: A,
    b: B,
}

impl<A, B, T> Future for Race<A, B>
where
    A: Future<Output = T>,
    B: Future<Output = T>,
{
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // SAFETY: `a` and `b` are structurally pinned: they are never moved
        // out of `self`, and `Race` has no `Drop` impl or `Unpin` impl that
        // would let them move.
        let (a, b) = unsafe {
            let this = self.get_unchecked_mut();
            (
                Pin::new_unchecked(&mut this.a),
                Pin::new_unchecked(&mut this.b),
            )
        };
        if super::random_below(2) == 0 {
            if let Poll::Ready(v) = a.poll(cx) {
                return Poll::Ready(v);
            }
            b.poll(cx)
        } else {
            if let Poll::Ready(v) = b.poll(cx) {
                return Poll::Ready(v);
            }
            a.poll(cx)
        }
    }
}
