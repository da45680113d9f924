//! The owned-task list: every live task of a runtime, so that shutdown can
//! cancel the ones nobody else would ever poll again.
//!
//! Sharded by task id to keep spawns on different workers off each other's
//! lock. Each task remembers its index in its shard (`Header::owned_index`,
//! touched only under that shard's lock), so removal is an O(1)
//! `swap_remove` with no allocation in steady state.
//!
//! Closing: `close_and_shutdown_all` sets `closed` before it locks each
//! shard; a `bind` that takes a shard lock afterwards sees `closed` (the
//! lock orders the two) and cancels its task instead of adding it.

use super::{Notified, RawTask, Schedule, Task};
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::Mutex;

pub(crate) struct OwnedTasks {
    shards: Box<[Mutex<Shard>]>,
    mask: usize,
    closed: AtomicBool,
}

/// One shard: its tasks, and how many were ever added (a metric, counted
/// under the lock `bind` takes anyway: no extra atomic per spawn).
#[derive(Default)]
struct Shard {
    tasks: Vec<RawTask>,
    bound: u64,
}

impl OwnedTasks {
    pub(crate) fn new(num_shards: usize) -> OwnedTasks {
        // Under loom, one shard: task ids come from a process-wide counter,
        // so sharding by id would make the model's lock choice differ from
        // one exploration to the next.
        let num_shards = if cfg!(loom) { 1 } else { num_shards };
        let n = num_shards.max(1).next_power_of_two();
        OwnedTasks {
            shards: (0..n).map(|_| Mutex::new(Shard::default())).collect(),
            mask: n - 1,
            closed: AtomicBool::new(false),
        }
    }

    fn shard(&self, task: RawTask) -> &Mutex<Shard> {
        &self.shards[task.id().as_u64() as usize & self.mask]
    }

    /// Adds a new task; returns its first `Notified` to schedule, or `None`
    /// if the list is closed (the task was cancelled instead).
    pub(crate) fn bind<S: Schedule>(
        &self,
        task: Task<S>,
        notified: Notified<S>,
    ) -> Option<Notified<S>> {
        let raw = task.raw;
        {
            let mut shard = self.shard(raw).lock();
            if !self.closed.load(Ordering::Relaxed) {
                let index = shard.tasks.len();
                // SAFETY: owned_index is only touched under this shard lock.
                raw.header().owned_index.with_mut(|p| unsafe { *p = index });
                shard.tasks.push(task.into_raw());
                shard.bound += 1;
                return Some(notified);
            }
        }
        drop(notified);
        task.into_raw().shutdown();
        None
    }

    /// Removes a completed task. True if it was in the list.
    pub(crate) fn remove(&self, raw: RawTask) -> bool {
        let mut shard = self.shard(raw).lock();
        // SAFETY: owned_index is only touched under this shard lock.
        let index = raw.header().owned_index.with(|p| unsafe { *p });
        if index >= shard.tasks.len() || shard.tasks[index] != raw {
            // Already taken out by shutdown.
            return false;
        }
        shard.tasks.swap_remove(index);
        if let Some(moved) = shard.tasks.get(index) {
            // SAFETY: as above; `moved` is alive while the list holds it.
            moved
                .header()
                .owned_index
                .with_mut(|p| unsafe { *p = index });
        }
        // SAFETY: as above.
        raw.header()
            .owned_index
            .with_mut(|p| unsafe { *p = usize::MAX });
        true
    }

    /// Closes the list without touching its tasks (they can no longer be
    /// cancelled soundly from here, and are leaked); returns how many there
    /// were. New tasks are cancelled on `bind` from now on.
    pub(crate) fn close(&self) -> usize {
        self.closed.store(true, Ordering::Relaxed);
        self.shards.iter().map(|s| s.lock().tasks.len()).sum()
    }

    /// Closes the list and cancels every task in it.
    pub(crate) fn close_and_shutdown_all(&self) {
        self.closed.store(true, Ordering::Relaxed);
        for shard in self.shards.iter() {
            loop {
                let task = {
                    let mut shard = shard.lock();
                    let task = shard.tasks.pop();
                    if let Some(raw) = task {
                        // SAFETY: under the shard lock.
                        raw.header()
                            .owned_index
                            .with_mut(|p| unsafe { *p = usize::MAX });
                    }
                    task
                };
                match task {
                    // Outside the lock: dropping a future may spawn or
                    // complete other tasks of this list.
                    Some(raw) => {
                        raw.shutdown();
                    }
                    None => break,
                }
            }
        }
    }

    /// Number of live tasks (locks each shard in turn).
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().tasks.len()).sum()
    }

    /// How many tasks were ever added (a metric).
    pub(crate) fn spawned(&self) -> u64 {
        self.shards.iter().map(|s| s.lock().bound).sum()
    }

    /// Calls `f` with every live task, one shard lock at a time (a task
    /// cannot be freed while its shard is locked: the list holds a
    /// reference).
    pub(crate) fn for_each(&self, mut f: impl FnMut(RawTask)) {
        for shard in self.shards.iter() {
            for &raw in shard.lock().tasks.iter() {
                f(raw);
            }
        }
    }
}
