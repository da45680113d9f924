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

/// The readiness methods every socket type shares, for a type with a field
/// `io: PollEvented<S>`: `ready`, the two `poll_*_ready` (named as tokio
/// names them for the type: `poll_read_ready`/`poll_write_ready` for
/// streams, `poll_recv_ready`/`poll_send_ready` for datagram sockets) and
/// `try_io`. `$setup` is the first lines of each doc example: they start a
/// runtime and bind `socket`, a connected socket of the type.
macro_rules! impl_readiness {
    ($ty:ident, $read_ready:ident, $write_ready:ident, $setup:literal) => {
        impl $ty {
            /// Waits until any direction `interest` names is ready and says
            /// which ([`Ready`](crate::io::Ready)). Any number of tasks may
            /// wait at once; each is woken. Readiness is a hint: the
            /// operation after it may still say `WouldBlock`.
            ///
            /// ```
            #[doc = $setup]
            /// use magpie::io::Interest;
            /// let ready = socket.ready(Interest::READABLE | Interest::WRITABLE).await?;
            /// assert!(ready.is_writable());
            /// # std::io::Result::Ok(())
            /// # }).unwrap();
            /// ```
            pub async fn ready(
                &self,
                interest: $crate::io::Interest,
            ) -> std::io::Result<$crate::io::Ready> {
                Ok(self.io.ready(interest).await?.ready())
            }

            /// Polls for read readiness. Only the task that polled last is
            /// woken (the `poll_*` methods keep one waker per direction, and
            /// reading through the `AsyncRead` impl uses the same one); the
            /// `async` methods may be awaited by any number of tasks.
            ///
            /// ```
            #[doc = $setup]
            /// // Nothing has arrived, so this poll is pending.
            /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            #[doc = concat!("assert!(socket.", stringify!($read_ready), "(&mut cx).is_pending());")]
            /// # std::io::Result::Ok(())
            /// # }).unwrap();
            /// ```
            pub fn $read_ready(
                &self,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.io
                    .poll_ready(cx, $crate::runtime::driver::io::Direction::Read)
                    .map(|ready| ready.map(drop))
            }

            /// Polls for write readiness; see the read side's note on who
            /// is woken.
            ///
            /// ```
            #[doc = $setup]
            #[doc = concat!("std::future::poll_fn(|cx| socket.", stringify!($write_ready), "(cx)).await?;")]
            /// # std::io::Result::Ok(())
            /// # }).unwrap();
            /// ```
            pub fn $write_ready(
                &self,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.io
                    .poll_ready(cx, $crate::runtime::driver::io::Direction::Write)
                    .map(|ready| ready.map(drop))
            }

            /// Runs `f` once if a direction `interest` names looks ready,
            /// and `WouldBlock` without calling it otherwise. If `f` says
            /// `WouldBlock`, the readiness seen is cleared, so the next
            /// wait sleeps until the driver reports the socket again. For
            /// calls magpie does not wrap (a `recvmsg` with flags, say), on
            /// the socket's raw handle.
            ///
            /// ```
            #[doc = $setup]
            /// use magpie::io::Interest;
            /// socket.writable().await?;
            /// let ran = socket.try_io(Interest::WRITABLE, || Ok("the call"))?;
            /// assert_eq!(ran, "the call");
            /// # std::io::Result::Ok(())
            /// # }).unwrap();
            /// ```
            pub fn try_io<R>(
                &self,
                interest: $crate::io::Interest,
                f: impl FnOnce() -> std::io::Result<R>,
            ) -> std::io::Result<R> {
                self.io.try_io_interest(interest, |_| f())
            }
        }
    };
}
pub(crate) use impl_readiness;
