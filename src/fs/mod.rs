//! Asynchronous file system access, in tokio's names and shapes.
//!
//! Operating systems offer no readiness events for regular files, so, as
//! in tokio, every operation here runs the std call on the runtime's
//! blocking pool and the calling task waits for it without holding a
//! worker. Each free function is one hop to the pool; [`File`] batches its
//! small reads and writes through a buffer (one hop per 64 KiB, not per
//! call) and implements magpie's futures-io traits ([`AsyncRead`],
//! [`AsyncWrite`], [`AsyncSeek`]). Errors are the OS's `std::io::Error`s
//! (`NotFound`, `PermissionDenied`, …) unchanged.
//!
//! asyncio readers: `await magpie::fs::read(path)` is
//! `await asyncio.to_thread(lambda: open(path, "rb").read())`.
//!
//! Every function here needs a runtime (it panics outside one, saying so).
//!
//! ```
//! # magpie::Runtime::new().unwrap().block_on(async {
//! let dir = std::env::temp_dir().join(format!("magpie-doc-fs-{}", std::process::id()));
//! magpie::fs::create_dir_all(dir.join("a/b")).await?;
//! magpie::fs::write(dir.join("a/b/hello.txt"), "hi").await?;
//! assert_eq!(magpie::fs::read_to_string(dir.join("a/b/hello.txt")).await?, "hi");
//! magpie::fs::remove_dir_all(&dir).await?;
//! # std::io::Result::Ok(())
//! # }).unwrap();
//! ```
//!
//! [`AsyncRead`]: crate::io::AsyncRead
//! [`AsyncWrite`]: crate::io::AsyncWrite
//! [`AsyncSeek`]: crate::io::AsyncSeek

mod dir_builder;
mod file;
mod open_options;
mod read_dir;

pub use dir_builder::DirBuilder;
pub use file::File;
pub use open_options::OpenOptions;
pub use read_dir::{read_dir, DirEntry, ReadDir};

use std::fs::{Metadata, Permissions};
use std::io;
use std::path::{Path, PathBuf};

/// Runs `f` on the current runtime's blocking pool and waits for it.
pub(crate) async fn asyncify<F, T>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match crate::runtime::Handle::current().spawn_blocking(f).await {
        Ok(result) => result,
        Err(join) => Err(join.into()),
    }
}

/// Reads the whole file into a `Vec<u8>` (std's [`std::fs::read`]).
///
/// # Errors
///
/// `NotFound` if `path` does not exist, `PermissionDenied` if it may not be
/// read, and any other error of opening or reading it.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("magpie-doc-read-{}", std::process::id()));
/// magpie::fs::write(&path, [1, 2, 3]).await?;
/// assert_eq!(magpie::fs::read(&path).await?, [1, 2, 3]);
/// # magpie::fs::remove_file(&path).await?;
/// let missing = magpie::fs::read("/no/such/file").await.unwrap_err();
/// assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read(path)).await
}

/// Reads the whole file into a `String`.
///
/// # Errors
///
/// As [`read`], and `InvalidData` if the contents are not UTF-8.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("magpie-doc-rts-{}", std::process::id()));
/// magpie::fs::write(&path, "text").await?;
/// assert_eq!(magpie::fs::read_to_string(&path).await?, "text");
/// magpie::fs::write(&path, [0xff, 0xfe]).await?;
/// let bad = magpie::fs::read_to_string(&path).await.unwrap_err();
/// assert_eq!(bad.kind(), std::io::ErrorKind::InvalidData);
/// # magpie::fs::remove_file(&path).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_to_string(path)).await
}

/// Writes `contents` as the whole file, creating it or truncating it.
///
/// # Errors
///
/// `NotFound` if the parent directory does not exist, `PermissionDenied`,
/// and any other error of creating or writing the file.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("magpie-doc-write-{}", std::process::id()));
/// magpie::fs::write(&path, b"bytes").await?;
/// magpie::fs::write(&path, "shorter").await?;
/// assert_eq!(magpie::fs::read(&path).await?, b"shorter");
/// # magpie::fs::remove_file(&path).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    asyncify(move || std::fs::write(path, contents)).await
}

