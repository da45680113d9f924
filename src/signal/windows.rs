//! Ctrl-C on Windows, through the console control handler.
//!
//! How a Ctrl-C reaches a [`CtrlC`] future:
//!
//! 1. The first `ctrl_c()` installs [`on_console_event`] with
//!    `SetConsoleCtrlHandler` (once per process; it is never removed, as on
//!    Unix: from then on Ctrl-C no longer ends the process).
//! 2. Windows runs the handler on a fresh thread of its own for each
//!    console event, so unlike a Unix signal handler it may lock and wake.
//!    For `CTRL_C_EVENT` it bumps the generation, takes the waiters under
//!    the lock, wakes them after it, and returns `TRUE` (handled). Every
//!    other event (Ctrl-Break, closing the console, logoff, shutdown)
//!    returns `FALSE`, so the next handler, in the end the default one
//!    that exits, runs as before.
//! 3. A `CtrlC` remembers the generation it first saw and completes when
//!    the generation differs.
//!
//! No lost wake-up: `poll` compares the generation and files its waker
//! under the lock, and the handler bumps the generation and takes the
//! waiters under the same lock.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use windows_sys::core::BOOL;
use windows_sys::Win32::System::Console::{SetConsoleCtrlHandler, CTRL_C_EVENT};

use crate::loom::sync::Mutex;

struct State {
    /// `SetConsoleCtrlHandler` was called.
    installed: bool,
    /// Ctrl-C events so far.
    generation: u64,
    /// The id the next `CtrlC` gets.
    next_id: u64,
    /// Futures waiting for the next Ctrl-C, by id.
    waiters: Vec<(u64, Waker)>,
}

static STATE: Mutex<State> = Mutex::new(State {
    installed: false,
    generation: 0,
    next_id: 0,
    waiters: Vec::new(),
});

/// Completes at the first Ctrl-C after it was created.
pub(super) struct CtrlC {
    id: u64,
    seen: u64,
}

impl CtrlC {
    /// Installs the handler if needed and starts listening.
    pub(super) fn new() -> io::Result<CtrlC> {
        let mut state = STATE.lock();
        if !state.installed {
            // SAFETY: `on_console_event` has the signature the handler
            // routine needs and lives for the whole program.
            if unsafe { SetConsoleCtrlHandler(Some(on_console_event), 1) } == 0 {
                return Err(io::Error::last_os_error());
            }
            state.installed = true;
        }
        let id = state.next_id;
        state.next_id += 1;
        Ok(CtrlC {
            id,
            seen: state.generation,
        })
    }
}

impl Future for CtrlC {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let coop = std::task::ready!(crate::runtime::task::coop::poll_proceed(cx));
        let this = self.get_mut();
        let mut state = STATE.lock();
        if state.generation != this.seen {
            this.seen = state.generation;
            coop.made_progress();
            return Poll::Ready(());
        }
        let waker = cx.waker();
        match state.waiters.iter_mut().find(|(id, _)| *id == this.id) {
            Some((_, w)) if w.will_wake(waker) => {}
            Some((_, w)) => *w = waker.clone(),
            None => state.waiters.push((this.id, waker.clone())),
        }
        Poll::Pending
    }
}

impl Drop for CtrlC {
    fn drop(&mut self) {
        let removed = {
            let mut state = STATE.lock();
            let at = state.waiters.iter().position(|(id, _)| *id == self.id);
            at.map(|at| state.waiters.swap_remove(at))
        };
        drop(removed); // a waker's drop may run arbitrary code: outside the lock
    }
}

/// The console control handler; runs on a thread Windows creates for it.
unsafe extern "system" fn on_console_event(event: u32) -> BOOL {
    if event != CTRL_C_EVENT {
        return 0; // not ours: the next handler decides
    }
    let waiters = {
        let mut state = STATE.lock();
        state.generation = state.generation.wrapping_add(1);
        std::mem::take(&mut state.waiters)
    };
    for (_, waker) in waiters {
        waker.wake();
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use windows_sys::Win32::System::Console::CTRL_BREAK_EVENT;

    /// The handler is called directly here: a real console event would
    /// reach every process on the console, the test runner included.
    #[test]
    fn ctrl_c_completes_a_waiting_future_and_other_events_pass_through() {
        let mut cx = Context::from_waker(Waker::noop());
        let mut waiting = CtrlC::new().unwrap();
        assert!(Pin::new(&mut waiting).poll(&mut cx).is_pending());
        // SAFETY: the handler takes any event code and touches only STATE.
        assert_eq!(unsafe { on_console_event(CTRL_BREAK_EVENT) }, 0);
        assert!(Pin::new(&mut waiting).poll(&mut cx).is_pending());
        // SAFETY: as above.
        assert_eq!(unsafe { on_console_event(CTRL_C_EVENT) }, 1);
        assert!(Pin::new(&mut waiting).poll(&mut cx).is_ready());
        // A future created after the event waits for the next one.
        let mut later = CtrlC::new().unwrap();
        assert!(Pin::new(&mut later).poll(&mut cx).is_pending());
    }
}
