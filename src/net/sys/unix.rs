//! The socket calls std does not offer, on Unix, written once on `libc`: a
//! stream socket that is non-blocking and close-on-exec from birth, a
//! `connect` that does not wait, `bind` and `listen` with a chosen backlog,
//! socket options, and the conversions between std's addresses and
//! `sockaddr`. `windows.rs` is its Winsock twin.

use std::io;
use std::mem::{self, MaybeUninit};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::raw::c_int;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

#[cfg(not(any(target_os = "solaris", target_os = "illumos")))]
pub(crate) use libc::SO_REUSEPORT;
pub(crate) use libc::{
    AF_INET, AF_INET6, IPPROTO_TCP, SOL_SOCKET, SO_ERROR, SO_KEEPALIVE, SO_RCVBUF, SO_REUSEADDR,
    SO_SNDBUF, TCP_NODELAY,
};

/// A socket address in the kernel's layout, and how many of its bytes
/// count.
pub(crate) struct SockAddr {
    storage: libc::sockaddr_storage,
    len: libc::socklen_t,
}

impl SockAddr {
    /// All zeroes, with room for any address.
    fn empty() -> SockAddr {
        SockAddr {
            // SAFETY: `sockaddr_storage` is plain integers and byte arrays,
            // for which all zeroes is a valid value.
            storage: unsafe { mem::zeroed() },
            len: mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t,
        }
    }

    /// Copies `addr` (one of the `sockaddr_*` types) into the storage.
    fn with<T: Copy>(addr: T, len: usize) -> SockAddr {
        debug_assert!(mem::size_of::<T>() <= mem::size_of::<libc::sockaddr_storage>());
        let mut out = SockAddr::empty();
        // SAFETY: `sockaddr_storage` is large enough and aligned for every
        // `sockaddr_*` type (that is what it is for), and `T` is one.
        unsafe {
            (&mut out.storage as *mut libc::sockaddr_storage)
                .cast::<T>()
                .write(addr)
        };
        out.len = len as libc::socklen_t;
        out
    }

    /// An IPv4 or IPv6 address, as std lays them out.
    pub(crate) fn from_inet(addr: SocketAddr) -> SockAddr {
        match addr {
            SocketAddr::V4(v4) => {
                // SAFETY: plain integers; all zeroes is valid (and fills the
                // padding and, on the BSDs, `sin_len`, which the kernel sets).
                let mut sin: libc::sockaddr_in = unsafe { mem::zeroed() };
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_port = v4.port().to_be();
                sin.sin_addr = libc::in_addr {
                    s_addr: u32::from_ne_bytes(v4.ip().octets()),
                };
                SockAddr::with(sin, mem::size_of::<libc::sockaddr_in>())
            }
            SocketAddr::V6(v6) => {
                // SAFETY: as for `sockaddr_in` above.
                let mut sin6: libc::sockaddr_in6 = unsafe { mem::zeroed() };
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_port = v6.port().to_be();
                sin6.sin6_addr = libc::in6_addr {
                    s6_addr: v6.ip().octets(),
                };
                sin6.sin6_flowinfo = v6.flowinfo();
                sin6.sin6_scope_id = v6.scope_id();
                SockAddr::with(sin6, mem::size_of::<libc::sockaddr_in6>())
            }
        }
    }

