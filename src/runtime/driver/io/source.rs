//! What an I/O source is on this platform, named once: a file descriptor
//! on Unix, a socket on Windows (the only handles `polling`'s Windows
//! backend can wait on). The rest of the driver, and the sockets in
//! `net/`, speak of sources only through these names.
//!
//! [`AsSource`] is `polling`'s trait: implemented for every type that
//! implements `AsFd` (Unix) or `AsSocket` (Windows), its `source()` borrows
//! the handle.

pub(crate) use polling::AsSource;

/// A borrowed source: `BorrowedFd` on Unix, `BorrowedSocket` on Windows.
#[cfg(unix)]
pub(crate) type BorrowedSource<'a> = std::os::fd::BorrowedFd<'a>;
/// A borrowed source: `BorrowedFd` on Unix, `BorrowedSocket` on Windows.
#[cfg(windows)]
pub(crate) type BorrowedSource<'a> = std::os::windows::io::BorrowedSocket<'a>;

/// An owned source, closed on drop: `OwnedFd` on Unix, `OwnedSocket` on
/// Windows. std's sockets convert from and into it.
#[cfg(unix)]
pub(crate) type OwnedSource = std::os::fd::OwnedFd;
/// An owned source, closed on drop: `OwnedFd` on Unix, `OwnedSocket` on
/// Windows. std's sockets convert from and into it.
#[cfg(windows)]
pub(crate) type OwnedSource = std::os::windows::io::OwnedSocket;
