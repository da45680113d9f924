//! Readiness bits, the direction an operation waits in, and the packed
//! readiness word of one source.
//!
//! The word is one `usize`:
//!
//! ```text
//!  bits 0..5   READABLE WRITABLE READ_CLOSED WRITE_CLOSED ERROR
//!  bit  5      SHUTDOWN (the driver is gone: every wait ends with an error)
//!  bits 16..32 tick of the driver turn that last set readiness
//! ```
//!
//! All bit arithmetic on the word lives here; `scheduled_io.rs` only calls
//! the named transitions.

use std::fmt;
use std::ops;

/// A set of readiness bits: what a source was found ready for.
///
/// Returned by the `ready` methods of magpie's sockets and by the guards of
/// [`AsyncFd`](crate::io::unix::AsyncFd) (Unix). Readiness is a hint: the
/// operation that follows may still say `WouldBlock` (another task took the
/// data first), and then the readiness it saw is cleared.
///
/// ```
/// use magpie::io::Ready;
///
/// let ready = Ready::READABLE | Ready::READ_CLOSED;
/// assert!(ready.is_readable() && ready.is_read_closed());
/// assert!(!ready.is_writable());
/// assert!(Ready::ALL.contains(ready));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Ready(u8);

impl Ready {
    /// No readiness.
    ///
    /// ```
    /// assert!(magpie::io::Ready::EMPTY.is_empty());
    /// ```
    pub const EMPTY: Ready = Ready(0);
    /// The source has bytes (or a connection, or a datagram) to read.
    ///
    /// ```
    /// assert!(magpie::io::Ready::READABLE.is_readable());
    /// ```
    pub const READABLE: Ready = Ready(1 << 0);
    /// The source can take bytes.
    ///
    /// ```
    /// assert!(magpie::io::Ready::WRITABLE.is_writable());
    /// ```
    pub const WRITABLE: Ready = Ready(1 << 1);
    /// The peer closed its write side: reads return end of stream.
    ///
    /// ```
    /// assert!(magpie::io::Ready::READ_CLOSED.is_read_closed());
    /// ```
    pub const READ_CLOSED: Ready = Ready(1 << 2);
    /// Writing is no longer possible.
    ///
    /// ```
    /// assert!(magpie::io::Ready::WRITE_CLOSED.is_write_closed());
    /// ```
    pub const WRITE_CLOSED: Ready = Ready(1 << 3);
    /// The source has a pending error.
    ///
    /// ```
    /// assert!(magpie::io::Ready::ERROR.is_error());
    /// ```
    pub const ERROR: Ready = Ready(1 << 4);
    /// Every readiness bit.
    ///
    /// ```
    /// use magpie::io::Ready;
    /// assert!(Ready::ALL.contains(Ready::WRITE_CLOSED | Ready::ERROR));
    /// ```
    pub const ALL: Ready = Ready(0x1f);
    /// The bits a `WouldBlock` may clear: closed is final.
    const CLEARABLE: Ready = Ready(Self::READABLE.0 | Self::WRITABLE.0 | Self::ERROR.0);

    /// Whether no bit is set.
    ///
    /// ```
    /// use magpie::io::Ready;
    /// assert!(!Ready::READABLE.is_empty());
    /// ```
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every bit of `other` is set.
    ///
    /// ```
    /// use magpie::io::Ready;
    /// assert!(!Ready::READABLE.contains(Ready::READABLE | Ready::WRITABLE));
    /// ```
    pub fn contains(self, other: Ready) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any bit of `other` is set.
    ///
    /// ```
    /// use magpie::io::Ready;
    /// assert!(Ready::READABLE.intersects(Ready::READABLE | Ready::WRITABLE));
    /// ```
    pub fn intersects(self, other: Ready) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether a reader may proceed (readable or read-closed).
    ///
    /// ```
    /// use magpie::io::Ready;
    /// assert!(Ready::READ_CLOSED.is_readable());
    /// ```
    pub fn is_readable(self) -> bool {
        self.intersects(Ready::READABLE | Ready::READ_CLOSED)
    }

    /// Whether a writer may proceed (writable or write-closed).
    ///
    /// ```
    /// use magpie::io::Ready;
    /// assert!(Ready::WRITE_CLOSED.is_writable());
    /// ```
    pub fn is_writable(self) -> bool {
        self.intersects(Ready::WRITABLE | Ready::WRITE_CLOSED)
    }

