//! `LocalSet`: a set of `!Send` tasks that all run on the thread owning the
//! set. What it is for, and how to use it, is on the type (this module is
//! private); this page says how it works.
//!
//! ```
//! use magpie::task::LocalSet;
//! use std::cell::RefCell;
//! use std::rc::Rc;
//!
//! let rt = magpie::Runtime::new().unwrap();
//! let local = LocalSet::new();
//! let log = Rc::new(RefCell::new(Vec::new())); // not Send
//! for i in 0..3 {
//!     let log = log.clone();
//!     local.spawn_local(async move { log.borrow_mut().push(i) });
//! }
//! local.block_on(&rt, async {
//!     // The set's tasks run while this future waits.
//!     magpie::time::sleep(std::time::Duration::from_millis(1)).await;
//! });
//! assert_eq!(*log.borrow(), [0, 1, 2]);
//! ```
//!
//! # Protocol
//!
//! * **Who polls.** Only the set's own thread, and only inside
//!   `run_until`'s poll, the set's `poll`, and (to cancel) the set's `Drop`.
//!   `LocalSet` is neither `Send` nor `Sync`, and the futures returned by
//!   `run_until` borrow it, so all three run on the thread that created it.
//!   That is the promise `new_local_task` asks of its scheduler.
//! * **Who wakes whom.** A task's waker may fire on any thread. It pushes
//!   the task's `Notified` on the shared queue (under its lock) and then
//!   wakes the waker of whoever last polled the set (an `AtomicWaker`). The
//!   wake is skipped when the set is running on this very thread: the run
//!   loop checks the queue again before it returns (see `tick`).
//! * **No lost wake-up.** A poll registers its waker *before* it looks at
//!   the queue. A push that the last look missed comes after it (the queue
//!   lock orders the two), so its wake finds the registered waker.
//! * **Fairness.** One poll runs at most [`MAX_TASKS_PER_TICK`] tasks, then
//!   wakes itself and returns `Pending`, so a busy set cannot keep the
//!   runtime's worker (or `block_on`) from its other work.
//! * **Drop.** The set closes its owned-task list and cancels every live
//!   task on this thread (their futures are dropped here), then closes the
//!   queue and drops the queued references. A task spawned onto the set
//!   after the close (say, from a future's `Drop` during that) is cancelled
//!   at once; a wake after it drops its reference. No lock is held while
//!   user code runs (a poll, a future's `Drop`, a waker).

use crate::loom::sync::{Arc, Mutex};
use crate::runtime::task::{self, Id, JoinHandle, Meta, Notified, OwnedTasks, RawTask, Schedule};
use crate::runtime::Runtime;
use crate::util::atomic_waker::AtomicWaker;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

#[cfg(all(test, not(loom)))]
mod tests;

/// How many tasks one poll of the set runs before it yields to whatever
/// polls it (tokio's number for its `LocalSet`).
const MAX_TASKS_PER_TICK: usize = 61;

/// A set of `!Send` tasks that run on the thread that owns the set.
///
/// [`spawn`](crate::spawn) needs a `Send` future because any worker may
/// poll it. Some futures cannot be `Send`: they share state through
/// `Rc<RefCell<..>>`, hold a `!Send` handle from a C library, or borrow a
/// thread-bound resource. A `LocalSet` runs such futures on one thread —
/// the one that created the set — inside whatever polls the set, as
/// tokio's `LocalSet` does. Its tasks may use magpie's timers, sockets and
/// channels like any other task, because the set itself is polled inside a
/// runtime (`block_on`, or a task); they may also `magpie::spawn` `Send`
/// tasks onto that runtime.
///
/// Tasks are spawned with [`spawn_local`](LocalSet::spawn_local) and run
/// while the set is polled: inside [`run_until`](LocalSet::run_until) or
/// [`block_on`](LocalSet::block_on), or by `.await`ing the set, which waits
/// until all of its tasks have completed. Dropping the set cancels the tasks
/// still alive (their futures are dropped on this thread, and their
/// [`JoinHandle`]s report a cancelled [`JoinError`](crate::task::JoinError)).
///
/// ```
/// use magpie::task::LocalSet;
/// use std::rc::Rc;
///
/// let rt = magpie::Runtime::new().unwrap();
/// let local = LocalSet::new();
/// let shared = Rc::new(41); // Rc is not Send: `magpie::spawn` refuses it
/// let answer = local.block_on(&rt, async {
///     let shared = shared.clone();
///     let h = local.spawn_local(async move { *shared + 1 });
///     h.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
pub struct LocalSet {
    shared: Arc<Shared>,
    /// The set polls and drops its tasks on this thread: it must stay here.
    _not_send: PhantomData<*const ()>,
}

