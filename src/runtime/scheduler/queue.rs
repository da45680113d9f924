//! Run queues: crossbeam-deque normally, a loom-visible stand-in under loom.
//!
//! crossbeam-deque uses std atomics even under `--cfg crossbeam_loom`, so
//! loom cannot see it. Under `cfg(loom)` the same method names run on a
//! `Mutex<VecDeque>`; every queue operation is then a loom sync point and
//! loom explores the scheduler's protocol around the queues. This is the
//! only file that knows which is in use.

#[cfg(not(loom))]
pub(crate) use crossbeam_deque::{Injector, Steal, Stealer, Worker as Local};

#[cfg(loom)]
pub(crate) use self::model::{Injector, Local, Steal, Stealer};

#[cfg(loom)]
mod model {
    use crate::loom::sync::{Arc, Mutex};
    use std::collections::VecDeque;

    /// crossbeam's cap on what one batch steal moves into the thief's queue
    /// (`MAX_BATCH` in crossbeam-deque), besides the task it returns.
    const MAX_BATCH: usize = 32;

    /// Takes a batch the way crossbeam does: half of the source (rounded
    /// up), at most `MAX_BATCH` plus the one returned; the first is returned,
    /// the rest go to `dest` after the source's lock is released (two
    /// workers stealing from each other must not hold both locks).
    fn steal_half<T>(src: &Mutex<VecDeque<T>>, dest: &Local<T>) -> Steal<T> {
        let mut src = src.lock();
        let take = src.len().div_ceil(2).min(MAX_BATCH + 1);
        let first = match src.pop_front() {
            Some(t) => t,
            None => return Steal::Empty,
        };
        let batch: Vec<T> = src.drain(..take - 1).collect();
        drop(src);
        dest.0.lock().extend(batch);
        Steal::Success(first)
    }

    /// The outcome of a steal, as crossbeam's.
    pub(crate) enum Steal<T> {
        Empty,
        Success(T),
        #[allow(dead_code)]
        Retry,
    }

    pub(crate) struct Injector<T>(Mutex<VecDeque<T>>);

    impl<T> Injector<T> {
        pub(crate) fn new() -> Self {
            Injector(Mutex::new(VecDeque::new()))
        }
        pub(crate) fn push(&self, t: T) {
            self.0.lock().push_back(t)
        }
        pub(crate) fn steal(&self) -> Steal<T> {
            match self.0.lock().pop_front() {
                Some(t) => Steal::Success(t),
                None => Steal::Empty,
            }
        }
        pub(crate) fn steal_batch_and_pop(&self, dest: &Local<T>) -> Steal<T> {
            steal_half(&self.0, dest)
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().len()
        }
    }

    /// The owner's end: FIFO, as crossbeam's `Worker::new_fifo`.
    pub(crate) struct Local<T>(Arc<Mutex<VecDeque<T>>>);

    impl<T> Local<T> {
        pub(crate) fn new_fifo() -> Self {
            Local(Arc::new(Mutex::new(VecDeque::new())))
        }
        pub(crate) fn push(&self, t: T) {
            self.0.lock().push_back(t)
        }
        pub(crate) fn pop(&self) -> Option<T> {
            self.0.lock().pop_front()
        }
        pub(crate) fn stealer(&self) -> Stealer<T> {
            Stealer(self.0.clone())
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().len()
        }
    }

    pub(crate) struct Stealer<T>(Arc<Mutex<VecDeque<T>>>);

    impl<T> Stealer<T> {
        pub(crate) fn steal(&self) -> Steal<T> {
            match self.0.lock().pop_front() {
                Some(t) => Steal::Success(t),
                None => Steal::Empty,
            }
        }

        pub(crate) fn steal_batch_and_pop(&self, dest: &Local<T>) -> Steal<T> {
            if Arc::ptr_eq(&self.0, &dest.0) {
                return Steal::Empty;
            }
            steal_half(&self.0, dest)
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().len()
        }
    }
}