/// Creates a directory. Its parent must exist.
///
/// # Errors
///
/// `AlreadyExists` if `path` exists, `NotFound` if the parent does not.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("magpie-doc-mkdir-{}", std::process::id()));
/// magpie::fs::create_dir(&dir).await?;
/// let again = magpie::fs::create_dir(&dir).await.unwrap_err();
/// assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
/// # magpie::fs::remove_dir(&dir).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir(path)).await
}

/// Creates a directory and any missing parents. Succeeds if it exists.
///
/// # Errors
///
/// `PermissionDenied`, or a file (not a directory) in the way.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("magpie-doc-mkdirs-{}", std::process::id()));
/// magpie::fs::create_dir_all(dir.join("x/y/z")).await?;
/// magpie::fs::create_dir_all(dir.join("x/y/z")).await?;
/// assert!(magpie::fs::metadata(dir.join("x/y/z")).await?.is_dir());
/// # magpie::fs::remove_dir_all(&dir).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir_all(path)).await
}

/// Removes a file (not a directory).
///
/// # Errors
///
/// `NotFound` if there is nothing at `path`.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("magpie-doc-rm-{}", std::process::id()));
/// magpie::fs::write(&path, "").await?;
/// magpie::fs::remove_file(&path).await?;
/// let gone = magpie::fs::remove_file(&path).await.unwrap_err();
/// assert_eq!(gone.kind(), std::io::ErrorKind::NotFound);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_file(path)).await
}

/// Removes an empty directory.
///
/// # Errors
///
/// `NotFound`, or an error (`DirectoryNotEmpty` on most systems) if the
/// directory has entries.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("magpie-doc-rmdir-{}", std::process::id()));
/// magpie::fs::create_dir(&dir).await?;
/// magpie::fs::remove_dir(&dir).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir(path)).await
}

/// Removes a directory and everything in it. Symbolic links inside are
/// removed, not followed.
///
/// # Errors
///
/// `NotFound` if `path` does not exist, or the first error removing an
/// entry.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("magpie-doc-rmall-{}", std::process::id()));
/// magpie::fs::create_dir_all(dir.join("inner")).await?;
/// magpie::fs::write(dir.join("inner/f"), "x").await?;
/// magpie::fs::remove_dir_all(&dir).await?;
/// assert!(magpie::fs::metadata(&dir).await.is_err());
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir_all(path)).await
}

/// Renames `from` to `to`, replacing `to` if it is a file.
///
/// # Errors
///
/// `NotFound` if `from` does not exist; an error if the two are on
/// different file systems.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let a = std::env::temp_dir().join(format!("magpie-doc-mv-a-{}", std::process::id()));
/// let b = a.with_extension("b");
/// magpie::fs::write(&a, "moved").await?;
/// magpie::fs::rename(&a, &b).await?;
/// assert_eq!(magpie::fs::read_to_string(&b).await?, "moved");
/// # magpie::fs::remove_file(&b).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::rename(from, to)).await
}

/// Copies the contents and permissions of `from` to `to`; returns the
/// number of bytes copied.
///
/// # Errors
///
/// `NotFound` if `from` does not exist, and any error of reading or
/// writing.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let a = std::env::temp_dir().join(format!("magpie-doc-cp-a-{}", std::process::id()));
/// let b = a.with_extension("b");
/// magpie::fs::write(&a, "copy me").await?;
/// assert_eq!(magpie::fs::copy(&a, &b).await?, 7);
/// assert_eq!(magpie::fs::read(&b).await?, b"copy me");
/// # magpie::fs::remove_file(&a).await?;
/// # magpie::fs::remove_file(&b).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::copy(from, to)).await
}

/// The metadata of `path`, following symbolic links.
///
/// # Errors
///
/// `NotFound` if `path` does not exist, `PermissionDenied` if a directory
/// on the way may not be searched.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("magpie-doc-meta-{}", std::process::id()));
/// magpie::fs::write(&path, "12345").await?;
/// let meta = magpie::fs::metadata(&path).await?;
/// assert!(meta.is_file());
/// assert_eq!(meta.len(), 5);
/// # magpie::fs::remove_file(&path).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::metadata(path)).await
}

