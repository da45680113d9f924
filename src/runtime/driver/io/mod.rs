//! The I/O driver and the readiness protocol between it and the sockets.
//!
//! * `ready.rs` — readiness bits, directions, the packed readiness word.
//! * `interest.rs` — the directions an operation or registration names.
//! * `scheduled_io.rs` — one source's readiness word and reader/writer
//!   wakers, and the set/clear/wait protocol on them.
//! * `interest_wait.rs` — one `async` wait on one or both directions of a
//!   source (`ready(Interest)`), a list node in each direction's list.
//! * `registrations.rs` — the slab of sources, keyed by index + generation.
//! * `driver.rs` — the `Poller`, `Driver::turn`, `Handle::{unpark, shutdown}`.
//! * `poll_evented.rs` — a registered std socket; the wait-try-clear loop.
//! * `source.rs` — what a source is on this platform (fd or socket).
//!
//! * `model.rs` — under `cfg(loom)` only: the poller's stand-in, with the
//!   same `Driver`/`Handle` shape (loom cannot model the poller's syscalls).
//!   The readiness protocol itself is the real code in both builds.

mod interest;
mod interest_wait;
mod ready;
mod registrations;
mod scheduled_io;

#[cfg(not(loom))]
mod driver;
#[cfg(not(loom))]
mod poll_evented;
#[cfg(not(loom))]
mod source;
#[cfg(all(test, not(loom)))]
mod tests;

#[cfg(loom)]
mod model;

/// Events the driver takes from the poller per turn unless the builder
/// says otherwise (tokio's default too).
pub(crate) const DEFAULT_EVENTS_PER_TICK: std::num::NonZeroUsize =
    std::num::NonZeroUsize::new(1024).unwrap();

#[cfg(not(loom))]
pub(crate) use driver::{Driver, Handle};
pub use interest::Interest;
#[cfg(loom)]
pub(crate) use model::{Driver, Handle};
#[cfg(not(loom))]
#[allow(unused_imports)]
pub(crate) use poll_evented::PollEvented;
pub use ready::Ready;
#[allow(unused_imports)]
pub(crate) use ready::{Direction, Observed, ReadyEvent};
#[cfg(not(loom))]
#[allow(unused_imports)]
pub(crate) use source::{AsSource, BorrowedSource, OwnedSource};

/// The I/O driver handle of the current runtime. Panics outside a runtime.
#[cfg(not(loom))]
pub(crate) fn current() -> Handle {
    crate::runtime::Handle::current().driver().io.clone()
}

/// The readiness protocol, exported for the loom models.
#[cfg(loom)]
pub mod loom_api {
    pub use super::interest::Interest;
    pub use super::interest_wait::{ListWait, ReadyWait};
    pub use super::ready::{Direction, Ready, ReadyEvent};
    pub use super::registrations::Registrations;
    pub use super::scheduled_io::ScheduledIo;
}
