//! TCP, UDP and Unix-domain sockets driven by the runtime's I/O driver.
//!
//! Every socket here registers with the I/O driver of the runtime it is
//! created in (creating one outside a runtime panics) and implements the
//! `futures-io` traits, so the helpers in [`magpie::io`](crate::io) and
//! any library written against `futures-io` work with it. Errors are
//! `std::io::Error` with the OS's kind (`ConnectionRefused`, `AddrInUse`…).
//!
//! ```
//! use magpie::io::{AsyncReadExt, AsyncWriteExt};
//! use magpie::net::{TcpListener, TcpStream};
//!
//! # magpie::Runtime::new().unwrap().block_on(async {
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! magpie::spawn(async move {
//!     let (stream, _) = listener.accept().await?;
//!     let (mut read, mut write) = stream.into_split();
//!     magpie::io::copy(&mut read, &mut write).await
//! });
//! let mut client = TcpStream::connect(addr).await?;
//! client.write_all(b"hello").await?;
//! let mut buf = [0; 5];
//! client.read_exact(&mut buf).await?;
//! assert_eq!(&buf, b"hello");
//! # std::io::Result::Ok(())
//! # }).unwrap();
//! ```

mod addr;
mod connect;
mod impls;
mod sys;
pub mod tcp;
mod udp;
#[cfg(unix)]
pub mod unix;

pub use addr::{lookup_host, ToSocketAddrs};
pub use tcp::{TcpListener, TcpSocket, TcpStream};
pub use udp::UdpSocket;
#[cfg(unix)]
pub use unix::{UnixDatagram, UnixListener, UnixSocket, UnixStream};
