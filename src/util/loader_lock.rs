//! Whether this thread holds the Windows loader lock.
//!
//! Windows takes the loader lock around every DLL and TLS callback: thread
//! start and thread exit, DLL load and unload. Rust's std (up to at least
//! 1.96) runs thread-local destructors from such a callback, so a `Runtime`
//! kept in a `thread_local!` is dropped with the lock held. Any thread that
//! starts or exits meanwhile blocks on the lock, so joining a thread from
//! there waits forever (std documents this under "Synchronization in
//! thread-local destructors"). `crate::loom::thread::join_until` asks here
//! and gives up instead.
//!
//! There is no public API for this question. The lock is the critical
//! section the PEB's `LoaderLock` field points to (at the same offset since
//! Windows NT, and in Wine), and a critical section records its owner's
//! thread id in the documented `OwningThread` field; crash reporters
//! (Crashpad's `IsThreadInLoaderLock`) read the same two fields.

use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};
use windows_sys::Win32::System::Threading::{GetCurrentThreadId, CRITICAL_SECTION};

windows_link::link!("ntdll.dll" "system" fn RtlGetCurrentPeb() -> *mut c_void);

/// Offset of `LoaderLock` (a `*mut CRITICAL_SECTION`) in the PEB.
#[cfg(target_pointer_width = "64")]
const PEB_LOADER_LOCK: usize = 0x110;
#[cfg(target_pointer_width = "32")]
const PEB_LOADER_LOCK: usize = 0xa0;

/// True if the calling thread holds the loader lock (it runs inside a DLL
/// or TLS callback, such as a thread-local destructor at thread exit).
pub(crate) fn held_by_current_thread() -> bool {
    // SAFETY: the PEB lives as long as the process, and its `LoaderLock`
    // field is set before any user code runs and never changes; the critical
    // section it points to is a static in ntdll. `OwningThread` is written
    // by whichever thread takes or releases the lock, so it is read as an
    // atomic: only our own id matters, and only we write our own id there.
    let owner = unsafe {
        let peb = RtlGetCurrentPeb().cast::<u8>();
        let lock = peb
            .add(PEB_LOADER_LOCK)
            .cast::<*const CRITICAL_SECTION>()
            .read();
        if lock.is_null() {
            return false;
        }
        let owner = std::ptr::addr_of!((*lock).OwningThread).cast::<AtomicUsize>();
        (*owner).load(Ordering::Relaxed)
    };
    // SAFETY: no preconditions.
    owner == unsafe { GetCurrentThreadId() } as usize
}

#[cfg(test)]
mod tests {
    #[test]
    fn ordinary_code_does_not_hold_the_loader_lock() {
        assert!(!super::held_by_current_thread());
        let on_thread = std::thread::spawn(super::held_by_current_thread);
        assert!(!on_thread.join().unwrap());
    }
}