/// What the set's tasks (and their wakers, on any thread) point to.
struct Shared {
    /// Woken tasks, in wake order; `None` once the set is dropped.
    queue: Mutex<Option<VecDeque<Notified<Arc<Shared>>>>>,
    /// Every live task, so that the set's drop can cancel them.
    owned: OwnedTasks,
    /// Whoever polls the set, woken when a task is queued from outside.
    waker: AtomicWaker,
}

crate::loom::const_thread_local! {
    /// The innermost set running on this thread (see `Enter`).
    static CURRENT: RefCell<Option<Arc<Shared>>> = RefCell::new(None);
}

impl LocalSet {
    /// Creates an empty set.
    ///
    /// ```
    /// let local = magpie::task::LocalSet::new();
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(local); // no tasks: done at once
    /// ```
    pub fn new() -> LocalSet {
        LocalSet {
            shared: Arc::new(Shared {
                queue: Mutex::new(Some(VecDeque::new())),
                owned: OwnedTasks::new(1),
                waker: AtomicWaker::new(),
            }),
            _not_send: PhantomData,
        }
    }

    /// Spawns a `!Send` future onto the set and returns its [`JoinHandle`].
    ///
    /// The task runs the next time the set is polled (it does not start
    /// by itself: something must drive the set, see the type's docs). The
    /// handle is `Send` if the output is, and may be awaited anywhere.
    ///
    /// ```
    /// use magpie::task::LocalSet;
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    ///
    /// let rt = magpie::Runtime::new().unwrap();
    /// let local = LocalSet::new();
    /// let hits = Rc::new(Cell::new(0));
    /// let h = local.spawn_local({
    ///     let hits = hits.clone();
    ///     async move { hits.set(hits.get() + 1) }
    /// });
    /// local.block_on(&rt, h).unwrap();
    /// assert_eq!(hits.get(), 1);
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        spawn_onto(&self.shared, future, Meta::here())
    }

    /// Runs `future` to completion, running the set's tasks while it waits,
    /// and returns its output. Tasks still alive when it completes stay in
    /// the set (they run again at the next `run_until`, or are cancelled
    /// when the set is dropped).
    ///
    /// Each poll polls `future`, then runs up to 61 of the set's ready
    /// tasks; if more are ready it wakes itself and returns `Pending`, so
    /// the executor polling it gets its turn.
    ///
    /// ```
    /// use magpie::task::LocalSet;
    /// use std::rc::Rc;
    ///
    /// let rt = magpie::Runtime::new().unwrap();
    /// let local = LocalSet::new();
    /// let out = rt.block_on(local.run_until(async {
    ///     let name = Rc::new(String::from("local"));
    ///     let h = local.spawn_local(async move { name.len() });
    ///     h.await.unwrap()
    /// }));
    /// assert_eq!(out, 5);
    /// ```
    pub async fn run_until<F: Future>(&self, future: F) -> F::Output {
        let mut future = pin!(future);
        std::future::poll_fn(|cx| self.poll_until(future.as_mut(), cx)).await
    }

    /// Runs `future` to completion on `rt`, running the set's tasks while
    /// it waits: `rt.block_on(self.run_until(future))`.
    ///
    /// Like [`Runtime::block_on`], it panics if this thread is already
    /// driving a runtime.
    ///
    /// ```
    /// use magpie::task::LocalSet;
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    ///
    /// let rt = magpie::Runtime::new().unwrap();
    /// let local = LocalSet::new();
    /// let seen = Rc::new(RefCell::new(String::new()));
    /// let (tx, rx) = magpie::sync::oneshot::channel();
    /// local.spawn_local({
    ///     let seen = seen.clone();
    ///     async move { seen.borrow_mut().push_str(rx.await.unwrap()) }
    /// });
    /// local.block_on(&rt, async move {
    ///     tx.send("hi").unwrap();
    ///     magpie::task::yield_now().await;
    /// });
    /// assert_eq!(*seen.borrow(), "hi");
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, rt: &Runtime, future: F) -> F::Output {
        rt.block_on(self.run_until(future))
    }

    /// One poll of `run_until`.
    fn poll_until<F: Future>(&self, future: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let _current = Enter::new(&self.shared);
        // Before looking at the queue: see "No lost wake-up" above.
        self.shared.waker.register(cx.waker());
        if let Poll::Ready(out) = future.poll(cx) {
            return Poll::Ready(out);
        }
        if self.tick() {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }

    /// Runs up to `MAX_TASKS_PER_TICK` queued tasks. True if tasks are
    /// still queued (the caller then wakes itself).
    ///
    /// The caller has made the set current, so wakes on this thread during
    /// the tick skip the set's waker: this function is what looks at the
    /// queue after them.
    fn tick(&self) -> bool {
        for _ in 0..MAX_TASKS_PER_TICK {
            // A statement of its own: the queue lock is released before the
            // task runs (it may wake or spawn onto this set).
            let next = self.shared.pop();
            match next {
                Some(task) => task.run(),
                None => return false,
            }
        }
        self.shared.has_queued()
    }
}

