#![cfg(loom)]
//! OnceCell: racing initializers produce exactly one value that everyone
//! sees; an initializer dropped mid-init hands over without a lost wake-up;
//! `set` racing an initializer reports the right error.

use loom::future::block_on;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;
use magpie::sync::{OnceCell, SetError};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

#[test]
fn two_racing_initializers_run_one_init_and_both_see_its_value() {
    loom::model(|| {
        let cell = Arc::new(OnceCell::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let (cell2, runs2) = (cell.clone(), runs.clone());
        let t = thread::spawn(move || {
            *block_on(cell2.get_or_init(|| async move {
                runs2.fetch_add(1, Ordering::Relaxed);
                1
            }))
        });
        let mine = *block_on(cell.get_or_init(|| async {
            runs.fetch_add(1, Ordering::Relaxed);
            2
        }));
        let theirs = t.join().unwrap();
        assert_eq!(mine, theirs);
        assert_eq!(cell.get(), Some(&mine));
        assert_eq!(runs.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn an_initializer_dropped_mid_init_hands_over_to_the_waiter() {
    loom::model(|| {
        let cell = Arc::new(OnceCell::new());
        let cell2 = cell.clone();
        let t = thread::spawn(move || {
            // Polled once: it either starts initializing (and never
            // finishes) or finds the value set; then it is dropped.
            let mut init = pin!(cell2.get_or_init(std::future::pending::<u32>));
            let _ = init.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        });
        // Must complete whatever `t` did: a lost hand-over is a deadlock.
        assert_eq!(*block_on(cell.get_or_init(|| async { 2 })), 2);
        t.join().unwrap();
        assert_eq!(cell.get(), Some(&2));
    });
}

#[test]
fn set_racing_an_initializer_reports_which_one_won() {
    loom::model(|| {
        let cell = Arc::new(OnceCell::new());
        let cell2 = cell.clone();
        let t = thread::spawn(move || cell2.set(1));
        let got = *block_on(cell.get_or_init(|| async { 2 }));
        match t.join().unwrap() {
            Ok(()) => assert_eq!(got, 1),
            Err(SetError::InitializingError(1)) | Err(SetError::AlreadyInitializedError(1)) => {
                assert_eq!(got, 2)
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
        assert_eq!(cell.get(), Some(&got));
    });
}

#[test]
fn a_value_seen_through_get_is_fully_written() {
    loom::model(|| {
        let cell = Arc::new(OnceCell::new());
        let cell2 = cell.clone();
        let t = thread::spawn(move || cell2.set(String::from("x")).unwrap());
        // Spin until it is seen (no join first, which would order the two
        // threads): it must be whole, and loom checks the slot's accesses.
        let v = loop {
            match cell.get() {
                Some(v) => break v,
                None => thread::yield_now(),
            }
        };
        assert_eq!(v, "x");
        t.join().unwrap();
    });
}
