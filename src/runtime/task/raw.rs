//! The task cell: one allocation per spawned task, and the type-erased
//! pointer (`RawTask`) every handle holds.
//!
//! ```text
//!  Box<Cell<F, S>>  (#[repr(C)], so a *Header is a *Cell)
//!  ┌───────────────────────────────┐
//!  │ Header  state word            │  ← RawTask, Waker data, JoinHandle all point here
//!  │         &'static Vtable       │    (poll / schedule / dealloc / … for this F, S)
//!  │         id, owned-list index  │
//!  ├───────────────────────────────┤
//!  │ Core    scheduler S           │
//!  │         Stage: Running(F) | Finished(output) | Consumed
//!  ├───────────────────────────────┤
//!  │ Trailer JoinHandle's waker    │
//!  └───────────────────────────────┘
//! ```
//!
//! Who may touch what is decided by the state word (see `state.rs`):
//! the stage belongs to the holder of `RUNNING`, then — once `COMPLETE` is
//! published — to the `JoinHandle` (or to the completer if there is no join
//! interest); the trailer's waker slot belongs to the `JoinHandle` while
//! `JOIN_WAKER` is clear and to the task side while it is set.
//!
//! This module and `harness.rs` hold all of the task system's `unsafe`.

use super::harness::Harness;
use super::id::Id;
use super::meta::{Meta, TaskMeta};
use super::state::State;
use super::{JoinError, Schedule};
use crate::loom::cell::UnsafeCell;
use std::future::Future;
use std::ptr::NonNull;
use std::task::{Poll, Waker};

/// The part of every task that is the same whatever its future.
pub(crate) struct Header {
    pub(super) state: State,
    pub(super) vtable: &'static Vtable,
    pub(super) id: Id,
    pub(super) meta: TaskMeta,
    /// Index in the owned-task list. Read and written only while holding
    /// the lock of the list shard that owns the task.
    pub(super) owned_index: UnsafeCell<usize>,
}

/// The operations that need the concrete future and scheduler types.
pub(super) struct Vtable {
    pub(super) poll: unsafe fn(NonNull<Header>),
    pub(super) schedule: unsafe fn(NonNull<Header>),
    pub(super) dealloc: unsafe fn(NonNull<Header>),
    pub(super) try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    pub(super) drop_join_handle_slow: unsafe fn(NonNull<Header>),
    pub(super) shutdown: unsafe fn(NonNull<Header>),
}

#[repr(C)]
pub(super) struct Cell<F: Future, S> {
    pub(super) header: Header,
    pub(super) core: Core<F, S>,
    pub(super) trailer: Trailer,
}

pub(super) struct Core<F: Future, S> {
    pub(super) scheduler: S,
    pub(super) stage: UnsafeCell<Stage<F>>,
}

pub(super) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    Consumed,
}

pub(super) struct Trailer {
    pub(super) waker: UnsafeCell<Option<Waker>>,
}

/// A type-erased pointer to a task cell. Copying it does not touch the
/// reference count; the handle types that own references do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
}

impl RawTask {
    /// The caller guarantees that the future and its output are only ever
    /// touched on threads where that is sound: any thread if they are
    /// `Send` (`new_task`), only their own thread otherwise
    /// (`new_local_task`, whose scheduler keeps that promise).
    pub(super) fn new<F, S>(future: F, scheduler: S, id: Id, meta: Meta) -> RawTask
    where
        F: Future + 'static,
        F::Output: 'static,
        S: Schedule,
    {
        let cell = Box::new(Cell::<F, S> {
            header: Header {
                state: State::new(),
                vtable: vtable::<F, S>(),
                id,
                meta: TaskMeta::new(meta),
                owned_index: UnsafeCell::new(usize::MAX),
            },
            core: Core {
                scheduler,
                stage: UnsafeCell::new(Stage::Running(future)),
            },
            trailer: Trailer {
                waker: UnsafeCell::new(None),
            },
        });
        // The cell is #[repr(C)] with the header first, so the pointer to
        // the cell is a valid pointer to its header.
        let ptr = NonNull::from(Box::leak(cell)).cast::<Header>();
        RawTask { ptr }
    }

    /// # Safety
    /// `ptr` must point to a live task header.
    pub(super) unsafe fn from_raw(ptr: NonNull<Header>) -> RawTask {
        RawTask { ptr }
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: a RawTask exists only while some handle holds a reference,
        // so the header is alive.
        unsafe { self.ptr.as_ref() }
    }

    pub(crate) fn id(&self) -> Id {
        self.header().id
    }

    pub(crate) fn meta(&self) -> &TaskMeta {
        &self.header().meta
    }

    pub(crate) fn snapshot(&self) -> super::state::Snapshot {
        self.header().state.load()
    }

    /// Polls the task, consuming the `Notified` reference.
    pub(super) fn poll(self) {
        // SAFETY: the vtable was built for this cell's concrete types.
        unsafe { (self.header().vtable.poll)(self.ptr) }
    }

