//! A waker's `Drop` may run arbitrary code — it can own a whole task, and
//! that task a sender, a permit or a lock. Every waiting future here is
//! polled with a waker whose drop uses the same primitive, then polled
//! again with another waker: the first waker is dropped, and that must not
//! happen under the primitive's lock (it would deadlock).

#[path = "support/sync_poll.rs"]
mod support;

use magpie::sync::{broadcast, mpsc, watch, Barrier, Mutex, Notify, RwLock, Semaphore};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Wake, Waker};
use std::time::Duration;
use support::poll_with;

/// A waker that runs `on_drop` when its last clone goes.
struct DropHook(Option<Box<dyn FnOnce() + Send + Sync>>);

impl Wake for DropHook {
    fn wake(self: Arc<Self>) {}
}

impl Drop for DropHook {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f();
        }
    }
}

fn waker_that_on_drop(f: impl FnOnce() + Send + Sync + 'static) -> Waker {
    Waker::from(Arc::new(DropHook(Some(Box::new(f)))))
}

/// Polls `fut` with a waker whose drop runs `on_drop` (it must wait), then
/// with a plain waker, which drops the first one. (What the second poll
/// returns depends on what the hook did: only that it returns matters.)
/// Runs on a thread with a deadline: a deadlock shows as a failure.
fn repoll_dropping_the_first_waker(name: &str, body: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        body();
        tx.send(()).unwrap();
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(()) => {}
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{name}: dropping a replaced waker deadlocked")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            panic!("{name}: the test thread panicked (see above)")
        }
    }
}

fn two_polls<Fut: Future>(fut: Fut, on_drop: impl FnOnce() + Send + Sync + 'static) {
    let mut fut = pin!(fut);
    let first = waker_that_on_drop(on_drop);
    assert!(poll_with(fut.as_mut(), &first).is_pending());
    drop(first); // the future's stored clone is now the last one
    let _ = poll_with(fut.as_mut(), Waker::noop());
}

#[test]
fn broadcast_recv() {
    repoll_dropping_the_first_waker("broadcast", || {
        let (tx, mut rx) = broadcast::channel::<u8>(1);
        let tx = Arc::new(tx);
        let t2 = tx.clone();
        two_polls(rx.recv(), move || {
            let _ = t2.send(1);
        });
    });
}

#[test]
fn notify_notified() {
    repoll_dropping_the_first_waker("notify", || {
        let notify = Arc::new(Notify::new());
        let n2 = notify.clone();
        two_polls(notify.notified(), move || n2.notify_waiters());
    });
}

#[test]
fn semaphore_acquire() {
    repoll_dropping_the_first_waker("semaphore", || {
        let sem = Arc::new(Semaphore::new(0));
        let s2 = sem.clone();
        two_polls(sem.acquire(), move || s2.add_permits(1));
    });
}

#[test]
fn rwlock_write() {
    repoll_dropping_the_first_waker("rwlock", || {
        // Leaked for a 'static read guard the hook can own.
        let lock: &'static RwLock<i32> = Box::leak(Box::new(RwLock::new(0)));
        let reader = lock.try_read().unwrap();
        // The hook releases the read lock the writer waits for.
        two_polls(lock.write(), move || drop(reader));
    });
}

#[test]
fn mutex_lock() {
    repoll_dropping_the_first_waker("mutex", || {
        let lock = Arc::new(Mutex::new(0));
        let held = lock.clone().try_lock_owned().unwrap();
        // The hook unlocks the mutex the waiter waits for.
        two_polls(lock.lock(), move || drop(held));
    });
}

#[test]
fn watch_changed() {
    repoll_dropping_the_first_waker("watch", || {
        let (tx, mut rx) = watch::channel(0u8);
        let tx = Arc::new(tx);
        let t2 = tx.clone();
        two_polls(rx.changed(), move || {
            let _ = t2.send(1);
        });
    });
}

#[test]
fn barrier_wait() {
    repoll_dropping_the_first_waker("barrier", || {
        let barrier = Arc::new(Barrier::new(2));
        let b2 = barrier.clone();
        // The hook arrives too, which releases the barrier.
        two_polls(barrier.wait(), move || {
            let arrive = pin!(b2.wait());
            assert!(poll_with(arrive, Waker::noop()).is_ready());
        });
    });
}

