//! `magpie::sync::OnceCell`: initialized once, by one task, whatever the
//! others do; an initializer that gives up hands over to the next.

mod support;
#[path = "support/sync_poll.rs"]
mod sync_poll;

use futures::executor::block_on;
use magpie::sync::{oneshot, OnceCell, SetError};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::DropCounter;
use sync_poll::{counting_waker, poll_once, poll_with, ready};

#[test]
fn get_or_init_runs_the_init_once_for_many_concurrent_callers() {
    let rt = support::rt(2);
    let cell = Arc::new(OnceCell::new());
    let runs = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let mut tasks = magpie::task::JoinSet::new();
        for i in 0..32u32 {
            let (cell, runs) = (cell.clone(), runs.clone());
            tasks.spawn(async move {
                *cell
                    .get_or_init(|| async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        // Stay in the initializer across polls, so the
                        // others arrive while it runs.
                        for _ in 0..10 {
                            magpie::task::yield_now().await;
                        }
                        i
                    })
                    .await
            });
        }
        let mut seen = Vec::new();
        while let Some(res) = tasks.join_next().await {
            seen.push(res.unwrap());
        }
        assert_eq!(seen.len(), 32);
        assert!(seen.iter().all(|v| Some(v) == cell.get()), "{seen:?}");
    });
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[test]
fn waiters_get_the_value_without_running_their_own_init() {
    let cell = OnceCell::new();
    let (tx, rx) = oneshot::channel();
    let mut first = pin!(cell.get_or_init(|| async { rx.await.unwrap() }));
    assert!(poll_once(first.as_mut()).is_pending());
    let (woken, waker) = counting_waker();
    let mut second = pin!(cell.get_or_init(|| async { unreachable!("the first one initializes") }));
    assert!(poll_with(second.as_mut(), &waker).is_pending());
    assert!(cell.get().is_none());

    tx.send(5).unwrap();
    assert_eq!(*ready(poll_once(first.as_mut())), 5);
    assert_eq!(woken.wakes(), 1, "publishing wakes the waiter");
    assert_eq!(*ready(poll_once(second.as_mut())), 5);
}

#[test]
fn a_cancelled_initializer_hands_over_to_the_next_waiter() {
    let cell = OnceCell::new();
    let mut first = Box::pin(cell.get_or_init(std::future::pending::<u32>));
    assert!(poll_once(first.as_mut()).is_pending(), "initializing");
    let (woken, waker) = counting_waker();
    let mut second = pin!(cell.get_or_init(|| async { 2 }));
    assert!(poll_with(second.as_mut(), &waker).is_pending(), "queued");

    drop(first);
    assert_eq!(woken.wakes(), 1, "the dropped initializer's turn passes on");
    assert_eq!(*ready(poll_once(second.as_mut())), 2);
    assert_eq!(cell.get(), Some(&2));
}

#[test]
fn a_failed_init_lets_the_next_waiter_try() {
    let cell = OnceCell::new();
    let (tx, rx) = oneshot::channel::<Result<u32, &str>>();
    let mut first = pin!(cell.get_or_try_init(|| async { rx.await.unwrap() }));
    assert!(poll_once(first.as_mut()).is_pending());
    let (woken, waker) = counting_waker();
    let mut second = pin!(cell.get_or_try_init(|| async { Ok::<_, &str>(9) }));
    assert!(poll_with(second.as_mut(), &waker).is_pending());

    tx.send(Err("down")).unwrap();
    assert_eq!(ready(poll_once(first.as_mut())), Err("down"));
    assert!(!cell.initialized());
    assert_eq!(woken.wakes(), 1);
    assert_eq!(ready(poll_once(second.as_mut())), Ok(&9));
}

#[test]
fn a_panicking_init_leaves_the_cell_empty_and_usable() {
    let cell = OnceCell::new();
    let (tx, rx) = oneshot::channel::<()>();
    let mut first = Box::pin(cell.get_or_init(|| async {
        rx.await.unwrap();
        panic!("init failed")
    }));
    assert!(poll_once(first.as_mut()).is_pending());
    let (woken, waker) = counting_waker();
    let mut second = pin!(cell.get_or_init(|| async { 3 }));
    assert!(poll_with(second.as_mut(), &waker).is_pending());

    tx.send(()).unwrap();
    let panicked = catch_unwind(AssertUnwindSafe(|| poll_once(first.as_mut())));
    let message = support::panic_message(&*panicked.unwrap_err());
    assert_eq!(message, "init failed");
    drop(first);
    assert!(!cell.initialized());
    assert_eq!(
        woken.wakes(),
        1,
        "the panicking initializer's turn passes on"
    );
    assert_eq!(*ready(poll_once(second.as_mut())), 3);

    // And with nobody waiting: the cell is simply still empty.
    let cell = OnceCell::<u8>::new();
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        block_on(cell.get_or_init(|| async { panic!("again") }))
    }));
    assert!(panicked.is_err());
    assert_eq!(cell.get(), None);
    assert_eq!(cell.set(4), Ok(()));
}

