//! What happens to a task: poll, complete, cancel, join, free.
//!
//! Each function here runs with the concrete future type `F` and scheduler
//! `S` known (it is reached through the vtable in `raw.rs`). The state word
//! (`state.rs`) decides which thread may touch the stage and the trailer;
//! the comments on each access name the bit that grants it.
//!
//! A panic in the future's `poll` or `drop` never leaves this module: it is
//! caught and stored as the task's `JoinError`, so a panicking task cannot
//! take its worker down.

use super::raw::{Cell, Core, Header, RawTask, Stage, Trailer};
use super::state::{Snapshot, State, TransitionToIdle, TransitionToRunning};
use super::{coop, waker, JoinError, Notified, Schedule, Task};
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

pub(super) struct Harness<F: Future, S: 'static> {
    cell: NonNull<Cell<F, S>>,
    _p: PhantomData<S>,
}

enum PollFuture {
    Complete,
    Notified,
    Done,
    Dealloc,
}

impl<F, S> Harness<F, S>
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    /// # Safety
    /// `ptr` must point to the header of a live `Cell<F, S>`.
    pub(super) unsafe fn from_raw(ptr: NonNull<Header>) -> Self {
        Harness {
            cell: ptr.cast(),
            _p: PhantomData,
        }
    }

    fn header(&self) -> &Header {
        // SAFETY: the cell is alive while a harness exists (the caller holds
        // a reference).
        unsafe { &self.cell.as_ref().header }
    }

    fn state(&self) -> &State {
        &self.header().state
    }

    fn core(&self) -> &Core<F, S> {
        // SAFETY: as `header`.
        unsafe { &self.cell.as_ref().core }
    }

    fn trailer(&self) -> &Trailer {
        // SAFETY: as `header`.
        unsafe { &self.cell.as_ref().trailer }
    }

    fn raw(&self) -> RawTask {
        // SAFETY: the header is live.
        unsafe { RawTask::from_raw(self.cell.cast()) }
    }

    pub(super) fn poll(self) {
        match self.poll_inner() {
            PollFuture::Notified => {
                // transition_to_idle took a reference for a new Notified;
                // the reference of the Notified we ran is dropped after the
                // hand-off so the task outlives `yield_now`.
                let task = Notified(Task::from_raw(self.raw()));
                self.core().scheduler.yield_now(task);
                self.raw().drop_reference();
            }
            PollFuture::Complete => self.complete(),
            PollFuture::Dealloc => self.dealloc(),
            PollFuture::Done => {}
        }
    }

    fn poll_inner(&self) -> PollFuture {
        match self.state().transition_to_running() {
            TransitionToRunning::Success => {
                let header = self.cell.cast::<Header>();
                // A borrowed waker: it owns no reference, so it must not be
                // dropped; clones of it take their own.
                // SAFETY: the header is alive for the whole poll.
                let waker = ManuallyDrop::new(unsafe { waker::from_header(header) });
                let mut cx = Context::from_waker(&waker);
                if poll_future(self.core(), self.header(), &mut cx).is_ready() {
                    return PollFuture::Complete;
                }
                match self.state().transition_to_idle() {
                    TransitionToIdle::Ok => PollFuture::Done,
                    TransitionToIdle::OkNotified => PollFuture::Notified,
                    TransitionToIdle::OkDealloc => PollFuture::Dealloc,
                    TransitionToIdle::Cancelled => {
                        cancel_task(self.core(), self.header());
                        PollFuture::Complete
                    }
                }
            }
            TransitionToRunning::Cancelled => {
                cancel_task(self.core(), self.header());
                PollFuture::Complete
            }
            TransitionToRunning::Failed => PollFuture::Done,
            TransitionToRunning::Dealloc => PollFuture::Dealloc,
        }
    }

    /// Runtime shutdown: cancel if idle, and drop the owned reference.
    pub(super) fn shutdown(self) {
        if !self.state().transition_to_shutdown() {
            // Running elsewhere (it will see CANCELLED) or already complete.
            self.raw().drop_reference();
            return;
        }
        // We hold RUNNING now.
        cancel_task(self.core(), self.header());
        self.complete();
    }

    /// RUNNING → COMPLETE; the output is already stored.
    fn complete(self) {
        // Before the JoinHandle can see the output: whoever awaits it then
        // knows the hook ran.
        self.core().scheduler.terminating(self.raw());
        let snapshot = self.state().transition_to_complete();
        // Waking the JoinHandle or dropping the output runs user code
        // (a waker, a Drop impl); it must not unwind into the worker.
        let _ = panic::catch_unwind(AssertUnwindSafe(|| {
            if !snapshot.is_join_interested() {
                // Nobody will read the output: drop it here.
                // SAFETY: COMPLETE with no join interest: the stage is ours.
                unsafe { self.core().set_stage(Stage::Consumed) };
            } else if snapshot.is_join_waker_set() {
                // SAFETY: JOIN_WAKER is set: the task side may read the slot.
                unsafe { self.trailer().wake_join() };
                let snapshot = self.state().unset_waker_after_complete();
                if !snapshot.is_join_interested() {
                    // The JoinHandle left meanwhile; the waker is ours to drop.
                    // SAFETY: JOIN_WAKER is clear and the handle is gone.
                    unsafe { self.trailer().set_waker(None) };
                }
            }
        }));
        // Leave the owned list. If the list still held us, that reference
        // is dropped together with the one this completion consumes.
        let released = self.core().scheduler.release(self.raw());
        let count = if released { 2 } else { 1 };
        if self.state().transition_to_terminal(count) {
            self.dealloc();
        }
    }

    pub(super) fn schedule(self) {
        let task = Notified(Task::from_raw(self.raw()));
        self.core().scheduler.schedule(task);
    }

    pub(super) fn dealloc(self) {
        // SAFETY: the reference count reached zero: no handle, waker or
        // queue entry points here any more. The cell came from a Box.
        unsafe { drop(Box::from_raw(self.cell.as_ptr())) };
    }

    pub(super) fn try_read_output(
        self,
        dst: &mut Poll<Result<F::Output, JoinError>>,
        waker: &Waker,
    ) {
        if can_read_output(self.state(), self.trailer(), waker) {
            // SAFETY: COMPLETE is published and we hold join interest, so
            // the completer left the output for us and nobody else reads it.
            *dst = Poll::Ready(unsafe { self.core().take_output() });
        }
    }

    pub(super) fn drop_join_handle_slow(self) {
        let snapshot = self.state().transition_to_join_handle_dropped();
        if snapshot.is_complete() {
            // The completer saw join interest and left the output: drop it.
            let _ = panic::catch_unwind(AssertUnwindSafe(|| {
                // SAFETY: COMPLETE with join interest (until just now) means
                // the stage is the JoinHandle's.
                unsafe { self.core().set_stage(Stage::Consumed) }
            }));
        }
        if !snapshot.is_join_waker_set() {
            // SAFETY: JOIN_WAKER is clear: the slot belongs to the handle.
            unsafe { self.trailer().set_waker(None) };
        }
        self.raw().drop_reference();
    }
}

