//! Learning that a child exited, without a thread per child.
//!
//! `Exit::poll_changed` completes when the child *may* have exited; the
//! caller then asks the OS with a non-blocking wait (`try_wait`, which is
//! `waitpid(pid, WNOHANG)` on Unix) and polls again if it had not. The
//! order — arm the watch, then ask, then sleep — is what loses no exit:
//! an exit after the ask is seen by the armed watch.
//!
//! * **Linux**: a pidfd (`pidfd_open`, kernel 5.3+), registered with the
//!   I/O driver like a socket; it becomes readable when the child exits.
//!   If the kernel refuses (`ENOSYS` on older kernels, `EPERM` under some
//!   seccomp filters), the SIGCHLD watch below.
//! * **Other Unix, and the Linux fallback**: SIGCHLD through
//!   `signal::unix`. Every watching child holds a receiver on the one
//!   SIGCHLD slot of the signal registry, so one delivery (which the
//!   kernel may merge for several exits) wakes every waiting child and
//!   each reaps only its own pid with `waitpid(pid, WNOHANG)`. Nothing
//!   calls `waitpid(-1)`, so children spawned by other code are left
//!   alone.
//! * **Windows**: the process handle is waited on from the blocking pool,
//!   in slices of `SLICE` so that a dropped wait (or a runtime shutting
//!   down) frees its pool thread within one slice.

use std::io;
use std::task::{Context, Poll};

#[cfg(unix)]
pub(super) use unix::Exit;
#[cfg(windows)]
pub(super) use windows::Exit;

#[cfg(unix)]
mod unix {
    use super::*;
    use crate::signal::unix::{signal, Signal, SignalKind};

    /// A watch on one child's exit.
    pub(in crate::process) enum Exit {
        #[cfg(target_os = "linux")]
        Pidfd {
            io: crate::runtime::driver::io::PollEvented<std::os::fd::OwnedFd>,
            /// The readiness the last `poll_changed` reported: the caller
            /// has checked since, so it is cleared on the next poll.
            seen: Option<crate::runtime::driver::io::ReadyEvent>,
        },
        Sigchld(Signal),
    }

    impl Exit {
        /// Arms a watch on `pid`, which must be an unreaped child of this
        /// process: a pidfd on Linux if `pidfd` and the kernel allow,
        /// SIGCHLD otherwise.
        pub(in crate::process) fn new(pid: u32, pidfd: bool) -> io::Result<Exit> {
            #[cfg(target_os = "linux")]
            if pidfd {
                if let Some(fd) = pidfd_open(pid) {
                    let io = crate::runtime::driver::io::PollEvented::new(fd)?;
                    return Ok(Exit::Pidfd { io, seen: None });
                }
            }
            let _ = (pid, pidfd);
            Ok(Exit::Sigchld(signal(SignalKind::child())?))
        }

        /// Ready when the child may have changed state since the last
        /// `Ready`.
        pub(in crate::process) fn poll_changed(
            &mut self,
            cx: &mut Context<'_>,
        ) -> Poll<io::Result<()>> {
            match self {
                #[cfg(target_os = "linux")]
                Exit::Pidfd { io, seen } => {
                    use crate::runtime::driver::io::Direction;
                    if let Some(event) = seen.take() {
                        io.clear_readiness(event);
                    }
                    let event = std::task::ready!(io.poll_ready(cx, Direction::Read))?;
                    *seen = Some(event);
                    Poll::Ready(Ok(()))
                }
                Exit::Sigchld(signal) => signal.poll_recv(cx).map(|_| Ok(())),
            }
        }

        /// Which mechanism this watch uses.
        #[cfg(test)]
        pub(in crate::process) fn kind(&self) -> &'static str {
            match self {
                #[cfg(target_os = "linux")]
                Exit::Pidfd { .. } => "pidfd",
                Exit::Sigchld(_) => "sigchld",
            }
        }
    }

    /// `pidfd_open(pid, 0)`, or `None` if the kernel will not give one.
    #[cfg(target_os = "linux")]
    fn pidfd_open(pid: u32) -> Option<std::os::fd::OwnedFd> {
        use std::os::fd::FromRawFd;
        let pid = libc::pid_t::try_from(pid).ok()?;
        // SAFETY: pidfd_open takes a pid and a flags word and returns a new
        // descriptor (close-on-exec) or -1; it touches no memory of ours.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if fd < 0 {
            return None;
        }
        // SAFETY: `fd` was just returned by the kernel, is open, and
        // nothing else owns it.
        Some(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as std::os::fd::RawFd) })
    }
}

#[cfg(windows)]
mod windows {
    use super::*;
    use crate::runtime::task::JoinHandle;
    use std::future::Future;
    use std::os::windows::io::{AsHandle, AsRawHandle, OwnedHandle};
    use std::pin::Pin;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use windows_sys::Win32::System::Threading::WaitForSingleObject;

    /// How long one blocking wait lasts before it checks for cancellation.
    const SLICE_MS: u32 = 100;
    const WAIT_OBJECT_0: u32 = 0;
    const WAIT_TIMEOUT: u32 = 258;

    /// A watch on one child's exit: a pool thread waiting on its handle.
    pub(in crate::process) struct Exit {
        handle: Arc<OwnedHandle>,
        wait: Option<JoinHandle<io::Result<()>>>,
        cancel: Arc<AtomicBool>,
    }

    impl Exit {
        pub(in crate::process) fn new(child: &std::process::Child) -> io::Result<Exit> {
            Ok(Exit {
                handle: Arc::new(child.as_handle().try_clone_to_owned()?),
                wait: None,
                cancel: Arc::new(AtomicBool::new(false)),
            })
        }

        pub(in crate::process) fn poll_changed(
            &mut self,
            cx: &mut Context<'_>,
        ) -> Poll<io::Result<()>> {
            let wait = self.wait.get_or_insert_with(|| {
                let (handle, cancel) = (self.handle.clone(), self.cancel.clone());
                crate::runtime::Handle::current().spawn_blocking(move || loop {
                    // SAFETY: `handle` is an open process handle owned by
                    // the Arc this closure holds.
                    let r = unsafe { WaitForSingleObject(handle.as_raw_handle() as _, SLICE_MS) };
                    match r {
                        WAIT_OBJECT_0 => return Ok(()),
                        WAIT_TIMEOUT if cancel.load(Ordering::Relaxed) => return Ok(()),
                        WAIT_TIMEOUT => {}
                        _ => return Err(io::Error::last_os_error()),
                    }
                })
            });
            let done = std::task::ready!(Pin::new(wait).poll(cx));
            self.wait = None;
            Poll::Ready(done.map_err(io::Error::from).and_then(|r| r))
        }
    }

    impl Drop for Exit {
        fn drop(&mut self) {
            // Relaxed: the flag carries no data; the waiting thread only
            // needs to see it eventually, within a slice.
            self.cancel.store(true, Ordering::Relaxed);
        }
    }
}
