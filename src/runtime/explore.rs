//! Running a test under many seeds: each run is a deterministic
//! current-thread runtime (`Builder::deterministic`), so a failing seed
//! replays the same failure every time.

use super::{Builder, UnhandledPanic};
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};

/// The environment variable that replays one seed: with `MAGPIE_SEED=N`
/// set, [`explore`] runs seed `N` only.
pub const SEED_VAR: &str = "MAGPIE_SEED";

/// The first seed under which a test failed (see [`try_explore`]).
pub struct Failure {
    seed: u64,
    message: String,
    test: Option<String>,
    payload: Box<dyn Any + Send>,
}

impl Failure {
    /// The seed that fails.
    ///
    /// ```
    /// let failure = magpie::runtime::try_explore(0..10, || async { panic!("always") })
    ///     .unwrap_err();
    /// assert_eq!(failure.seed(), 0);
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The panic's message (empty if its payload was not a string).
    ///
    /// ```
    /// let failure = magpie::runtime::try_explore(0..1, || async { panic!("boom") })
    ///     .unwrap_err();
    /// assert!(failure.message().contains("boom"));
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The command that replays this failure: the seed in [`SEED_VAR`],
    /// and, when run from a test, the test's name.
    ///
    /// ```
    /// let failure = magpie::runtime::try_explore(5..6, || async { panic!("x") })
    ///     .unwrap_err();
    /// assert!(failure.replay_command().starts_with("MAGPIE_SEED=5 cargo test"));
    /// ```
    pub fn replay_command(&self) -> String {
        match &self.test {
            Some(name) => format!("{SEED_VAR}={} cargo test -- --exact {name}", self.seed),
            None => format!("{SEED_VAR}={} cargo test", self.seed),
        }
    }

    /// The panic payload, to resume unwinding with.
    ///
    /// ```
    /// let failure = magpie::runtime::try_explore(0..1, || async { panic!("p") })
    ///     .unwrap_err();
    /// let payload = failure.into_panic();
    /// assert!(payload.downcast_ref::<String>().is_some() || payload.downcast_ref::<&str>().is_some());
    /// ```
    pub fn into_panic(self) -> Box<dyn Any + Send> {
        self.payload
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("seed", &self.seed)
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "failed with seed {}: {}\nreplay it with: {}",
            self.seed,
            self.message,
            self.replay_command()
        )
    }
}

/// Runs `test` once per seed of `seeds`, each time on a fresh
/// deterministic current-thread runtime
/// ([`Builder::deterministic`](super::Builder::deterministic)), and stops
/// at the first run that panics. `Ok` holds how many seeds ran.
///
/// A panic in any task of the run fails it too, not only one in `test`'s
/// own future (the runtime is built with
/// [`UnhandledPanic::ShutdownRuntime`]): a race that panics a task nobody
/// joins is still found.
///
/// ```
/// use std::{cell::Cell, rc::Rc};
///
/// // Two tasks read, yield, then write: a lost update in some schedules.
/// let result = magpie::runtime::try_explore(0..100, || async {
///     let counter = Rc::new(Cell::new(0));
///     let mut tasks = Vec::new();
///     for _ in 0..2 {
///         let c = counter.clone();
///         tasks.push(magpie::task::spawn_local(async move {
///             let read = c.get();
///             magpie::task::yield_now().await;
///             c.set(read + 1);
///         }));
///     }
///     for t in tasks {
///         t.await.unwrap();
///     }
///     assert_eq!(counter.get(), 2, "lost update");
/// });
/// let failure = result.unwrap_err();
/// assert!(failure.message().contains("lost update"));
/// ```
pub fn try_explore<F, Fut>(seeds: Range<u64>, test: F) -> Result<u64, Failure>
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut runs = 0;
    for seed in seeds {
        run_seed(seed, &test)?;
        runs += 1;
    }
    Ok(runs)
}

/// Runs `test` under `seed` alone: the replay of a failure.
fn run_seed<F, Fut>(seed: u64, test: &F) -> Result<(), Failure>
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let rt = Builder::new_current_thread()
        .deterministic(seed)
        .unhandled_panic(UnhandledPanic::ShutdownRuntime)
        .build()
        .expect("build a deterministic runtime");
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| rt.block_on(test())));
    drop(rt);
    outcome.map_err(|payload| Failure {
        seed,
        message: crate::runtime::task::panic_message(&*payload)
            .unwrap_or("")
            .to_string(),
        test: std::thread::current()
            .name()
            .filter(|name| *name != "main")
            .map(String::from),
        payload,
    })
}

/// [`try_explore`] for tests: runs `test` under every seed of `seeds` and,
/// at the first failure, panics with the seed and the one command that
/// replays it (`MAGPIE_SEED=<seed> cargo test -- --exact <test>`). With
/// [`SEED_VAR`] set in the environment, runs that seed only.
/// `#[magpie::test(seeds = N)]` calls this with `0..N`.
///
/// ```
/// magpie::runtime::explore(0..50, || async {
///     let (tx, rx) = magpie::sync::oneshot::channel();
///     magpie::spawn(async move { tx.send(1).unwrap() });
///     assert_eq!(rx.await.unwrap(), 1);
/// });
/// ```
#[track_caller]
pub fn explore<F, Fut>(seeds: Range<u64>, test: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let seeds = match std::env::var(SEED_VAR) {
        Ok(value) => {
            let seed = value.trim().parse::<u64>().unwrap_or_else(|_| {
                panic!("{SEED_VAR}={value:?} is not a seed (a non-negative integer)")
            });
            seed..seed + 1
        }
        Err(_) => seeds,
    };
    if let Err(failure) = try_explore(seeds, test) {
        eprintln!("magpie: {failure}");
        panic!("{failure}");
    }
}