impl Default for LocalSet {
    /// As [`LocalSet::new`].
    ///
    /// ```
    /// let local = magpie::task::LocalSet::default();
    /// let rt = magpie::Runtime::new().unwrap();
    /// assert_eq!(local.block_on(&rt, async { 7 }), 7);
    /// ```
    fn default() -> LocalSet {
        LocalSet::new()
    }
}

/// Awaiting a `LocalSet` runs its tasks until every one of them has
/// completed (including tasks they spawn onto the set meanwhile).
///
/// ```
/// use magpie::task::LocalSet;
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
///
/// let rt = magpie::Runtime::new().unwrap();
/// let local = LocalSet::new();
/// let done = Rc::new(Cell::new(0));
/// for ms in [3, 1, 2] {
///     let done = done.clone();
///     local.spawn_local(async move {
///         magpie::time::sleep(Duration::from_millis(ms)).await;
///         done.set(done.get() + 1);
///     });
/// }
/// rt.block_on(local);
/// assert_eq!(done.get(), 3);
/// ```
impl Future for LocalSet {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let _current = Enter::new(&self.shared);
        // Before looking at the queue: see "No lost wake-up" above.
        self.shared.waker.register(cx.waker());
        if self.tick() {
            cx.waker().wake_by_ref();
            Poll::Pending
        } else if self.shared.owned.len() == 0 {
            Poll::Ready(())
        } else {
            // Every live task waits on something that will wake it, and its
            // wake then wakes us.
            Poll::Pending
        }
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        // Current while the tasks are dropped: a `Drop` that spawns onto the
        // set reaches the closed list and has its task cancelled at once.
        let _current = Enter::new(&self.shared);
        // Cancels each task here, on the set's thread, outside any lock.
        self.shared.owned.close_and_shutdown_all();
        // Every task is complete now, so the queued references are only
        // counts. Close the queue (later wakes drop their reference) and
        // drop them outside the lock.
        let queued = self.shared.queue.lock().take();
        drop(queued);
        debug_assert_eq!(self.shared.owned.len(), 0);
    }
}

impl fmt::Debug for LocalSet {
    /// Shows how many tasks are alive and how many are queued to run.
    ///
    /// ```
    /// let local = magpie::task::LocalSet::new();
    /// local.spawn_local(async {});
    /// assert_eq!(format!("{local:?}"), "LocalSet { tasks: 1, queued: 1 }");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let queued = self.shared.queue.lock().as_ref().map_or(0, VecDeque::len);
        f.debug_struct("LocalSet")
            .field("tasks", &self.shared.owned.len())
            .field("queued", &queued)
            .finish()
    }
}

