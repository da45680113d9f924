//! The three runtimes the benches compare, behind one small interface, so
//! each workload is written once and run on all of them in the same process.
//!
//! Every runtime gets the same number of worker threads (the number of
//! CPUs): magpie's multi-thread runtime, tokio's multi-thread runtime, and
//! smol's `async-executor` run by that many threads.
//!
//! Workloads that need more than spawning name it in a sub-trait next to
//! this one: [`net::NetBench`] (a TCP listener and stream per runtime) and
//! [`time::TimeBench`] (sleep and timeout per runtime).
//!
//! The current-thread benches (`benches/local.rs`) compare single-threaded
//! executors instead, behind [`local::LocalBench`]; [`floor`] is their
//! no-atomics baseline task.
#![allow(dead_code)]

pub mod floor;
pub mod local;
pub mod net;
pub mod report;
pub mod time;
pub mod workloads;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::thread::JoinHandle;

/// Spawning onto a runtime from anywhere (inside a task or outside).
pub trait Spawn: Clone + Send + Sync + 'static {
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, f: F);

    /// Spawns `f` and returns a future of its output that waits on the
    /// runtime's own join handle (so joining costs what it costs natively);
    /// a panic in `f` panics the waiter.
    fn spawn_join<F>(&self, f: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
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

    fn spawn_join<F>(&self, f: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let task = magpie::runtime::Handle::spawn(self, f);
        async move { task.await.unwrap() }
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
    /// A tokio runtime with every driver enabled.
    pub fn new() -> Tokio {
        Tokio::with(|b| {
            b.enable_all();
        })
    }

    /// A tokio runtime with the drivers (and other settings) `f` enables.
    pub fn with(f: impl FnOnce(&mut tokio::runtime::Builder)) -> Tokio {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(workers());
        f(&mut b);
        Tokio(b.build().unwrap())
    }
}

impl Spawn for tokio::runtime::Handle {
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, f: F) {
        drop(tokio::runtime::Handle::spawn(self, f));
    }

    fn spawn_join<F>(&self, f: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let task = tokio::runtime::Handle::spawn(self, f);
        async move { task.await.unwrap() }
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
    /// Whether threads wait with `async_io::block_on` (see [`Smol::with_io`]).
    io: bool,
    stop: Option<async_channel::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

impl Smol {
    /// Worker threads and `block_on` wait with `futures_lite`'s `block_on`:
    /// the executor alone, for workloads without I/O or timers.
    pub fn new() -> Smol {
        Smol::start(false)
    }

    /// Worker threads and `block_on` wait with `async_io::block_on`, which
    /// drives the `async-io` reactor (sockets and timers) while it has
    /// nothing to run: smol's own setup, for the net and time benches.
    pub fn with_io() -> Smol {
        Smol::start(true)
    }

    fn start(io: bool) -> Smol {
        let ex = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let threads = (0..workers())
            .map(|_| {
                let ex = ex.clone();
                let stopped = stopped.clone();
                std::thread::spawn(move || {
                    let _ = smol_block_on(io, ex.run(stopped.recv()));
                })
            })
            .collect();
        Smol {
            ex,
            io,
            stop: Some(stop),
            threads,
        }
    }
}

fn smol_block_on<F: Future>(io: bool, f: F) -> F::Output {
    if io {
        async_io::block_on(f)
    } else {
        futures_lite::future::block_on(f)
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

    fn spawn_join<F>(&self, f: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0.spawn(f)
    }
}

impl Bench for Smol {
    type Spawner = SmolSpawner;
    const NAME: &'static str = "smol";
    fn spawner(&self) -> Self::Spawner {
        SmolSpawner(self.ex.clone())
    }
    fn block_on<F: Future>(&self, f: F) -> F::Output {
        smol_block_on(self.io, f)
    }
}

/// Benches `$workload(&mut group, &runtime)` in `$group` on magpie, on the
/// tokio runtime `$tokio` and on smol driving `async-io` (for the net and
/// time benches), then closes the group. Each runtime is built just before
/// its turn and dropped after it, so no other runtime's threads are around.
#[macro_export]
macro_rules! on_each_runtime {
    ($group:ident, $workload:ident, $tokio:expr) => {{
        $workload(&mut $group, &$crate::support::Magpie::new());
        $workload(&mut $group, &$tokio);
        $workload(&mut $group, &$crate::support::Smol::with_io());
        $group.finish();
    }};
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
