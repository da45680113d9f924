//! `ToSocketAddrs`: what `bind`, `connect` and `send_to` accept.
//!
//! Socket addresses and IP/port pairs resolve at once, without a thread.
//! Host names (`"localhost:80"`, `("example.com", 443)`) are looked up with
//! the system resolver, which blocks, so the lookup runs on the runtime's
//! blocking pool.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// Something that resolves to one or more socket addresses: a
/// [`SocketAddr`], an `(IpAddr, u16)` pair, a `"host:port"` string, a
/// `(&str, u16)` pair, or a slice of addresses.
///
/// Implemented for the same types as [`std::net::ToSocketAddrs`]; it cannot
/// be implemented outside magpie.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// use magpie::net::TcpListener;
/// let a = TcpListener::bind("127.0.0.1:0").await?;
/// let b = TcpListener::bind(("127.0.0.1", 0)).await?;
/// let c = TcpListener::bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await?;
/// # drop((a, b, c));
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub trait ToSocketAddrs: sealed::ToSocketAddrsPriv {}

pub(crate) mod sealed {
    use std::net::SocketAddr;

    /// The hidden half of [`ToSocketAddrs`](super::ToSocketAddrs).
    pub trait ToSocketAddrsPriv {
        #[doc(hidden)]
        fn to_resolve(&self) -> Resolve;
    }

    /// An address list, or a host name still to look up.
    #[doc(hidden)]
    #[derive(Debug)]
    pub enum Resolve {
        Ready(std::io::Result<Vec<SocketAddr>>),
        Lookup(String),
    }
}

use sealed::{Resolve, ToSocketAddrsPriv};

/// Resolves `addr`, on the blocking pool if it names a host.
///
/// The lookup task is an internal helper, so its `JoinError` never reaches
/// the caller: it is cancelled only when the runtime shut down (before it
/// ran), which becomes the same error every socket gives then, and a panic
/// in it resumes in the caller, as if the lookup had run in place.
pub(crate) async fn resolve(addr: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    match addr.to_resolve() {
        Resolve::Ready(result) => result,
        Resolve::Lookup(host) => {
            let lookup =
                move || std::net::ToSocketAddrs::to_socket_addrs(&host).map(Vec::from_iter);
            let task = crate::runtime::Handle::current().spawn_blocking(lookup);
            match task.await {
                Ok(result) => result,
                Err(e) if e.is_cancelled() => Err(runtime_shut_down()),
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        }
    }
}

/// Resolves `host` to its socket addresses (tokio's `lookup_host`; Python's
/// `loop.getaddrinfo`). A host name is looked up with the system resolver
/// on the runtime's blocking pool; an address or IP/port pair resolves at
/// once.
///
/// Dropping the future does not stop a lookup already running on the
/// blocking pool (the system resolver cannot be interrupted); its result
/// is dropped.
///
/// # Errors
///
/// The resolver's error for a host it cannot resolve; `InvalidInput` for
/// a string without a port.
///
/// # Panics
///
/// When called outside a magpie runtime with a host name to look up.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let addrs: Vec<_> = magpie::net::lookup_host("127.0.0.1:8080").await?.collect();
/// assert_eq!(addrs, [std::net::SocketAddr::from(([127, 0, 0, 1], 8080))]);
/// for addr in magpie::net::lookup_host("localhost:80").await? {
///     assert!(addr.ip().is_loopback());
/// }
/// assert!(magpie::net::lookup_host("no port here").await.is_err());
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn lookup_host(host: impl ToSocketAddrs) -> io::Result<impl Iterator<Item = SocketAddr>> {
    resolve(host).await.map(Vec::into_iter)
}

/// The error a socket operation fails with once its runtime has shut
/// down: the I/O driver's wording, so that every path says the same.
pub(crate) fn runtime_shut_down() -> io::Error {
    io::Error::other("the magpie runtime's I/O driver has shut down")
}

/// Tries `op` on each address in turn; the first success wins, else the
/// last error.
pub(crate) async fn each_addr<T, F, Fut>(addr: impl ToSocketAddrs, mut op: F) -> io::Result<T>
where
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last_err = None;
    for addr in resolve(addr).await? {
        match op(addr).await {
            Ok(value) => return Ok(value),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        )
    }))
}

macro_rules! ready_addr {
    ($($ty:ty),*) => {$(
        impl ToSocketAddrs for $ty {}
        impl ToSocketAddrsPriv for $ty {
            fn to_resolve(&self) -> Resolve {
                Resolve::Ready(Ok(vec![SocketAddr::from(*self)]))
            }
        }
    )*};
}

ready_addr!(
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    (Ipv6Addr, u16),
    ([u8; 4], u16),
    ([u16; 8], u16)
);

impl ToSocketAddrs for [SocketAddr] {}
impl ToSocketAddrsPriv for [SocketAddr] {
    fn to_resolve(&self) -> Resolve {
        Resolve::Ready(Ok(self.to_vec()))
    }
}

impl ToSocketAddrs for str {}
impl ToSocketAddrsPriv for str {
    fn to_resolve(&self) -> Resolve {
        match self.parse::<SocketAddr>() {
            Ok(addr) => Resolve::Ready(Ok(vec![addr])),
            Err(_) => Resolve::Lookup(self.to_owned()),
        }
    }
}

impl ToSocketAddrs for String {}
impl ToSocketAddrsPriv for String {
    fn to_resolve(&self) -> Resolve {
        self.as_str().to_resolve()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl ToSocketAddrsPriv for (&str, u16) {
    fn to_resolve(&self) -> Resolve {
        let (host, port) = *self;
        match host.parse::<IpAddr>() {
            Ok(ip) => Resolve::Ready(Ok(vec![SocketAddr::new(ip, port)])),
            Err(_) => Resolve::Lookup(format!("{host}:{port}")),
        }
    }
}

impl ToSocketAddrs for (String, u16) {}
impl ToSocketAddrsPriv for (String, u16) {
    fn to_resolve(&self) -> Resolve {
        (self.0.as_str(), self.1).to_resolve()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrsPriv + ?Sized> ToSocketAddrsPriv for &T {
    fn to_resolve(&self) -> Resolve {
        (**self).to_resolve()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(addr: impl ToSocketAddrs) -> Vec<SocketAddr> {
        match addr.to_resolve() {
            Resolve::Ready(result) => result.unwrap(),
            Resolve::Lookup(host) => panic!("{host} needed a lookup"),
        }
    }

    #[test]
    fn literal_addresses_resolve_without_a_lookup() {
        let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
        assert_eq!(ready("127.0.0.1:80"), [v4]);
        assert_eq!(ready(("127.0.0.1", 80)), [v4]);
        assert_eq!(ready(v4), [v4]);
        assert_eq!(ready(&[v4, v4][..]).len(), 2);
        assert_eq!(ready("[::1]:80").len(), 1);
    }

    #[test]
    fn host_names_go_to_the_resolver() {
        assert!(
            matches!(("localhost", 80).to_resolve(), Resolve::Lookup(h) if h == "localhost:80")
        );
        assert!(matches!("localhost:80".to_resolve(), Resolve::Lookup(_)));
    }
}