    /// A Unix-domain path, with std's rules: no NUL byte, and shorter than
    /// `sun_path` (so that the terminating NUL fits). On Linux and Android
    /// a path that starts with a NUL byte is an abstract name instead: the
    /// bytes after it name a socket in no filesystem, and may hold NULs.
    pub(crate) fn from_path(path: &Path) -> io::Result<SockAddr> {
        // SAFETY: plain integers and a byte array; all zeroes is valid.
        let mut sun: libc::sockaddr_un = unsafe { mem::zeroed() };
        sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
        let bytes = path.as_os_str().as_bytes();
        let abstract_name = is_abstract(bytes);
        if !abstract_name && bytes.contains(&0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "paths must not contain interior null bytes",
            ));
        }
        // A path needs room for its terminating NUL; an abstract name has none.
        let room = sun.sun_path.len() - usize::from(!abstract_name);
        if bytes.len() > room {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "path must be shorter than SUN_LEN",
            ));
        }
        for (to, &from) in sun.sun_path.iter_mut().zip(bytes) {
            *to = from as libc::c_char;
        }
        let mut len = mem::offset_of!(libc::sockaddr_un, sun_path) + bytes.len();
        if !bytes.is_empty() && !abstract_name {
            len += 1; // the terminating NUL
        }
        Ok(SockAddr::with(sun, len))
    }

    /// The IPv4 or IPv6 address held, as std's type.
    fn to_inet(&self) -> io::Result<SocketAddr> {
        match c_int::from(self.storage.ss_family) {
            libc::AF_INET => {
                // SAFETY: the family says the storage holds a `sockaddr_in`;
                // the storage is aligned for it, and it is `Copy`.
                let sin = unsafe { *(&self.storage as *const _ as *const libc::sockaddr_in) };
                let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
                Ok(SocketAddrV4::new(ip, u16::from_be(sin.sin_port)).into())
            }
            libc::AF_INET6 => {
                // SAFETY: as above, for `sockaddr_in6`.
                let sin6 = unsafe { *(&self.storage as *const _ as *const libc::sockaddr_in6) };
                let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                let port = u16::from_be(sin6.sin6_port);
                Ok(SocketAddrV6::new(ip, port, sin6.sin6_flowinfo, sin6.sin6_scope_id).into())
            }
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not an IPv4 or IPv6 socket address",
            )),
        }
    }

    /// The Unix-domain address held, as std's type: a path, a Linux
    /// abstract name, or unnamed (an unbound sender).
    fn to_unix(&self) -> io::Result<std::os::unix::net::SocketAddr> {
        use std::os::unix::net::SocketAddr as UnixAddr;
        let offset = mem::offset_of!(libc::sockaddr_un, sun_path);
        let len = (self.len as usize).saturating_sub(offset);
        if len == 0 {
            // std's unnamed address is the one with an empty path.
            return UnixAddr::from_pathname("");
        }
        if c_int::from(self.storage.ss_family) != libc::AF_UNIX {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a Unix-domain socket address",
            ));
        }
        // SAFETY: the family says the storage holds a `sockaddr_un`; the
        // storage is aligned for it, and it is `Copy`.
        let sun = unsafe { *(&self.storage as *const _ as *const libc::sockaddr_un) };
        let bytes: Vec<u8> = sun.sun_path[..len.min(sun.sun_path.len())]
            .iter()
            .map(|&c| c as u8)
            .collect();
        if is_abstract(&bytes) {
            #[cfg(target_os = "android")]
            use std::os::android::net::SocketAddrExt;
            #[cfg(target_os = "linux")]
            use std::os::linux::net::SocketAddrExt;
            #[cfg(any(target_os = "linux", target_os = "android"))]
            return UnixAddr::from_abstract_name(&bytes[1..]);
        }
        let path = bytes.split(|&b| b == 0).next().unwrap_or_default();
        UnixAddr::from_pathname(std::ffi::OsStr::from_bytes(path))
    }

    fn as_ptr(&self) -> *const libc::sockaddr {
        (&self.storage as *const libc::sockaddr_storage).cast()
    }

    fn as_mut_ptr(&mut self) -> *mut libc::sockaddr {
        (&mut self.storage as *mut libc::sockaddr_storage).cast()
    }
}

/// Whether `path` (a Unix-domain socket path's bytes) is a Linux abstract
/// name: one that starts with a NUL byte. Never on other systems.
pub(crate) fn is_abstract(path: &[u8]) -> bool {
    cfg!(any(target_os = "linux", target_os = "android")) && path.first() == Some(&0)
}

