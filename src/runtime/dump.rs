//! Task dumps: what every live task is doing, for finding a stuck program.

use crate::runtime::metrics::histogram::Histogram;
use crate::runtime::task::{Id, RawTask};
use std::fmt;
use std::panic::Location;
use std::time::{Duration, Instant};

/// The live tasks of a runtime at one moment, from
/// [`Handle::dump`](crate::runtime::Handle::dump). `Display` prints a
/// table.
///
/// ```
/// use magpie::runtime::Builder;
///
/// let rt = Builder::new().enable_task_tracking().build().unwrap();
/// let stuck = rt.spawn(std::future::pending::<()>());
/// let dump = rt.handle().dump();
/// assert!(dump.tasks().iter().any(|t| t.id == stuck.id()));
/// println!("{dump}");
/// ```
#[derive(Debug, Clone)]
pub struct Dump {
    tasks: Vec<TaskDump>,
    /// Per worker: scheduling delay (all sources) and poll time, when the
    /// runtime records histograms.
    latency: Vec<(Histogram, Histogram)>,
}

/// One task in a [`Dump`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TaskDump {
    /// The task's id.
    pub id: Id,
    /// Its name, if spawned with one.
    pub name: Option<String>,
    /// Where it was spawned.
    pub location: &'static Location<'static>,
    /// What it is doing.
    pub state: TaskState,
    /// Time since it was spawned (with task tracking enabled).
    pub age: Option<Duration>,
    /// How many times it has been polled (with task tracking enabled).
    pub polls: Option<u64>,
    /// Time since its last poll started (with task tracking enabled and
    /// at least one poll).
    pub since_last_poll: Option<Duration>,
}

/// What a task is doing, in a [`TaskDump`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    /// Waiting for a wake-up (an I/O event, a timer, a message, a lock).
    Idle,
    /// Woken, waiting in a run queue for a worker.
    Scheduled,
    /// Being polled right now.
    Running,
    /// Finished; its output waits for the `JoinHandle`.
    Completing,
}

impl TaskDump {
    pub(crate) fn of(raw: RawTask, now: Instant) -> TaskDump {
        let snapshot = raw.snapshot();
        let state = if snapshot.is_complete() {
            TaskState::Completing
        } else if snapshot.is_running() {
            TaskState::Running
        } else if snapshot.is_notified() {
            TaskState::Scheduled
        } else {
            TaskState::Idle
        };
        let meta = raw.meta();
        let tracked = meta.tracked();
        let spawned = tracked.and_then(|t| t.spawned_at);
        TaskDump {
            id: raw.id(),
            name: meta.name().map(String::from),
            location: meta.location,
            state,
            age: spawned.map(|s| now.saturating_duration_since(s)),
            polls: tracked.map(|t| t.polls()),
            since_last_poll: match (spawned, tracked.and_then(|t| t.last_poll_offset_ns())) {
                (Some(s), Some(ns)) => {
                    Some(now.saturating_duration_since(s + Duration::from_nanos(ns)))
                }
                _ => None,
            },
        }
    }
}

impl Dump {
    pub(crate) fn new(mut tasks: Vec<TaskDump>, latency: Vec<(Histogram, Histogram)>) -> Dump {
        tasks.sort_by_key(|t| t.id);
        Dump { tasks, latency }
    }

    /// The tasks, by id.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// assert!(rt.handle().dump().tasks().is_empty());
    /// ```
    pub fn tasks(&self) -> &[TaskDump] {
        &self.tasks
    }

    /// Per worker, its scheduling-delay histogram (all sources) and its
    /// poll-time histogram; empty unless the runtime records histograms
    /// ([`Builder::enable_histograms`](super::Builder::enable_histograms)).
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new_current_thread().enable_histograms().build().unwrap();
    /// rt.block_on(async { magpie::spawn(async {}).await.unwrap() });
    /// let dump = rt.handle().dump();
    /// let (delay, poll) = &dump.latency()[0];
    /// assert_eq!((delay.count(), poll.count()), (1, 1));
    /// assert!(dump.to_string().contains("scheduling delay"));
    /// ```
    pub fn latency(&self) -> &[(Histogram, Histogram)] {
        &self.latency
    }
}

fn fmt_opt(d: Option<Duration>) -> String {
    match d {
        Some(d) => format!("{:.3}s", d.as_secs_f64()),
        None => "-".to_string(),
    }
}

impl fmt::Display for Dump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} live task(s)", self.tasks.len())?;
        writeln!(
            f,
            "{:>8}  {:<16} {:<10} {:>9} {:>7} {:>10}  spawned at",
            "id", "name", "state", "age", "polls", "last poll"
        )?;
        for t in &self.tasks {
            let state = match t.state {
                TaskState::Idle => "idle",
                TaskState::Scheduled => "scheduled",
                TaskState::Running => "running",
                TaskState::Completing => "completing",
            };
            writeln!(
                f,
                "{:>8}  {:<16} {:<10} {:>9} {:>7} {:>10}  {}",
                t.id.as_u64(),
                t.name.as_deref().unwrap_or("-"),
                state,
                fmt_opt(t.age),
                t.polls.map_or_else(|| "-".to_string(), |p| p.to_string()),
                fmt_opt(t.since_last_poll),
                t.location
            )?;
        }
        for (worker, (delay, poll)) in self.latency.iter().enumerate() {
            writeln!(f, "worker {worker} scheduling delay: {delay}")?;
            writeln!(f, "worker {worker} poll time:        {poll}")?;
        }
        Ok(())
    }
}
