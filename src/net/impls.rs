//! The trait impls every socket type shares, written once.
//!
//! Each socket (`TcpStream`, `UdpSocket`, the listeners, the Unix-domain
//! ones) is a `PollEvented` around its std socket, in a field named `io`.
//! The macros here implement the traits that only reach through that field:
//! the handle traits (fd or socket) and `Debug` for all of them, `TryFrom`
//! the std socket for those that have it, and for the two streams
//! `AsyncRead`/`AsyncWrite` on the stream and on a shared reference to it. What differs between the
//! types (their inherent methods and the examples in their docs) stays in
//! their own files.

/// The platform's handle traits and `Debug` for a socket type with a field
/// `io: PollEvented<S>`: `AsFd`/`AsRawFd` on Unix, `AsSocket`/`AsRawSocket`
/// on Windows, all the std socket's; `Debug` prints the std socket as std
/// does.
macro_rules! impl_fd_and_debug {
    ($ty:ty) => {
        #[cfg(unix)]
        impl std::os::fd::AsFd for $ty {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                std::os::fd::AsFd::as_fd(self.io.get_ref())
            }
        }

        #[cfg(unix)]
        impl std::os::fd::AsRawFd for $ty {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                std::os::fd::AsRawFd::as_raw_fd(self.io.get_ref())
            }
        }

        #[cfg(windows)]
        impl std::os::windows::io::AsSocket for $ty {
            fn as_socket(&self) -> std::os::windows::io::BorrowedSocket<'_> {
                std::os::windows::io::AsSocket::as_socket(self.io.get_ref())
            }
        }

        #[cfg(windows)]
        impl std::os::windows::io::AsRawSocket for $ty {
            fn as_raw_socket(&self) -> std::os::windows::io::RawSocket {
                std::os::windows::io::AsRawSocket::as_raw_socket(self.io.get_ref())
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(self.io.get_ref(), f)
            }
        }
    };
}
pub(crate) use impl_fd_and_debug;

/// `TryFrom<$std>` for a socket type, through its `from_std` (which
/// switches the socket to non-blocking mode and registers it).
macro_rules! impl_try_from_std {
    ($ty:ty, $std:ty) => {
        impl TryFrom<$std> for $ty {
            type Error = std::io::Error;

            fn try_from(socket: $std) -> std::io::Result<$ty> {
                <$ty>::from_std(socket)
            }
        }
    };
}
pub(crate) use impl_try_from_std;

/// For a stream type with a field `io: PollEvented<S>` (where `&S` is
/// `Read + Write` and `S` has `shutdown`): `AsyncRead` and `AsyncWrite` on
/// the stream and on `&Stream` (so one task can read while another writes),
/// and the `shutdown_write` their `poll_close` calls.
///
/// Writes go straight to the socket, so `poll_flush` has nothing to do;
/// `poll_close` shuts the write direction down.
macro_rules! impl_stream_io {
    ($ty:ident) => {
        impl $ty {
            /// `close` for a stream: shut the write half down. Already shut
            /// down or disconnected counts as done.
            pub(crate) fn shutdown_write(&self) -> std::io::Result<()> {
                match self.io.get_ref().shutdown(std::net::Shutdown::Write) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotConnected => Ok(()),
                    result => result,
                }
            }
        }

        $crate::net::impls::impl_stream_io!(@traits $ty);
        $crate::net::impls::impl_stream_io!(@traits &$ty);
    };
    (@traits $ty:ty) => {
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io.poll_read(cx, buf)
            }
        }

        impl futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io.poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io.poll_write_vectored(cx, bufs)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(self.shutdown_write())
            }
        }
    };
}
pub(crate) use impl_stream_io;
