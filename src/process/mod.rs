//! Child processes, in tokio's names and shapes: [`Command`] builds and
//! spawns, [`Child`] waits and kills, and the child's pipes implement
//! magpie's futures-io traits.
//!
//! asyncio readers: `Command::new("ls").arg("-l").output().await` is
//! `await (await asyncio.create_subprocess_exec("ls", "-l",
//! stdout=PIPE, stderr=PIPE)).communicate()`.
//!
//! ```
//! # #[cfg(unix)]
//! # magpie::Runtime::new().unwrap().block_on(async {
//! use magpie::process::Command;
//!
//! let output = Command::new("echo").arg("hello").output().await?;
//! assert!(output.status.success());
//! assert_eq!(output.stdout, b"hello\n");
//!
//! let err = Command::new("/no/such/program").spawn().unwrap_err();
//! assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
//! # std::io::Result::Ok(())
//! # }).unwrap();
//! ```
//!
//! How it works:
//!
//! * Spawning is std's (`fork`/`exec` or `posix_spawn`; `CreateProcess`).
//! * Pipes: on Unix each piped stream is set non-blocking and registered
//!   with the I/O driver, like a socket; on Windows, where the driver waits
//!   only on sockets, each read or write is a hop to the blocking pool.
//! * [`Child::wait`] holds no thread per child: on Linux it waits for a
//!   pidfd to become readable; on other Unix systems (and on Linux kernels
//!   without `pidfd_open`) it waits for SIGCHLD through
//!   [`signal::unix`](crate::signal::unix) and reaps its own pid with
//!   `waitpid(pid, WNOHANG)`; on Windows a blocking-pool thread waits on
//!   the process handle while someone is waiting.
//!
//! Using SIGCHLD installs magpie's handler for it for the rest of the
//! process (as `signal::unix::signal` does); other code's children are
//! never reaped by magpie.
//!
//! Every function here needs a runtime (spawning outside one panics).

mod child;
mod pipe;
mod platform;
mod reap;

pub use child::Child;
pub use pipe::{ChildStderr, ChildStdin, ChildStdout};
pub use std::process::{ExitStatus, Output, Stdio};

use std::ffi::OsStr;
use std::io;
use std::path::Path;

/// A builder for a child process: std's [`std::process::Command`] with an
/// asynchronous [`Child`], plus [`kill_on_drop`](Command::kill_on_drop).
///
/// By default the child inherits stdin, stdout and stderr for
/// [`spawn`](Command::spawn) and [`status`](Command::status);
/// [`output`](Command::output) pipes stdout and stderr and gives the child
/// an empty stdin, unless they were set.
///
/// ```
/// # #[cfg(unix)]
/// # magpie::Runtime::new().unwrap().block_on(async {
/// use magpie::process::Command;
///
/// let status = Command::new("sh")
///     .arg("-c")
///     .arg("test \"$GREETING\" = hi && test \"$(pwd)\" = /")
///     .env("GREETING", "hi")
///     .current_dir("/")
///     .status()
///     .await?;
/// assert!(status.success());
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct Command {
    std: std::process::Command,
    kill_on_drop: bool,
    stdin_set: bool,
    stdout_set: bool,
    stderr_set: bool,
}