/// `-1` into the OS error, anything else through.
fn cvt(result: c_int) -> io::Result<c_int> {
    if result == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

/// A new stream socket of `family` (`AF_INET`, `AF_INET6`, `AF_UNIX`),
/// non-blocking and close-on-exec.
pub(crate) fn stream_socket(family: c_int) -> io::Result<OwnedFd> {
    new_socket(family, libc::SOCK_STREAM)
}

/// A new datagram socket of `family`, non-blocking and close-on-exec.
pub(crate) fn datagram_socket(family: c_int) -> io::Result<OwnedFd> {
    new_socket(family, libc::SOCK_DGRAM)
}

/// A new socket of `family` and type `ty`, non-blocking and close-on-exec.
#[cfg(any(target_os = "android", target_os = "linux"))]
fn new_socket(family: c_int, ty: c_int) -> io::Result<OwnedFd> {
    let ty = ty | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
    // SAFETY: socket(2) takes no pointers.
    let fd = cvt(unsafe { libc::socket(family, ty, 0) })?;
    // SAFETY: a descriptor socket(2) just returned belongs to nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// A new socket of `family` and type `ty`, non-blocking and close-on-exec
/// (set one by one: not every system's `socket(2)` takes flags for them),
/// and on Apple systems with `SO_NOSIGPIPE`, as std's sockets have.
#[cfg(not(any(target_os = "android", target_os = "linux")))]
fn new_socket(family: c_int, ty: c_int) -> io::Result<OwnedFd> {
    // SAFETY: socket(2) takes no pointers.
    let fd = cvt(unsafe { libc::socket(family, ty, 0) })?;
    // SAFETY: a descriptor socket(2) just returned belongs to nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let raw = fd.as_raw_fd();
    // SAFETY: fcntl(2) on a descriptor we own, with integer arguments.
    cvt(unsafe { libc::fcntl(raw, libc::F_SETFD, libc::FD_CLOEXEC) })?;
    // SAFETY: as above.
    let flags = cvt(unsafe { libc::fcntl(raw, libc::F_GETFL) })?;
    // SAFETY: as above.
    cvt(unsafe { libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) })?;
    #[cfg(target_vendor = "apple")]
    set_int(
        std::os::fd::AsFd::as_fd(&fd),
        libc::SOL_SOCKET,
        libc::SO_NOSIGPIPE,
        1,
    )?;
    Ok(fd)
}

/// Starts connecting `fd` to `addr` without waiting. `Ok(true)`: connected
/// already (Unix-domain sockets usually are); `Ok(false)`: under way, wait
/// for writability and ask [`connect_result`]. Errors are the OS's; for a
/// Unix-domain socket `WouldBlock` means the listener's backlog is full
/// and nothing is under way.
pub(crate) fn start_connect(fd: BorrowedFd<'_>, addr: &SockAddr) -> io::Result<bool> {
    // SAFETY: the pointer and length describe `addr`'s initialised storage,
    // which outlives the call.
    match cvt(unsafe { libc::connect(fd.as_raw_fd(), addr.as_ptr(), addr.len) }) {
        Ok(_) => Ok(true),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Ok(false),
        // A signal cut the call short; the connect goes on (POSIX).
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(false),
        Err(e) => Err(e),
    }
}

/// How a connect that [`start_connect`] left under way ended: `Ok` if the
/// socket is connected, the connect's error if it failed, `WouldBlock` if
/// it is still under way (the wake-up was not the connect's).
pub(crate) fn connect_result(fd: BorrowedFd<'_>) -> io::Result<()> {
    let error = get_int(fd, libc::SOL_SOCKET, libc::SO_ERROR)?;
    if error != 0 {
        return Err(io::Error::from_raw_os_error(error));
    }
    let mut peer = SockAddr::empty();
    // SAFETY: the pointers describe `peer`'s storage and its length, both
    // writable and alive for the call.
    match cvt(unsafe { libc::getpeername(fd.as_raw_fd(), peer.as_mut_ptr(), &mut peer.len) }) {
        Ok(_) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => Err(io::ErrorKind::WouldBlock.into()),
        Err(e) => Err(e),
    }
}

/// Binds `fd` to `addr`.
pub(crate) fn bind(fd: BorrowedFd<'_>, addr: &SockAddr) -> io::Result<()> {
    // SAFETY: the pointer and length describe `addr`'s initialised storage.
    cvt(unsafe { libc::bind(fd.as_raw_fd(), addr.as_ptr(), addr.len) }).map(drop)
}

/// Listens on `fd` with room for `backlog` connections not yet accepted
/// (the kernel caps it, on Linux at `net.core.somaxconn`).
pub(crate) fn listen(fd: BorrowedFd<'_>, backlog: u32) -> io::Result<()> {
    let backlog = c_int::try_from(backlog).unwrap_or(c_int::MAX);
    // SAFETY: listen(2) takes no pointers.
    cvt(unsafe { libc::listen(fd.as_raw_fd(), backlog) }).map(drop)
}

/// The IPv4 or IPv6 address `fd` is bound to.
pub(crate) fn local_addr(fd: BorrowedFd<'_>) -> io::Result<SocketAddr> {
    let mut addr = SockAddr::empty();
    // SAFETY: the pointers describe `addr`'s storage and its length, both
    // writable and alive for the call.
    cvt(unsafe { libc::getsockname(fd.as_raw_fd(), addr.as_mut_ptr(), &mut addr.len) })?;
    addr.to_inet()
}

/// An option whose value is a C `int` (flags are 0 or 1).
pub(crate) fn set_int(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: c_int,
) -> io::Result<()> {
    set_opt(fd, level, name, value)
}

/// Reads an option whose value is a C `int`.
pub(crate) fn get_int(fd: BorrowedFd<'_>, level: c_int, name: c_int) -> io::Result<c_int> {
    get_opt(fd, level, name)
}

/// `SO_LINGER` in seconds (`SO_LINGER_SEC` on Apple systems, whose
/// `SO_LINGER` counts clock ticks): `None` turns lingering off.
pub(crate) fn set_linger(fd: BorrowedFd<'_>, linger: Option<Duration>) -> io::Result<()> {
    let value = libc::linger {
        l_onoff: c_int::from(linger.is_some()),
        l_linger: linger.map_or(0, |d| c_int::try_from(d.as_secs()).unwrap_or(c_int::MAX)),
    };
    set_opt(fd, libc::SOL_SOCKET, LINGER, value)
}

/// Reads `SO_LINGER`; see [`set_linger`].
pub(crate) fn linger(fd: BorrowedFd<'_>) -> io::Result<Option<Duration>> {
    let value: libc::linger = get_opt(fd, libc::SOL_SOCKET, LINGER)?;
    Ok((value.l_onoff != 0).then(|| Duration::from_secs(value.l_linger.max(0) as u64)))
}

#[cfg(target_vendor = "apple")]
const LINGER: c_int = libc::SO_LINGER_SEC;
#[cfg(not(target_vendor = "apple"))]
const LINGER: c_int = libc::SO_LINGER;

/// Option values this file passes: `c_int` and `libc::linger`, plain
/// integers for which every bit pattern is a valid value.
trait OptValue: Copy {}
impl OptValue for c_int {}
impl OptValue for libc::linger {}

fn set_opt<T: OptValue>(fd: BorrowedFd<'_>, level: c_int, name: c_int, value: T) -> io::Result<()> {
    let len = mem::size_of::<T>() as libc::socklen_t;
    // SAFETY: the pointer and length describe `value`, alive for the call.
    let result = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&value as *const T).cast(),
            len,
        )
    };
    cvt(result).map(drop)
}

