//! Asynchronous signal handling: [`ctrl_c`] for graceful shutdown (on Unix
//! and Windows); on Unix, `unix::signal` for any catchable Unix signal; on
//! Windows, `windows::{ctrl_c, ctrl_break, ctrl_close, ctrl_logoff,
//! ctrl_shutdown}` for the console events.
//!
//! asyncio readers: this is `loop.add_signal_handler(SIGINT, ...)`, turned
//! into something you `.await` — typically one branch of a `select!`:
//!
//! ```no_run
//! # let rt = magpie::Runtime::new().unwrap();
//! # rt.block_on(async {
//! # async fn serve() {}
//! magpie::select! {
//!     _ = serve() => {}
//!     _ = magpie::signal::ctrl_c() => println!("Ctrl-C: shutting down"),
//! }
//! # });
//! ```
//!
//! Implementation, on Unix: a self-pipe. The handler that `sigaction`
//! installs sets a flag and writes one byte to a pipe; one background
//! thread reads the pipe and wakes the receivers (details in
//! `registry.rs`). On Windows: the console control handler, which Windows
//! runs on a thread of its own and which wakes the receivers directly
//! (`windows.rs`). Neither needs a runtime driver; both work in any
//! executor.

#[cfg(unix)]
mod registry;
#[cfg(unix)]
pub mod unix;
#[cfg(windows)]
pub mod windows;

use std::io;

/// Completes when the process receives Ctrl-C: SIGINT on Unix,
/// `CTRL_C_EVENT` from the console on Windows.
///
/// The handler is installed when the future is first polled, and from then
/// on for the rest of the process Ctrl-C no longer ends the program: it
/// only completes `ctrl_c` futures (a Ctrl-C while none is waiting is
/// ignored). On Unix, to be sure no early Ctrl-C is missed, create the
/// listener up front with `unix::signal(SignalKind::interrupt())` and
/// `recv` it later. On Windows only Ctrl-C is handled: Ctrl-Break and
/// closing the console keep their default action unless listened for with
/// `windows::{ctrl_break, ctrl_close, ...}`.
///
/// # Errors
///
/// If the handler cannot be installed or the listener thread cannot start.
///
/// ```no_run
/// #[magpie::main]
/// async fn main() -> std::io::Result<()> {
///     println!("press Ctrl-C");
///     magpie::signal::ctrl_c().await?;
///     println!("bye");
///     Ok(())
/// }
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    #[cfg(unix)]
    {
        let mut interrupt = unix::signal(unix::SignalKind::interrupt())?;
        interrupt.recv().await;
    }
    #[cfg(windows)]
    windows::ctrl_c()?.recv().await;
    Ok(())
}
