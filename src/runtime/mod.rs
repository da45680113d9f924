//! The runtime: [`Runtime`], its [`Builder`], and the shareable [`Handle`].
//!
//! ```text
//!                 ┌──────────── Handle (Arc<Shared>) ───────────┐
//!  spawn from     │ Injector          idle set (searching/parked)│
//!  outside  ─────►│ driver slot: Poller + timers   blocking pool │
//!                 └─────▲─────────────────▲─────────────────▲────┘
//!                       │ steal           │ steal           │
//!                 ┌─────┴──────┐   ┌──────┴─────┐   ┌───────┴────┐
//!                 │ worker 0   │   │ worker 1   │   │ worker N-1 │
//!                 │ LIFO slot  │   │ LIFO slot  │   │ LIFO slot  │
//!                 │ local deque│   │ local deque│   │ local deque│
//!                 │ parker     │   │ parker     │   │ parker     │
//!                 └────────────┘   └────────────┘   └────────────┘
//! ```
//!
//! ```
//! use magpie::runtime::Builder;
//!
//! let rt = Builder::new().worker_threads(2).build().unwrap();
//! let handle = rt.handle().clone();
//! let answer = rt.block_on(async move {
//!     handle.spawn(async { 42 }).await.unwrap()
//! });
//! assert_eq!(answer, 42);
//! ```

mod block_on;
pub(crate) mod blocking;
mod builder;
mod config;
pub(crate) mod context;
pub(crate) mod driver;
mod dump;
mod explore;
mod flavor;
mod handle;
mod hooks;
mod id;
mod metrics;
mod observe;
mod observer;
#[allow(clippy::module_inception)]
mod runtime;
pub(crate) mod scheduler;
mod simulation;
pub(crate) mod task;
mod trace;

pub use builder::Builder;
pub use context::TryCurrentError;
pub use dump::{Dump, TaskDump, TaskState};
pub use explore::{explore, try_explore, Failure, SEED_VAR};
pub use flavor::RuntimeFlavor;
pub use handle::{EnterGuard, Handle};
pub use hooks::TaskMeta;
pub use id::Id;
pub use metrics::histogram::{DelaySource, Histogram};
pub use metrics::RuntimeMetrics;
pub use observe::{SlowPoll, StealBatch, UnhandledPanic};
pub use runtime::Runtime;

const SPAWN_LOCAL_NOWHERE: &str = "`spawn_local` called where no thread-bound executor runs: \
    call it inside a `LocalSet` (`run_until`, `block_on` or `.await` on the set), inside \
    `block_on` of a current-thread runtime (`Builder::new_current_thread`), or from a task \
    on a multi-thread runtime's worker (the task is then pinned to that worker). From other \
    threads, use `Handle::spawn_pinned`";

const SPAWN_LOCAL_NOT_OWNER: &str = "`spawn_local` called in `block_on` of a current-thread \
    runtime on a thread that does not own its local tasks: they belong to the first thread \
    that ran `block_on` with local tasks; spawn them there";

/// Spawns a `!Send` future on this thread's worker: a task pinned to a
/// multi-thread worker, or a local task of the current-thread runtime this
/// thread drives. The error says where `spawn_local` may be called.
pub(crate) fn spawn_local<F>(
    future: F,
    meta: task::Meta,
) -> Result<task::JoinHandle<F::Output>, &'static str>
where
    F: std::future::Future + 'static,
    F::Output: 'static,
{
    context::with_worker(|worker| match worker {
        Some(w) if w.can_spawn_local() => Ok(w.spawn_local(future, meta)),
        Some(_) => Err(SPAWN_LOCAL_NOT_OWNER),
        None => Err(SPAWN_LOCAL_NOWHERE),
    })
}