/// Spawns `future` onto the set running on this thread, if there is one;
/// gives the future and its metadata back otherwise.
///
/// "Running" means: inside `run_until`'s poll, the set's `poll` (and so
/// inside its tasks), or its `Drop` (where the task is cancelled at once).
/// With nested sets it is the innermost.
pub(crate) fn spawn_on_current<F>(future: F, meta: Meta) -> Result<JoinHandle<F::Output>, (F, Meta)>
where
    F: Future + 'static,
    F::Output: 'static,
{
    // Cloned out so that no borrow is held while the spawn runs user code
    // (a closed set drops the future, whose `Drop` may spawn again).
    let current = CURRENT.try_with(|c| c.borrow().clone()).ok().flatten();
    match current {
        Some(shared) => Ok(spawn_onto(&shared, future, meta)),
        None => Err((future, meta)),
    }
}

/// `shared` belongs to a set owned by this thread: reached through
/// `&LocalSet` (which cannot leave its thread) or this thread's `CURRENT`.
fn spawn_onto<F>(shared: &Arc<Shared>, future: F, meta: Meta) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    // SAFETY: the set's tasks are polled only by `tick` and cancelled only
    // by the set's `Drop` (`close_and_shutdown_all`, or `bind` below on a
    // closed list, which runs here): all on the thread that owns the
    // `LocalSet`, which is this thread (see the caller's contract). Other
    // threads only push `Notified`s through `schedule` or drop references.
    let (task, notified, join) =
        unsafe { task::new_local_task(future, shared.clone(), Id::next(), meta) };
    if let Some(notified) = shared.owned.bind(task, notified) {
        shared.schedule(notified);
    }
    join
}

impl Shared {
    fn pop(&self) -> Option<Notified<Arc<Shared>>> {
        self.queue.lock().as_mut()?.pop_front()
    }

    fn has_queued(&self) -> bool {
        self.queue.lock().as_ref().is_some_and(|q| !q.is_empty())
    }

    /// Whether this set is the one running on this thread.
    fn is_current(&self) -> bool {
        CURRENT
            .try_with(|c| {
                c.borrow()
                    .as_ref()
                    .is_some_and(|s| std::ptr::eq(&**s, self))
            })
            .unwrap_or(false)
    }
}

impl Schedule for Arc<Shared> {
    fn schedule(&self, task: Notified<Arc<Shared>>) {
        let refused = {
            let mut queue = self.queue.lock();
            match queue.as_mut() {
                Some(queue) => {
                    queue.push_back(task);
                    None
                }
                None => Some(task),
            }
        };
        match refused {
            // The set is gone, and every task of it was cancelled before
            // the queue closed: this is only a count to drop (outside the
            // lock, as it may free the cell).
            Some(task) => drop(task),
            // Running here: `tick` looks at the queue again before it
            // returns, so nobody needs waking.
            None if self.is_current() => {}
            None => self.waker.wake(),
        }
    }

    fn release(&self, task: RawTask) -> bool {
        self.owned.remove(task)
    }
}

/// Makes a set current on this thread until dropped, restoring the set
/// that was current before (nested sets). A no-op during thread-local
/// teardown.
struct Enter {
    /// What to restore; `None` if the thread-local was already destroyed.
    prev: Option<Option<Arc<Shared>>>,
    _not_send: PhantomData<*const ()>,
}

impl Enter {
    fn new(shared: &Arc<Shared>) -> Enter {
        let prev = CURRENT.try_with(|c| c.replace(Some(shared.clone()))).ok();
        Enter {
            prev,
            _not_send: PhantomData,
        }
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        if let Some(prev) = self.prev.take() {
            // Dropped outside the borrow: it may be the last reference to a
            // set's shared state.
            let ours = CURRENT.try_with(|c| c.replace(prev));
            drop(ours);
        }
    }
}