#[test]
fn set_while_another_task_initializes_is_an_initializing_error() {
    let cell = OnceCell::new();
    let (tx, rx) = oneshot::channel();
    let mut init = pin!(cell.get_or_init(|| async { rx.await.unwrap() }));
    assert!(poll_once(init.as_mut()).is_pending());
    let err = cell.set(1).unwrap_err();
    assert_eq!(err, SetError::InitializingError(1));
    assert!(err.is_initializing_err() && !err.is_already_init_err());
    assert_eq!(err.to_string(), "cell is being initialized");

    tx.send(2).unwrap();
    assert_eq!(*ready(poll_once(init.as_mut())), 2);
    let err = cell.set(3).unwrap_err();
    assert_eq!(err, SetError::AlreadyInitializedError(3));
    assert!(err.is_already_init_err());
    let err: Box<dyn std::error::Error> = Box::new(err);
    assert_eq!(err.to_string(), "cell already initialized");
}

#[test]
fn set_fills_an_empty_cell_and_turns_away_waiting_initializers() {
    let cell = OnceCell::new();
    assert_eq!(cell.set(1), Ok(()));
    assert!(cell.initialized());
    assert_eq!(*block_on(cell.get_or_init(|| async { unreachable!() })), 1);
    let res = block_on(cell.get_or_try_init(|| async { Err::<u8, ()>(()) }));
    assert_eq!(res, Ok(&1), "a set cell runs no initializer");
}

#[test]
fn take_and_into_inner_move_the_value_out_once() {
    let drops = DropCounter::default();
    let mut cell = OnceCell::new();
    assert!(cell.take().is_none());
    cell.set(drops.token()).ok().unwrap();
    let token = cell.take().expect("set");
    assert!(!cell.initialized());
    assert_eq!(drops.count(), 0);
    drop(token);
    assert_eq!(drops.count(), 1);

    cell.set(drops.token())
        .ok()
        .expect("usable again after take");
    let token = cell.into_inner().expect("set");
    assert_eq!(drops.count(), 1, "into_inner moved it out, nothing dropped");
    drop(token);
    assert_eq!(drops.count(), 2);

    let cell = OnceCell::from(drops.token());
    drop(cell);
    assert_eq!(drops.count(), 3, "a dropped cell drops its value");
    drop(OnceCell::<support::DropToken>::new());
    assert_eq!(drops.count(), 3);
}

#[test]
fn get_mut_changes_the_value_in_place() {
    let mut cell = OnceCell::new();
    assert!(cell.get_mut().is_none());
    cell.set(vec![1]).unwrap();
    cell.get_mut().unwrap().push(2);
    assert_eq!(cell.get(), Some(&vec![1, 2]));
}

#[test]
fn clone_eq_debug_default_and_from() {
    let empty = OnceCell::<u8>::default();
    let full = OnceCell::from(4u8);
    assert_eq!(
        format!("{empty:?} {full:?}"),
        "OnceCell { value: None } OnceCell { value: Some(4) }"
    );
    assert_eq!(full.clone(), full);
    assert_eq!(empty.clone(), empty);
    assert_ne!(empty, full);
    assert_eq!(OnceCell::new_with(Some(4u8)), full);
    assert_eq!(OnceCell::new_with(None), empty);

    // A cell being initialized clones as empty.
    let (_tx, rx) = oneshot::channel();
    let mut init = pin!(empty.get_or_init(|| async { rx.await.unwrap() }));
    assert!(poll_once(init.as_mut()).is_pending());
    assert!(!empty.clone().initialized());
}

static EMPTY: OnceCell<String> = OnceCell::const_new();
static FULL: OnceCell<u32> = OnceCell::const_new_with(7);

#[test]
fn const_cells_can_be_statics_shared_by_threads() {
    let threads: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                block_on(EMPTY.get_or_init(|| async move { format!("thread {i}") })).clone()
            })
        })
        .collect();
    let seen: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(seen.iter().all(|s| Some(s) == EMPTY.get()), "{seen:?}");
    assert_eq!(FULL.get(), Some(&7));
    assert!(FULL.set(8).unwrap_err().is_already_init_err());
}
