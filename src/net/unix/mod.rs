//! Unix-domain sockets: stream listener, stream (and its split halves),
//! datagram socket, and a socket to configure before binding or connecting.
//! Unix only: this module does not exist on Windows.

mod datagram;
mod listener;
mod socket;
mod split;
mod stream;
mod ucred;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use socket::UnixSocket;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use std::os::unix::net::SocketAddr;
pub use stream::UnixStream;
pub use ucred::UCred;