/// Whether the output is ready; if not, stores `waker` for the completer.
fn can_read_output(state: &State, trailer: &Trailer, waker: &Waker) -> bool {
    let snapshot = state.load();
    debug_assert!(snapshot.is_join_interested());
    if snapshot.is_complete() {
        return true;
    }
    let res = if snapshot.is_join_waker_set() {
        // SAFETY: JOIN_WAKER is set, so the task side only reads the slot;
        // reading it here too is fine.
        let same = unsafe { trailer.will_wake(waker) };
        if same {
            return false;
        }
        // Take the slot back, then store the new waker.
        state
            .unset_waker()
            .and_then(|snapshot| set_join_waker(state, trailer, waker.clone(), snapshot))
    } else {
        set_join_waker(state, trailer, waker.clone(), snapshot)
    };
    match res {
        Ok(_) => false,
        Err(snapshot) => {
            debug_assert!(snapshot.is_complete());
            true
        }
    }
}

fn set_join_waker(
    state: &State,
    trailer: &Trailer,
    waker: Waker,
    snapshot: Snapshot,
) -> Result<Snapshot, Snapshot> {
    debug_assert!(snapshot.is_join_interested() && !snapshot.is_join_waker_set());
    // SAFETY: JOIN_WAKER is clear: the JoinHandle owns the slot.
    unsafe { trailer.set_waker(Some(waker)) };
    let res = state.set_join_waker();
    if res.is_err() {
        // Completed before we published: the completer never looked at the
        // slot, which is still ours.
        // SAFETY: JOIN_WAKER is still clear.
        unsafe { trailer.set_waker(None) };
    }
    res
}

