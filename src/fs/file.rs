//! `File`: an open file whose reads, writes and seeks run on the blocking
//! pool, batched through a buffer (the engine is `io/blocking.rs`).

use std::fs::Metadata;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::{asyncify, OpenOptions};
use crate::io::blocking::{Blocking, BlockingIo};

/// An open file. Implements [`AsyncRead`], [`AsyncWrite`] and
/// [`AsyncSeek`] (use [`AsyncReadExt`](crate::io::AsyncReadExt) and
/// [`AsyncWriteExt`](crate::io::AsyncWriteExt) for `read_exact`,
/// `write_all`, …).
///
/// # Buffering
///
/// Like tokio's `File`, this one keeps a buffer so that the blocking pool
/// is visited once per 64 KiB, not once per call:
///
/// * a read fetches at least 64 KiB (or what was asked for, up to 2 MiB)
///   and serves the following small reads from memory;
/// * a write is copied into the buffer and returns at once; the buffer is
///   written out when it reaches 64 KiB, on [`flush`](crate::io::AsyncWriteExt::flush)
///   or `close`, and before a read, a seek, [`set_len`](File::set_len) or
///   [`sync_all`](File::sync_all). **Call `flush` to learn whether a write
///   reached the OS**: an error of a background write is reported by the
///   next write, flush or seek.
///
/// # Dropping a `File`
///
/// As in tokio, dropping does not wait: an operation in flight finishes on
/// its pool thread, and data still in the buffer is handed to the pool in
/// one last write whose error nobody sees; the file is closed after that.
/// If the runtime shuts down before the pool starts that write, the data
/// is lost. Flush (and, for durability, `sync_all`) before dropping when
/// the data matters.
///
/// ```
/// use magpie::fs::File;
/// use magpie::io::{AsyncReadExt, AsyncWriteExt};
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("magpie-doc-file-{}", std::process::id()));
/// let mut file = File::create(&path).await?;
/// for i in 0..1000 {
///     file.write_all(format!("{i}\n").as_bytes()).await?; // buffered
/// }
/// file.flush().await?; // one write for all of them
///
/// let mut text = String::new();
/// File::open(&path).await?.read_to_string(&mut text).await?;
/// assert!(text.ends_with("999\n"));
/// # magpie::fs::remove_file(&path).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
///
/// [`AsyncRead`]: crate::io::AsyncRead
/// [`AsyncWrite`]: crate::io::AsyncWrite
/// [`AsyncSeek`]: crate::io::AsyncSeek
pub struct File {
    std: Arc<std::fs::File>,
    inner: Blocking<FileIo>,
}

/// The handle a hop uses: the same open file as `File::std`.
struct FileIo(Arc<std::fs::File>);

impl BlockingIo for FileIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.0).read(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        (&*self.0).write_all(buf)
    }

    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        (&*self.0).seek(pos)
    }
}

