//! Unix signals as streams of notifications. Unix only: this module does
//! not exist on Windows, where [`ctrl_c`](super::ctrl_c) is the one signal.

use super::registry::{self, Registry, SIGNAL_LIMIT};
use std::io;
use std::os::raw::c_int;
use std::task::{Context, Poll};

/// Which signal to listen for.
///
/// ```
/// use magpie::signal::unix::SignalKind;
///
/// assert_eq!(SignalKind::hangup().as_raw_value(), 1);
/// assert_eq!(SignalKind::from_raw(15), SignalKind::terminate());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignalKind(c_int);

impl SignalKind {
    /// Any signal, by number (`libc::SIGUSR1` and friends).
    ///
    /// ```
    /// let k = magpie::signal::unix::SignalKind::from_raw(10);
    /// assert_eq!(k.as_raw_value(), 10);
    /// ```
    pub const fn from_raw(signum: c_int) -> SignalKind {
        SignalKind(signum)
    }

    /// The signal number.
    ///
    /// ```
    /// use magpie::signal::unix::SignalKind;
    /// assert_eq!(SignalKind::interrupt().as_raw_value(), 2);
    /// ```
    pub const fn as_raw_value(&self) -> c_int {
        self.0
    }

    /// SIGINT: Ctrl-C in the terminal.
    ///
    /// ```
    /// let _ = magpie::signal::unix::SignalKind::interrupt();
    /// ```
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }

    /// SIGTERM: the polite "please exit" from `kill` and service managers.
    ///
    /// ```
    /// let _ = magpie::signal::unix::SignalKind::terminate();
    /// ```
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }

    /// SIGHUP: the terminal went away; daemons often reload config on it.
    ///
    /// ```
    /// let _ = magpie::signal::unix::SignalKind::hangup();
    /// ```
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }

    /// SIGQUIT: Ctrl-\ in the terminal.
    ///
    /// ```
    /// let _ = magpie::signal::unix::SignalKind::quit();
    /// ```
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }

    /// SIGUSR1: for the application's own use.
    ///
    /// ```
    /// let _ = magpie::signal::unix::SignalKind::user_defined1();
    /// ```
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }

    /// SIGUSR2: for the application's own use.
    ///
    /// ```
    /// let _ = magpie::signal::unix::SignalKind::user_defined2();
    /// ```
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }

    /// SIGCHLD: a child process changed state.
    ///
    /// ```
    /// let _ = magpie::signal::unix::SignalKind::child();
    /// ```
    pub const fn child() -> SignalKind {
        SignalKind(libc::SIGCHLD)
    }

    /// SIGPIPE: a write to a pipe or socket with no reader.
    ///
    /// ```
    /// let _ = magpie::signal::unix::SignalKind::pipe();
    /// ```
    pub const fn pipe() -> SignalKind {
        SignalKind(libc::SIGPIPE)
    }

    /// SIGALRM: a timer set with `alarm(2)` expired.
    ///
    /// ```
    /// let _ = magpie::signal::unix::SignalKind::alarm();
    /// ```
    pub const fn alarm() -> SignalKind {
        SignalKind(libc::SIGALRM)
    }

    /// SIGWINCH: the terminal was resized.
    ///
    /// ```
    /// let _ = magpie::signal::unix::SignalKind::window_change();
    /// ```
    pub const fn window_change() -> SignalKind {
        SignalKind(libc::SIGWINCH)
    }
}

/// Signals that must not be caught: the process cannot continue sensibly
/// (or the kernel refuses).
const FORBIDDEN: [c_int; 5] = [
    libc::SIGILL,
    libc::SIGFPE,
    libc::SIGKILL,
    libc::SIGSEGV,
    libc::SIGSTOP,
];

