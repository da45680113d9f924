//! The socket calls std does not offer, on Windows, written once on
//! Winsock (`windows-sys`): the twin of `unix.rs`, with the same functions
//! and the same meaning. The differences are Winsock's: a socket handle
//! instead of a descriptor, `WSAEWOULDBLOCK` where Unix says
//! `EINPROGRESS`, `int` lengths, a 16-bit `LINGER`, and `WSAStartup`,
//! which must run once before the first socket call (std runs it only when
//! it makes a socket itself, and magpie may make one first).

use std::io;
use std::mem::{self, MaybeUninit};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::raw::c_int;
use std::os::windows::io::{AsRawSocket, BorrowedSocket, FromRawSocket, OwnedSocket};
use std::time::Duration;

use windows_sys::Win32::Networking::WinSock as ws;

use crate::loom::sync::Mutex;

pub(crate) const AF_INET: c_int = ws::AF_INET as c_int;
pub(crate) const AF_INET6: c_int = ws::AF_INET6 as c_int;
pub(crate) use ws::{
    IPPROTO_TCP, SOL_SOCKET, SO_ERROR, SO_KEEPALIVE, SO_RCVBUF, SO_REUSEADDR, SO_SNDBUF,
    TCP_NODELAY,
};

/// A socket address in Winsock's layout, and how many of its bytes count.
pub(crate) struct SockAddr {
    storage: ws::SOCKADDR_STORAGE,
    len: c_int,
}

impl SockAddr {
    /// All zeroes, with room for any address.
    fn empty() -> SockAddr {
        SockAddr {
            // SAFETY: `SOCKADDR_STORAGE` is plain integers and byte arrays,
            // for which all zeroes is a valid value.
            storage: unsafe { mem::zeroed() },
            len: mem::size_of::<ws::SOCKADDR_STORAGE>() as c_int,
        }
    }

    /// Copies `addr` (one of the `SOCKADDR_*` types) into the storage.
    fn with<T: Copy>(addr: T, len: usize) -> SockAddr {
        debug_assert!(mem::size_of::<T>() <= mem::size_of::<ws::SOCKADDR_STORAGE>());
        let mut out = SockAddr::empty();
        // SAFETY: `SOCKADDR_STORAGE` is large enough and aligned for every
        // `SOCKADDR_*` type (that is what it is for), and `T` is one.
        unsafe {
            (&mut out.storage as *mut ws::SOCKADDR_STORAGE)
                .cast::<T>()
                .write(addr)
        };
        out.len = len as c_int;
        out
    }

    /// An IPv4 or IPv6 address, as std lays them out.
    pub(crate) fn from_inet(addr: SocketAddr) -> SockAddr {
        match addr {
            SocketAddr::V4(v4) => {
                let sin = ws::SOCKADDR_IN {
                    sin_family: ws::AF_INET,
                    sin_port: v4.port().to_be(),
                    sin_addr: ws::IN_ADDR {
                        S_un: ws::IN_ADDR_0 {
                            S_addr: u32::from_ne_bytes(v4.ip().octets()),
                        },
                    },
                    sin_zero: [0; 8],
                };
                SockAddr::with(sin, mem::size_of::<ws::SOCKADDR_IN>())
            }
            SocketAddr::V6(v6) => {
                let sin6 = ws::SOCKADDR_IN6 {
                    sin6_family: ws::AF_INET6,
                    sin6_port: v6.port().to_be(),
                    sin6_flowinfo: v6.flowinfo(),
                    sin6_addr: ws::IN6_ADDR {
                        u: ws::IN6_ADDR_0 {
                            Byte: v6.ip().octets(),
                        },
                    },
                    Anonymous: ws::SOCKADDR_IN6_0 {
                        sin6_scope_id: v6.scope_id(),
                    },
                };
                SockAddr::with(sin6, mem::size_of::<ws::SOCKADDR_IN6>())
            }
        }
    }