impl Command {
    /// A command to run `program`: a path, or a name looked up in `PATH`.
    ///
    /// ```
    /// let command = magpie::process::Command::new("ls");
    /// assert_eq!(command.as_std().get_program(), "ls");
    /// ```
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command::from(std::process::Command::new(program))
    }

    /// Adds one argument.
    ///
    /// ```
    /// let mut command = magpie::process::Command::new("ls");
    /// command.arg("-l");
    /// assert_eq!(command.as_std().get_args().collect::<Vec<_>>(), ["-l"]);
    /// ```
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds several arguments.
    ///
    /// ```
    /// let mut command = magpie::process::Command::new("ls");
    /// command.args(["-l", "-a"]);
    /// assert_eq!(command.as_std().get_args().count(), 2);
    /// ```
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets one environment variable for the child.
    ///
    /// ```
    /// let mut command = magpie::process::Command::new("env");
    /// command.env("KEY", "value");
    /// assert_eq!(command.as_std().get_envs().count(), 1);
    /// ```
    pub fn env(&mut self, key: impl AsRef<OsStr>, val: impl AsRef<OsStr>) -> &mut Command {
        self.std.env(key, val);
        self
    }

    /// Sets several environment variables for the child.
    ///
    /// ```
    /// let mut command = magpie::process::Command::new("env");
    /// command.envs([("A", "1"), ("B", "2")]);
    /// assert_eq!(command.as_std().get_envs().count(), 2);
    /// ```
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes one variable from the environment the child inherits.
    ///
    /// ```
    /// let mut command = magpie::process::Command::new("env");
    /// command.env_remove("HOME");
    /// ```
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// The child starts with an empty environment (plus what `env` adds).
    ///
    /// ```
    /// let mut command = magpie::process::Command::new("env");
    /// command.env_clear().env("ONLY", "this");
    /// ```
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// The child's working directory.
    ///
    /// ```
    /// let mut command = magpie::process::Command::new("pwd");
    /// command.current_dir("/");
    /// assert_eq!(command.as_std().get_current_dir(), Some(std::path::Path::new("/")));
    /// ```
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// The child's stdin: [`Stdio::piped`] (then [`Child::stdin`] is
    /// `Some`), `inherit`, `null`, a file, or another child's pipe.
    ///
    /// ```
    /// use magpie::process::{Command, Stdio};
    /// let _ = Command::new("cat").stdin(Stdio::piped());
    /// ```
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdin(cfg);
        self.stdin_set = true;
        self
    }

    /// The child's stdout; as [`stdin`](Command::stdin).
    ///
    /// ```
    /// use magpie::process::{Command, Stdio};
    /// let _ = Command::new("ls").stdout(Stdio::null());
    /// ```
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdout(cfg);
        self.stdout_set = true;
        self
    }

    /// The child's stderr; as [`stdin`](Command::stdin).
    ///
    /// ```
    /// use magpie::process::{Command, Stdio};
    /// let _ = Command::new("ls").stderr(Stdio::piped());
    /// ```
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stderr(cfg);
        self.stderr_set = true;
        self
    }

    /// Whether dropping the [`Child`] (before it was reaped) kills the
    /// process. Off by default, as in std and tokio. Either way a dropped
    /// child is reaped in the background once it exits (Unix).
    ///
    /// ```
    /// # #[cfg(unix)]
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let child = magpie::process::Command::new("sleep")
    ///     .arg("100")
    ///     .kill_on_drop(true)
    ///     .spawn()?;
    /// drop(child); // SIGKILL now, reaped in the background
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn kill_on_drop(&mut self, kill_on_drop: bool) -> &mut Command {
        self.kill_on_drop = kill_on_drop;
        self
    }

    /// The std command inside, to read back what was set.
    ///
    /// ```
    /// let command = magpie::process::Command::new("ls");
    /// assert_eq!(command.as_std().get_program(), "ls");
    /// ```
    pub fn as_std(&self) -> &std::process::Command {
        &self.std
    }

    /// The std command inside, for settings this builder does not mirror
    /// (`std::os::unix::process::CommandExt`: `uid`, `process_group`, …).
    ///
    /// ```
    /// let mut command = magpie::process::Command::new("ls");
    /// command.as_std_mut().arg("-a");
    /// ```
    pub fn as_std_mut(&mut self) -> &mut std::process::Command {
        &mut self.std
    }

    /// Starts the process. Its pipes register with the current runtime
    /// (panics outside one).
    ///
    /// # Errors
    ///
    /// `NotFound` if the program does not exist, `PermissionDenied` if it
    /// may not be executed, and any other error of starting it.
    ///
    /// ```
    /// # #[cfg(unix)]
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let mut child = magpie::process::Command::new("true").spawn()?;
    /// assert!(child.wait().await?.success());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn spawn(&mut self) -> io::Result<Child> {
        let std = self.std.spawn()?;
        Child::new(std, self.kill_on_drop)
    }

    /// Runs the process to its exit and returns its status. Stdin, stdout
    /// and stderr are inherited unless set; pipes set with
    /// `Stdio::piped()` are closed at once (so the child reads end of file,
    /// and a write to a closed stdout fails in the child).
    ///
    /// # Errors
    ///
    /// As [`spawn`](Command::spawn) and [`Child::wait`].
    ///
    /// ```
    /// # #[cfg(unix)]
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let status = magpie::process::Command::new("false").status().await?;
    /// assert_eq!(status.code(), Some(1));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        let mut child = self.spawn()?;
        child.stdout = None;
        child.stderr = None;
        child.wait().await
    }

    /// Runs the process to its exit, collecting its stdout and stderr.
    /// Unless set, stdout and stderr are piped and stdin is empty
    /// (`Stdio::null()`), as in std. Both pipes are read while waiting, so
    /// a child that writes a lot cannot block on a full pipe.
    ///
    /// If this future is dropped, the child is killed only if
    /// [`kill_on_drop`](Command::kill_on_drop) was set; it is reaped either
    /// way.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Command::spawn) and [`Child::wait_with_output`].
    ///
    /// ```
    /// # #[cfg(unix)]
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let output = magpie::process::Command::new("sh")
    ///     .args(["-c", "echo to-out; echo to-err >&2; exit 2"])
    ///     .output()
    ///     .await?;
    /// assert_eq!(output.status.code(), Some(2));
    /// assert_eq!(output.stdout, b"to-out\n");
    /// assert_eq!(output.stderr, b"to-err\n");
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn output(&mut self) -> io::Result<Output> {
        // Set the defaults for this spawn only: afterwards `spawn` and
        // `status` inherit again, as before.
        let defaults = [!self.stdin_set, !self.stdout_set, !self.stderr_set];
        if defaults[0] {
            self.std.stdin(Stdio::null());
        }
        if defaults[1] {
            self.std.stdout(Stdio::piped());
        }
        if defaults[2] {
            self.std.stderr(Stdio::piped());
        }
        let spawned = self.spawn();
        if defaults[0] {
            self.std.stdin(Stdio::inherit());
        }
        if defaults[1] {
            self.std.stdout(Stdio::inherit());
        }
        if defaults[2] {
            self.std.stderr(Stdio::inherit());
        }
        spawned?.wait_with_output().await
    }
}

/// Wraps a std command. Stdio settings made on it are not known to this
/// builder: [`output`](Command::output) replaces them with its defaults;
/// set them again on the `Command` to keep them.
///
/// ```
/// let mut std = std::process::Command::new("ls");
/// std.arg("-l");
/// let command = magpie::process::Command::from(std);
/// assert_eq!(command.as_std().get_args().count(), 1);
/// ```
impl From<std::process::Command> for Command {
    fn from(std: std::process::Command) -> Command {
        Command {
            std,
            kill_on_drop: false,
            stdin_set: false,
            stdout_set: false,
            stderr_set: false,
        }
    }
}

#[cfg(all(test, unix))]
mod tests;
