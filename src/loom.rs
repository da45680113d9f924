//! The one switch between real and model-checked concurrency primitives.
//!
//! Everything in magpie that shares memory between threads imports its
//! atomics, locks, cells and thread spawning from here, never from `std`
//! or `parking_lot` directly. In a normal build these are the std atomics,
//! poison-free `parking_lot` locks and `std::thread`; under `--cfg loom`
//! they are loom's instrumented versions, so the loom models in
//! `loom-tests/` explore every interleaving of the real code.
//!
//! The two modes expose the same method signatures:
//!
//! * `Mutex::lock` returns the guard directly (no poisoning in either mode).
//! * `Condvar::wait(guard) -> guard` and
//!   `Condvar::wait_timeout(guard, dur) -> (guard, timed_out)`.
//! * `UnsafeCell::with(|*const T| ..)` / `with_mut(|*mut T| ..)`, loom's API.

// The facade offers the whole std/loom surface; not every build uses all of it.
#[allow(dead_code, unused_imports)]
#[cfg(not(loom))]
mod imp {
    pub(crate) mod sync {
        pub(crate) use std::sync::Arc;

        pub(crate) mod atomic {
            pub(crate) use std::sync::atomic::{
                fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering,
            };
            /// For process-wide counters in `static`s (task ids) that no
            /// protocol depends on; loom atomics cannot live in statics.
            pub(crate) type StaticAtomicU64 = std::sync::atomic::AtomicU64;
            /// For statistics (metrics, poll counts, trace clocks) that no
            /// protocol depends on: left out of loom's model on purpose.
            pub(crate) type StatAtomicU64 = std::sync::atomic::AtomicU64;

            /// `fence(SeqCst)`, at the lowest price the target allows.
            ///
            /// On x86 `fence(SeqCst)` is `mfence`, which also waits for
            /// non-temporal stores and costs several times a locked
            /// instruction, while any `lock`-prefixed read-modify-write is
            /// already a full barrier for ordinary memory. So there it is a
            /// `lock or` on the stack in inline assembly: the compiler must
            /// assume the block reads and writes any memory (no `nomem`), so
            /// it moves no access across it, and the CPU drains its store
            /// buffer before any later load. (A compare-exchange on a Rust
            /// local would *not* do: the language lets the compiler delete
            /// an atomic on a non-escaping local — the reason event-listener
            /// and concurrent-queue moved to assembly too.) Elsewhere, and
            /// under loom (which models fences, not this hardware fact), it
            /// is the plain fence.
            #[inline]
            pub(crate) fn full_fence() {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: the block only does an atomic `lock or` of zero
                // into the 4 bytes at the stack pointer: memory our own
                // frame owns, left unchanged (x | 0 == x, and atomically, so
                // even a concurrent writer of that word loses nothing). It
                // clobbers only the flags (not declared preserved), and it
                // pushes and pops nothing (`nostack`).
                unsafe {
                    std::arch::asm!("lock or dword ptr [rsp], 0", options(nostack));
                }
                #[cfg(not(target_arch = "x86_64"))]
                fence(Ordering::SeqCst);
            }
        }

        /// A poison-free mutex (parking_lot's).
        #[derive(Debug, Default)]
        pub(crate) struct Mutex<T: ?Sized>(parking_lot::Mutex<T>);

        pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

        /// A poison-free reader-writer lock (parking_lot's). Added for
        /// `sync::watch`, whose borrows must not exclude each other.
        #[derive(Debug, Default)]
        pub(crate) struct RwLock<T: ?Sized>(parking_lot::RecursiveRwLock<T>);

        pub(crate) type RwLockReadGuard<'a, T> = parking_lot::RecursiveRwLockReadGuard<'a, T>;
        pub(crate) type RwLockWriteGuard<'a, T> = parking_lot::RecursiveRwLockWriteGuard<'a, T>;

        impl<T> RwLock<T> {
            pub(crate) const fn new(value: T) -> Self {
                RwLock(parking_lot::RecursiveRwLock::new(value))
            }
        }

        impl<T: ?Sized> RwLock<T> {
            /// Shared access; may be taken again on the same thread even
            /// while a writer waits (a recursive read never deadlocks).
            #[inline]
            pub(crate) fn read(&self) -> RwLockReadGuard<'_, T> {
                self.0.read()
            }

