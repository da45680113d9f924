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
            let mut src = self.0.lock();
            let first = match src.pop_front() {
                Some(t) => t,
                None => return Steal::Empty,
            };
            let n = src.len().div_ceil(2).min(32);
            let batch: Vec<T> = src.drain(..n).collect();
            drop(src);
            dest.0.lock().extend(batch);
            Steal::Success(first)
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
            let mut src = self.0.lock();
            let first = match src.pop_front() {
                Some(t) => t,
                None => return Steal::Empty,
            };
            let n = src.len() / 2;
            let batch: Vec<T> = src.drain(..n).collect();
            // Release the victim before touching our own queue: two workers
            // stealing from each other must not hold both locks.
            drop(src);
            dest.0.lock().extend(batch);
            Steal::Success(first)
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().len()
        }
    }
}
