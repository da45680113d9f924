//! `OpenOptions`: std's builder, with an `async` `open`.

use std::io;
use std::path::Path;

use super::{asyncify, File};

/// How to open a file: std's [`std::fs::OpenOptions`] with an `async`
/// [`open`](OpenOptions::open) that runs on the blocking pool.
///
/// ```
/// use magpie::fs::OpenOptions;
/// use magpie::io::AsyncWriteExt;
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("magpie-doc-oo-{}", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let mut log = OpenOptions::new().create(true).append(true).open(&path).await?;
/// log.write_all(b"one\n").await?;
/// log.flush().await?;
/// let mut log = OpenOptions::new().append(true).open(&path).await?;
/// log.write_all(b"two\n").await?;
/// log.flush().await?;
/// assert_eq!(magpie::fs::read_to_string(&path).await?, "one\ntwo\n");
/// # magpie::fs::remove_file(&path).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct OpenOptions(std::fs::OpenOptions);

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}

impl OpenOptions {
    /// All options off: set at least one of `read`, `write` or `append`.
    ///
    /// ```
    /// let mut options = magpie::fs::OpenOptions::new();
    /// options.read(true);
    /// ```
    pub fn new() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }

    /// Open for reading.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let file = magpie::fs::OpenOptions::new().read(true).open("Cargo.toml").await?;
    /// # drop(file);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.0.read(read);
        self
    }

    /// Open for writing (from the start, over what is there unless
    /// `truncate` or `append` is set too).
    ///
    /// ```
    /// let _ = magpie::fs::OpenOptions::new().write(true);
    /// ```
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.0.write(write);
        self
    }

    /// Open for appending: every write goes to the current end.
    ///
    /// ```
    /// let _ = magpie::fs::OpenOptions::new().append(true);
    /// ```
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.0.append(append);
        self
    }

    /// Cut the file to length 0 on opening (needs `write`).
    ///
    /// ```
    /// let _ = magpie::fs::OpenOptions::new().write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.0.truncate(truncate);
        self
    }

    /// Create the file if it does not exist (needs `write` or `append`).
    ///
    /// ```
    /// let _ = magpie::fs::OpenOptions::new().write(true).create(true);
    /// ```
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.0.create(create);
        self
    }

    /// Create the file, failing with `AlreadyExists` if it exists (checked
    /// and created in one step, so no other process can slip in between).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// use magpie::fs::OpenOptions;
    /// let path = std::env::temp_dir().join(format!("magpie-doc-new-{}", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// OpenOptions::new().write(true).create_new(true).open(&path).await?;
    /// let err = OpenOptions::new().write(true).create_new(true).open(&path).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    /// # magpie::fs::remove_file(&path).await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.0.create_new(create_new);
        self
    }

    /// The permission bits a newly created file gets (before the umask).
    /// Unix only.
    ///
    /// ```
    /// let _ = magpie::fs::OpenOptions::new().write(true).create(true).mode(0o600);
    /// ```
    #[cfg(unix)]
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::mode(&mut self.0, mode);
        self
    }

    /// Extra `open(2)` flags (`O_NOFOLLOW`, `O_DIRECT`, ...) on top of
    /// those the other options set. Unix only.
    ///
    /// ```
    /// # #[cfg(target_os = "linux")]
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// const O_NOFOLLOW: i32 = 0o400000; // Linux's value
    /// let file = magpie::fs::OpenOptions::new()
    ///     .read(true)
    ///     .custom_flags(O_NOFOLLOW)
    ///     .open("Cargo.toml")
    ///     .await?;
    /// # drop(file);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    #[cfg(unix)]
    pub fn custom_flags(&mut self, flags: i32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut self.0, flags);
        self
    }

    /// Opens `path` with these options, on the blocking pool.
    ///
    /// # Errors
    ///
    /// `NotFound` (no file and no `create`), `PermissionDenied`,
    /// `AlreadyExists` (`create_new`), `InvalidInput` (no access mode set,
    /// or `truncate` without `write`), and any other error of opening.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let err = magpie::fs::OpenOptions::new().read(true).open("/no/such/file").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let (options, path) = (self.0.clone(), path.as_ref().to_owned());
        let std = asyncify(move || options.open(path)).await?;
        Ok(File::from_std(std))
    }
}

impl From<std::fs::OpenOptions> for OpenOptions {
    fn from(options: std::fs::OpenOptions) -> OpenOptions {
        OpenOptions(options)
    }
}
