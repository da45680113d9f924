//! `read_dir`: a directory's entries, fetched in batches on the blocking
//! pool (one hop per `BATCH` entries, the first batch in the same hop as
//! opening the directory).

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::{FileType, Metadata};
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use super::asyncify;
use crate::runtime::task::JoinHandle;

/// Entries fetched per hop.
const BATCH: usize = 32;

/// Opens the directory at `path` for listing its entries.
///
/// The entries come in the OS's order (not sorted) and do not include `.`
/// and `..`.
///
/// # Errors
///
/// `NotFound` if `path` does not exist, `PermissionDenied` if it may not be
/// listed, and an error (`NotADirectory` on most systems) if it is a file.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("magpie-doc-ls-{}", std::process::id()));
/// magpie::fs::create_dir_all(&dir).await?;
/// magpie::fs::write(dir.join("one"), "").await?;
/// magpie::fs::write(dir.join("two"), "").await?;
/// let mut names = Vec::new();
/// let mut entries = magpie::fs::read_dir(&dir).await?;
/// while let Some(entry) = entries.next_entry().await? {
///     names.push(entry.file_name());
/// }
/// names.sort();
/// assert_eq!(names, ["one", "two"]);
/// # magpie::fs::remove_dir_all(&dir).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let batch = asyncify(move || {
        let mut batch = Batch {
            entries: VecDeque::with_capacity(BATCH),
            rest: Some(std::fs::read_dir(path)?),
        };
        batch.fill();
        Ok(batch)
    })
    .await?;
    Ok(ReadDir {
        state: State::Idle(batch),
    })
}

/// The entries of a directory: [`next_entry`](ReadDir::next_entry), or use
/// it as a `Stream` of `io::Result<DirEntry>`.
///
/// ```
/// use futures::StreamExt;
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("magpie-doc-stream-{}", std::process::id()));
/// magpie::fs::create_dir_all(&dir).await?;
/// magpie::fs::write(dir.join("f"), "").await?;
/// let entries = magpie::fs::read_dir(&dir).await?;
/// let all: Vec<_> = entries.collect().await;
/// assert_eq!(all.len(), 1);
/// # magpie::fs::remove_dir_all(&dir).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct ReadDir {
    state: State,
}

#[derive(Debug)]
enum State {
    Idle(Batch),
    Busy(JoinHandle<Batch>),
}

#[derive(Debug)]
struct Batch {
    entries: VecDeque<io::Result<DirEntry>>,
    /// `None` once the listing is exhausted (or failed for good).
    rest: Option<std::fs::ReadDir>,
}

impl Batch {
    /// On a pool thread: fetches up to `BATCH` entries.
    fn fill(&mut self) {
        let Some(rest) = &mut self.rest else { return };
        for _ in 0..BATCH {
            match rest.next() {
                Some(entry) => self.entries.push_back(entry.map(|e| DirEntry(Arc::new(e)))),
                None => {
                    self.rest = None;
                    return;
                }
            }
        }
    }
}

impl ReadDir {
    /// The next entry, or `None` when there are no more.
    ///
    /// Cancellation safe: an entry fetched for a dropped call is kept for
    /// the next one.
    ///
    /// # Errors
    ///
    /// An error reading the directory; listing may continue after it.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let dir = std::env::temp_dir().join(format!("magpie-doc-next-{}", std::process::id()));
    /// magpie::fs::create_dir_all(&dir).await?;
    /// let mut entries = magpie::fs::read_dir(&dir).await?;
    /// assert!(entries.next_entry().await?.is_none());
    /// # magpie::fs::remove_dir_all(&dir).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        std::future::poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// Polls for the next entry; `Ready(Ok(None))` at the end.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let dir = std::env::temp_dir().join(format!("magpie-doc-pne-{}", std::process::id()));
    /// magpie::fs::create_dir_all(&dir).await?;
    /// let mut entries = magpie::fs::read_dir(&dir).await?;
    /// let next = std::future::poll_fn(|cx| entries.poll_next_entry(cx)).await?;
    /// assert!(next.is_none());
    /// # magpie::fs::remove_dir_all(&dir).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        loop {
            match &mut self.state {
                State::Idle(batch) => {
                    if let Some(entry) = batch.entries.pop_front() {
                        return Poll::Ready(entry.map(Some));
                    }
                    if batch.rest.is_none() {
                        return Poll::Ready(Ok(None));
                    }
                    let mut batch = std::mem::replace(
                        batch,
                        Batch {
                            entries: VecDeque::new(),
                            rest: None,
                        },
                    );
                    let hop = crate::runtime::Handle::current().spawn_blocking(move || {
                        batch.fill();
                        batch
                    });
                    self.state = State::Busy(hop);
                }
                State::Busy(hop) => {
                    let done = ready!(Pin::new(hop).poll(cx));
                    match done {
                        Ok(batch) => self.state = State::Idle(batch),
                        Err(join) => {
                            // The listing went with the cancelled hop.
                            self.state = State::Idle(Batch {
                                entries: VecDeque::new(),
                                rest: None,
                            });
                            return Poll::Ready(Err(join.into()));
                        }
                    }
                }
            }
        }
    }
}

impl futures_core::Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .poll_next_entry(cx)
            .map(|result| result.transpose())
    }
}

/// One entry of a [`ReadDir`].
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("magpie-doc-entry-{}", std::process::id()));
/// magpie::fs::create_dir_all(&dir).await?;
/// magpie::fs::write(dir.join("file.txt"), "abc").await?;
/// let entry = magpie::fs::read_dir(&dir).await?.next_entry().await?.unwrap();
/// assert_eq!(entry.file_name(), "file.txt");
/// assert_eq!(entry.path(), dir.join("file.txt"));
/// assert!(entry.file_type().await?.is_file());
/// assert_eq!(entry.metadata().await?.len(), 3);
/// # magpie::fs::remove_dir_all(&dir).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct DirEntry(Arc<std::fs::DirEntry>);

impl DirEntry {
    /// The full path: the directory given to `read_dir` joined with the
    /// file name.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let mut entries = magpie::fs::read_dir(".").await?;
    /// if let Some(entry) = entries.next_entry().await? {
    ///     assert!(entry.path().starts_with("."));
    /// }
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn path(&self) -> PathBuf {
        self.0.path()
    }

    /// The bare file name, without the directory.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let mut entries = magpie::fs::read_dir(".").await?;
    /// if let Some(entry) = entries.next_entry().await? {
    ///     assert!(!entry.file_name().is_empty());
    /// }
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn file_name(&self) -> OsString {
        self.0.file_name()
    }

    /// The entry's metadata, not following a symbolic link (a hop to the
    /// pool).
    ///
    /// # Errors
    ///
    /// `NotFound` if the entry was removed since it was listed.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let mut entries = magpie::fs::read_dir(".").await?;
    /// while let Some(entry) = entries.next_entry().await? {
    ///     let _ = entry.metadata().await?.len();
    /// }
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let entry = self.0.clone();
        asyncify(move || entry.metadata()).await
    }

    /// The entry's file type, not following a symbolic link (on most
    /// systems this needs no extra system call, but may).
    ///
    /// # Errors
    ///
    /// `NotFound` if the entry was removed and its type was not recorded.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let mut entries = magpie::fs::read_dir(".").await?;
    /// while let Some(entry) = entries.next_entry().await? {
    ///     let kind = entry.file_type().await?;
    ///     assert!(kind.is_file() || kind.is_dir() || kind.is_symlink());
    /// }
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn file_type(&self) -> io::Result<FileType> {
        let entry = self.0.clone();
        asyncify(move || entry.file_type()).await
    }
}
