//! The socket calls std does not offer, once per platform family, behind
//! one set of names: `unix.rs` on `libc`, `windows.rs` on Winsock
//! (`windows-sys`).
//!
//! Both offer the same functions (`stream_socket`, `start_connect`,
//! `connect_result`, `bind`, `listen`, `local_addr`, the option calls,
//! `recv_from`), a `SockAddr`, and the option and family constants
//! `TcpSocket` needs, all as C `int`s. Nothing here waits: waiting for a
//! connect to finish is the I/O driver's job, and `connect.rs` does it.
//! Every function borrows its socket, so none of them can close it; only
//! `stream_socket` makes one, and hands it back owned.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub(crate) use unix::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(crate) use windows::*;
