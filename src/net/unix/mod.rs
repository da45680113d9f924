//! Unix-domain sockets: stream listener, stream, and datagram socket.
//! Unix only: this module does not exist on Windows.

mod datagram;
mod listener;
mod stream;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use std::os::unix::net::SocketAddr;
pub use stream::UnixStream;