    /// The IPv4 or IPv6 address held, as std's type.
    fn to_inet(&self) -> io::Result<SocketAddr> {
        match self.storage.ss_family {
            ws::AF_INET => {
                // SAFETY: the family says the storage holds a `SOCKADDR_IN`;
                // the storage is aligned for it, and it is `Copy`. Every
                // variant of the `IN_ADDR` union is plain bytes.
                let (ip, port) = unsafe {
                    let sin = *(&self.storage as *const _ as *const ws::SOCKADDR_IN);
                    (sin.sin_addr.S_un.S_addr, sin.sin_port)
                };
                let ip = Ipv4Addr::from(ip.to_ne_bytes());
                Ok(SocketAddrV4::new(ip, u16::from_be(port)).into())
            }
            ws::AF_INET6 => {
                // SAFETY: as above, for `SOCKADDR_IN6`; its unions are plain
                // bytes and integers in every variant.
                let (ip, port, flowinfo, scope_id) = unsafe {
                    let sin6 = *(&self.storage as *const _ as *const ws::SOCKADDR_IN6);
                    (
                        sin6.sin6_addr.u.Byte,
                        sin6.sin6_port,
                        sin6.sin6_flowinfo,
                        sin6.Anonymous.sin6_scope_id,
                    )
                };
                let ip = Ipv6Addr::from(ip);
                Ok(SocketAddrV6::new(ip, u16::from_be(port), flowinfo, scope_id).into())
            }
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not an IPv4 or IPv6 socket address",
            )),
        }
    }

    fn as_ptr(&self) -> *const ws::SOCKADDR {
        (&self.storage as *const ws::SOCKADDR_STORAGE).cast()
    }

    fn as_mut_ptr(&mut self) -> *mut ws::SOCKADDR {
        (&mut self.storage as *mut ws::SOCKADDR_STORAGE).cast()
    }
}

/// `SOCKET_ERROR` into the last Winsock error, anything else through.
fn cvt(result: c_int) -> io::Result<c_int> {
    if result == ws::SOCKET_ERROR {
        Err(last_error())
    } else {
        Ok(result)
    }
}

/// The calling thread's last Winsock error.
fn last_error() -> io::Error {
    // SAFETY: WSAGetLastError takes nothing and reads a thread-local.
    io::Error::from_raw_os_error(unsafe { ws::WSAGetLastError() })
}

fn raw(socket: BorrowedSocket<'_>) -> ws::SOCKET {
    socket.as_raw_socket() as ws::SOCKET
}

/// Runs `WSAStartup` once per process (never undone: the process may use
/// sockets until it exits, as std does).
fn startup() -> io::Result<()> {
    static STARTED: Mutex<bool> = Mutex::new(false);
    let mut started = STARTED.lock();
    if !*started {
        let mut data = MaybeUninit::<ws::WSADATA>::zeroed();
        // SAFETY: `data` is writable storage for one `WSADATA`.
        let error = unsafe { ws::WSAStartup(0x202, data.as_mut_ptr()) };
        if error != 0 {
            return Err(io::Error::from_raw_os_error(error));
        }
        *started = true;
    }
    Ok(())
}

/// A new stream socket of `family` (`AF_INET`, `AF_INET6`), non-blocking
/// and not inherited by child processes (as std's sockets are).
pub(crate) fn stream_socket(family: c_int) -> io::Result<OwnedSocket> {
    startup()?;
    let flags = ws::WSA_FLAG_OVERLAPPED | ws::WSA_FLAG_NO_HANDLE_INHERIT;
    // SAFETY: no protocol info (a null pointer is allowed); the rest are
    // integers.
    let socket = unsafe { ws::WSASocketW(family, ws::SOCK_STREAM, 0, std::ptr::null(), 0, flags) };
    if socket == ws::INVALID_SOCKET {
        return Err(last_error());
    }
    // SAFETY: a socket WSASocketW just returned belongs to nobody else.
    let socket = unsafe { OwnedSocket::from_raw_socket(socket as _) };
    let mut nonblocking: u32 = 1;
    // SAFETY: FIONBIO reads one `u32`, which `nonblocking` is.
    cvt(unsafe { ws::ioctlsocket(socket.as_raw_socket() as _, ws::FIONBIO, &mut nonblocking) })?;
    Ok(socket)
}

