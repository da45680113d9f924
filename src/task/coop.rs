//! Cooperative scheduling (tokio's `task::coop`): each task poll gets a
//! budget of 128 operations on magpie's leaf futures (channel receives,
//! socket reads, timers, locks); once it is spent they yield once, so one
//! always-ready task cannot starve its worker. These functions let your
//! own code take part.

use crate::runtime::task::coop;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Spends one unit of the task's budget, yielding first if it is spent:
/// put it in a loop of your own that may never wait (a parser over a
/// buffer that is always full), so the loop takes turns with other tasks.
///
/// ```
/// let rt = magpie::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     let mut sum = 0u64;
///     for i in 0..10_000 {
///         magpie::task::coop::consume_budget().await;
///         sum += i;
///     }
///     assert_eq!(sum, 49_995_000);
/// });
/// ```
pub async fn consume_budget() {
    coop::consume_budget().await
}

/// Whether the current task's budget has units left (always true outside
/// a magpie task, or inside [`unconstrained`]).
///
/// ```
/// assert!(magpie::task::coop::has_budget_remaining());
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(rt.spawn(async {
///     assert!(magpie::task::coop::has_budget_remaining());
/// }))
/// .unwrap();
/// ```
pub fn has_budget_remaining() -> bool {
    coop::has_budget_remaining()
}

/// Runs `future` without a budget: magpie's leaf futures inside it never
/// yield for fairness. For code that must not be interleaved, or that
/// measures; it can starve other tasks of its worker.
///
/// ```
/// let rt = magpie::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
///     for i in 0..1000 {
///         tx.send(i).unwrap();
///     }
///     let drained = magpie::task::coop::unconstrained(async move {
///         let mut n = 0;
///         while n < 1000 {
///             rx.recv().await.unwrap();
///             n += 1;
///         }
///         n
///     })
///     .await;
///     assert_eq!(drained, 1000);
/// });
/// assert_eq!(rt.handle().metrics().budget_forced_yield_count(), 0);
/// ```
pub fn unconstrained<F: Future>(future: F) -> Unconstrained<F> {
    Unconstrained { future }
}

/// The future [`unconstrained`] returns.
#[must_use = "futures do nothing unless you `.await` or poll them"]
#[derive(Debug)]
pub struct Unconstrained<F> {
    future: F,
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: never moved out of a
        // pinned `Unconstrained`, which has no `Drop` of its own.
        let future = unsafe { self.map_unchecked_mut(|this| &mut this.future) };
        coop::with_unconstrained(|| future.poll(cx))
    }
}
