//! Windows console events: Ctrl-C, Ctrl-Break, closing the console, logoff
//! and shutdown, through the console control handler.
//!
//! How an event reaches a listener:
//!
//! 1. The first listener of any kind installs [`on_console_event`] with
//!    `SetConsoleCtrlHandler` (once per process; it is never removed). The
//!    first listener of a kind marks that kind *listened to*: from then on
//!    the handler claims events of that kind, so their default action (the
//!    process exits) no longer runs.
//! 2. Windows runs the handler on a fresh thread of its own for each event,
//!    so unlike a Unix signal handler it may lock and wake. For a kind that
//!    is listened to it bumps the kind's generation, takes that kind's
//!    waiters under the lock, wakes them after it, and returns `TRUE`. For
//!    any other kind it returns `FALSE`, so the next handler (in the end
//!    the default one, which exits) runs as before.
//! 3. A listener remembers the generation it last saw and receives when
//!    the generation differs: events that arrive while nobody polls are
//!    coalesced into one.
//! 4. Close, logoff and shutdown end the process once the handler returns,
//!    whatever it returns (after a timeout of 5 or 20 seconds at most). So
//!    for those, a handler that claimed the event does not return: it
//!    parks its thread and leaves the program the rest of the timeout to
//!    clean up.
//!
//! No lost wake-up: `poll_recv` compares the generation and files its
//! waker under the lock, and the handler bumps the generation and takes
//! the waiters under the same lock.

use std::future::poll_fn;
use std::io;
use std::task::{Context, Poll, Waker};

use windows_sys::core::BOOL;
use windows_sys::Win32::System::Console::{
    SetConsoleCtrlHandler, CTRL_BREAK_EVENT, CTRL_CLOSE_EVENT, CTRL_C_EVENT, CTRL_LOGOFF_EVENT,
    CTRL_SHUTDOWN_EVENT,
};

use crate::loom::sync::Mutex;

/// The console events, as indices into [`State`]'s arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    C,
    Break,
    Close,
    Logoff,
    Shutdown,
}

const KINDS: usize = 5;

impl Kind {
    fn of(event: u32) -> Option<Kind> {
        match event {
            CTRL_C_EVENT => Some(Kind::C),
            CTRL_BREAK_EVENT => Some(Kind::Break),
            CTRL_CLOSE_EVENT => Some(Kind::Close),
            CTRL_LOGOFF_EVENT => Some(Kind::Logoff),
            CTRL_SHUTDOWN_EVENT => Some(Kind::Shutdown),
            _ => None,
        }
    }

    /// Windows ends the process when the handler returns for this event.
    fn ends_the_process(self) -> bool {
        matches!(self, Kind::Close | Kind::Logoff | Kind::Shutdown)
    }
}

struct State {
    /// `SetConsoleCtrlHandler` was called.
    installed: bool,
    /// A listener of this kind was made: the handler claims its events.
    listened: [bool; KINDS],
    /// Events of each kind so far.
    generation: [u64; KINDS],
    /// The id the next listener gets.
    next_id: u64,
    /// Listeners waiting for their next event, by id.
    waiters: Vec<(u64, Kind, Waker)>,
}

static STATE: Mutex<State> = Mutex::new(State {
    installed: false,
    listened: [false; KINDS],
    generation: [0; KINDS],
    next_id: 0,
    waiters: Vec::new(),
});

/// One listener: receives each event of its kind after the last it saw.
#[derive(Debug)]
struct Listener {
    id: u64,
    kind: Kind,
    seen: u64,
}

impl Listener {
    /// Installs the handler if needed and starts listening.
    fn new(kind: Kind) -> io::Result<Listener> {
        let mut state = STATE.lock();
        if !state.installed {
            // SAFETY: `on_console_event` has the signature the handler
            // routine needs and lives for the whole program.
            if unsafe { SetConsoleCtrlHandler(Some(on_console_event), 1) } == 0 {
                return Err(io::Error::last_os_error());
            }
            state.installed = true;
        }
        state.listened[kind as usize] = true;
        let id = state.next_id;
        state.next_id += 1;
        Ok(Listener {
            id,
            kind,
            seen: state.generation[kind as usize],
        })
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        let coop = std::task::ready!(crate::runtime::task::coop::poll_proceed(cx));
        let mut state = STATE.lock();
        let now = state.generation[self.kind as usize];
        if now != self.seen {
            self.seen = now;
            coop.made_progress();
            return Poll::Ready(Some(()));
        }
        let waker = cx.waker();
        match state.waiters.iter_mut().find(|(id, _, _)| *id == self.id) {
            Some((_, _, w)) if w.will_wake(waker) => {}
            Some((_, _, w)) => *w = waker.clone(),
            None => state.waiters.push((self.id, self.kind, waker.clone())),
        }
        Poll::Pending
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let removed = {
            let mut state = STATE.lock();
            let at = state.waiters.iter().position(|(id, _, _)| *id == self.id);
            at.map(|at| state.waiters.swap_remove(at))
        };
        drop(removed); // a waker's drop may run arbitrary code: outside the lock
    }
}

/// Wakes the listeners of `event`'s kind; whether the event is claimed.
fn dispatch(event: u32) -> Option<Kind> {
    let kind = Kind::of(event)?;
    let waiters = {
        let mut state = STATE.lock();
        if !state.listened[kind as usize] {
            return None;
        }
        state.generation[kind as usize] = state.generation[kind as usize].wrapping_add(1);
        let (woken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut state.waiters)
            .into_iter()
            .partition(|(_, k, _)| *k == kind);
        state.waiters = kept;
        woken
    };
    for (_, _, waker) in waiters {
        waker.wake();
    }
    Some(kind)
}