fn get_opt<T: OptValue>(fd: BorrowedFd<'_>, level: c_int, name: c_int) -> io::Result<T> {
    let mut value = MaybeUninit::<T>::zeroed();
    let mut len = mem::size_of::<T>() as libc::socklen_t;
    // SAFETY: the pointers describe `value`'s storage and its length, both
    // writable and alive for the call.
    let result = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            value.as_mut_ptr().cast(),
            &mut len,
        )
    };
    cvt(result)?;
    // SAFETY: `value` started zeroed and the kernel wrote at most `len`
    // bytes of it; for an `OptValue` every bit pattern is valid.
    Ok(unsafe { value.assume_init() })
}

/// Receives one datagram and its sender. A datagram longer than `buf` is
/// truncated to fit (the rest is discarded) and its length counts as
/// `buf.len()`: what `recvfrom(2)` does, so std's call is enough here.
pub(crate) fn recv_from(
    socket: &std::net::UdpSocket,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr)> {
    socket.recv_from(buf)
}

/// Reads the next datagram and its sender without taking it off the
/// queue; truncated as [`recv_from`].
pub(crate) fn peek_from(
    socket: &std::net::UdpSocket,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr)> {
    socket.peek_from(buf)
}

/// Reads from a socket without taking the bytes off its queue (`recv`
/// with `MSG_PEEK`): a stream's next bytes, or a datagram (truncated as
/// [`recv_from`]).
pub(crate) fn peek(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `fd` is open for the call, and the kernel writes at most
    // `buf.len()` bytes into `buf`.
    let n = unsafe {
        libc::recv(
            fd.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_PEEK,
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

/// [`peek`] on a Unix-domain datagram socket, with the sender's address.
pub(crate) fn peek_from_unix(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
) -> io::Result<(usize, std::os::unix::net::SocketAddr)> {
    let mut from = SockAddr::empty();
    // SAFETY: as in `peek`; the kernel writes at most `from.len` bytes of
    // address into `from.storage` and the length it wrote into `from.len`.
    let n = unsafe {
        libc::recvfrom(
            fd.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_PEEK,
            from.as_mut_ptr(),
            &mut from.len,
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((n as usize, from.to_unix()?))
}

/// Receives one datagram from the connected peer; truncated as
/// [`recv_from`].
pub(crate) fn recv(socket: &std::net::UdpSocket, buf: &mut [u8]) -> io::Result<usize> {
    socket.recv(buf)
}

/// The credentials of a Unix-domain stream's peer, as they were when it
/// connected: `(uid, gid, pid)`; the pid where the OS tells it.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn peer_cred(fd: BorrowedFd<'_>) -> io::Result<(u32, u32, Option<i32>)> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `fd` is open for the call; `cred` and `len` are valid for
    // writes and `len` is `cred`'s size, so the kernel writes within it.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&raw mut cred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((cred.uid, cred.gid, Some(cred.pid)))
}

/// As above, on the BSDs and macOS (`getpeereid`, which gives no pid).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn peer_cred(fd: BorrowedFd<'_>) -> io::Result<(u32, u32, Option<i32>)> {
    let (mut uid, mut gid) = (0, 0);
    // SAFETY: `fd` is open for the call; `uid` and `gid` are valid for
    // writes.
    let rc = unsafe { libc::getpeereid(fd.as_raw_fd(), &mut uid, &mut gid) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((uid, gid, None))
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

    #[test]
    fn unix_paths_follow_std_rules() {
        assert!(SockAddr::from_path(Path::new("/tmp/ok.sock")).is_ok());
        let long = "x".repeat(200);
        let err = SockAddr::from_path(Path::new(&long)).err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let err = SockAddr::from_path(Path::new("a\0b")).err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(SockAddr::from_path(Path::new("/tmp/ok.sock"))
            .unwrap()
            .to_inet()
            .is_err());
    }

    #[test]
    fn unix_addresses_survive_the_round_trip_through_sockaddr() {
        let path = SockAddr::from_path(Path::new("/tmp/x.sock")).unwrap();
        let path = path.to_unix().unwrap();
        assert_eq!(path.as_pathname(), Some(Path::new("/tmp/x.sock")));
        let unnamed = SockAddr::from_path(Path::new("")).unwrap();
        assert!(unnamed.to_unix().unwrap().is_unnamed());
        #[cfg(target_os = "linux")]
        {
            use std::os::linux::net::SocketAddrExt;
            let name = SockAddr::from_path(Path::new("\0magpie")).unwrap();
            let name = name.to_unix().unwrap();
            assert_eq!(name.as_abstract_name(), Some(&b"magpie"[..]));
        }
    }
}