#[test]
fn mpsc_bounded_send_and_recv() {
    repoll_dropping_the_first_waker("mpsc", || {
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        tx.try_send(0).unwrap();
        let t2 = tx.clone();
        two_polls(tx.send(1), move || {
            let _ = t2.try_send(2);
        });
        assert_eq!(rx.try_recv(), Ok(0));
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        two_polls(rx.recv(), move || {
            let _ = tx.try_send(1);
        });
    });
}

/// Polls `fut` with a waker whose drop runs `on_drop`, then drops the
/// future while it waits: its last waker goes with it.
fn poll_then_drop<Fut: Future>(fut: Fut, on_drop: impl FnOnce() + Send + Sync + 'static) {
    let mut fut = Box::pin(fut);
    let first = waker_that_on_drop(on_drop);
    assert!(poll_with(fut.as_mut(), &first).is_pending());
    drop(first);
    drop(fut);
}

#[test]
fn a_waiting_future_dropped_with_its_last_waker() {
    repoll_dropping_the_first_waker("notify (drop)", || {
        let notify = Arc::new(Notify::new());
        let n2 = notify.clone();
        poll_then_drop(notify.notified(), move || n2.notify_waiters());
    });
    repoll_dropping_the_first_waker("semaphore (drop)", || {
        let sem = Arc::new(Semaphore::new(0));
        let s2 = sem.clone();
        poll_then_drop(sem.acquire(), move || s2.add_permits(1));
    });
    repoll_dropping_the_first_waker("broadcast (drop)", || {
        let (tx, mut rx) = broadcast::channel::<u8>(1);
        poll_then_drop(rx.recv(), move || {
            let _ = tx.send(1);
        });
    });
}

/// A waker whose `wake` panics (a foreign executor's bug, or a test's).
struct PanickingWake;

impl Wake for PanickingWake {
    fn wake(self: Arc<Self>) {
        panic!("this waker panics when woken");
    }
}

#[test]
fn a_panicking_wake_does_not_cost_the_other_waiters_their_wake() {
    // Three waiters, the first one's waker panics. The notifier sees the
    // panic, but only after the other two were woken: they were handed the
    // notification and would otherwise sleep forever with it.
    let notify = Notify::new();
    let mut first = pin!(notify.notified());
    let mut second = pin!(notify.notified());
    let mut third = pin!(notify.notified());
    let panicking = Waker::from(Arc::new(PanickingWake));
    let (second_wakes, second_waker) = support::counting_waker();
    let (third_wakes, third_waker) = support::counting_waker();
    assert!(poll_with(first.as_mut(), &panicking).is_pending());
    assert!(poll_with(second.as_mut(), &second_waker).is_pending());
    assert!(poll_with(third.as_mut(), &third_waker).is_pending());

    let notified = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        notify.notify_waiters();
    }));
    assert!(notified.is_err(), "the waker's panic reaches the notifier");
    assert_eq!(second_wakes.wakes(), 1, "the second waiter was not woken");
    assert_eq!(third_wakes.wakes(), 1, "the third waiter was not woken");
    assert!(poll_with(second.as_mut(), Waker::noop()).is_ready());
    assert!(poll_with(third.as_mut(), Waker::noop()).is_ready());
}

#[test]
fn a_panicking_wake_does_not_strand_the_permits_handed_to_later_waiters() {
    let sem = Semaphore::new(0);
    let mut first = pin!(sem.acquire());
    let mut second = pin!(sem.acquire());
    let panicking = Waker::from(Arc::new(PanickingWake));
    let (second_wakes, second_waker) = support::counting_waker();
    assert!(poll_with(first.as_mut(), &panicking).is_pending());
    assert!(poll_with(second.as_mut(), &second_waker).is_pending());

    let added = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sem.add_permits(2)));
    assert!(added.is_err(), "the waker's panic reaches add_permits");
    assert_eq!(
        second_wakes.wakes(),
        1,
        "the second waiter holds a permit it was never told of"
    );
    let permit = poll_with(second.as_mut(), Waker::noop());
    assert!(matches!(permit, std::task::Poll::Ready(Ok(_))));
}