/// The console control handler; runs on a thread Windows creates for it.
unsafe extern "system" fn on_console_event(event: u32) -> BOOL {
    match dispatch(event) {
        None => 0, // not ours: the next handler decides
        Some(kind) if kind.ends_the_process() => loop {
            // Returning would end the process now: give the listeners the
            // rest of Windows' timeout instead.
            crate::loom::thread::park();
        },
        Some(_) => 1,
    }
}

macro_rules! listener_type {
    ($(#[$doc:meta])* $name:ident, $make:ident, $kind:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug)]
        #[must_use = "a listener receives nothing unless `recv` is awaited"]
        pub struct $name(Listener);

        impl $name {
            #[doc = concat!("Waits for the next ", $what, " after the last one received (or after the listener was made). Several events that arrive while nobody waits are received as one. Always `Some(())`: the `Option` is tokio's shape.")]
            ///
            /// ```no_run
            /// # magpie::Runtime::new().unwrap().block_on(async {
            #[doc = concat!("let mut events = magpie::signal::windows::", stringify!($make), "()?;")]
            /// events.recv().await;
            /// # std::io::Result::Ok(())
            /// # }).unwrap();
            /// ```
            pub async fn recv(&mut self) -> Option<()> {
                poll_fn(|cx| self.0.poll_recv(cx)).await
            }

            #[doc = concat!("Polls for the next ", $what, "; see [`recv`](Self::recv).")]
            ///
            /// ```no_run
            /// use std::task::Poll;
            /// # magpie::Runtime::new().unwrap().block_on(async {
            #[doc = concat!("let mut events = magpie::signal::windows::", stringify!($make), "()?;")]
            /// std::future::poll_fn(|cx| {
            ///     assert!(events.poll_recv(cx).is_pending());
            ///     Poll::Ready(())
            /// })
            /// .await;
            /// # std::io::Result::Ok(())
            /// # }).unwrap();
            /// ```
            pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
                self.0.poll_recv(cx)
            }
        }

        #[doc = concat!("Listens for ", $what, " from now on. From the first listener on, for the rest of the process, ", $what, " no longer has its default action (ending the process).")]
        ///
        /// # Errors
        ///
        /// If the console control handler cannot be installed.
        ///
        /// ```no_run
        /// # magpie::Runtime::new().unwrap().block_on(async {
        #[doc = concat!("let mut events = magpie::signal::windows::", stringify!($make), "()?;")]
        /// events.recv().await;
        /// println!("shutting down");
        /// # std::io::Result::Ok(())
        /// # }).unwrap();
        /// ```
        pub fn $make() -> io::Result<$name> {
            Listener::new(Kind::$kind).map($name)
        }
    };
}

listener_type!(
    /// Receives Ctrl-C (`CTRL_C_EVENT`); from [`ctrl_c`].
    CtrlC, ctrl_c, C, "a Ctrl-C"
);
listener_type!(
    /// Receives Ctrl-Break (`CTRL_BREAK_EVENT`); from [`ctrl_break`].
    CtrlBreak, ctrl_break, Break, "a Ctrl-Break"
);
listener_type!(
    /// Receives the closing of the console window (`CTRL_CLOSE_EVENT`);
    /// from [`ctrl_close`]. Windows ends the process at most 5 seconds
    /// later, whatever the program does: clean up quickly.
    CtrlClose, ctrl_close, Close, "the console closing"
);
listener_type!(
    /// Receives the user logging off (`CTRL_LOGOFF_EVENT`, delivered to
    /// services only); from [`ctrl_logoff`]. Windows ends the process at
    /// most 20 seconds later.
    CtrlLogoff, ctrl_logoff, Logoff, "a logoff"
);
listener_type!(
    /// Receives the system shutting down (`CTRL_SHUTDOWN_EVENT`, delivered
    /// to services only); from [`ctrl_shutdown`]. Windows ends the process
    /// at most 20 seconds later.
    CtrlShutdown, ctrl_shutdown, Shutdown, "a system shutdown"
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The handler's dispatch is called directly: a real console event
    /// would reach every process on the console, the test runner included.
    #[test]
    fn each_kind_reaches_its_own_listeners_and_unclaimed_kinds_pass_through() {
        let mut cx = Context::from_waker(Waker::noop());
        // Nobody listens for logoff (and no test here makes a logoff
        // listener): the event passes to the next handler.
        assert_eq!(dispatch(CTRL_LOGOFF_EVENT), None);

        let mut c = ctrl_c().unwrap();
        let mut brk = ctrl_break().unwrap();
        assert!(c.poll_recv(&mut cx).is_pending());
        assert!(brk.poll_recv(&mut cx).is_pending());
        assert_eq!(dispatch(CTRL_BREAK_EVENT), Some(Kind::Break));
        assert!(
            c.poll_recv(&mut cx).is_pending(),
            "a Ctrl-Break is no Ctrl-C"
        );
        assert_eq!(brk.poll_recv(&mut cx), Poll::Ready(Some(())));
        assert_eq!(dispatch(CTRL_C_EVENT), Some(Kind::C));
        assert_eq!(dispatch(CTRL_C_EVENT), Some(Kind::C));
        assert_eq!(
            c.poll_recv(&mut cx),
            Poll::Ready(Some(())),
            "two coalesced into one"
        );
        assert!(c.poll_recv(&mut cx).is_pending());
        // A listener made after the event waits for the next one.
        let mut later = ctrl_break().unwrap();
        assert!(later.poll_recv(&mut cx).is_pending());
        assert!(Kind::Close.ends_the_process() && !Kind::Break.ends_the_process());
    }
}
