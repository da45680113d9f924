//! `UdpSocket`'s socket options: time-to-live, broadcast, and multicast
//! membership, loopback and time-to-live.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::UdpSocket;

impl UdpSocket {
    /// Sets the IP time-to-live of outgoing datagrams (`IP_TTL`).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.set_ttl(7)?;
    /// assert_eq!(socket.ttl()?, 7);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live; see [`set_ttl`](Self::set_ttl).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert!(socket.ttl()? > 0);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Allows sending to a broadcast address (`SO_BROADCAST`).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// socket.set_broadcast(true)?;
    /// assert!(socket.broadcast()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_broadcast(on)
    }

    /// Whether `SO_BROADCAST` is set; see [`set_broadcast`](Self::set_broadcast).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert!(!socket.broadcast()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.get_ref().broadcast()
    }

    /// Joins the IPv4 multicast group `multiaddr` on the interface with
    /// address `interface` (`Ipv4Addr::UNSPECIFIED`: the system's choice).
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("0.0.0.0:0").await?;
    /// let group = Ipv4Addr::new(239, 255, 0, 1);
    /// if socket.join_multicast_v4(group, Ipv4Addr::UNSPECIFIED).is_ok() {
    ///     socket.leave_multicast_v4(group, Ipv4Addr::UNSPECIFIED)?;
    /// } // (a machine without a multicast route refuses to join)
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn join_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().join_multicast_v4(&multiaddr, &interface)
    }

    /// Leaves the IPv4 multicast group `multiaddr` on `interface`; see
    /// [`join_multicast_v4`](Self::join_multicast_v4).
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("0.0.0.0:0").await?;
    /// let never_joined = socket.leave_multicast_v4(Ipv4Addr::new(239, 255, 0, 2), Ipv4Addr::UNSPECIFIED);
    /// assert!(never_joined.is_err());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn leave_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v4(&multiaddr, &interface)
    }

    /// Joins the IPv6 multicast group `multiaddr` on the interface with
    /// index `interface` (0: the system's choice).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let Ok(socket) = magpie::net::UdpSocket::bind("[::]:0").await else { return Ok(()) };
    /// let group = "ff02::1:3".parse::<std::net::Ipv6Addr>().unwrap();
    /// if socket.join_multicast_v6(&group, 0).is_ok() {
    ///     socket.leave_multicast_v6(&group, 0)?;
    /// }
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().join_multicast_v6(multiaddr, interface)
    }

    /// Leaves the IPv6 multicast group `multiaddr` on `interface`; see
    /// [`join_multicast_v6`](Self::join_multicast_v6).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let Ok(socket) = magpie::net::UdpSocket::bind("[::]:0").await else { return Ok(()) };
    /// let group = "ff02::1:4".parse::<std::net::Ipv6Addr>().unwrap();
    /// assert!(socket.leave_multicast_v6(&group, 0).is_err(), "never joined");
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v6(multiaddr, interface)
    }

    /// Whether this socket receives the IPv4 multicast datagrams it sends
    /// (`IP_MULTICAST_LOOP`; on by default).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("0.0.0.0:0").await?;
    /// socket.set_multicast_loop_v4(false)?;
    /// assert!(!socket.multicast_loop_v4()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_multicast_loop_v4(on)
    }

    /// `IP_MULTICAST_LOOP`; see [`set_multicast_loop_v4`](Self::set_multicast_loop_v4).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("0.0.0.0:0").await?;
    /// assert!(socket.multicast_loop_v4()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.io.get_ref().multicast_loop_v4()
    }

    /// How many hops outgoing IPv4 multicast datagrams may take
    /// (`IP_MULTICAST_TTL`; 1 by default: this network only).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("0.0.0.0:0").await?;
    /// socket.set_multicast_ttl_v4(4)?;
    /// assert_eq!(socket.multicast_ttl_v4()?, 4);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_multicast_ttl_v4(ttl)
    }

    /// `IP_MULTICAST_TTL`; see [`set_multicast_ttl_v4`](Self::set_multicast_ttl_v4).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let socket = magpie::net::UdpSocket::bind("0.0.0.0:0").await?;
    /// assert_eq!(socket.multicast_ttl_v4()?, 1);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.io.get_ref().multicast_ttl_v4()
    }

    /// Whether this socket receives the IPv6 multicast datagrams it sends
    /// (`IPV6_MULTICAST_LOOP`; on by default).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let Ok(socket) = magpie::net::UdpSocket::bind("[::]:0").await else { return Ok(()) };
    /// socket.set_multicast_loop_v6(false)?;
    /// assert!(!socket.multicast_loop_v6()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_multicast_loop_v6(on)
    }

    /// `IPV6_MULTICAST_LOOP`; see [`set_multicast_loop_v6`](Self::set_multicast_loop_v6).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// # let Ok(socket) = magpie::net::UdpSocket::bind("[::]:0").await else { return Ok(()) };
    /// assert!(socket.multicast_loop_v6()?);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.io.get_ref().multicast_loop_v6()
    }
}
