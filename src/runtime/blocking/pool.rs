//! A pool of threads for blocking work, grown on demand up to a cap and
//! shrunk when threads sit idle.
//!
//! Protocol (all under one mutex):
//! * `spawn` queues the task; if a thread is idle it takes one idle thread
//!   out of the idle count and bumps `num_notify` before signalling, so each
//!   signal is consumed by exactly one thread; otherwise, under the cap, it
//!   starts a new thread.
//! * An idle thread waits up to `keep_alive`; it goes back to work if it
//!   consumed a notification or finds the queue non-empty, and exits if it
//!   timed out with nothing to do.
//! * Shutdown: mark it, wake everyone, cancel queued tasks that never
//!   started (their `JoinHandle`s see `Cancelled`), join the threads (with
//!   an optional deadline).

use super::task::{BlockingSchedule, BlockingTask};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::loom::thread;
use crate::runtime::config::Callback;
use crate::runtime::task::{self, JoinHandle, Notified};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

type Job = Notified<BlockingSchedule>;

pub(crate) struct BlockingPool {
    spawner: Spawner,
}

/// The cheap, shared handle that queues work.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    condvar: Condvar,
    max_threads: usize,
    keep_alive: Duration,
    thread_name: crate::runtime::builder::ThreadNameFn,
    stack_size: Option<usize>,
    on_start: Option<Callback>,
    on_stop: Option<Callback>,
    /// The runtime this pool belongs to: blocking code may `spawn` onto it.
    handle: Mutex<Option<crate::runtime::Handle>>,
    /// Jobs queued or running. Decremented after a job has run (and so
    /// after it woke its `JoinHandle`): a paused clock does not
    /// auto-advance while this is not zero.
    in_flight: AtomicUsize,
}

struct State {
    queue: VecDeque<Job>,
    num_threads: usize,
    num_idle: usize,
    num_notify: usize,
    shutdown: bool,
    next_id: usize,
    threads: HashMap<usize, thread::JoinHandle<()>>,
    /// Threads that exited on their own and must still be joined.
    exited: Vec<thread::JoinHandle<()>>,
}

pub(crate) struct PoolConfig {
    pub(crate) max_threads: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) thread_name: crate::runtime::builder::ThreadNameFn,
    pub(crate) stack_size: Option<usize>,
    pub(crate) on_start: Option<Callback>,
    pub(crate) on_stop: Option<Callback>,
}

impl BlockingPool {
    pub(crate) fn new(config: PoolConfig) -> BlockingPool {
        BlockingPool {
            spawner: Spawner {
                inner: Arc::new(Inner {
                    state: Mutex::new(State {
                        queue: VecDeque::new(),
                        num_threads: 0,
                        num_idle: 0,
                        num_notify: 0,
                        shutdown: false,
                        next_id: 0,
                        threads: HashMap::new(),
                        exited: Vec::new(),
                    }),
                    condvar: Condvar::new(),
                    max_threads: config.max_threads.max(1),
                    keep_alive: config.keep_alive,
                    thread_name: config.thread_name,
                    stack_size: config.stack_size,
                    on_start: config.on_start,
                    on_stop: config.on_stop,
                    handle: Mutex::new(None),
                    in_flight: AtomicUsize::new(0),
                }),
            },
        }
    }

    pub(crate) fn spawner(&self) -> &Spawner {
        &self.spawner
    }

    /// Stops the pool: cancels queued work and joins the threads, waiting
    /// at most `timeout` (forever if `None`). Returns false on timeout.
    pub(crate) fn shutdown(&self, timeout: Option<Duration>) -> bool {
        let inner = &self.spawner.inner;
        let (queued, threads) = {
            let mut state = inner.state.lock();
            if state.shutdown {
                return true;
            }
            state.shutdown = true;
            let queued: Vec<Job> = state.queue.drain(..).collect();
            let mut threads: Vec<_> = state.threads.drain().map(|(_, t)| t).collect();
            threads.append(&mut state.exited);
            (queued, threads)
        };
        inner.condvar.notify_all();
        for job in queued {
            inner.in_flight.fetch_sub(1, Ordering::SeqCst);
            job.shutdown();
        }
        // Break the cycle runtime handle → pool → runtime handle.
        drop(inner.handle.lock().take());
        let deadline = timeout.map(|t| Instant::now() + t);
        let me = thread::current().id();
        for t in threads {
            if t.thread().id() == me {
                continue; // dropped from one of our own threads
            }
            if thread::join_until(t, deadline).is_err() {
                return false;
            }
        }
        true
    }
}

impl Spawner {
    pub(crate) fn set_handle(&self, handle: crate::runtime::Handle) {
        *self.inner.handle.lock() = Some(handle);
    }

