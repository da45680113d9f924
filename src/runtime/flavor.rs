//! `RuntimeFlavor`: which scheduler a runtime runs.

/// Which scheduler a runtime runs, from
/// [`Handle::runtime_flavor`](super::Handle::runtime_flavor). Marked
/// `non_exhaustive`, as tokio's is.
///
/// ```
/// use magpie::runtime::{Builder, RuntimeFlavor};
/// let rt = Builder::new_current_thread().build().unwrap();
/// assert_eq!(rt.handle().runtime_flavor(), RuntimeFlavor::CurrentThread);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RuntimeFlavor {
    /// [`Builder::new_current_thread`](super::Builder::new_current_thread):
    /// tasks run on the thread in `block_on`.
    CurrentThread,
    /// [`Builder::new_multi_thread`](super::Builder::new_multi_thread) (the
    /// default): tasks run on worker threads that steal from each other.
    MultiThread,
}
