//! Unix-only I/O: [`AsyncFd`], readiness for any file descriptor a user
//! brings (a pipe, an eventfd, an inotify fd, a device).

mod async_fd;
mod guard;

pub use async_fd::{AsyncFd, AsyncFdTryNewError};
pub use guard::{AsyncFdReadyGuard, AsyncFdReadyMutGuard, TryIoError};
