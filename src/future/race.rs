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

#[cfg(test)]
mod tests {
    use super::race;
    use std::future::{pending, ready};

    #[test]
    fn the_ready_side_wins_whichever_side_it_is() {
        assert_eq!(futures::executor::block_on(race(pending(), ready(1))), 1);
        assert_eq!(futures::executor::block_on(race(ready(2), pending())), 2);
    }

    #[test]
    fn when_both_are_ready_each_side_sometimes_wins() {
        let mut wins = [0; 2];
        for _ in 0..200 {
            wins[futures::executor::block_on(race(ready(0), ready(1)))] += 1;
        }
        assert!(wins[0] > 0 && wins[1] > 0, "{wins:?}");
    }

    #[test]
    fn the_loser_is_dropped_with_the_race() {
        struct Flag<'a>(&'a std::cell::Cell<bool>);
        impl Drop for Flag<'_> {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let dropped = std::cell::Cell::new(false);
        let flag = Flag(&dropped);
        let loser = async move {
            let _flag = flag;
            pending::<u8>().await
        };
        assert_eq!(futures::executor::block_on(race(loser, ready(3))), 3);
        assert!(dropped.get());
    }
}
