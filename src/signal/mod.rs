//! Asynchronous signal handling: [`ctrl_c`] for graceful shutdown, and
//! [`unix::signal`] for any catchable Unix signal.
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
//! Implementation: a self-pipe. The handler that `sigaction` installs sets
//! a flag and writes one byte to a pipe; one background thread reads the
//! pipe and wakes the receivers (details in `registry.rs`). It needs no
//! runtime driver and works in any executor.

mod registry;
pub mod unix;

use std::io;

/// Completes when the process receives SIGINT (Ctrl-C in a terminal).
///
/// The handler is installed when the future is first polled, and from then
/// on for the rest of the process SIGINT no longer kills the program: it
/// only completes `ctrl_c` futures (a Ctrl-C while none is waiting is
/// remembered by receivers created earlier, and otherwise ignored). To be
/// sure no early Ctrl-C is missed, create the listener up front with
/// [`unix::signal`]`(SignalKind::interrupt())` and `recv` it later.
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
    let mut interrupt = unix::signal(unix::SignalKind::interrupt())?;
    interrupt.recv().await;
    Ok(())
}