    /// Whether the read side is closed.
    ///
    /// ```
    /// use magpie::io::Ready;
    /// assert!(!Ready::READABLE.is_read_closed());
    /// ```
    pub fn is_read_closed(self) -> bool {
        self.contains(Ready::READ_CLOSED)
    }

    /// Whether the write side is closed.
    ///
    /// ```
    /// use magpie::io::Ready;
    /// assert!(!Ready::WRITABLE.is_write_closed());
    /// ```
    pub fn is_write_closed(self) -> bool {
        self.contains(Ready::WRITE_CLOSED)
    }

    /// Whether the source reported an error.
    ///
    /// ```
    /// use magpie::io::Ready;
    /// assert!(!Ready::READABLE.is_error());
    /// ```
    pub fn is_error(self) -> bool {
        self.contains(Ready::ERROR)
    }

    /// Readiness reported by the poller for one event.
    #[cfg(not(loom))]
    pub(crate) fn from_event(event: &polling::Event) -> Ready {
        let mut ready = Ready::EMPTY;
        if event.readable {
            ready = ready | Ready::READABLE;
        }
        if event.writable {
            ready = ready | Ready::WRITABLE;
        }
        if event.is_err() == Some(true) {
            ready = ready | Ready::ERROR;
        }
        // A full hang-up: `EPOLLHUP` (both directions shut down, or reset),
        // an aborted connection on Windows. `polling` reports no half-close
        // apart from readability, and no hang-up at all on kqueue.
        if event.is_interrupt() {
            ready = ready | Ready::READ_CLOSED | Ready::WRITE_CLOSED;
        }
        ready
    }
}

impl ops::BitOr for Ready {
    type Output = Ready;
    fn bitor(self, rhs: Ready) -> Ready {
        Ready(self.0 | rhs.0)
    }
}

impl ops::BitAnd for Ready {
    type Output = Ready;
    fn bitand(self, rhs: Ready) -> Ready {
        Ready(self.0 & rhs.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Ready::READABLE, "READABLE"),
            (Ready::WRITABLE, "WRITABLE"),
            (Ready::READ_CLOSED, "READ_CLOSED"),
            (Ready::WRITE_CLOSED, "WRITE_CLOSED"),
            (Ready::ERROR, "ERROR"),
        ];
        let mut set = f.debug_set();
        for (bit, name) in names {
            if self.contains(bit) {
                set.entry(&format_args!("{name}"));
            }
        }
        set.finish()
    }
}

/// The direction an operation waits in. Each direction has its own waker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Waiting to read (or accept, or receive).
    Read,
    /// Waiting to write (or connect, or send).
    Write,
}

impl Direction {
    /// The readiness bits that end a wait in this direction.
    pub(crate) fn mask(self) -> Ready {
        match self {
            Direction::Read => Ready::READABLE | Ready::READ_CLOSED | Ready::ERROR,
            Direction::Write => Ready::WRITABLE | Ready::WRITE_CLOSED | Ready::ERROR,
        }
    }
}

/// What an operation saw when it found its source ready: the bits and the
/// tick they were set at. Handing it back to `clear_readiness` after a
/// `WouldBlock` clears exactly what was seen, and nothing newer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadyEvent {
    pub(crate) tick: u16,
    pub(crate) ready: Ready,
    pub(crate) is_shutdown: bool,
}

impl ReadyEvent {
    /// Whether the driver shut down (the operation should fail).
    pub fn is_shutdown(&self) -> bool {
        self.is_shutdown
    }

    /// Whether the event says the source is readable (or read-closed).
    #[cfg_attr(not(loom), allow(dead_code))] // loom models and tests
    pub fn is_readable(&self) -> bool {
        self.ready.is_readable()
    }

    /// Whether the event says the source is writable (or write-closed).
    #[cfg_attr(not(loom), allow(dead_code))] // loom models and tests
    pub fn is_writable(&self) -> bool {
        self.ready.is_writable()
    }
}

/// What a wait on an [`Interest`](super::Interest) saw: the event of each
/// direction that was ready. Clearing it after a `WouldBlock` clears each
/// direction's event exactly as `clear_readiness` does for one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(loom, allow(dead_code))] // used by `PollEvented`, which loom builds lack
pub(crate) struct Observed {
    pub(crate) read: Option<ReadyEvent>,
    pub(crate) write: Option<ReadyEvent>,
}

#[cfg_attr(loom, allow(dead_code))]
impl Observed {
    /// What one direction saw (used by `AsyncFd`, Unix only).
    #[cfg_attr(not(unix), allow(dead_code))]
    pub(crate) fn of(direction: Direction, event: ReadyEvent) -> Observed {
        let mut seen = Observed::default();
        seen.set(direction, event);
        seen
    }