    /// Queues `func` to run on a blocking thread.
    pub(crate) fn spawn<F, R>(&self, func: F, meta: task::Meta) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let id = task::Id::next();
        let (task, notified, join) =
            task::new_task(BlockingTask::new(func), BlockingSchedule, id, meta);
        // Blocking tasks are owned by the queue, not by an owned list.
        drop(task);
        let spawn_thread = {
            let mut state = self.inner.state.lock();
            if state.shutdown {
                drop(state);
                notified.shutdown();
                return join;
            }
            self.inner.in_flight.fetch_add(1, Ordering::SeqCst);
            state.queue.push_back(notified);
            if state.num_idle > 0 {
                state.num_idle -= 1;
                state.num_notify += 1;
                self.inner.condvar.notify_one();
                None
            } else if state.num_threads < self.inner.max_threads {
                state.num_threads += 1;
                let id = state.next_id;
                state.next_id += 1;
                Some(id)
            } else {
                // At the cap: a busy thread takes it when it frees up.
                None
            }
        };
        if let Some(id) = spawn_thread {
            self.start_thread(id);
        }
        join
    }

    fn start_thread(&self, id: usize) {
        let inner = self.inner.clone();
        let name = (self.inner.thread_name)();
        let res = thread::spawn_named(name, self.inner.stack_size, move || Inner::run(inner, id));
        let mut state = self.inner.state.lock();
        match res {
            Ok(handle) if state.shutdown => {
                // Shutdown ran between our reservation and now and did not
                // see this thread: it exits at once (flag set, queue
                // drained); join it so that no thread outlives the pool.
                drop(state);
                let _ = thread::join_until(handle, None);
            }
            Ok(handle) => {
                state.threads.insert(id, handle);
            }
            Err(_) => {
                // Could not start a thread (resource limits): the job stays
                // queued and the next thread that frees up runs it. If no
                // thread exists at all, the job would wait forever, so fail
                // it loudly instead.
                state.num_threads -= 1;
                if state.num_threads == 0 {
                    let jobs: Vec<Job> = state.queue.drain(..).collect();
                    drop(state);
                    for job in jobs {
                        self.inner.in_flight.fetch_sub(1, Ordering::SeqCst);
                        job.shutdown();
                    }
                }
            }
        }
    }
}

impl Spawner {
    /// Threads in the pool, busy or idle (a metric).
    pub(crate) fn num_threads(&self) -> usize {
        self.inner.state.lock().num_threads
    }

    /// Jobs queued or running.
    pub(crate) fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::SeqCst)
    }

    /// Jobs queued and not yet started (a metric).
    pub(crate) fn queue_depth(&self) -> usize {
        self.inner.state.lock().queue.len()
    }
}

impl Inner {
    fn run(inner: Arc<Self>, id: usize) {
        let this = &*inner;
        let handle = this.handle.lock().clone();
        let _current = handle.as_ref().map(crate::runtime::context::set_current);
        if let Some(f) = &this.on_start {
            f();
        }
        let mut state = this.state.lock();
        'outer: loop {
            while let Some(job) = state.queue.pop_front() {
                drop(state);
                job.run();
                // After the run: its wake is queued before the count drops
                // (SeqCst pairs with the load in `in_flight`).
                if this.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
                    if let Some(handle) = &handle {
                        handle.inner.blocking_idle();
                    }
                }
                state = this.state.lock();
            }
            if state.shutdown {
                break;
            }
            state.num_idle += 1;
            loop {
                let (guard, timed_out) = this.condvar.wait_timeout(state, this.keep_alive);
                state = guard;
                if state.num_notify > 0 {
                    // A spawner picked us (and already took us off idle).
                    state.num_notify -= 1;
                    continue 'outer;
                }
                if state.shutdown {
                    state.num_idle -= 1;
                    break 'outer;
                }
                if timed_out {
                    // Idle for keep_alive: leave, unless work arrived.
                    state.num_idle -= 1;
                    if !state.queue.is_empty() {
                        continue 'outer;
                    }
                    state.num_threads -= 1;
                    if let Some(me) = state.threads.remove(&id) {
                        state.exited.push(me);
                    }
                    // Join the threads that left before us, so a pool that
                    // grows and shrinks forever does not pile them up.
                    let exited = if state.exited.len() > 1 {
                        // Every one but ourselves (the last pushed) has
                        // returned from `run` or is about to.
                        let n = state.exited.len() - 1;
                        state.exited.drain(..n).collect()
                    } else {
                        Vec::new()
                    };
                    drop(state);
                    for t in exited {
                        let _ = thread::join_until(t, None);
                    }
                    this.stop_hook();
                    return;
                }
                // Spurious wake-up: still idle.
            }
        }
        if state.shutdown {
            state.num_threads = state.num_threads.saturating_sub(1);
        }
        drop(state);
        this.stop_hook();
    }

    fn stop_hook(&self) {
        if let Some(f) = &self.on_stop {
            f();
        }
    }
}