/// Starts connecting `socket` to `addr` without waiting. `Ok(true)`:
/// connected already; `Ok(false)`: under way (Winsock says
/// `WSAEWOULDBLOCK`), wait for writability and ask [`connect_result`].
pub(crate) fn start_connect(socket: BorrowedSocket<'_>, addr: &SockAddr) -> io::Result<bool> {
    // SAFETY: the pointer and length describe `addr`'s initialised storage,
    // which outlives the call.
    match cvt(unsafe { ws::connect(raw(socket), addr.as_ptr(), addr.len) }) {
        Ok(_) => Ok(true),
        Err(e) if e.raw_os_error() == Some(ws::WSAEWOULDBLOCK) => Ok(false),
        Err(e) if e.raw_os_error() == Some(ws::WSAEINPROGRESS) => Ok(false),
        Err(e) => Err(e),
    }
}

/// How a connect that [`start_connect`] left under way ended: `Ok` if the
/// socket is connected, the connect's error if it failed (the driver
/// reports a failed connect as writable), `WouldBlock` if it is still under
/// way.
pub(crate) fn connect_result(socket: BorrowedSocket<'_>) -> io::Result<()> {
    let error = get_int(socket, SOL_SOCKET, SO_ERROR)?;
    if error != 0 {
        return Err(io::Error::from_raw_os_error(error));
    }
    let mut peer = SockAddr::empty();
    // SAFETY: the pointers describe `peer`'s storage and its length, both
    // writable and alive for the call.
    match cvt(unsafe { ws::getpeername(raw(socket), peer.as_mut_ptr(), &mut peer.len) }) {
        Ok(_) => Ok(()),
        Err(e) if e.raw_os_error() == Some(ws::WSAENOTCONN) => {
            Err(io::ErrorKind::WouldBlock.into())
        }
        Err(e) => Err(e),
    }
}

/// Binds `socket` to `addr`.
pub(crate) fn bind(socket: BorrowedSocket<'_>, addr: &SockAddr) -> io::Result<()> {
    // SAFETY: the pointer and length describe `addr`'s initialised storage.
    cvt(unsafe { ws::bind(raw(socket), addr.as_ptr(), addr.len) }).map(drop)
}

/// Listens on `socket` with room for `backlog` connections not yet
/// accepted (Winsock caps it).
pub(crate) fn listen(socket: BorrowedSocket<'_>, backlog: u32) -> io::Result<()> {
    let backlog = c_int::try_from(backlog).unwrap_or(c_int::MAX);
    // SAFETY: listen takes no pointers.
    cvt(unsafe { ws::listen(raw(socket), backlog) }).map(drop)
}

/// The IPv4 or IPv6 address `socket` is bound to.
pub(crate) fn local_addr(socket: BorrowedSocket<'_>) -> io::Result<SocketAddr> {
    let mut addr = SockAddr::empty();
    // SAFETY: the pointers describe `addr`'s storage and its length, both
    // writable and alive for the call.
    cvt(unsafe { ws::getsockname(raw(socket), addr.as_mut_ptr(), &mut addr.len) })?;
    addr.to_inet()
}

/// An option whose value is a C `int` (flags are 0 or 1).
pub(crate) fn set_int(
    socket: BorrowedSocket<'_>,
    level: c_int,
    name: c_int,
    value: c_int,
) -> io::Result<()> {
    set_opt(socket, level, name, value)
}

/// Reads an option whose value is a C `int` (Winsock writes some flags,
/// such as `TCP_NODELAY`, as one byte: the rest stays zero).
pub(crate) fn get_int(socket: BorrowedSocket<'_>, level: c_int, name: c_int) -> io::Result<c_int> {
    get_opt(socket, level, name)
}

/// `SO_LINGER` in seconds: `None` turns lingering off. Winsock's value is
/// 16 bits wide, so longer times saturate at about 18 hours.
pub(crate) fn set_linger(socket: BorrowedSocket<'_>, linger: Option<Duration>) -> io::Result<()> {
    let value = ws::LINGER {
        l_onoff: u16::from(linger.is_some()),
        l_linger: linger.map_or(0, |d| u16::try_from(d.as_secs()).unwrap_or(u16::MAX)),
    };
    set_opt(socket, SOL_SOCKET, ws::SO_LINGER, value)
}

/// Reads `SO_LINGER`; see [`set_linger`].
pub(crate) fn linger(socket: BorrowedSocket<'_>) -> io::Result<Option<Duration>> {
    let value: ws::LINGER = get_opt(socket, SOL_SOCKET, ws::SO_LINGER)?;
    Ok((value.l_onoff != 0).then(|| Duration::from_secs(u64::from(value.l_linger))))
}

