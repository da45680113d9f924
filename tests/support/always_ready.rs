//! Futures that are always ready to go on, for the fairness tests of
//! `join!`, `try_join!` and `select!`: whoever is polled first must not be
//! able to keep the others from making progress.
#![allow(dead_code)]

use magpie::sync::mpsc::{self, UnboundedReceiver};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::task::Poll;

/// A future that is pending `pending_polls` times, waking its task at once
/// each time (always ready to go on), then finishes; every poll appends
/// `id` to `log`.
pub fn logs_polls<'a>(
    id: char,
    mut pending_polls: usize,
    log: &'a RefCell<String>,
) -> impl Future<Output = ()> + 'a {
    std::future::poll_fn(move |cx| {
        log.borrow_mut().push(id);
        if pending_polls == 0 {
            return Poll::Ready(());
        }
        pending_polls -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
}

/// The starvation contest: a channel of 10,000 messages that are all
/// ready, so draining it spends the task's whole cooperative budget on
/// every poll, and a channel with one ready message.
pub fn ten_thousand_messages_and_one() -> (UnboundedReceiver<u32>, UnboundedReceiver<()>) {
    let (busy_tx, busy_rx) = mpsc::unbounded_channel();
    for i in 0..10_000 {
        busy_tx.send(i).unwrap();
    }
    let (tx, rx) = mpsc::unbounded_channel();
    tx.send(()).unwrap();
    (busy_rx, rx)
}

/// Receives until the channel is empty and closed, counting in `drained`.
pub async fn drain(rx: &mut UnboundedReceiver<u32>, drained: &Cell<usize>) {
    while rx.recv().await.is_some() {
        drained.set(drained.get() + 1);
    }
}

/// Receives one message, then reports how many `drain` had taken by then.
pub async fn drained_when_one_arrived(
    rx: &mut UnboundedReceiver<()>,
    drained: &Cell<usize>,
) -> usize {
    rx.recv().await.unwrap();
    drained.get()
}
