//! The three single-threaded executors the current-thread benches compare,
//! behind one small interface, so each workload in `benches/local.rs` is
//! written once and runs on all of them in the same process.
//!
//! * magpie: `Builder::new_current_thread()`; tasks run inside `block_on`
//!   on the calling thread; `task::spawn_local` (and `magpie::spawn`).
//! * tokio: a `current_thread` runtime with every driver on, and a
//!   `LocalSet` for `task::spawn_local` (`tokio::spawn` runs on the
//!   runtime itself, without the set).
//! * smol: `async_executor::LocalExecutor` (one per thread, in a
//!   thread-local, as tasks must reach it to spawn), driven by
//!   `futures_lite::future::block_on(ex.run(..))`; for timers,
//!   `async_io::block_on` so this thread drives the `async-io` reactor
//!   (smol's own `block_on`).
//!
//! Joining goes through each executor's own join handle, channels are each
//! runtime's own (`async-channel` for smol), and so are timers.

use std::cell::OnceCell;
use std::future::Future;
use std::time::Duration;

/// A single-threaded executor under test. Every function except `new`
/// and the `block_on`s is called from inside one of its `block_on`s.
pub trait LocalBench {
    const NAME: &'static str;

    /// Runs `f` on this thread, and the local tasks it spawns with it.
    fn block_on<F: Future>(&self, f: F) -> F::Output;

    /// As `block_on`, where `spawn` (not `spawn_local`) is used: tokio's
    /// `tokio::spawn` needs no `LocalSet` around it.
    fn block_on_send<F: Future>(&self, f: F) -> F::Output {
        self.block_on(f)
    }

    /// As `block_on`, with timers driven (smol: the `async-io` reactor).
    fn block_on_timers<F: Future>(&self, f: F) -> F::Output {
        self.block_on(f)
    }

    /// Spawns a `!Send` task on this thread; the future waits on the
    /// executor's own join handle.
    fn spawn_local<F>(f: F) -> impl Future<Output = F::Output> + 'static
    where
        F: Future + 'static,
        F::Output: 'static;

    /// Spawns a `!Send` task nobody joins (dropping smol's `Task` would
    /// cancel it: it is detached instead).
    fn spawn_detached<F: Future<Output = ()> + 'static>(f: F);

    /// Spawns a `Send` task the executor's usual way.
    fn spawn<F>(f: F) -> impl Future<Output = F::Output> + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// The executor's own bounded channel.
    type Tx: 'static;
    type Rx: 'static;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx);
    fn send(tx: &Self::Tx, value: u64) -> impl Future<Output = ()> + '_;
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = u64> + '_;

    /// The executor's own timer.
    fn sleep(duration: Duration) -> impl Future + 'static;
}

// ---- magpie ---------------------------------------------------------------

pub struct Magpie(magpie::Runtime);

impl Magpie {
    pub fn new() -> Magpie {
        let rt = magpie::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        Magpie(rt)
    }
}

impl LocalBench for Magpie {
    const NAME: &'static str = "magpie";

    fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.0.block_on(f)
    }

    fn spawn_local<F>(f: F) -> impl Future<Output = F::Output> + 'static
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let task = magpie::task::spawn_local(f);
        async move { task.await.unwrap() }
    }

    fn spawn_detached<F: Future<Output = ()> + 'static>(f: F) {
        drop(magpie::task::spawn_local(f));
    }

    fn spawn<F>(f: F) -> impl Future<Output = F::Output> + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let task = magpie::spawn(f);
        async move { task.await.unwrap() }
    }

    type Tx = magpie::sync::mpsc::Sender<u64>;
    type Rx = magpie::sync::mpsc::Receiver<u64>;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        magpie::sync::mpsc::channel(capacity)
    }
    async fn send(tx: &Self::Tx, value: u64) {
        tx.send(value).await.unwrap();
    }
    async fn recv(rx: &mut Self::Rx) -> u64 {
        rx.recv().await.unwrap()
    }

    fn sleep(duration: Duration) -> impl Future + 'static {
        magpie::time::sleep(duration)
    }
}

