#![cfg(loom)]
//! Semaphore: permits are conserved, including the cancel-after-notify hand-off.

use loom::future::block_on;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;
use magpie::sync::Semaphore;
use std::future::Future;
use std::task::{Context, Poll, Waker};

fn poll_once<F: Future>(f: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn one_permit_admits_one_holder_at_a_time() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(1));
        let inside = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (sem, inside) = (sem.clone(), inside.clone());
                thread::spawn(move || {
                    block_on(async {
                        let _p = sem.acquire().await.unwrap();
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                        inside.fetch_sub(1, Ordering::SeqCst);
                    })
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn a_waiter_dropped_after_being_granted_hands_the_permit_on() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let mut first = Box::pin(sem.acquire());
        assert!(poll_once(first.as_mut()).is_pending());
        let s2 = sem.clone();
        let second = thread::spawn(move || {
            block_on(s2.acquire()).unwrap().forget();
        });
        let s3 = sem.clone();
        let releaser = thread::spawn(move || s3.add_permits(1));
        // Dropped while the release runs (no join first, which would make
        // it always granted): granted or not, the permit must reach `second`.
        drop(first);
        releaser.join().unwrap();
        second.join().unwrap();
        assert_eq!(sem.available_permits(), 0);
    });
}

#[test]
fn close_racing_a_waiter_never_leaves_it_hanging() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let s2 = sem.clone();
        let waiter = thread::spawn(move || block_on(s2.acquire()).map(|p| p.forget()).is_err());
        sem.close();
        assert!(waiter.join().unwrap());
    });
}

#[test]
fn a_big_request_collects_permits_from_two_releasers() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let releasers: Vec<_> = (0..2)
            .map(|_| {
                let sem = sem.clone();
                thread::spawn(move || sem.add_permits(1))
            })
            .collect();
        let p = block_on(sem.acquire_many(2)).unwrap();
        assert_eq!(p.num_permits(), 2);
        for t in releasers {
            t.join().unwrap();
        }
    });
}
