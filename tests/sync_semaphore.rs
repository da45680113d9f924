//! `magpie::sync::Semaphore`: counting, fairness, close, cancellation.

#[path = "support/sync_poll.rs"]
mod support;

use futures::executor::block_on;
use magpie::sync::{Semaphore, TryAcquireError};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::{poll_once, ready};

#[test]
fn permits_go_back_when_the_permit_is_dropped() {
    let sem = Semaphore::new(2);
    let a = block_on(sem.acquire()).unwrap();
    let b = sem.try_acquire().unwrap();
    assert_eq!(sem.available_permits(), 0);
    assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    drop(a);
    drop(b);
    assert_eq!(sem.available_permits(), 2);
}

#[test]
fn forgotten_permits_do_not_come_back() {
    let sem = Semaphore::new(3);
    sem.try_acquire_many(2).unwrap().forget();
    assert_eq!(sem.available_permits(), 1);
    sem.add_permits(4);
    assert_eq!(sem.available_permits(), 5);
    assert_eq!(sem.forget_permits(2), 2);
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn a_large_request_at_the_head_is_not_starved_by_small_ones() {
    let sem = Semaphore::new(0);
    let mut big = pin!(sem.acquire_many(3));
    assert!(poll_once(big.as_mut()).is_pending());
    let mut small = pin!(sem.acquire());
    assert!(poll_once(small.as_mut()).is_pending());
    sem.add_permits(1);
    sem.add_permits(1);
    // The small waiter is behind the big one and must not take these.
    assert!(poll_once(small.as_mut()).is_pending());
    assert!(sem.try_acquire().is_err());
    sem.add_permits(2);
    let big = ready(poll_once(big.as_mut())).unwrap();
    assert_eq!(big.num_permits(), 3);
    let _small = ready(poll_once(small.as_mut())).unwrap();
}

#[test]
fn close_fails_every_waiter_and_later_acquire() {
    let sem = Semaphore::new(0);
    let mut a = pin!(sem.acquire());
    let mut b = pin!(sem.acquire_many(2));
    assert!(poll_once(a.as_mut()).is_pending());
    assert!(poll_once(b.as_mut()).is_pending());
    sem.close();
    assert!(ready(poll_once(a.as_mut())).is_err());
    assert!(ready(poll_once(b.as_mut())).is_err());
    assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
    assert!(block_on(sem.acquire()).is_err());
}

#[test]
fn permits_handed_to_a_waiter_closed_midway_go_back() {
    let sem = Semaphore::new(1);
    let mut big = pin!(sem.acquire_many(3));
    assert!(poll_once(big.as_mut()).is_pending());
    sem.close();
    assert!(ready(poll_once(big.as_mut())).is_err());
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn dropping_a_queued_acquire_returns_its_partial_permits_to_the_next_waiter() {
    let sem = Semaphore::new(2);
    let mut big = Box::pin(sem.acquire_many(3));
    assert!(poll_once(big.as_mut()).is_pending()); // took 2, needs 1 more
    let mut next = pin!(sem.acquire_many(2));
    assert!(poll_once(next.as_mut()).is_pending());
    drop(big);
    let p = ready(poll_once(next.as_mut())).unwrap();
    assert_eq!(p.num_permits(), 2);
    drop(p);
    assert_eq!(sem.available_permits(), 2);
}

#[test]
fn dropping_an_acquire_after_it_was_granted_passes_the_permits_on() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().unwrap();
    let mut a = Box::pin(sem.acquire());
    let mut b = pin!(sem.acquire());
    assert!(poll_once(a.as_mut()).is_pending());
    assert!(poll_once(b.as_mut()).is_pending());
    drop(held); // granted to `a`
    drop(a); // never observed it
    let p = ready(poll_once(b.as_mut())).unwrap();
    drop(p);
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn never_more_than_n_holders_across_threads() {
    let sem = Arc::new(Semaphore::new(3));
    let inside = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (sem, inside, max) = (sem.clone(), inside.clone(), max.clone());
            std::thread::spawn(move || {
                block_on(async {
                    for _ in 0..2_000 {
                        let _p = sem.acquire().await.unwrap();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        max.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(max.load(Ordering::SeqCst) <= 3);
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn owned_permits_move_between_threads() {
    let sem = Arc::new(Semaphore::new(1));
    let p = block_on(sem.clone().acquire_owned()).unwrap();
    assert!(sem.clone().try_acquire_owned().is_err());
    std::thread::spawn(move || drop(p)).join().unwrap();
    assert!(sem.clone().try_acquire_many_owned(1).is_ok());
}

#[test]
fn errors_display_and_are_std_errors() {
    let sem = Semaphore::new(0);
    sem.close();
    let err: Box<dyn std::error::Error> = Box::new(block_on(sem.acquire()).unwrap_err());
    assert_eq!(err.to_string(), "semaphore closed");
    assert_eq!(
        TryAcquireError::NoPermits.to_string(),
        "no permits available"
    );
}

#[test]
fn acquiring_zero_permits_never_disturbs_the_queue() {
    let sem = Semaphore::new(0);
    let mut waiting = pin!(sem.acquire());
    assert!(poll_once(waiting.as_mut()).is_pending());
    drop(block_on(sem.acquire_many(0)).unwrap());
    sem.add_permits(1);
    let _p = ready(poll_once(waiting.as_mut())).unwrap();
    assert_eq!(sem.available_permits(), 0);
}

#[test]
fn forget_permits_on_a_closed_semaphore_agrees_with_available_permits() {
    let sem = Semaphore::new(1);
    sem.close();
    assert_eq!(sem.available_permits(), 1);
    assert_eq!(sem.forget_permits(1), 1);
    assert_eq!(sem.available_permits(), 0);
}

#[test]
fn forget_permits_takes_the_free_ones_while_a_big_request_waits() {
    let sem = Semaphore::new(2);
    let mut big = std::pin::pin!(sem.acquire_many(5));
    assert!(poll_once(big.as_mut()).is_pending());
    let free = sem.available_permits();
    assert_eq!(sem.forget_permits(10), free);
    assert_eq!(sem.available_permits(), 0);
    sem.add_permits(5);
    assert!(poll_once(big.as_mut()).is_ready());
}

#[test]
fn split_and_merge_move_permits_between_guards() {
    let sem = Semaphore::new(4);
    let mut a = sem.try_acquire_many(4).unwrap();
    let b = a.split(3).unwrap();
    assert_eq!((a.num_permits(), b.num_permits()), (1, 3));
    assert!(a.split(2).is_none());
    assert_eq!(a.num_permits(), 1, "a failed split moves nothing");
    drop(b);
    assert_eq!(sem.available_permits(), 3);
    a.merge(sem.try_acquire_many(3).unwrap());
    assert_eq!((a.num_permits(), sem.available_permits()), (4, 0));
    drop(a);
    assert_eq!(sem.available_permits(), 4);
}

#[test]
fn a_split_permit_released_elsewhere_feeds_a_waiter() {
    let sem = Arc::new(Semaphore::new(2));
    let mut both = sem.clone().try_acquire_many_owned(2).unwrap();
    let one = both.split(1).unwrap();
    let mut waiter = pin!(sem.acquire_many(2));
    assert!(poll_once(waiter.as_mut()).is_pending());
    std::thread::spawn(move || drop(one)).join().unwrap();
    assert!(poll_once(waiter.as_mut()).is_pending(), "1 of 2");
    drop(both);
    assert_eq!(ready(poll_once(waiter.as_mut())).unwrap().num_permits(), 2);
}

#[test]
#[should_panic(expected = "merging permits from different semaphores")]
fn merging_permits_of_two_semaphores_panics() {
    let (x, y) = (Semaphore::new(1), Semaphore::new(1));
    let mut a = x.try_acquire().unwrap();
    a.merge(y.try_acquire().unwrap());
}

static POOL: Semaphore = Semaphore::new(2);

#[test]
fn a_static_semaphore_counts() {
    let a = POOL.try_acquire().unwrap();
    let b = block_on(POOL.acquire()).unwrap();
    assert!(POOL.try_acquire().is_err());
    drop((a, b));
    assert_eq!(POOL.available_permits(), 2);
}