/// Receives one datagram and its sender. A datagram longer than `buf` is
/// truncated to fit (the rest is discarded) and its length counts as
/// `buf.len()`, as on Unix. Winsock fills `buf` and the sender's address
/// but reports `WSAEMSGSIZE`, which std passes on as an error; hence this
/// call of `recvfrom` of our own.
pub(crate) fn recv_from(
    socket: &std::net::UdpSocket,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr)> {
    recv_from_with(socket, buf, 0)
}

/// Reads the next datagram and its sender without taking it off the
/// queue; truncated as [`recv_from`].
pub(crate) fn peek_from(
    socket: &std::net::UdpSocket,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr)> {
    recv_from_with(socket, buf, ws::MSG_PEEK)
}

/// `recvfrom` with `flags` (0 or `MSG_PEEK`), keeping a truncated datagram.
fn recv_from_with(
    socket: &std::net::UdpSocket,
    buf: &mut [u8],
    flags: ws::SEND_RECV_FLAGS,
) -> io::Result<(usize, SocketAddr)> {
    let mut from = SockAddr::empty();
    let len = c_int::try_from(buf.len()).unwrap_or(c_int::MAX);
    // SAFETY: `buf` is writable for `len` bytes (`len <= buf.len()`) and
    // `from` for its length; all outlive the call.
    let result = unsafe {
        ws::recvfrom(
            socket.as_raw_socket() as ws::SOCKET,
            buf.as_mut_ptr(),
            len,
            flags,
            from.as_mut_ptr(),
            &mut from.len,
        )
    };
    let n = match cvt(result) {
        Ok(n) => n as usize,
        Err(e) if e.raw_os_error() == Some(ws::WSAEMSGSIZE) => len as usize,
        Err(e) => return Err(e),
    };
    Ok((n, from.to_inet()?))
}

/// Receives one datagram from the connected peer; truncated as
/// [`recv_from`].
pub(crate) fn recv(socket: &std::net::UdpSocket, buf: &mut [u8]) -> io::Result<usize> {
    match socket.recv(buf) {
        Err(e) if e.raw_os_error() == Some(ws::WSAEMSGSIZE) => Ok(buf.len()),
        result => result,
    }
}

/// Option values this file passes: `c_int` and `LINGER`, plain integers
/// for which every bit pattern is a valid value.
trait OptValue: Copy {}
impl OptValue for c_int {}
impl OptValue for ws::LINGER {}

fn set_opt<T: OptValue>(
    socket: BorrowedSocket<'_>,
    level: c_int,
    name: c_int,
    value: T,
) -> io::Result<()> {
    let len = mem::size_of::<T>() as c_int;
    // SAFETY: the pointer and length describe `value`, alive for the call.
    let result =
        unsafe { ws::setsockopt(raw(socket), level, name, (&value as *const T).cast(), len) };
    cvt(result).map(drop)
}

fn get_opt<T: OptValue>(socket: BorrowedSocket<'_>, level: c_int, name: c_int) -> io::Result<T> {
    let mut value = MaybeUninit::<T>::zeroed();
    let mut len = mem::size_of::<T>() as c_int;
    // SAFETY: the pointers describe `value`'s storage and its length, both
    // writable and alive for the call.
    let result = unsafe {
        ws::getsockopt(
            raw(socket),
            level,
            name,
            value.as_mut_ptr().cast(),
            &mut len,
        )
    };
    cvt(result)?;
    // SAFETY: `value` started zeroed and Winsock wrote at most `len` bytes
    // of it; for an `OptValue` every bit pattern is valid.
    Ok(unsafe { value.assume_init() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_addresses_survive_the_round_trip_through_sockaddr() {
        for addr in [
            "127.0.0.1:8080".parse::<SocketAddr>().unwrap(),
            "0.0.0.0:0".parse().unwrap(),
            "[::1]:443".parse().unwrap(),
            SocketAddrV6::new(Ipv6Addr::LOCALHOST, 9, 7, 3).into(),
        ] {
            assert_eq!(SockAddr::from_inet(addr).to_inet().unwrap(), addr);
        }
    }
}
