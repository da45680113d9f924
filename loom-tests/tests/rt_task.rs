#![cfg(loom)]
//! The task state machine under concurrent wake / poll / complete / abort /
//! JoinHandle drop, on a real (loom-modelled) runtime.

use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::{Arc, Mutex};
use std::future::poll_fn;
use std::task::{Poll, Waker};

fn rt(workers: usize) -> magpie::Runtime {
    magpie::runtime::Builder::new()
        .worker_threads(workers)
        .build()
        .unwrap()
}

/// A one-shot flag with a waker slot, written with loom primitives.
#[derive(Clone, Default)]
struct Flag(Arc<(AtomicBool, Mutex<Option<Waker>>)>);

impl Flag {
    fn set(&self) {
        self.0 .0.store(true, Ordering::SeqCst);
        if let Some(w) = self.0 .1.lock().unwrap().take() {
            w.wake();
        }
    }
    async fn wait(&self) {
        poll_fn(|cx| {
            if self.0 .0.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            *self.0 .1.lock().unwrap() = Some(cx.waker().clone());
            if self.0 .0.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            Poll::Pending
        })
        .await
    }
}

#[test]
fn spawn_and_join_across_threads() {
    loom::model(|| {
        let rt = rt(1);
        let h = rt.spawn(async { 7 });
        assert_eq!(rt.block_on(h).unwrap(), 7);
    });
}

#[test]
fn wake_from_another_thread_races_the_poll() {
    loom::model(|| {
        let rt = rt(1);
        let flag = Flag::default();
        let f = flag.clone();
        let h = rt.spawn(async move {
            f.wait().await;
            1
        });
        let setter = loom::thread::spawn(move || flag.set());
        assert_eq!(rt.block_on(h).unwrap(), 1);
        setter.join().unwrap();
    });
}

#[test]
fn abort_races_completion() {
    loom::model(|| {
        let rt = rt(1);
        let h = rt.spawn(async { 3 });
        h.abort();
        match rt.block_on(h) {
            Ok(v) => assert_eq!(v, 3),
            Err(e) => assert!(e.is_cancelled()),
        }
    });
}

#[test]
fn join_handle_drop_races_completion() {
    loom::model(|| {
        let rt = rt(1);
        let flag = Flag::default();
        let f = flag.clone();
        let h = rt.spawn(async move {
            f.set();
            String::from("output is dropped by whoever is last")
        });
        let t = loom::thread::spawn(move || drop(h));
        rt.block_on(flag.wait());
        t.join().unwrap();
    });
}

#[test]
fn abort_of_a_waiting_task_races_its_wake() {
    loom::model(|| {
        let rt = rt(1);
        let flag = Flag::default();
        let f = flag.clone();
        let h = rt.spawn(async move {
            f.wait().await;
        });
        let abort = h.abort_handle();
        let setter = loom::thread::spawn(move || flag.set());
        abort.abort();
        let res = rt.block_on(h);
        assert!(res.is_ok() || res.unwrap_err().is_cancelled());
        setter.join().unwrap();
    });
}

#[test]
fn shutdown_cancels_a_task_woken_concurrently() {
    loom::model(|| {
        let rt = rt(1);
        let flag = Flag::default();
        let f = flag.clone();
        let h = rt.spawn(async move { f.wait().await });
        let setter = loom::thread::spawn(move || flag.set());
        drop(rt);
        setter.join().unwrap();
        // Either it ran to completion before shutdown or it was cancelled.
        let res = loom::future::block_on(h);
        assert!(res.is_ok() || res.unwrap_err().is_cancelled());
    });
}

/// Counts wake-ups; a `Waker` made from it (std's `Wake` needs std's Arc,
/// the counter inside is loom's).
struct WakeCount(loom::sync::atomic::AtomicUsize);

impl std::task::Wake for WakeCount {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn join_handle_waker_replaced_while_the_task_completes() {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::Context;
    loom::model(|| {
        let rt = rt(1);
        let flag = Flag::default();
        let f = flag.clone();
        let mut h = rt.spawn(async move {
            f.wait().await;
            5
        });
        let setter = loom::thread::spawn(move || flag.set());

        let a = std::sync::Arc::new(WakeCount(loom::sync::atomic::AtomicUsize::new(0)));
        let b = std::sync::Arc::new(WakeCount(loom::sync::atomic::AtomicUsize::new(0)));
        let wa = Waker::from(a.clone());
        let wb = Waker::from(b.clone());
        let mut out = None;
        if let Poll::Ready(v) = Pin::new(&mut h).poll(&mut Context::from_waker(&wa)) {
            out = Some(v);
        } else if let Poll::Ready(v) = Pin::new(&mut h).poll(&mut Context::from_waker(&wb)) {
            out = Some(v);
        } else {
            // The handle now waits with waker B: completion must wake it.
            while b.0.load(Ordering::SeqCst) == 0 {
                loom::thread::yield_now();
            }
            if let Poll::Ready(v) = Pin::new(&mut h).poll(&mut Context::from_waker(&wb)) {
                out = Some(v);
            }
        }
        assert_eq!(out.expect("ready after the wake").unwrap(), 5);
        setter.join().unwrap();
        drop(rt);
    });
}