/// Starts listening for `kind`.
///
/// The first call for a signal number installs magpie's handler for it,
/// for the rest of the process: the signal's default action (for SIGINT
/// and SIGTERM, exiting) no longer happens, so the program must act on the
/// notification itself. Deliveries that arrive while no [`Signal`] is
/// waiting are remembered per receiver and coalesced: `recv` completes once
/// for any number of deliveries since the previous `recv` (or since the
/// `Signal` was created).
///
/// Needs no runtime: the notifications come from a background thread and
/// work with any executor.
///
/// # Errors
///
/// `InvalidInput` for a signal that cannot be caught (SIGKILL, SIGSTOP) or
/// that means the process is broken (SIGSEGV, SIGILL, SIGFPE), or a number
/// out of range; the OS error if the handler cannot be installed or the
/// listener thread cannot start.
///
/// ```
/// use magpie::signal::unix::{signal, SignalKind};
///
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut hup = signal(SignalKind::hangup())?;
///     // Deliveries from now on are kept for `recv`; the process (here it
///     // is our own doing) sends itself one:
///     # // SAFETY: a handler for SIGHUP is installed.
///     # unsafe { libc_raise(1) };
///     hup.recv().await;
///     println!("SIGHUP: reloading the configuration");
///     Ok::<(), std::io::Error>(())
/// })
/// .unwrap();
/// # extern "C" {
/// #     #[link_name = "raise"]
/// #     fn libc_raise(sig: std::os::raw::c_int) -> std::os::raw::c_int;
/// # }
/// ```
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let signum = kind.0;
    if signum <= 0 || signum as usize >= SIGNAL_LIMIT || FORBIDDEN.contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("magpie::signal: signal {signum} cannot be listened for"),
        ));
    }
    let registry = registry::global()?;
    let (id, seen) = registry.register(signum)?;
    Ok(Signal {
        registry,
        signum,
        id,
        seen,
    })
}

/// A stream of deliveries of one signal; see [`signal`].
///
/// ```
/// use magpie::signal::unix::{signal, SignalKind};
///
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut usr2 = signal(SignalKind::user_defined2()).unwrap();
///     // A signal arriving now would complete the next `recv`.
///     let waited = magpie::time::timeout(
///         std::time::Duration::from_millis(1),
///         usr2.recv(),
///     )
///     .await;
///     assert!(waited.is_err(), "nobody sent SIGUSR2");
/// });
/// ```
#[derive(Debug)]
pub struct Signal {
    registry: &'static Registry,
    signum: c_int,
    id: u64,
    seen: u64,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Registry")
    }
}

impl Signal {
    /// Waits for the next delivery. Always returns `Some(())`: the stream
    /// never ends (the `Option` keeps the shape of tokio's API).
    ///
    /// Cancellation safe: dropping the future loses nothing; the delivery
    /// stays pending for the next `recv`.
    ///
    /// ```no_run
    /// use magpie::signal::unix::{signal, SignalKind};
    ///
    /// # let rt = magpie::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let mut term = signal(SignalKind::terminate()).unwrap();
    /// term.recv().await;
    /// println!("SIGTERM: shutting down");
    /// # });
    /// ```
    pub async fn recv(&mut self) -> Option<()> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next delivery; on `Pending`, the waker from `cx` is
    /// woken when one arrives.
    ///
    /// ```
    /// use magpie::signal::unix::{signal, SignalKind};
    /// use std::task::Poll;
    ///
    /// let rt = magpie::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut s = signal(SignalKind::window_change()).unwrap();
    ///     std::future::poll_fn(|cx| {
    ///         assert!(s.poll_recv(cx).is_pending());
    ///         Poll::Ready(())
    ///     })
    ///     .await;
    /// });
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        let coop = std::task::ready!(crate::runtime::task::coop::poll_proceed(cx));
        match self
            .registry
            .poll(self.signum, self.id, self.seen, cx.waker())
        {
            Some(generation) => {
                self.seen = generation;
                coop.made_progress();
                Poll::Ready(Some(()))
            }
            None => Poll::Pending,
        }
    }
}

impl Drop for Signal {
    fn drop(&mut self) {
        self.registry.deregister(self.signum, self.id);
    }
}
