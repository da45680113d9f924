//! `JoinSet`: a group of tasks awaited in the order they finish.
//!
//! Each member has a small waker of its own (one allocation beside the
//! task, as every set implementation needs a per-member entry). When a
//! member's task completes, its waker puts the member's slot index on the
//! set's ready list and wakes whoever awaits `join_next`. So `join_next`
//! only polls members that reported, and costs O(1) per finished task, not
//! O(members).

use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::Mutex;
use crate::runtime::task::{coop, AbortHandle, Id, JoinError, JoinHandle};
// std's Arc: `Waker::from` needs it (`std::task::Wake`).
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Wake, Waker};

/// A collection of spawned tasks, awaited as they complete — asyncio's
/// `TaskGroup` / `gather`.
///
/// Dropping the set aborts every task still in it.
///
/// ```
/// use magpie::task::JoinSet;
///
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut set = JoinSet::new();
///     for i in 0..10 {
///         set.spawn(async move { i });
///     }
///     let mut seen = Vec::new();
///     while let Some(res) = set.join_next().await {
///         seen.push(res.unwrap());
///     }
///     seen.sort();
///     assert_eq!(seen, (0..10).collect::<Vec<_>>());
/// });
/// ```
pub struct JoinSet<T> {
    slots: Vec<Option<Member<T>>>,
    free: Vec<usize>,
    len: usize,
    ready: Arc<ReadyList>,
}

struct Member<T> {
    handle: JoinHandle<T>,
    waker: Waker,
    notify: Arc<MemberWaker>,
}

struct ReadyList {
    state: Mutex<ReadyState>,
}

struct ReadyState {
    indices: Vec<usize>,
    waiter: Option<Waker>,
}

struct MemberWaker {
    index: usize,
    queued: AtomicBool,
    list: Arc<ReadyList>,
}