// ---- tokio ----------------------------------------------------------------

pub struct Tokio {
    rt: tokio::runtime::Runtime,
    local: tokio::task::LocalSet,
}

impl Tokio {
    pub fn new() -> Tokio {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Tokio {
            rt,
            local: tokio::task::LocalSet::new(),
        }
    }
}

impl LocalBench for Tokio {
    const NAME: &'static str = "tokio";

    fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.local.block_on(&self.rt, f)
    }

    fn block_on_send<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    fn spawn_local<F>(f: F) -> impl Future<Output = F::Output> + 'static
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let task = tokio::task::spawn_local(f);
        async move { task.await.unwrap() }
    }

    fn spawn_detached<F: Future<Output = ()> + 'static>(f: F) {
        drop(tokio::task::spawn_local(f));
    }

    fn spawn<F>(f: F) -> impl Future<Output = F::Output> + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let task = tokio::spawn(f);
        async move { task.await.unwrap() }
    }

    type Tx = tokio::sync::mpsc::Sender<u64>;
    type Rx = tokio::sync::mpsc::Receiver<u64>;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        tokio::sync::mpsc::channel(capacity)
    }
    async fn send(tx: &Self::Tx, value: u64) {
        tx.send(value).await.unwrap();
    }
    async fn recv(rx: &mut Self::Rx) -> u64 {
        rx.recv().await.unwrap()
    }

    fn sleep(duration: Duration) -> impl Future + 'static {
        tokio::time::sleep(duration)
    }
}

// ---- smol (async-executor's LocalExecutor) -----------------------------------

std::thread_local! {
    /// This thread's executor: tasks reach it here to spawn (smol code
    /// usually passes `&LocalExecutor` around; the lookup costs the same
    /// as magpie's and tokio's own thread-local context).
    static SMOL: OnceCell<async_executor::LocalExecutor<'static>> = const { OnceCell::new() };
}

fn smol_spawn<F>(f: F) -> async_executor::Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    SMOL.with(|ex| ex.get_or_init(async_executor::LocalExecutor::new).spawn(f))
}

fn smol_run<F: Future>(timers: bool, f: F) -> F::Output {
    SMOL.with(|ex| {
        let ex = ex.get_or_init(async_executor::LocalExecutor::new);
        if timers {
            async_io::block_on(ex.run(f))
        } else {
            futures_lite::future::block_on(ex.run(f))
        }
    })
}

pub struct Smol;

impl LocalBench for Smol {
    const NAME: &'static str = "smol";

    fn block_on<F: Future>(&self, f: F) -> F::Output {
        smol_run(false, f)
    }

    fn block_on_timers<F: Future>(&self, f: F) -> F::Output {
        smol_run(true, f)
    }

    fn spawn_local<F>(f: F) -> impl Future<Output = F::Output> + 'static
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        smol_spawn(f)
    }

    fn spawn_detached<F: Future<Output = ()> + 'static>(f: F) {
        smol_spawn(f).detach();
    }

    /// `LocalExecutor` has one spawn path, `Send` or not.
    fn spawn<F>(f: F) -> impl Future<Output = F::Output> + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        smol_spawn(f)
    }

    type Tx = async_channel::Sender<u64>;
    type Rx = async_channel::Receiver<u64>;
    fn channel(capacity: usize) -> (Self::Tx, Self::Rx) {
        async_channel::bounded(capacity)
    }
    async fn send(tx: &Self::Tx, value: u64) {
        tx.send(value).await.unwrap();
    }
    async fn recv(rx: &mut Self::Rx) -> u64 {
        rx.recv().await.unwrap()
    }

    fn sleep(duration: Duration) -> impl Future + 'static {
        async_io::Timer::after(duration)
    }
}
