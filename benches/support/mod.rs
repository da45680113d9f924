//! The three runtimes the benches compare, behind one small interface, so
//! each workload is written once and run on all of them in the same process.
//!
//! Every runtime gets the same number of worker threads (the number of
//! CPUs): magpie's multi-thread runtime, tokio's multi-thread runtime, and
//! smol's `async-executor` run by that many threads.
#![allow(dead_code)]

pub mod report;
pub mod workloads;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::thread::JoinHandle;

/// Spawning onto a runtime from anywhere (inside a task or outside).
pub trait Spawn: Clone + Send + Sync + 'static {
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, f: F);
}

/// A runtime under test.
pub trait Bench {
    type Spawner: Spawn;
    const NAME: &'static str;
    fn spawner(&self) -> Self::Spawner;
    fn block_on<F: Future>(&self, f: F) -> F::Output;
}

pub fn workers() -> usize {
    num_cpus::get()
}

// ---- magpie ---------------------------------------------------------------

pub struct Magpie(pub magpie::Runtime);

impl Magpie {
    pub fn new() -> Magpie {
        Magpie::with(|_| {})
    }

    /// A magpie runtime with extra builder settings.
    pub fn with(f: impl FnOnce(&mut magpie::runtime::Builder)) -> Magpie {
        let mut b = magpie::runtime::Builder::new();
        b.worker_threads(workers());
        f(&mut b);
        Magpie(b.build().unwrap())
    }
}

impl Spawn for magpie::runtime::Handle {
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, f: F) {
        drop(magpie::runtime::Handle::spawn(self, f));
    }
}

impl Bench for Magpie {
    type Spawner = magpie::runtime::Handle;
    const NAME: &'static str = "magpie";
    fn spawner(&self) -> Self::Spawner {
        self.0.handle().clone()
    }
    fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.0.block_on(f)
    }
}

// ---- tokio ----------------------------------------------------------------

pub struct Tokio(pub tokio::runtime::Runtime);

impl Tokio {
    pub fn new() -> Tokio {
        Tokio(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers())
                .enable_all()
                .build()
                .unwrap(),
        )
    }
}

impl Spawn for tokio::runtime::Handle {
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, f: F) {
        drop(tokio::runtime::Handle::spawn(self, f));
    }
}

impl Bench for Tokio {
    type Spawner = tokio::runtime::Handle;
    const NAME: &'static str = "tokio";
    fn spawner(&self) -> Self::Spawner {
        self.0.handle().clone()
    }
    fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.0.block_on(f)
    }
}

// ---- smol (async-executor) --------------------------------------------------

pub struct Smol {
    ex: Arc<async_executor::Executor<'static>>,
    stop: Option<async_channel::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

impl Smol {
    pub fn new() -> Smol {
        let ex = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let threads = (0..workers())
            .map(|_| {
                let ex = ex.clone();
                let stopped = stopped.clone();
                std::thread::spawn(move || {
                    let _ = futures_lite::future::block_on(ex.run(stopped.recv()));
                })
            })
            .collect();
        Smol {
            ex,
            stop: Some(stop),
            threads,
        }
    }
}

impl Drop for Smol {
    fn drop(&mut self) {
        drop(self.stop.take());
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

#[derive(Clone)]
pub struct SmolSpawner(Arc<async_executor::Executor<'static>>);

impl Spawn for SmolSpawner {
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, f: F) {
        self.0.spawn(f).detach();
    }
}

impl Bench for Smol {
    type Spawner = SmolSpawner;
    const NAME: &'static str = "smol";
    fn spawner(&self) -> Self::Spawner {
        SmolSpawner(self.ex.clone())
    }
    fn block_on<F: Future>(&self, f: F) -> F::Output {
        futures_lite::future::block_on(f)
    }
}

/// Yields once, in the runtime-neutral way (wake, then `Pending`): every
/// runtime treats a self-wake during a poll as a yield.
pub fn yield_now() -> impl Future<Output = ()> + Send {
    struct YieldNow(bool);
    impl Future for YieldNow {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
            if self.0 {
                return std::task::Poll::Ready(());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
    YieldNow(false)
}