impl Wake for MemberWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // AcqRel: pairs with the Release store in `join_next` that re-arms
        // the member before polling it.
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        let waiter = {
            let mut state = self.list.state.lock();
            state.indices.push(self.index);
            state.waiter.take()
        };
        if let Some(w) = waiter {
            w.wake();
        }
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// let set: magpie::task::JoinSet<()> = magpie::task::JoinSet::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
            ready: Arc::new(ReadyList {
                state: Mutex::new(ReadyState {
                    indices: Vec::new(),
                    waiter: None,
                }),
            }),
        }
    }

    /// Number of tasks in the set (finished ones count until joined).
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     assert_eq!(set.len(), 1);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set is empty.
    ///
    /// ```
    /// assert!(magpie::task::JoinSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Spawns a task on the current runtime into the set.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::new();
    ///     set.spawn(async { 5 });
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 5);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        self.insert(super::spawn(future))
    }

    /// Spawns a `!Send` future with [`task::spawn_local`](super::spawn_local)
    /// (same places allowed) and adds it to the set.
    ///
    /// ```
    /// use std::rc::Rc;
    ///
    /// let rt = magpie::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::new();
    ///     for i in 0..3 {
    ///         let shared = Rc::new(i); // not Send
    ///         set.spawn_local(async move { *shared * 10 });
    ///     }
    ///     let mut sum = 0;
    ///     while let Some(res) = set.join_next().await {
    ///         sum += res.unwrap();
    ///     }
    ///     assert_eq!(sum, 30);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
        T: 'static,
    {
        self.insert(super::spawn_local(future))
    }

    /// Spawns a `!Send` task onto `local_set` into the set: it runs when
    /// the `LocalSet` is driven (`run_until`, or being awaited), wherever
    /// the `JoinSet` is.
    ///
    /// ```
    /// use std::rc::Rc;
    /// let rt = magpie::runtime::Builder::new_current_thread().build().unwrap();
    /// let local = magpie::task::LocalSet::new();
    /// let mut set = magpie::task::JoinSet::new();
    /// let shared = Rc::new(5);
    /// set.spawn_local_on(async move { *shared + 1 }, &local);
    /// let out = rt.block_on(local.run_until(set.join_next()));
    /// assert_eq!(out.unwrap().unwrap(), 6);
    /// ```
    #[track_caller]
    pub fn spawn_local_on<F>(&mut self, future: F, local_set: &super::LocalSet) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
        T: 'static,
    {
        self.insert(local_set.spawn_local(future))
    }

    /// Spawns a task on the given runtime handle into the set.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let mut set = magpie::task::JoinSet::new();
    /// set.spawn_on(async { 1 }, rt.handle());
    /// assert_eq!(rt.block_on(set.join_next()).unwrap().unwrap(), 1);
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(&mut self, future: F, handle: &crate::runtime::Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        self.insert(handle.spawn(future))
    }

    /// Runs a blocking function on the blocking pool, as a member.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::new();
    ///     set.spawn_blocking(|| 2 + 2);
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 4);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.insert(super::spawn_blocking(f))
    }

    /// Runs a blocking function on the blocking pool of the runtime of
    /// `handle`, as a member.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// let mut set = magpie::task::JoinSet::new();
    /// set.spawn_blocking_on(|| 6 * 7, rt.handle());
    /// assert_eq!(rt.block_on(set.join_next()).unwrap().unwrap(), 42);
    /// ```
    #[track_caller]
    pub fn spawn_blocking_on<F>(&mut self, f: F, handle: &crate::runtime::Handle) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.insert(handle.spawn_blocking(f))
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let index = self.free.pop().unwrap_or_else(|| {
            self.slots.push(None);
            self.slots.len() - 1
        });
        let notify = Arc::new(MemberWaker {
            index,
            // Starts queued: the first `join_next` polls it once to
            // register the member's waker with the task.
            queued: AtomicBool::new(true),
            list: self.ready.clone(),
        });
        self.ready.state.lock().indices.push(index);
        let waker = Waker::from(notify.clone());
        self.slots[index] = Some(Member {
            handle,
            waker,
            notify,
        });
        self.len += 1;
        abort
    }

    /// Waits for the next task to finish and returns its result, or `None`
    /// when the set is empty.
    ///
    /// Cancel-safe: if the future is dropped before it completes, no result
    /// is lost; the task stays in the set.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::<()>::new();
    ///     assert!(set.join_next().await.is_none());
    /// });
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx))
            .await
            .map(|(_, res)| res)
    }

    /// As [`join_next`](JoinSet::join_next), also giving the task's id.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::new();
    ///     let id = set.spawn(async { 1 }).id();
    ///     let (got, out) = set.join_next_with_id().await.unwrap();
    ///     assert_eq!((got, out.unwrap()), (id, 1));
    /// });
    /// ```
    pub async fn join_next_with_id(&mut self) -> Option<(Id, Result<T, JoinError>)> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Returns a finished task's result if one is ready now, without
    /// waiting.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::new();
    ///     set.spawn(async { 3 });
    ///     loop {
    ///         if let Some(res) = set.try_join_next() {
    ///             assert_eq!(res.unwrap(), 3);
    ///             break;
    ///         }
    ///         magpie::task::yield_now().await;
    ///     }
    /// });
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        let mut cx = Context::from_waker(Waker::noop());
        // Not async, so not a yield point: the cooperative budget is not
        // this method's to spend (with it, a set of 1,000 finished tasks
        // gave up after 128).
        match coop::with_unconstrained(|| self.poll_join_next(&mut cx)) {
            Poll::Ready(Some((_, res))) => Some(res),
            _ => None,
        }
    }

    /// As [`try_join_next`](JoinSet::try_join_next), also giving the
    /// task's id.
    ///
    /// ```
    /// let rt = magpie::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::new();
    ///     let id = set.spawn(async { 3 }).id();
    ///     magpie::task::yield_now().await; // let it run
    ///     let (got, res) = set.try_join_next_with_id().unwrap();
    ///     assert_eq!((got, res.unwrap()), (id, 3));
    /// });
    /// ```
    pub fn try_join_next_with_id(&mut self) -> Option<(Id, Result<T, JoinError>)> {
        let mut cx = Context::from_waker(Waker::noop());
        match coop::with_unconstrained(|| self.poll_join_next(&mut cx)) {
            Poll::Ready(Some(done)) => Some(done),
            _ => None,
        }
    }

    /// Waits for every task and returns their outputs, in the order they
    /// finished (tokio's `join_all`).
    ///
    /// # Panics
    ///
    /// If a task panicked, with its panic (the rest of the set is aborted
    /// when it drops); if a task was cancelled, with a message saying so.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let set: magpie::task::JoinSet<u32> = (1..=3).map(|i| async move { i * 10 }).collect();
    ///     let mut outputs = set.join_all().await;
    ///     outputs.sort();
    ///     assert_eq!(outputs, vec![10, 20, 30]);
    /// });
    /// ```
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.len());
        while let Some(res) = self.join_next().await {
            match res {
                Ok(out) => outputs.push(out),
                Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
                Err(err) => panic!("JoinSet::join_all: {err}"),
            }
        }
        outputs
    }

    /// Polls for the next finished task; the building block of
    /// [`join_next`](JoinSet::join_next) for hand-written futures.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::new();
    ///     set.spawn(async { 9 });
    ///     let (_, res) = poll_fn(|cx| set.poll_join_next(cx)).await.unwrap();
    ///     assert_eq!(res.unwrap(), 9);
    /// });
    /// ```
    pub fn poll_join_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<(Id, Result<T, JoinError>)>> {
        if self.len == 0 {
            return Poll::Ready(None);
        }
        let coop = ready!(coop::poll_proceed(cx));
        loop {
            let index = {
                let mut state = self.ready.state.lock();
                match state.indices.pop() {
                    Some(i) => i,
                    None => {
                        let old = state.waiter.replace(cx.waker().clone());
                        // The replaced waker is dropped after the lock: its
                        // drop may run arbitrary code (it can own a task).
                        drop(state);
                        drop(old);
                        return Poll::Pending;
                    }
                }
            };
            let member = match self.slots.get_mut(index).and_then(Option::as_mut) {
                Some(m) => m,
                // A stale report from a member that already left.
                None => continue,
            };
            // Re-arm before polling so a completion racing this poll queues
            // the member again (Release pairs with the swap in `wake`).
            member.notify.queued.store(false, Ordering::Release);
            let mut member_cx = Context::from_waker(&member.waker);
            if let Poll::Ready(res) = Pin::new(&mut member.handle).poll(&mut member_cx) {
                let member = self.slots[index].take().expect("member present");
                self.free.push(index);
                self.len -= 1;
                coop.made_progress();
                return Poll::Ready(Some((member.handle.id(), res)));
            }
            if !coop::has_budget_remaining() {
                // The budget ran out inside the member's poll, which woke
                // the member (re-queueing it), not us: wake ourselves so the
                // caller comes back after yielding.
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
    }

    /// Aborts every task in the set; they stay in the set and show up as
    /// cancelled in `join_next`.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.abort_all();
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort_all(&mut self) {
        for member in self.slots.iter().flatten() {
            member.handle.abort();
        }
    }

    /// Aborts every task and waits until all have stopped.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.shutdown().await;
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Removes every task from the set without aborting them.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     set.detach_all();
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub fn detach_all(&mut self) {
        self.slots.clear();
        self.free.clear();
        self.len = 0;
        self.ready.state.lock().indices.clear();
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}

impl<T, F> Extend<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    /// Spawns each future on the current runtime into the set.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = magpie::task::JoinSet::new();
    ///     set.extend((0..4).map(|i| async move { i }));
    ///     assert_eq!(set.len(), 4);
    ///     assert_eq!(set.join_all().await.len(), 4);
    /// });
    /// ```
    #[track_caller]
    fn extend<I: IntoIterator<Item = F>>(&mut self, futures: I) {
        for future in futures {
            self.spawn(future);
        }
    }
}

impl<T, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    /// Spawns each future on the current runtime into a new set.
    ///
    /// ```
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let set: magpie::task::JoinSet<_> = (0..3).map(|i| async move { i }).collect();
    ///     assert_eq!(set.len(), 3);
    /// });
    /// ```
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = F>>(futures: I) -> JoinSet<T> {
        let mut set = JoinSet::new();
        set.extend(futures);
        set
    }
}
