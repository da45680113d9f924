//! Callbacks a runtime runs at scheduling events: a worker parking and
//! waking, a task spawned, polled and terminated (tokio's hooks, stable
//! here). Each costs one branch when unset: the observer folds "any poll
//! hook, trace or tracking on" into one flag checked per poll.

use super::config::Callback;
use super::Builder;
use crate::runtime::task::{Id, RawTask};
use std::fmt;
use std::panic::Location;
use std::sync::Arc as StdArc;

/// What a task hook is told about the task.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let spawned = Arc::new(AtomicUsize::new(0));
/// let s = spawned.clone();
/// let rt = magpie::runtime::Builder::new_current_thread()
///     .on_task_spawn(move |meta| {
///         assert!(meta.spawned_at().file().ends_with(".rs"));
///         s.fetch_add(1, Ordering::SeqCst);
///     })
///     .build()
///     .unwrap();
/// rt.block_on(async { magpie::spawn(async {}).await.unwrap() });
/// assert_eq!(spawned.load(Ordering::SeqCst), 1);
/// ```
pub struct TaskMeta<'a> {
    id: Id,
    spawned_at: &'static Location<'static>,
    name: Option<&'a str>,
}

impl<'a> TaskMeta<'a> {
    pub(crate) fn of(task: &'a RawTask) -> TaskMeta<'a> {
        TaskMeta {
            id: task.id(),
            spawned_at: task.meta().location,
            name: task.meta().name(),
        }
    }

    /// The task's id.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new_current_thread()
    ///     .on_task_spawn(|meta| assert!(meta.id().as_u64() > 0))
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async { magpie::spawn(async {}).await.unwrap() });
    /// ```
    pub fn id(&self) -> Id {
        self.id
    }

    /// Where the task was spawned.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new_current_thread()
    ///     .on_task_spawn(|meta| assert!(meta.spawned_at().line() > 0))
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async { magpie::spawn(async {}).await.unwrap() });
    /// ```
    pub fn spawned_at(&self) -> &'static Location<'static> {
        self.spawned_at
    }

    /// The task's name, if it was given one (`task::Builder::name`).
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new_current_thread()
    ///     .on_task_spawn(|meta| assert_eq!(meta.name(), Some("named")))
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     magpie::task::Builder::new().name("named").spawn(async {}).unwrap().await.unwrap()
    /// });
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name
    }
}

impl fmt::Debug for TaskMeta<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskMeta")
            .field("id", &self.id)
            .field("spawned_at", &self.spawned_at)
            .field("name", &self.name)
            .finish()
    }
}

pub(crate) type TaskCallback = StdArc<dyn Fn(&TaskMeta<'_>) + Send + Sync>;

/// The hooks a builder collected.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub(crate) on_thread_park: Option<Callback>,
    pub(crate) on_thread_unpark: Option<Callback>,
    pub(crate) on_task_spawn: Option<TaskCallback>,
    pub(crate) on_task_terminate: Option<TaskCallback>,
    pub(crate) before_poll: Option<TaskCallback>,
    pub(crate) after_poll: Option<TaskCallback>,
}

impl Hooks {
    /// Whether a poll must go through the observed (slow) path.
    pub(crate) fn on_poll(&self) -> bool {
        self.before_poll.is_some() || self.after_poll.is_some()
    }
}

impl Builder {
    /// Runs `f` on a worker thread right before it goes to sleep (no task
    /// to run). On a current-thread runtime, on the thread in `block_on`.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let parks = Arc::new(AtomicUsize::new(0));
    /// let p = parks.clone();
    /// let rt = magpie::runtime::Builder::new_current_thread()
    ///     .on_thread_park(move || {
    ///         p.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async { magpie::time::sleep(std::time::Duration::from_millis(2)).await });
    /// assert!(parks.load(Ordering::SeqCst) >= 1);
    /// ```
    pub fn on_thread_park<F>(&mut self, f: F) -> &mut Builder
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.config.hooks.on_thread_park = Some(StdArc::new(f));
        self
    }

    /// Runs `f` on a worker thread right after it wakes from a sleep.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let wakes = Arc::new(AtomicUsize::new(0));
    /// let w = wakes.clone();
    /// let rt = magpie::runtime::Builder::new_current_thread()
    ///     .on_thread_unpark(move || {
    ///         w.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async { magpie::time::sleep(std::time::Duration::from_millis(2)).await });
    /// assert!(wakes.load(Ordering::SeqCst) >= 1);
    /// ```
    pub fn on_thread_unpark<F>(&mut self, f: F) -> &mut Builder
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.config.hooks.on_thread_unpark = Some(StdArc::new(f));
        self
    }

    /// Runs `f` for every task spawned on the runtime (`spawn`,
    /// `spawn_local` on its workers, `spawn_pinned`), on the spawning
    /// thread, before the task can first run.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new()
    ///     .on_task_spawn(|meta| println!("spawned {} at {}", meta.id(), meta.spawned_at()))
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(rt.spawn(async {})).unwrap();
    /// ```
    pub fn on_task_spawn<F>(&mut self, f: F) -> &mut Builder
    where
        F: Fn(&TaskMeta<'_>) + Send + Sync + 'static,
    {
        self.config.hooks.on_task_spawn = Some(StdArc::new(f));
        self
    }

    /// Runs `f` when a task of the runtime terminates: it completed,
    /// panicked or was cancelled. It runs before the task's `JoinHandle`
    /// sees the output, so a program that awaited a task knows its hook ran.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let ended = Arc::new(AtomicUsize::new(0));
    /// let e = ended.clone();
    /// let rt = magpie::runtime::Builder::new_current_thread()
    ///     .on_task_terminate(move |_| {
    ///         e.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     magpie::spawn(async {}).await.unwrap();
    ///     let h = magpie::spawn(std::future::pending::<()>());
    ///     h.abort();
    ///     let _ = h.await;
    /// });
    /// assert_eq!(ended.load(Ordering::SeqCst), 2);
    /// ```
    pub fn on_task_terminate<F>(&mut self, f: F) -> &mut Builder
    where
        F: Fn(&TaskMeta<'_>) + Send + Sync + 'static,
    {
        self.config.hooks.on_task_terminate = Some(StdArc::new(f));
        self
    }

    /// Runs `f` on the worker right before each poll of a task.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let polls = Arc::new(AtomicUsize::new(0));
    /// let p = polls.clone();
    /// let rt = magpie::runtime::Builder::new_current_thread()
    ///     .on_before_task_poll(move |_| {
    ///         p.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     magpie::spawn(async { magpie::task::yield_now().await }).await.unwrap()
    /// });
    /// assert_eq!(polls.load(Ordering::SeqCst), 2);
    /// ```
    pub fn on_before_task_poll<F>(&mut self, f: F) -> &mut Builder
    where
        F: Fn(&TaskMeta<'_>) + Send + Sync + 'static,
    {
        self.config.hooks.before_poll = Some(StdArc::new(f));
        self
    }

    /// Runs `f` on the worker right after each poll of a task.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let polls = Arc::new(AtomicUsize::new(0));
    /// let p = polls.clone();
    /// let rt = magpie::runtime::Builder::new_current_thread()
    ///     .on_after_task_poll(move |_| {
    ///         p.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async { magpie::spawn(async {}).await.unwrap() });
    /// assert_eq!(polls.load(Ordering::SeqCst), 1);
    /// ```
    pub fn on_after_task_poll<F>(&mut self, f: F) -> &mut Builder
    where
        F: Fn(&TaskMeta<'_>) + Send + Sync + 'static,
    {
        self.config.hooks.after_poll = Some(StdArc::new(f));
        self
    }
}
