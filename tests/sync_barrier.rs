//! `magpie::sync::Barrier`: rendezvous with one leader per round.

#[path = "support/sync_poll.rs"]
mod support;

use futures::executor::block_on;
use magpie::sync::Barrier;
use std::pin::pin;
use std::sync::Arc;
use support::{poll_once, ready};

#[test]
fn the_barrier_opens_when_n_wait_and_exactly_one_leads() {
    let barrier = Arc::new(Barrier::new(4));
    for _round in 0..3 {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let b = barrier.clone();
                std::thread::spawn(move || block_on(b.wait()).is_leader())
            })
            .collect();
        let leaders = threads
            .into_iter()
            .map(|t| t.join().unwrap())
            .filter(|l| *l)
            .count();
        assert_eq!(leaders, 1);
    }
}

#[test]
fn fewer_than_n_waiters_keep_waiting() {
    let b = Barrier::new(2);
    let mut first = pin!(b.wait());
    assert!(poll_once(first.as_mut()).is_pending());
    assert!(poll_once(first.as_mut()).is_pending());
    assert!(block_on(b.wait()).is_leader());
    assert!(!ready(poll_once(first.as_mut())).is_leader());
}

#[test]
fn a_dropped_waiter_withdraws_its_arrival() {
    let b = Barrier::new(2);
    let mut gone = Box::pin(b.wait());
    assert!(poll_once(gone.as_mut()).is_pending());
    drop(gone);
    let mut first = pin!(b.wait());
    assert!(poll_once(first.as_mut()).is_pending());
    assert!(block_on(b.wait()).is_leader());
    ready(poll_once(first.as_mut()));
}
