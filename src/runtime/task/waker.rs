//! Wakers that point straight at the task cell: no allocation per waker.
//! The data pointer is the task header; cloning takes a task reference,
//! dropping releases one.

use super::raw::{Header, RawTask};
use super::state::{TransitionToNotified, TransitionToNotifiedByRef};
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake_by_val, wake_by_ref, drop_waker);

/// Builds a waker for the task without taking a reference: the caller must
/// not let it drop (wrap it in `ManuallyDrop`).
///
/// # Safety
/// `header` points to a live task.
pub(super) unsafe fn from_header(header: NonNull<Header>) -> Waker {
    // SAFETY: the vtable's functions treat the data pointer as a task
    // header, which it is.
    unsafe { Waker::from_raw(RawWaker::new(header.as_ptr() as *const (), &VTABLE)) }
}

unsafe fn raw(ptr: *const ()) -> RawTask {
    // SAFETY: every waker built with VTABLE carries a live, non-null header
    // pointer (it owns a reference, or is borrowed during a poll).
    unsafe { RawTask::from_raw(NonNull::new_unchecked(ptr as *mut Header)) }
}

unsafe fn clone(ptr: *const ()) -> RawWaker {
    // SAFETY: called by `Waker` with the data pointer of a waker built
    // here, which holds (or borrows) a reference to a live task.
    unsafe { raw(ptr) }.ref_inc();
    RawWaker::new(ptr, &VTABLE)
}

unsafe fn wake_by_val(ptr: *const ()) {
    // SAFETY: as in `clone`; this waker's reference is consumed below.
    let task = unsafe { raw(ptr) };
    match task.header().state.transition_to_notified_by_val() {
        // The waker's reference became the Notified's.
        TransitionToNotified::Submit => task.schedule(),
        TransitionToNotified::Dealloc => task.dealloc(),
        TransitionToNotified::DoNothing => {}
    }
}

unsafe fn wake_by_ref(ptr: *const ()) {
    // SAFETY: as in `clone`; the borrowed waker keeps the task alive.
    let task = unsafe { raw(ptr) };
    match task.header().state.transition_to_notified_by_ref() {
        // A fresh reference was taken for the Notified.
        TransitionToNotifiedByRef::Submit => task.schedule(),
        TransitionToNotifiedByRef::DoNothing => {}
    }
}

unsafe fn drop_waker(ptr: *const ()) {
    // SAFETY: as in `clone`; this releases the waker's own reference.
    unsafe { raw(ptr) }.drop_reference();
}