            #[inline]
            pub(crate) fn write(&self) -> RwLockWriteGuard<'_, T> {
                self.0.write()
            }
        }

        impl<T> Mutex<T> {
            pub(crate) const fn new(value: T) -> Self {
                Mutex(parking_lot::Mutex::new(value))
            }

            pub(crate) fn into_inner(self) -> T {
                self.0.into_inner()
            }
        }

        impl<T: ?Sized> Mutex<T> {
            #[inline]
            pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
                self.0.lock()
            }

            #[inline]
            pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
                self.0.try_lock()
            }

            pub(crate) fn get_mut(&mut self) -> &mut T {
                self.0.get_mut()
            }
        }

        /// A condition variable paired with [`Mutex`].
        #[derive(Debug, Default)]
        pub(crate) struct Condvar(parking_lot::Condvar);

        impl Condvar {
            pub(crate) const fn new() -> Self {
                Condvar(parking_lot::Condvar::new())
            }

            pub(crate) fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
                self.0.wait(&mut guard);
                guard
            }

            pub(crate) fn wait_timeout<'a, T>(
                &self,
                mut guard: MutexGuard<'a, T>,
                timeout: std::time::Duration,
            ) -> (MutexGuard<'a, T>, bool) {
                let timed_out = self.0.wait_for(&mut guard, timeout).timed_out();
                (guard, timed_out)
            }

            pub(crate) fn notify_one(&self) -> bool {
                self.0.notify_one()
            }

            pub(crate) fn notify_all(&self) -> usize {
                self.0.notify_all()
            }
        }
    }

    pub(crate) mod cell {
        /// `std::cell::UnsafeCell` with loom's closure-based access API.
        #[derive(Debug, Default)]
        #[repr(transparent)]
        pub(crate) struct UnsafeCell<T: ?Sized>(std::cell::UnsafeCell<T>);

        impl<T> UnsafeCell<T> {
            pub(crate) const fn new(value: T) -> Self {
                UnsafeCell(std::cell::UnsafeCell::new(value))
            }

            pub(crate) fn into_inner(self) -> T {
                self.0.into_inner()
            }
        }

        impl<T: ?Sized> UnsafeCell<T> {
            #[inline(always)]
            pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
                f(self.0.get())
            }

            #[inline(always)]
            pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
                f(self.0.get())
            }
        }
    }

    pub(crate) mod thread {
        pub(crate) use std::thread::{current, park, yield_now, JoinHandle, ThreadId};

        /// Spawns a thread with an optional name and stack size.
        pub(crate) fn spawn_named<F, T>(
            name: String,
            stack_size: Option<usize>,
            f: F,
        ) -> std::io::Result<JoinHandle<T>>
        where
            F: FnOnce() -> T + Send + 'static,
            T: Send + 'static,
        {
            let mut builder = std::thread::Builder::new().name(name);
            if let Some(size) = stack_size {
                builder = builder.stack_size(size);
            }
            builder.spawn(f)
        }

        /// Joins `t`, giving up at `deadline`. True if it was joined.
        ///
        /// Gives up at once on a thread that holds the Windows loader lock.
        pub(crate) fn join_until<T>(
            t: JoinHandle<T>,
            deadline: Option<std::time::Instant>,
        ) -> Result<bool, JoinHandle<T>> {
            // Why: a thread-local destructor (a `Runtime` kept in a
            // `thread_local!`, dropped as its thread exits) runs under the
            // loader lock on Windows, and `t` needs that lock to finish
            // exiting, even after `is_finished`: the join would never
            // return. Leave `t` detached, as past a deadline; it exits once
            // the lock is released.
            #[cfg(windows)]
            if crate::util::loader_lock::held_by_current_thread() {
                return Err(t);
            }
            if let Some(deadline) = deadline {
                while !t.is_finished() {
                    if std::time::Instant::now() >= deadline {
                        return Err(t);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
            }
            Ok(t.join().is_ok())
        }
    }

    pub(crate) mod hint {
        pub(crate) use std::hint::spin_loop;
    }

    pub(crate) use std::thread_local;
}

#[allow(dead_code, unused_imports)]
#[cfg(loom)]
mod imp {
    pub(crate) mod sync {
        pub(crate) use loom::sync::Arc;

        pub(crate) mod atomic {
            pub(crate) use loom::sync::atomic::{
                fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering,
            };
            /// For process-wide counters in `static`s (task ids) that no
            /// protocol depends on; loom atomics cannot live in statics.
            pub(crate) type StaticAtomicU64 = std::sync::atomic::AtomicU64;
            /// For statistics (metrics, poll counts, trace clocks) that no
            /// protocol depends on: left out of loom's model on purpose.
            pub(crate) type StatAtomicU64 = std::sync::atomic::AtomicU64;

            /// loom models the SeqCst fence itself.
            pub(crate) fn full_fence() {
                fence(Ordering::SeqCst);
            }
        }

        /// loom's mutex with the poison-free API of the normal build.
        #[derive(Debug)]
        pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

        pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

        /// loom's reader-writer lock with the poison-free API of the normal build.
        #[derive(Debug)]
        pub(crate) struct RwLock<T>(loom::sync::RwLock<T>);

        pub(crate) type RwLockReadGuard<'a, T> = loom::sync::RwLockReadGuard<'a, T>;
        pub(crate) type RwLockWriteGuard<'a, T> = loom::sync::RwLockWriteGuard<'a, T>;

        impl<T> RwLock<T> {
            pub(crate) fn new(value: T) -> Self {
                RwLock(loom::sync::RwLock::new(value))
            }

            #[inline]
            pub(crate) fn read(&self) -> RwLockReadGuard<'_, T> {
                self.0.read().unwrap()
            }

            #[inline]
            pub(crate) fn write(&self) -> RwLockWriteGuard<'_, T> {
                self.0.write().unwrap()
            }
        }

        impl<T> Mutex<T> {
            pub(crate) fn new(value: T) -> Self {
                Mutex(loom::sync::Mutex::new(value))
            }

            pub(crate) fn into_inner(self) -> T {
                self.0.into_inner().unwrap()
            }

            #[inline]
            pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
                self.0.lock().unwrap()
            }

            #[inline]
            pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
                self.0.try_lock().ok()
            }

            pub(crate) fn get_mut(&mut self) -> &mut T {
                self.0.get_mut().unwrap()
            }
        }

        impl<T: Default> Default for Mutex<T> {
            fn default() -> Self {
                Mutex::new(T::default())
            }
        }

        /// loom's condition variable with the API of the normal build.
        #[derive(Debug, Default)]
        pub(crate) struct Condvar(loom::sync::Condvar);

        impl Condvar {
            pub(crate) fn new() -> Self {
                Condvar(loom::sync::Condvar::new())
            }

            pub(crate) fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
                self.0.wait(guard).unwrap()
            }

            /// loom has no time: a timed wait is modelled as a wait that
            /// may return at once (a spurious or timed-out wake).
            pub(crate) fn wait_timeout<'a, T>(
                &self,
                guard: MutexGuard<'a, T>,
                _timeout: std::time::Duration,
            ) -> (MutexGuard<'a, T>, bool) {
                (guard, true)
            }

            pub(crate) fn notify_one(&self) -> bool {
                self.0.notify_one();
                true
            }

            pub(crate) fn notify_all(&self) -> usize {
                self.0.notify_all();
                0
            }
        }
    }

    pub(crate) mod cell {
        pub(crate) use loom::cell::UnsafeCell;
    }

    pub(crate) mod thread {
        pub(crate) use loom::thread::{current, park, yield_now, JoinHandle, ThreadId};

        /// loom threads have no names or stack sizes; both are ignored.
        pub(crate) fn spawn_named<F, T>(
            _name: String,
            _stack_size: Option<usize>,
            f: F,
        ) -> std::io::Result<JoinHandle<T>>
        where
            F: FnOnce() -> T + Send + 'static,
            T: Send + 'static,
        {
            Ok(loom::thread::spawn(f))
        }

        /// loom has no clock: joins unconditionally.
        pub(crate) fn join_until<T>(
            t: JoinHandle<T>,
            _deadline: Option<std::time::Instant>,
        ) -> Result<bool, JoinHandle<T>> {
            Ok(t.join().is_ok())
        }
    }

    pub(crate) mod hint {
        pub(crate) use loom::hint::spin_loop;
    }

    pub(crate) use loom::thread_local;
}

#[allow(unused_imports)]
pub(crate) use imp::*;

/// `thread_local!` with a `const` initializer in the normal build (no lazy
/// initialization check on every access: these are read on every poll), and
/// loom's `thread_local!` (which has no `const` form) under loom.
macro_rules! const_thread_local {
    ($(#[$attr:meta])* static $name:ident: $t:ty = $init:expr;) => {
        #[cfg(not(loom))]
        std::thread_local! {
            $(#[$attr])* static $name: $t = const { $init };
        }
        #[cfg(loom)]
        loom::thread_local! {
            $(#[$attr])* static $name: $t = $init;
        }
    };
}
pub(crate) use const_thread_local;

/// A `const fn` in the normal build and a plain `fn` under loom, whose
/// atomics and locks have no `const` constructors. For the constructors
/// that let a `Mutex`, `RwLock`, `Semaphore` or `Notify` be a `static`.
macro_rules! const_fn {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($args:tt)*) -> $ret:ty $body:block) => {
        #[cfg(not(loom))]
        $(#[$attr])* $vis const fn $name($($args)*) -> $ret $body
        #[cfg(loom)]
        $(#[$attr])* $vis fn $name($($args)*) -> $ret $body
    };
}
pub(crate) use const_fn;