    /// Hands a `Notified` reference (already counted) to the scheduler.
    pub(super) fn schedule(self) {
        // SAFETY: as `poll`.
        unsafe { (self.header().vtable.schedule)(self.ptr) }
    }

    pub(super) fn dealloc(self) {
        // SAFETY: as `poll`; called once, when the count reached zero.
        unsafe { (self.header().vtable.dealloc)(self.ptr) }
    }

    /// # Safety
    /// `dst` must point to a `Poll<Result<T, JoinError>>` where `T` is the
    /// task's output type, and the caller must hold join interest.
    pub(super) unsafe fn try_read_output(self, dst: *mut (), waker: &Waker) {
        // SAFETY: forwarded from the caller's contract.
        unsafe { (self.header().vtable.try_read_output)(self.ptr, dst, waker) }
    }

    pub(super) fn drop_join_handle_slow(self) {
        // SAFETY: as `poll`; the caller owns the join-handle reference.
        unsafe { (self.header().vtable.drop_join_handle_slow)(self.ptr) }
    }

    /// Cancels the task for runtime shutdown, consuming an owned reference.
    pub(super) fn shutdown(self) {
        // SAFETY: as `poll`.
        unsafe { (self.header().vtable.shutdown)(self.ptr) }
    }

    pub(super) fn ref_inc(self) {
        self.header().state.ref_inc();
    }

    pub(super) fn drop_reference(self) {
        if self.header().state.ref_dec() {
            self.dealloc();
        }
    }

    /// Abort from a `JoinHandle` or `AbortHandle`.
    pub(super) fn remote_abort(self) {
        if self.header().state.transition_to_notified_and_cancel() {
            // A reference was taken for the new `Notified`.
            self.schedule();
        }
    }
}

fn vtable<F, S>() -> &'static Vtable
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    &Vtable {
        poll: poll::<F, S>,
        schedule: schedule::<F, S>,
        dealloc: dealloc::<F, S>,
        try_read_output: try_read_output::<F, S>,
        drop_join_handle_slow: drop_join_handle_slow::<F, S>,
        shutdown: shutdown::<F, S>,
    }
}

unsafe fn poll<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>)
where
    F::Output: 'static,
{
    // SAFETY: (the same for all six) the vtable for (F, S) is only
    // installed in cells of type Cell<F, S>, so the cast recovers the real
    // type, and the caller holds a reference that keeps the cell alive.
    unsafe { Harness::<F, S>::from_raw(ptr) }.poll()
}

unsafe fn schedule<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>)
where
    F::Output: 'static,
{
    // SAFETY: as in `poll`.
    unsafe { Harness::<F, S>::from_raw(ptr) }.schedule()
}

unsafe fn dealloc<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>)
where
    F::Output: 'static,
{
    // SAFETY: as in `poll`.
    unsafe { Harness::<F, S>::from_raw(ptr) }.dealloc()
}

unsafe fn try_read_output<F: Future + 'static, S: Schedule>(
    ptr: NonNull<Header>,
    dst: *mut (),
    waker: &Waker,
) where
    F::Output: 'static,
{
    let dst = dst as *mut Poll<Result<F::Output, JoinError>>;
    // SAFETY: as in `poll`; `dst` has the output type (caller's contract).
    unsafe { Harness::<F, S>::from_raw(ptr).try_read_output(&mut *dst, waker) }
}

unsafe fn drop_join_handle_slow<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>)
where
    F::Output: 'static,
{
    // SAFETY: as in `poll`.
    unsafe { Harness::<F, S>::from_raw(ptr) }.drop_join_handle_slow()
}

unsafe fn shutdown<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>)
where
    F::Output: 'static,
{
    // SAFETY: as in `poll`.
    unsafe { Harness::<F, S>::from_raw(ptr) }.shutdown()
}

// SAFETY: a RawTask is a pointer to a cell whose future and output are Send
// (`new_task`), or are only polled and dropped on their own thread by their
// scheduler (`new_local_task`'s contract); all shared access goes through
// the atomic state word.
unsafe impl Send for RawTask {}
// SAFETY: as for `Send`: a shared `&RawTask` is only a copy of the pointer,
// and what it reaches is shared through the atomic state word.
unsafe impl Sync for RawTask {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// The cell of a small task must stay within glibc's fast-bin size
    /// (128 bytes): bigger cells are freed under the arena lock, which a
    /// spawning worker and a completing worker then contend on (see
    /// `meta.rs`).
    #[test]
    fn a_small_task_cell_fits_in_128_bytes() {
        // The future of a typical small task: two captured pointers-worth
        // of state and a one-byte state machine.
        type Small = std::future::Ready<([usize; 3], u8)>;
        type Sched = std::sync::Arc<()>;
        assert!(
            std::mem::size_of::<Header>() <= 48,
            "{}",
            std::mem::size_of::<Header>()
        );
        let cell = std::mem::size_of::<Cell<Small, Sched>>();
        assert!(cell <= 128, "task cell is {cell} bytes");
    }
}