    /// Records `event` as what `direction` saw.
    pub(crate) fn set(&mut self, direction: Direction, event: ReadyEvent) {
        match direction {
            Direction::Read => self.read = Some(event),
            Direction::Write => self.write = Some(event),
        }
    }

    /// The events seen, reading first.
    pub(crate) fn events(&self) -> impl Iterator<Item = ReadyEvent> {
        self.read.into_iter().chain(self.write)
    }

    /// Whether no direction was seen ready.
    pub(crate) fn is_empty(&self) -> bool {
        self.read.is_none() && self.write.is_none()
    }

    /// The union of the bits seen.
    pub(crate) fn ready(&self) -> Ready {
        self.events()
            .fold(Ready::EMPTY, |all, event| all | event.ready)
    }

    /// Whether the driver shut down in any direction seen.
    pub(crate) fn is_shutdown(&self) -> bool {
        self.events().any(|event| event.is_shutdown)
    }
}

const READY_MASK: usize = 0x1f;
const SHUTDOWN: usize = 1 << 5;
const TICK_SHIFT: u32 = 16;
const TICK_MASK: usize = 0xffff << TICK_SHIFT;

/// A decoded readiness word.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(pub(crate) usize);

impl Snapshot {
    pub(crate) fn ready(self) -> Ready {
        Ready((self.0 & READY_MASK) as u8)
    }

    pub(crate) fn tick(self) -> u16 {
        ((self.0 & TICK_MASK) >> TICK_SHIFT) as u16
    }

    pub(crate) fn is_shutdown(self) -> bool {
        self.0 & SHUTDOWN != 0
    }

    /// The event an operation waiting in `direction` sees, if it may run.
    pub(crate) fn event_for(self, direction: Direction) -> Option<ReadyEvent> {
        let ready = self.ready() & direction.mask();
        if ready.is_empty() && !self.is_shutdown() {
            return None;
        }
        Some(ReadyEvent {
            tick: self.tick(),
            ready,
            is_shutdown: self.is_shutdown(),
        })
    }

    /// The dispatcher's change: add `ready` and stamp `tick`.
    pub(crate) fn with_event(self, tick: u16, ready: Ready) -> Snapshot {
        let bits = (self.0 & !TICK_MASK) | ready.0 as usize;
        Snapshot(bits | ((tick as usize) << TICK_SHIFT))
    }

    /// An operation's change after `WouldBlock`: drop what `event` saw, but
    /// only if no newer turn stamped the word since (`None` = keep as is).
    pub(crate) fn cleared(self, event: ReadyEvent) -> Option<Snapshot> {
        if self.tick() != event.tick {
            return None;
        }
        let clear = (event.ready & Ready::CLEARABLE).0 as usize;
        Some(Snapshot(self.0 & !clear))
    }

    pub(crate) fn shut_down(self) -> Snapshot {
        Snapshot(self.0 | SHUTDOWN)
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("ready", &self.ready())
            .field("tick", &self.tick())
            .field("shutdown", &self.is_shutdown())
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_seen_only_in_its_direction() {
        let word = Snapshot(0).with_event(3, Ready::READABLE);
        assert_eq!(word.event_for(Direction::Write), None);
        let seen = word.event_for(Direction::Read).unwrap();
        assert_eq!(seen.tick, 3);
        assert!(seen.is_readable());
    }

    #[test]
    fn clearing_with_a_stale_tick_keeps_the_newer_event() {
        let first = Snapshot(0).with_event(1, Ready::READABLE);
        let seen = first.event_for(Direction::Read).unwrap();
        let newer = first.with_event(2, Ready::READABLE);
        assert_eq!(newer.cleared(seen), None);
        let cleared = first.cleared(seen).unwrap();
        assert!(cleared.ready().is_empty());
    }

    #[test]
    fn closed_bits_survive_a_clear() {
        let word = Snapshot(0).with_event(1, Ready::READABLE | Ready::READ_CLOSED);
        let seen = word.event_for(Direction::Read).unwrap();
        assert_eq!(word.cleared(seen).unwrap().ready(), Ready::READ_CLOSED);
    }

    #[test]
    fn shutdown_ends_every_wait() {
        let word = Snapshot(0).shut_down();
        assert!(word.event_for(Direction::Write).unwrap().is_shutdown());
    }
}
