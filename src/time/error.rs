//! Time error types.

use std::fmt;

/// The error a [`Timeout`](super::Timeout) resolves to when its deadline
/// passes before the inner future completes.
///
/// ```
/// use magpie::time::{error::Elapsed, timeout, Duration};
///
/// magpie::Runtime::new().unwrap().block_on(async {
///     let result = timeout(Duration::from_millis(1), std::future::pending::<()>()).await;
///     let err: Elapsed = result.unwrap_err();
///     assert_eq!(err.to_string(), "deadline has elapsed");
///     let io: std::io::Error = err.into();
///     assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl Elapsed {
    pub(crate) fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(elapsed: Elapsed) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::TimedOut, elapsed)
    }
}
