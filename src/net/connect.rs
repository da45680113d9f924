//! How a connect waits without holding a thread.
//!
//! 1. The socket is non-blocking from birth (`sys::stream_socket`), so
//!    `connect(2)` returns at once: usually "in progress" for TCP (Winsock
//!    says "would block"), usually done (or refused) for a Unix-domain
//!    socket.
//! 2. Only then is the socket registered with the I/O driver. Registered
//!    earlier, an unconnected socket would report itself hung up and
//!    writable, a wake-up that means nothing.
//! 3. The connect has ended when the socket becomes writable; its outcome
//!    is then in `SO_ERROR` (on Windows a failed connect is reported as
//!    writable too). A wake-up with no error and no peer yet is not
//!    the connect's: it counts as `WouldBlock`, so `poll_io` clears that
//!    readiness and waits again.
//!
//! Dropping the future at any step closes the socket, which abandons the
//! connect in the kernel: nothing keeps running and no thread is held, so
//! a `timeout` or an abort really stops it and dropping the runtime does not
//! wait for it. Once the runtime has shut down, registering fails with the
//! driver's "shut down" error.

use std::future::poll_fn;
use std::io;

use super::sys::{self, SockAddr};
use crate::runtime::driver::io::{AsSource, Direction, Handle, OwnedSource, PollEvented};

/// Connects `socket` (a fresh non-blocking stream socket) to `addr` and
/// returns it registered with `handle`'s driver. `WouldBlock` only if a
/// Unix-domain listener's backlog is full (nothing is then under way).
pub(crate) async fn connect<S>(
    socket: OwnedSource,
    addr: &SockAddr,
    handle: Handle,
) -> io::Result<PollEvented<S>>
where
    S: AsSource + From<OwnedSource>,
{
    let connected = sys::start_connect(socket.source(), addr)?;
    finish(socket, connected, handle).await
}

/// The rest of [`connect`] once `start_connect` said `connected` (done) or
/// not (under way): registers `socket` and waits for the outcome.
pub(crate) async fn finish<S>(
    socket: OwnedSource,
    connected: bool,
    handle: Handle,
) -> io::Result<PollEvented<S>>
where
    S: AsSource + From<OwnedSource>,
{
    let io = PollEvented::new_with_handle(S::from(socket), handle)?;
    if !connected {
        poll_fn(|cx| {
            io.poll_io(cx, Direction::Write, |socket| {
                sys::connect_result(socket.source())
            })
        })
        .await?;
    }
    Ok(io)
}
