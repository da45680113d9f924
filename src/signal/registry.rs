//! The process-global signal registry: a self-pipe and one listener thread.
//!
//! How a signal reaches a [`Signal`](super::unix::Signal):
//!
//! 1. The first `signal(kind)` for a signal number installs [`on_signal`]
//!    with `sigaction` (once per process; it is never uninstalled, as in
//!    tokio: the default action, such as termination on SIGINT, is replaced
//!    for the rest of the process).
//! 2. The handler runs on whichever thread the kernel picks. It does only
//!    async-signal-safe things: it sets `PENDING[signum]` and writes one
//!    byte to the non-blocking write end of the pipe (if the pipe is full,
//!    the write fails and that is fine: a byte is already waiting, and the
//!    flag records which signal came). It saves and restores `errno`.
//! 3. The listener thread `magpie-signal` blocks in `read` on the pipe. For
//!    every wake-up it swaps each `PENDING` flag back to false and, for each
//!    that was set, bumps that signal's generation and wakes its waiters.
//! 4. A `Signal` remembers the generation it last saw; `recv` completes when
//!    the slot's generation differs. Several deliveries between two `recv`s
//!    coalesce into one, like the kernel's own pending-signal bit.
//!
//! No lost wake-up: `poll_recv` compares the generation and files its waker
//! under the slot's lock, and delivery bumps the generation and takes the
//! waker list under the same lock.
//!
//! The listener thread needs no runtime, so signals work from any executor.
//! It lives as long as the process.

use crate::loom::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use crate::loom::sync::Mutex;
use std::io;
use std::os::raw::c_int;
use std::task::Waker;

/// Signal numbers are below this (Linux has 64 signals, others fewer).
pub(super) const SIGNAL_LIMIT: usize = 65;

/// Set by the handler, cleared by the listener thread.
static PENDING: [AtomicBool; SIGNAL_LIMIT] = [const { AtomicBool::new(false) }; SIGNAL_LIMIT];

/// The pipe's write end, or `NO_FD`. Written once, before any handler is
/// installed.
static WRITE_FD: AtomicU32 = AtomicU32::new(NO_FD);
const NO_FD: u32 = u32::MAX;

static REGISTRY: Mutex<Option<&'static Registry>> = Mutex::new(None);

/// One signal number's receivers.
#[derive(Default)]
struct Slot {
    /// `sigaction` was called for this number.
    installed: bool,
    /// Deliveries so far.
    generation: u64,
    /// Receivers waiting for the next delivery, by receiver id.
    waiters: Vec<(u64, Waker)>,
}

pub(super) struct Registry {
    slots: Vec<Mutex<Slot>>,
    next_id: AtomicU64,
}

/// The registry, created (pipe + listener thread) on first use.
pub(super) fn global() -> io::Result<&'static Registry> {
    let mut guard = REGISTRY.lock();
    if let Some(registry) = *guard {
        return Ok(registry);
    }
    let read_fd = open_pipe()?;
    let registry: &'static Registry = Box::leak(Box::new(Registry {
        slots: (0..SIGNAL_LIMIT)
            .map(|_| Mutex::new(Slot::default()))
            .collect(),
        next_id: AtomicU64::new(1),
    }));
    crate::loom::thread::spawn_named("magpie-signal".into(), Some(256 * 1024), move || {
        listen(registry, read_fd)
    })?;
    *guard = Some(registry);
    Ok(registry)
}

/// Creates the pipe, publishes its write end, returns its read end.
fn open_pipe() -> io::Result<c_int> {
    let mut fds = [0 as c_int; 2];
    // SAFETY: `fds` is a valid array of two c_ints for pipe(2) to fill.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let [read_fd, write_fd] = fds;
    for (fd, nonblocking) in [(read_fd, false), (write_fd, true)] {
        // SAFETY: `fd` was just returned by pipe(2) and is open.
        unsafe {
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            if nonblocking {
                let flags = libc::fcntl(fd, libc::F_GETFL);
                libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
            }
        }
    }
    // Release: pairs with the handler's Acquire load, so a handler that
    // sees the fd sees an open pipe.
    WRITE_FD.store(write_fd as u32, Ordering::Release);
    Ok(read_fd)
}