/// A worker's own run queue: crossbeam's deque (stealable) on the
/// multi-thread runtime, a plain `VecDeque` on the current-thread runtime,
/// where nobody steals: there a pop needs no atomic read-modify-write
/// (crossbeam's FIFO pop is a `fetch_add`, ~9 ns here, on every poll).
pub(crate) enum LocalQueue<T> {
    Stealable(Local<T>),
    Owned {
        queue: std::cell::RefCell<std::collections::VecDeque<T>>,
        /// The length, for metrics and other threads' "any work?" checks.
        len: crate::loom::sync::Arc<crate::loom::sync::atomic::AtomicUsize>,
    },
}

/// Another worker's queue as seen from outside.
pub(crate) enum RemoteQueue<T> {
    Stealable(Stealer<T>),
    /// Not stealable: only its length is visible.
    Owned(crate::loom::sync::Arc<crate::loom::sync::atomic::AtomicUsize>),
}

use crate::loom::sync::atomic::Ordering::Relaxed;

impl<T> LocalQueue<T> {
    pub(crate) fn stealable() -> LocalQueue<T> {
        LocalQueue::Stealable(Local::new_fifo())
    }

    pub(crate) fn owned() -> LocalQueue<T> {
        LocalQueue::Owned {
            queue: Default::default(),
            len: Default::default(),
        }
    }

    pub(crate) fn remote(&self) -> RemoteQueue<T> {
        match self {
            LocalQueue::Stealable(w) => RemoteQueue::Stealable(w.stealer()),
            LocalQueue::Owned { len, .. } => RemoteQueue::Owned(len.clone()),
        }
    }

    #[inline]
    pub(crate) fn push(&self, task: T) {
        match self {
            LocalQueue::Stealable(w) => w.push(task),
            LocalQueue::Owned { queue, len } => {
                let mut queue = queue.borrow_mut();
                queue.push_back(task);
                len.store(queue.len(), Relaxed);
            }
        }
    }

    #[inline]
    pub(crate) fn pop(&self) -> Option<T> {
        match self {
            LocalQueue::Stealable(w) => w.pop(),
            LocalQueue::Owned { queue, len } => {
                let mut queue = queue.borrow_mut();
                let task = queue.pop_front();
                if task.is_some() {
                    len.store(queue.len(), Relaxed);
                }
                task
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            LocalQueue::Stealable(w) => w.len(),
            LocalQueue::Owned { queue, .. } => queue.borrow().len(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        match self {
            LocalQueue::Stealable(w) => w.is_empty(),
            LocalQueue::Owned { queue, .. } => queue.borrow().is_empty(),
        }
    }

    /// Takes work from the injector: a batch into this queue (returning
    /// one) when stealable, one task otherwise.
    pub(crate) fn take_from(&self, injector: &Injector<T>) -> Steal<T> {
        match self {
            LocalQueue::Stealable(w) => injector.steal_batch_and_pop(w),
            LocalQueue::Owned { .. } => injector.steal(),
        }
    }
}

impl<T> RemoteQueue<T> {
    pub(crate) fn len(&self) -> usize {
        match self {
            RemoteQueue::Stealable(s) => s.len(),
            RemoteQueue::Owned(len) => len.load(Relaxed),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn steal(&self) -> Steal<T> {
        match self {
            RemoteQueue::Stealable(s) => s.steal(),
            RemoteQueue::Owned(_) => Steal::Empty,
        }
    }

    pub(crate) fn steal_batch_and_pop(&self, dest: &LocalQueue<T>) -> Steal<T> {
        match (self, dest) {
            (RemoteQueue::Stealable(s), LocalQueue::Stealable(w)) => s.steal_batch_and_pop(w),
            (RemoteQueue::Stealable(s), LocalQueue::Owned { .. }) => s.steal(),
            (RemoteQueue::Owned(_), _) => Steal::Empty,
        }
    }
}
