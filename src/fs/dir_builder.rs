//! `DirBuilder`: std's directory builder, with an `async` `create`.

use std::io;
use std::path::Path;

use super::asyncify;

/// How to create a directory: std's [`std::fs::DirBuilder`] with an
/// `async` [`create`](DirBuilder::create) that runs on the blocking pool.
///
/// ```
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("magpie-doc-dirb-{}", std::process::id()));
/// magpie::fs::DirBuilder::new().recursive(true).create(dir.join("a/b")).await?;
/// assert!(magpie::fs::metadata(dir.join("a/b")).await?.is_dir());
/// # magpie::fs::remove_dir_all(&dir).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct DirBuilder {
    recursive: bool,
    #[cfg(unix)]
    mode: Option<u32>,
}

impl DirBuilder {
    /// A builder that creates one directory (not its parents) with the
    /// default permissions.
    ///
    /// ```
    /// let builder = magpie::fs::DirBuilder::new();
    /// # drop(builder);
    /// ```
    pub fn new() -> DirBuilder {
        DirBuilder::default()
    }

    /// Whether missing parents are created too (and an existing directory
    /// is then no error).
    ///
    /// ```
    /// let mut builder = magpie::fs::DirBuilder::new();
    /// builder.recursive(true);
    /// ```
    pub fn recursive(&mut self, recursive: bool) -> &mut DirBuilder {
        self.recursive = recursive;
        self
    }

    /// The permission bits of the directories created (before the umask).
    /// Unix only.
    ///
    /// ```
    /// let mut builder = magpie::fs::DirBuilder::new();
    /// builder.mode(0o700);
    /// ```
    #[cfg(unix)]
    pub fn mode(&mut self, mode: u32) -> &mut DirBuilder {
        self.mode = Some(mode);
        self
    }

    /// Creates `path` as configured, on the blocking pool.
    ///
    /// # Errors
    ///
    /// `AlreadyExists` if `path` exists (unless recursive and it is a
    /// directory), `NotFound` if a parent is missing and the builder is not
    /// recursive, and any other error of creating it.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let err = magpie::fs::DirBuilder::new().create("/no/such/parent/dir").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn create(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let mut std = std::fs::DirBuilder::new();
        std.recursive(self.recursive);
        #[cfg(unix)]
        if let Some(mode) = self.mode {
            std::os::unix::fs::DirBuilderExt::mode(&mut std, mode);
        }
        let path = path.as_ref().to_owned();
        asyncify(move || std.create(path)).await
    }
}
