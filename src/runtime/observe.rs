//! Knobs and reports for seeing inside the scheduler: steal policy,
//! unhandled-panic policy, and slow-poll reports.

use crate::runtime::task::Id;
use std::fmt;
use std::panic::Location;
use std::time::Duration;

/// How much an idle worker takes when it steals from another's queue
/// (see [`Builder::steal_batch`](crate::runtime::Builder::steal_batch)).
///
/// ```
/// use magpie::runtime::{Builder, StealBatch};
/// let rt = Builder::new().steal_batch(StealBatch::One).build().unwrap();
/// # drop(rt);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StealBatch {
    /// Half of the victim's queue, at most 32 tasks besides the one run
    /// at once (crossbeam's cap; the default): fewer, larger steals, so
    /// a burst spreads over the workers in a few steps.
    #[default]
    Half,
    /// One task at a time: the victim keeps its locality; thieves come back
    /// more often.
    One,
}

/// What a panic in a task does to the runtime beyond failing that task's
/// `JoinHandle` (see
/// [`Builder::unhandled_panic`](crate::runtime::Builder::unhandled_panic)).
///
/// ```
/// use magpie::runtime::{Builder, UnhandledPanic};
/// let rt = Builder::new().unhandled_panic(UnhandledPanic::ShutdownRuntime).build().unwrap();
/// let h = rt.spawn(async { panic!("fatal") });
/// assert!(rt.block_on(h).unwrap_err().is_panic());
/// // The runtime shut down: new tasks are cancelled at once.
/// assert!(rt.block_on(rt.spawn(async {})).unwrap_err().is_cancelled());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UnhandledPanic {
    /// The panic goes to the task's `JoinHandle`; the runtime carries on
    /// (the default).
    #[default]
    Ignore,
    /// The runtime shuts down: every other task is cancelled and new ones
    /// are refused. For programs where a panic means a bug that must stop
    /// everything.
    ShutdownRuntime,
}

/// A task poll that ran longer than the
/// [slow-poll threshold](crate::runtime::Builder::slow_poll_threshold):
/// asyncio debug mode's "Executing <Task …> took 0.250 seconds".
///
/// ```
/// use magpie::runtime::Builder;
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let s = seen.clone();
/// let rt = Builder::new()
///     .slow_poll_threshold(Duration::from_millis(20))
///     .on_slow_poll(move |report| s.lock().unwrap().push(report.to_string()))
///     .build()
///     .unwrap();
/// rt.block_on(rt.spawn(async { std::thread::sleep(Duration::from_millis(30)) })).unwrap();
/// drop(rt);
/// assert_eq!(seen.lock().unwrap().len(), 1);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SlowPoll<'a> {
    /// The task's id.
    pub id: Id,
    /// The task's name, if it was spawned with one
    /// ([`task::Builder::name`](crate::task::Builder::name)).
    pub name: Option<&'a str>,
    /// Where the task was spawned.
    pub location: &'static Location<'static>,
    /// How long the poll ran.
    pub duration: Duration,
    /// The worker that ran it.
    pub worker: usize,
}

impl fmt::Display for SlowPoll<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Executing task {}", self.id)?;
        if let Some(name) = self.name {
            write!(f, " {name:?}")?;
        }
        write!(
            f,
            " (spawned at {}) took {:.3} seconds on worker {}",
            self.location,
            self.duration.as_secs_f64(),
            self.worker
        )
    }
}

/// The default slow-poll report: one line on stderr.
pub(crate) fn report_to_stderr(report: &SlowPoll<'_>) {
    eprintln!("magpie: slow poll: {report}");
}