/// The listener thread's loop.
fn listen(registry: &'static Registry, read_fd: c_int) {
    let mut buf = [0u8; 64];
    loop {
        // SAFETY: `buf` is valid for `buf.len()` bytes; `read_fd` stays open
        // for the life of the process.
        let n = unsafe { libc::read(read_fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        if n <= 0 {
            // The write end never closes; any other error is unexpected,
            // and spinning on it would burn a core.
            return;
        }
        for (signum, pending) in PENDING.iter().enumerate() {
            // Acquire: pairs with the handler's Release store.
            if pending.swap(false, Ordering::Acquire) {
                registry.deliver(signum);
            }
        }
    }
}

/// The signal handler. Async-signal-safe: atomics and write(2) only.
extern "C" fn on_signal(signum: c_int) {
    let saved = errno::get();
    if let Some(flag) = usize::try_from(signum).ok().and_then(|i| PENDING.get(i)) {
        // Release: pairs with the listener's Acquire swap.
        flag.store(true, Ordering::Release);
    }
    let fd = WRITE_FD.load(Ordering::Acquire);
    if fd != NO_FD {
        let byte = 1u8;
        // SAFETY: write(2) is async-signal-safe; `byte` is valid for one
        // byte. A full pipe (EAGAIN) is fine: a byte is already waiting.
        unsafe { libc::write(fd as c_int, (&byte as *const u8).cast(), 1) };
    }
    errno::set(saved);
}

impl Registry {
    /// Installs the handler for `signum` if needed; returns a fresh
    /// receiver id and the current generation.
    pub(super) fn register(&self, signum: c_int) -> io::Result<(u64, u64)> {
        let mut slot = self.slots[signum as usize].lock();
        if !slot.installed {
            install(signum)?;
            slot.installed = true;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        Ok((id, slot.generation))
    }

    /// Ready with the new generation if it differs from `seen`; otherwise
    /// files `waker` under receiver `id`.
    pub(super) fn poll(&self, signum: c_int, id: u64, seen: u64, waker: &Waker) -> Option<u64> {
        let mut slot = self.slots[signum as usize].lock();
        if slot.generation != seen {
            return Some(slot.generation);
        }
        match slot.waiters.iter_mut().find(|(i, _)| *i == id) {
            Some((_, w)) if w.will_wake(waker) => {}
            Some((_, w)) => *w = waker.clone(),
            None => slot.waiters.push((id, waker.clone())),
        }
        None
    }

    /// Receiver `id` is gone.
    pub(super) fn deregister(&self, signum: c_int, id: u64) {
        let removed = {
            let mut slot = self.slots[signum as usize].lock();
            let at = slot.waiters.iter().position(|(i, _)| *i == id);
            at.map(|at| slot.waiters.swap_remove(at))
        };
        drop(removed); // a waker's drop may run arbitrary code: outside the lock
    }

    fn deliver(&self, signum: usize) {
        let waiters = {
            let mut slot = self.slots[signum].lock();
            slot.generation = slot.generation.wrapping_add(1);
            std::mem::take(&mut slot.waiters)
        };
        for (_, waker) in waiters {
            waker.wake();
        }
    }
}

/// Installs `on_signal` for `signum`.
fn install(signum: c_int) -> io::Result<()> {
    // SAFETY: an all-zero `sigaction` is a valid starting value; we set the
    // handler, flags and an empty mask before passing it to sigaction(2).
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as extern "C" fn(c_int) as libc::sighandler_t;
        // SA_RESTART: other threads' blocking calls resume instead of
        // failing with EINTR.
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(signum, &action, std::ptr::null_mut()) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Saving and restoring `errno` around the handler.
mod errno {
    use std::os::raw::c_int;

    #[cfg(any(target_os = "linux", target_os = "android", target_os = "emscripten"))]
    fn location() -> Option<*mut c_int> {
        // SAFETY: returns the calling thread's errno slot; always valid.
        Some(unsafe { libc::__errno_location() })
    }

    #[cfg(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "dragonfly"
    ))]
    fn location() -> Option<*mut c_int> {
        // SAFETY: as above.
        Some(unsafe { libc::__error() })
    }

    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "emscripten",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "dragonfly"
    )))]
    fn location() -> Option<*mut c_int> {
        None
    }

    pub(super) fn get() -> c_int {
        // SAFETY: the pointer is this thread's errno slot.
        location().map_or(0, |p| unsafe { *p })
    }

    pub(super) fn set(value: c_int) {
        if let Some(p) = location() {
            // SAFETY: as above.
            unsafe { *p = value };
        }
    }
}
