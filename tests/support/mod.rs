//! Small helpers shared by the integration tests.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A runtime with `n` workers.
pub fn rt(n: usize) -> magpie::Runtime {
    magpie::runtime::Builder::new()
        .worker_threads(n)
        .build()
        .expect("runtime builds")
}

/// Counts how many of its tokens were dropped.
#[derive(Clone, Default)]
pub struct DropCounter(Arc<AtomicUsize>);

impl DropCounter {
    pub fn token(&self) -> DropToken {
        DropToken(self.0.clone())
    }
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

pub struct DropToken(Arc<AtomicUsize>);

impl Drop for DropToken {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The text of a panic payload (`panic!` with a message gives a `String` or
/// a `&str`); empty for any other payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// What [`ThreadBound`] values saw: polls and drops on a thread other than
/// the one that created them (each must stay 0), and how many were dropped.
#[derive(Default)]
pub struct BoundLog {
    pub wrong_thread_polls: AtomicUsize,
    pub wrong_thread_drops: AtomicUsize,
    pub drops: AtomicUsize,
}

impl BoundLog {
    pub fn new() -> Arc<BoundLog> {
        Arc::new(BoundLog::default())
    }

    /// Asserts that nothing crossed threads and `drops` values were dropped.
    pub fn assert_clean(&self, drops: usize) {
        assert_eq!(
            self.wrong_thread_polls.load(Ordering::SeqCst),
            0,
            "a !Send future was polled on another thread"
        );
        assert_eq!(
            self.wrong_thread_drops.load(Ordering::SeqCst),
            0,
            "a !Send future was dropped on another thread"
        );
        assert_eq!(self.drops.load(Ordering::SeqCst), drops, "drop count");
    }
}

/// A `!Send` value that records the thread it was created on and checks,
/// in [`ThreadBound::check`] (call it after every `.await`) and in `Drop`,
/// that it is still there. A violation is counted in the [`BoundLog`]
/// rather than panicking, so a test sees it even where a panic would be
/// swallowed (a future dropped by a cancellation).
pub struct ThreadBound {
    home: std::thread::ThreadId,
    log: Arc<BoundLog>,
    _not_send: std::marker::PhantomData<std::rc::Rc<()>>,
}

impl ThreadBound {
    pub fn new(log: &Arc<BoundLog>) -> ThreadBound {
        ThreadBound {
            home: std::thread::current().id(),
            log: log.clone(),
            _not_send: std::marker::PhantomData,
        }
    }

    pub fn home(&self) -> std::thread::ThreadId {
        self.home
    }

    pub fn check(&self) {
        if std::thread::current().id() != self.home {
            self.log.wrong_thread_polls.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Drop for ThreadBound {
    fn drop(&mut self) {
        if std::thread::current().id() != self.home {
            self.log.wrong_thread_drops.fetch_add(1, Ordering::SeqCst);
        }
        self.log.drops.fetch_add(1, Ordering::SeqCst);
    }
}
