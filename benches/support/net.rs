//! TCP per runtime, for the net benches: each runtime's own listener and
//! stream behind a few associated functions, so a workload is written once
//! and still runs each runtime's native I/O path (magpie's and tokio's own
//! `read_exact`/`write_all`, `async-io`'s `Async<TcpStream>` with
//! `futures-lite`'s).
//!
//! The functions are called inside the runtime (from `block_on` or a task
//! it spawned), where magpie and tokio find their I/O driver.

use super::{Bench, Magpie, Smol, Tokio};
use std::future::{ready, Future};
use std::io;
use std::net::{Shutdown, SocketAddr};

/// A runtime whose TCP the net benches drive.
pub trait NetBench: Bench + 'static {
    type Listener: Send + Sync + 'static;
    type Stream: Send + 'static;

    /// Binds a listener to an ephemeral port on 127.0.0.1; returns it and
    /// its address.
    fn listen() -> (Self::Listener, SocketAddr) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        (Self::listener_from_std(listener), addr)
    }

    /// Registers a bound, non-blocking std listener with the runtime.
    fn listener_from_std(listener: std::net::TcpListener) -> Self::Listener;

    /// The next connection to `listener` and the peer's address.
    fn accept(
        listener: &Self::Listener,
    ) -> impl Future<Output = io::Result<(Self::Stream, SocketAddr)>> + Send;

    /// Connects to `addr`.
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send;

    /// Turns Nagle's algorithm off (panics if that fails).
    fn set_nodelay(stream: &Self::Stream);

    /// Reads some bytes into `buf`; `Ok(0)` at end of stream.
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;

    /// Fills `buf`; an error if the stream ends first.
    fn read_exact<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;

    /// Writes all of `buf`.
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;

    /// Closes the writing half, so the peer reads end of stream.
    fn shutdown_write(stream: &mut Self::Stream) -> impl Future<Output = io::Result<()>> + Send;
}

impl NetBench for Magpie {
    type Listener = magpie::net::TcpListener;
    type Stream = magpie::net::TcpStream;

    fn listener_from_std(listener: std::net::TcpListener) -> Self::Listener {
        magpie::net::TcpListener::from_std(listener).unwrap()
    }

    fn accept(
        listener: &Self::Listener,
    ) -> impl Future<Output = io::Result<(Self::Stream, SocketAddr)>> + Send {
        listener.accept()
    }

    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send {
        magpie::net::TcpStream::connect(addr)
    }

    fn set_nodelay(stream: &Self::Stream) {
        stream.set_nodelay(true).unwrap();
    }

    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        magpie::io::AsyncReadExt::read(stream, buf)
    }

    fn read_exact<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        magpie::io::AsyncReadExt::read_exact(stream, buf)
    }

    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        magpie::io::AsyncWriteExt::write_all(stream, buf)
    }

    fn shutdown_write(stream: &mut Self::Stream) -> impl Future<Output = io::Result<()>> + Send {
        ready(stream.shutdown_std(Shutdown::Write))
    }
}

impl NetBench for Tokio {
    type Listener = tokio::net::TcpListener;
    type Stream = tokio::net::TcpStream;

    fn listener_from_std(listener: std::net::TcpListener) -> Self::Listener {
        tokio::net::TcpListener::from_std(listener).unwrap()
    }

    fn accept(
        listener: &Self::Listener,
    ) -> impl Future<Output = io::Result<(Self::Stream, SocketAddr)>> + Send {
        listener.accept()
    }

    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send {
        tokio::net::TcpStream::connect(addr)
    }

    fn set_nodelay(stream: &Self::Stream) {
        stream.set_nodelay(true).unwrap();
    }

    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        tokio::io::AsyncReadExt::read(stream, buf)
    }

    async fn read_exact<'a>(stream: &'a mut Self::Stream, buf: &'a mut [u8]) -> io::Result<()> {
        // tokio's returns the length, which is `buf.len()`.
        tokio::io::AsyncReadExt::read_exact(stream, buf)
            .await
            .map(drop)
    }

    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        tokio::io::AsyncWriteExt::write_all(stream, buf)
    }

    fn shutdown_write(stream: &mut Self::Stream) -> impl Future<Output = io::Result<()>> + Send {
        tokio::io::AsyncWriteExt::shutdown(stream)
    }
}

impl NetBench for Smol {
    type Listener = async_io::Async<std::net::TcpListener>;
    type Stream = async_io::Async<std::net::TcpStream>;

    fn listener_from_std(listener: std::net::TcpListener) -> Self::Listener {
        async_io::Async::new(listener).unwrap()
    }

    fn accept(
        listener: &Self::Listener,
    ) -> impl Future<Output = io::Result<(Self::Stream, SocketAddr)>> + Send {
        listener.accept()
    }

    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send {
        async_io::Async::<std::net::TcpStream>::connect(addr)
    }

    fn set_nodelay(stream: &Self::Stream) {
        stream.get_ref().set_nodelay(true).unwrap();
    }

    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        futures_lite::AsyncReadExt::read(stream, buf)
    }

    fn read_exact<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        futures_lite::AsyncReadExt::read_exact(stream, buf)
    }

    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        futures_lite::AsyncWriteExt::write_all(stream, buf)
    }

    fn shutdown_write(stream: &mut Self::Stream) -> impl Future<Output = io::Result<()>> + Send {
        ready(stream.get_ref().shutdown(Shutdown::Write))
    }
}
