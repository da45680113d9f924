//! TCP: a listener, a stream, the stream's split halves, and a socket to
//! configure before it connects or listens.

mod listener;
mod socket;
mod split;
mod stream;

pub use listener::TcpListener;
pub use socket::TcpSocket;
#[cfg(unix)]
pub(crate) use socket::DEFAULT_BACKLOG;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use stream::TcpStream;