impl File {
    /// Opens an existing file for reading.
    ///
    /// # Errors
    ///
    /// `NotFound` if there is no file at `path`, `PermissionDenied` if it
    /// may not be read.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let err = magpie::fs::File::open("/no/such/file").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens a file for writing, creating it or truncating it.
    ///
    /// # Errors
    ///
    /// `NotFound` if the directory does not exist, `PermissionDenied` if
    /// the file may not be written.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("magpie-doc-create-{}", std::process::id()));
    /// let file = magpie::fs::File::create(&path).await?;
    /// assert_eq!(file.metadata().await?.len(), 0);
    /// # magpie::fs::remove_file(&path).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// A new [`OpenOptions`] (`OpenOptions::new()`).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let file = magpie::fs::File::options().read(true).open("Cargo.toml").await?;
    /// # drop(file);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Wraps an open std file; its operations run on the current runtime's
    /// blocking pool. Panics outside a runtime.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let std = std::fs::File::open("Cargo.toml")?;
    /// let file = magpie::fs::File::from_std(std);
    /// assert!(file.metadata().await?.is_file());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(std: std::fs::File) -> File {
        let std = Arc::new(std);
        let handle = crate::runtime::Handle::current();
        File {
            inner: Blocking::new(FileIo(std.clone()), handle),
            std,
        }
    }

    /// Flushes buffered writes, puts the OS file position where this
    /// `File`'s reads and writes left it, and returns the std file.
    ///
    /// # Errors
    ///
    /// The error of a buffered or background write.
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    /// use std::io::Read;
    ///
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("magpie-doc-into-{}", std::process::id()));
    /// let mut file = magpie::fs::OpenOptions::new()
    ///     .read(true).write(true).create(true).truncate(true)
    ///     .open(&path).await?;
    /// file.write_all(b"abc").await?;
    /// let mut std = file.into_std().await?;
    /// let mut rest = String::new();
    /// std.read_to_string(&mut rest)?;
    /// assert_eq!(rest, ""); // the position is after "abc"
    /// # magpie::fs::remove_file(&path).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn into_std(mut self) -> io::Result<std::fs::File> {
        std::future::poll_fn(|cx| self.inner.poll_settle(cx)).await?;
        Ok(self.unwrap_std())
    }

    /// The std file, once the engine is settled (nothing in flight): the
    /// hop's handle is dropped, so this `File` holds the only reference.
    fn unwrap_std(mut self) -> std::fs::File {
        drop(self.inner.take_io());
        let File { std, inner } = self;
        drop(inner);
        Arc::try_unwrap(std).expect("the hop's handle was dropped above")
    }

    /// A second `File` for the same open file (std's `try_clone`: a
    /// duplicated handle sharing the OS file position). Its buffer starts
    /// empty: writes still in this `File`'s buffer are not in the clone's
    /// view until flushed.
    ///
    /// # Errors
    ///
    /// The OS's error of duplicating the handle (out of descriptors).
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    ///
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("magpie-doc-clone-{}", std::process::id()));
    /// let mut file = magpie::fs::File::create(&path).await?;
    /// let mut clone = file.try_clone().await?;
    /// file.write_all(b"one ").await?;
    /// file.flush().await?;
    /// clone.write_all(b"two").await?; // after "one ": the position is shared
    /// clone.flush().await?;
    /// assert_eq!(magpie::fs::read(&path).await?, b"one two");
    /// # magpie::fs::remove_file(&path).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn try_clone(&self) -> io::Result<File> {
        let std = self.std.clone();
        let cloned = asyncify(move || std.try_clone()).await?;
        Ok(File::from_std(cloned))
    }

    /// The std file, if nothing is in flight or buffered: no operation
    /// running on the blocking pool, no unwritten data, no read-ahead (the
    /// OS position is then where this `File`'s reads and writes left it).
    /// Otherwise the `File` comes back unchanged: use
    /// [`into_std`](Self::into_std), which waits and flushes.
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    ///
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("magpie-doc-tis-{}", std::process::id()));
    /// let mut file = magpie::fs::File::create(&path).await?;
    /// file.write_all(b"buffered").await?;
    /// let mut file = file.try_into_std().unwrap_err(); // not written out yet
    /// file.flush().await?;
    /// let std = file.try_into_std().expect("flushed: nothing pending");
    /// assert_eq!(std.metadata()?.len(), 8);
    /// # magpie::fs::remove_file(&path).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_into_std(self) -> Result<std::fs::File, File> {
        if !self.inner.is_settled() {
            return Err(self);
        }
        Ok(self.unwrap_std())
    }

    /// The file's metadata (size, type, permissions, times).
    ///
    /// Writes still in this `File`'s buffer are not counted in the size:
    /// `flush` first.
    ///
    /// # Errors
    ///
    /// The OS's error of `fstat`.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let file = magpie::fs::File::open("Cargo.toml").await?;
    /// assert!(file.metadata().await?.len() > 0);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        asyncify(move || std.metadata()).await
    }

    /// Truncates or extends the file to `size` bytes (extending with
    /// zeros), after writing out buffered data. The position does not
    /// move.
    ///
    /// Takes `&mut self` (tokio's takes `&self` and locks): the buffer must
    /// be written out first, and the borrow makes that ordering plain.
    ///
    /// # Errors
    ///
    /// `InvalidInput` (or the OS's error) if the file is not open for
    /// writing; the error of a buffered write.
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    ///
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("magpie-doc-setlen-{}", std::process::id()));
    /// let mut file = magpie::fs::File::create(&path).await?;
    /// file.write_all(b"hello world").await?;
    /// file.set_len(5).await?;
    /// assert_eq!(magpie::fs::read(&path).await?, b"hello");
    /// # magpie::fs::remove_file(&path).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn set_len(&mut self, size: u64) -> io::Result<()> {
        std::future::poll_fn(|cx| self.inner.poll_settle(cx)).await?;
        let std = self.std.clone();
        asyncify(move || std.set_len(size)).await
    }

    /// Writes out buffered data and waits until the OS has put data and
    /// metadata on the storage device (`fsync`).
    ///
    /// # Errors
    ///
    /// The error of a buffered write, or of `fsync`.
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    ///
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("magpie-doc-sync-{}", std::process::id()));
    /// let mut file = magpie::fs::File::create(&path).await?;
    /// file.write_all(b"durable").await?;
    /// file.sync_all().await?;
    /// # magpie::fs::remove_file(&path).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn sync_all(&mut self) -> io::Result<()> {
        std::future::poll_fn(|cx| self.inner.poll_settle(cx)).await?;
        let std = self.std.clone();
        asyncify(move || std.sync_all()).await
    }

    /// As [`sync_all`](File::sync_all), but metadata that is not needed to
    /// read the data back (such as the modification time) may not be
    /// synced (`fdatasync`).
    ///
    /// # Errors
    ///
    /// The error of a buffered write, or of `fdatasync`.
    ///
    /// ```
    /// use magpie::io::AsyncWriteExt;
    ///
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let path = std::env::temp_dir().join(format!("magpie-doc-syncd-{}", std::process::id()));
    /// let mut file = magpie::fs::File::create(&path).await?;
    /// file.write_all(b"data").await?;
    /// file.sync_data().await?;
    /// # magpie::fs::remove_file(&path).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn sync_data(&mut self) -> io::Result<()> {
        std::future::poll_fn(|cx| self.inner.poll_settle(cx)).await?;
        let std = self.std.clone();
        asyncify(move || std.sync_data()).await
    }
}

impl futures_io::AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_read(cx, buf)
    }
}

impl futures_io::AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().inner.poll_flush(cx)
    }

    /// Flushes; the file stays open until the `File` is dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().inner.poll_flush(cx)
    }
}

impl futures_io::AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        self.get_mut().inner.poll_seek(cx, pos)
    }
}

impl std::fmt::Debug for File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("File").field(&*self.std).finish()
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for File {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.std.as_fd()
    }
}

#[cfg(windows)]
impl std::os::windows::io::AsHandle for File {
    fn as_handle(&self) -> std::os::windows::io::BorrowedHandle<'_> {
        self.std.as_handle()
    }
}
