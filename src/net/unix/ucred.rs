//! `UCred`: who is at the other end of a Unix-domain stream.

/// The credentials of a [`UnixStream`](super::UnixStream)'s peer, from
/// [`peer_cred`](super::UnixStream::peer_cred): the user and group it ran
/// as when it connected (or made the pair), and its process id where the
/// OS reports it (Linux and Android; `None` on the BSDs and macOS).
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let (a, _b) = magpie::net::UnixStream::pair()?;
/// let cred = a.peer_cred()?;
/// // SAFETY: getuid has no preconditions.
/// assert_eq!(cred.uid(), unsafe { libc::getuid() });
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UCred {
    pub(super) uid: u32,
    pub(super) gid: u32,
    pub(super) pid: Option<i32>,
}

impl UCred {
    /// The peer's user id.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// let _uid: u32 = a.peer_cred()?.uid();
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The peer's group id.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// let _gid: u32 = a.peer_cred()?.gid();
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn gid(&self) -> u32 {
        self.gid
    }

    /// The peer's process id, where the OS reports it.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = magpie::net::UnixStream::pair()?;
    /// if let Some(pid) = a.peer_cred()?.pid() {
    ///     assert_eq!(pid as u32, std::process::id()); // a pair: ourselves
    /// }
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn pid(&self) -> Option<i32> {
        self.pid
    }
}