/// Polls the future, storing its output (or the panic) when it finishes.
fn poll_future<F: Future, S: Schedule>(
    core: &Core<F, S>,
    header: &Header,
    cx: &mut Context<'_>,
) -> Poll<()> {
    struct DropOnUnwind<'a, F: Future, S>(&'a Core<F, S>);
    impl<F: Future, S> Drop for DropOnUnwind<'_, F, S> {
        fn drop(&mut self) {
            // Only reached when `poll` unwinds: the future is in an unknown
            // state and is dropped now, still under RUNNING.
            // SAFETY: we hold RUNNING.
            unsafe { self.0.set_stage(Stage::Consumed) };
        }
    }
    let _current = super::id::enter(header.id);
    let res = panic::catch_unwind(AssertUnwindSafe(|| {
        let guard = DropOnUnwind(core);
        // SAFETY: we hold RUNNING, so we have exclusive access to the stage,
        // and the future never moves (it lives in the heap cell).
        let res = coop::budget(|| unsafe { core.poll(cx) });
        std::mem::forget(guard);
        res
    }));
    let output = match res {
        Ok(Poll::Pending) => return Poll::Pending,
        Ok(Poll::Ready(output)) => Ok(output),
        Err(panic) => {
            core.scheduler.unhandled_panic(header.id, &*panic);
            Err(JoinError::panic(header.id, panic))
        }
    };
    // Storing drops the future, which may panic in its destructor.
    let res = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: we still hold RUNNING.
        unsafe { core.set_stage(Stage::Finished(output)) }
    }));
    if let Err(panic) = res {
        // The assignment above still stored the output; replacing it drops
        // the output, whose destructor may panic as well. Either way the
        // stage ends up `Finished`, and nothing unwinds into the worker.
        let err = JoinError::panic(header.id, panic);
        let _ = panic::catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: as above.
            unsafe { core.set_stage(Stage::Finished(Err(err))) }
        }));
    }
    Poll::Ready(())
}

/// Drops the future and stores `Cancelled` (or the drop's panic).
fn cancel_task<F: Future, S>(core: &Core<F, S>, header: &Header) {
    let res = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller holds RUNNING.
        unsafe { core.set_stage(Stage::Consumed) }
    }));
    let err = match res {
        Ok(()) => JoinError::cancelled(header.id),
        Err(panic) => JoinError::panic(header.id, panic),
    };
    // SAFETY: the caller holds RUNNING.
    unsafe { core.set_stage(Stage::Finished(Err(err))) };
}

impl<F: Future, S> Core<F, S> {
    /// # Safety
    /// The caller holds `RUNNING` and the stage is `Running`.
    unsafe fn poll(&self, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: the caller holds RUNNING (exclusive access to the stage).
        self.stage.with_mut(|ptr| match unsafe { &mut *ptr } {
            // SAFETY: the future lives in the heap cell and never moves.
            Stage::Running(future) => unsafe { Pin::new_unchecked(future) }.poll(cx),
            _ => unreachable!("a task was polled after it finished"),
        })
    }

    /// # Safety
    /// The caller has exclusive access to the stage (see `raw.rs`).
    unsafe fn set_stage(&self, stage: Stage<F>) {
        // SAFETY: the caller has exclusive access to the stage.
        self.stage.with_mut(|ptr| unsafe { *ptr = stage })
    }

    /// # Safety
    /// As `set_stage`, and the stage is `Finished`.
    unsafe fn take_output(&self) -> Result<F::Output, JoinError> {
        self.stage.with_mut(|ptr| {
            // SAFETY: the caller has exclusive access to the stage.
            let stage = unsafe { &mut *ptr };
            match std::mem::replace(stage, Stage::Consumed) {
                Stage::Finished(output) => output,
                _ => panic!("JoinHandle polled after completion"),
            }
        })
    }
}

impl Trailer {
    /// # Safety
    /// The caller owns the waker slot (see `raw.rs`).
    unsafe fn set_waker(&self, waker: Option<Waker>) {
        // SAFETY: the caller owns the slot.
        self.waker.with_mut(|ptr| unsafe { *ptr = waker })
    }

    /// # Safety
    /// `JOIN_WAKER` is set (the slot is readable by both sides).
    unsafe fn will_wake(&self, waker: &Waker) -> bool {
        self.waker
            // SAFETY: with JOIN_WAKER set, neither side writes the slot.
            .with(|ptr| unsafe { (*ptr).as_ref() }.is_some_and(|w| w.will_wake(waker)))
    }

    /// # Safety
    /// `JOIN_WAKER` is set and the task is complete.
    unsafe fn wake_join(&self) {
        self.waker.with(|ptr| {
            // SAFETY: with JOIN_WAKER set, neither side writes the slot.
            if let Some(waker) = unsafe { &*ptr } {
                waker.wake_by_ref();
            }
        })
    }
}