/// Changes the permissions of `path`.
///
/// # Errors
///
/// `NotFound`, or `PermissionDenied` if the caller does not own the file.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("magpie-doc-perm-{}", std::process::id()));
/// magpie::fs::write(&path, "").await?;
/// let mut perms = magpie::fs::metadata(&path).await?.permissions();
/// perms.set_readonly(true);
/// magpie::fs::set_permissions(&path, perms).await?;
/// assert!(magpie::fs::metadata(&path).await?.permissions().readonly());
/// # let mut perms = magpie::fs::metadata(&path).await?.permissions();
/// # #[allow(clippy::permissions_set_readonly_false)]
/// # perms.set_readonly(false);
/// # magpie::fs::set_permissions(&path, perms).await?;
/// # magpie::fs::remove_file(&path).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn set_permissions(path: impl AsRef<Path>, perm: Permissions) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::set_permissions(path, perm)).await
}

/// The absolute, normalized form of `path`, with symbolic links resolved.
///
/// # Errors
///
/// `NotFound` if `path` does not exist.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let here = magpie::fs::canonicalize(".").await?;
/// assert!(here.is_absolute());
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::canonicalize(path)).await
}

/// Whether `path` exists: `Ok(false)` if it does not, an error if that
/// cannot be told (a permission error on a parent directory). Unlike
/// `Path::exists`, it does not turn errors into `false`. A broken symbolic
/// link does not exist.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// assert!(magpie::fs::try_exists(".").await?);
/// assert!(!magpie::fs::try_exists("/no/such/file").await?);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    asyncify(move || path.try_exists()).await
}

/// Makes `link` a new hard link to the file `original`.
///
/// # Errors
///
/// `NotFound` if `original` does not exist, `AlreadyExists` if `link`
/// does.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir();
/// let original = dir.join(format!("magpie-doc-hard-link-{}", std::process::id()));
/// let link = original.with_extension("link");
/// magpie::fs::write(&original, "shared").await?;
/// magpie::fs::hard_link(&original, &link).await?;
/// assert_eq!(magpie::fs::read_to_string(&link).await?, "shared");
/// # magpie::fs::remove_file(&link).await?;
/// # magpie::fs::remove_file(&original).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref().to_owned(), link.as_ref().to_owned());
    asyncify(move || std::fs::hard_link(original, link)).await
}

/// Makes `link` a symbolic link to `original` (Unix; on Windows use
/// `symlink_file` or `symlink_dir`). `original` need not exist.
///
/// ```
/// # #[cfg(unix)]
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let link = std::env::temp_dir().join(format!("magpie-doc-symlink-{}", std::process::id()));
/// magpie::fs::symlink("/nowhere", &link).await?;
/// assert_eq!(magpie::fs::read_link(&link).await?, std::path::Path::new("/nowhere"));
/// assert!(!magpie::fs::try_exists(&link).await?, "a broken link does not exist");
/// # magpie::fs::remove_file(&link).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[cfg(unix)]
pub async fn symlink(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref().to_owned(), link.as_ref().to_owned());
    asyncify(move || std::os::unix::fs::symlink(original, link)).await
}

/// Makes `link` a symbolic link to the file `original` (Windows).
///
/// ```no_run
/// # #[cfg(windows)]
/// # magpie::Runtime::new().unwrap().block_on(async {
/// magpie::fs::symlink_file(r"C:\data\log.txt", r"C:\data\latest.txt").await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[cfg(windows)]
pub async fn symlink_file(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref().to_owned(), link.as_ref().to_owned());
    asyncify(move || std::os::windows::fs::symlink_file(original, link)).await
}

/// Makes `link` a symbolic link to the directory `original` (Windows).
///
/// ```no_run
/// # #[cfg(windows)]
/// # magpie::Runtime::new().unwrap().block_on(async {
/// magpie::fs::symlink_dir(r"C:\data\2026", r"C:\data\current").await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[cfg(windows)]
pub async fn symlink_dir(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref().to_owned(), link.as_ref().to_owned());
    asyncify(move || std::os::windows::fs::symlink_dir(original, link)).await
}

/// What the symbolic link `path` points to.
///
/// # Errors
///
/// `NotFound` if `path` does not exist; `InvalidInput` (on Unix) if it is
/// not a symbolic link.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let err = magpie::fs::read_link("/no/such/link").await.unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn read_link(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_link(path)).await
}

/// The metadata of `path` itself, not following a symbolic link (std's
/// [`std::fs::symlink_metadata`]).
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let meta = magpie::fs::symlink_metadata(".").await?;
/// assert!(meta.is_dir());
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::symlink_metadata(path)).await
}
