//! `Child`: a spawned process, its pipes, and waiting for its exit.
//!
//! Waiting is `reap.rs`'s watch plus `std::process::Child::try_wait`; a
//! `Child` dropped before it was reaped is handed to a task on its runtime
//! that reaps it when it exits (Unix), so a dropped child does not stay a
//! zombie while the runtime runs.

use std::io;
use std::process::{ExitStatus, Output};
use std::task::{ready, Context, Poll};

use super::reap::Exit;
use super::{ChildStderr, ChildStdin, ChildStdout};
use crate::io::AsyncReadExt;
#[cfg(unix)]
use crate::runtime::Handle;

/// A child process started by [`Command::spawn`](super::Command::spawn).
///
/// Its pipes (when set to `Stdio::piped()`) are in the public fields; take
/// them out with `Option::take` to use them while waiting.
///
/// Dropping a `Child` does not kill the process unless
/// [`kill_on_drop`](super::Command::kill_on_drop) was set. Either way, on
/// Unix, a child that has not been reaped is reaped in the background by a
/// task on the runtime it was spawned in, once it exits (as tokio does);
/// if that runtime shuts down first, the child is left to the OS.
///
/// ```
/// # #[cfg(unix)]
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let mut child = magpie::process::Command::new("true").spawn()?;
/// assert!(child.id().is_some());
/// let status = child.wait().await?;
/// assert!(status.success());
/// assert!(child.id().is_none(), "reaped");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct Child {
    /// The child's stdin, if it was piped.
    pub stdin: Option<ChildStdin>,
    /// The child's stdout, if it was piped.
    pub stdout: Option<ChildStdout>,
    /// The child's stderr, if it was piped.
    pub stderr: Option<ChildStderr>,
    /// `None` only inside `drop`, after handing it to the reaper task.
    std: Option<std::process::Child>,
    /// Set once reaped.
    status: Option<ExitStatus>,
    /// Armed on the first wait.
    exit: Option<Exit>,
    kill_on_drop: bool,
    /// Whether a Linux watch may use a pidfd (tests turn it off to drive
    /// the SIGCHLD path).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pidfd: bool,
    /// Where the reaper of a dropped, still running child runs (Unix).
    #[cfg(unix)]
    runtime: Handle,
}

impl Child {
    pub(super) fn new(mut std: std::process::Child, kill_on_drop: bool) -> io::Result<Child> {
        #[cfg(unix)]
        let runtime = Handle::current();
        let stdin = std.stdin.take().map(ChildStdin::from_std).transpose();
        let stdout = std.stdout.take().map(ChildStdout::from_std).transpose();
        let stderr = std.stderr.take().map(ChildStderr::from_std).transpose();
        let mut child = Child {
            stdin: None,
            stdout: None,
            stderr: None,
            std: Some(std),
            status: None,
            exit: None,
            kill_on_drop,
            pidfd: true,
            #[cfg(unix)]
            runtime,
        };
        // If a pipe cannot be registered the `Child` is dropped here, and
        // its drop kills (if asked to) and reaps the process.
        child.stdin = stdin?;
        child.stdout = stdout?;
        child.stderr = stderr?;
        Ok(child)
    }

    /// The OS's process id, or `None` once the child has been reaped (the
    /// id may then belong to another process).
    ///
    /// ```
    /// # #[cfg(unix)]
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let mut child = magpie::process::Command::new("true").spawn()?;
    /// let pid = child.id().unwrap();
    /// assert!(pid > 0);
    /// child.wait().await?;
    /// assert_eq!(child.id(), None);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn id(&self) -> Option<u32> {
        match self.status {
            Some(_) => None,
            None => self.std.as_ref().map(std::process::Child::id),
        }
    }

    /// Waits for the child to exit and returns its status. Closes the
    /// child's stdin first (if it is still here), so a child that reads
    /// until end of file does not wait for us while we wait for it.
    ///
    /// Holds no thread (see the module docs for how it learns of the
    /// exit). Cancellation safe: dropping the future loses nothing, and a
    /// later `wait` still works. After the first success every call
    /// returns the same status at once.
    ///
    /// # Errors
    ///
    /// The OS's error of `waitpid` or of arming the watch (no runtime
    /// driver, no signal handler).
    ///
    /// ```
    /// # #[cfg(unix)]
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let mut child = magpie::process::Command::new("sh").args(["-c", "exit 3"]).spawn()?;
    /// assert_eq!(child.wait().await?.code(), Some(3));
    /// assert_eq!(child.wait().await?.code(), Some(3));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        self.stdin = None;
        std::future::poll_fn(|cx| self.poll_wait(cx)).await
    }

    fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<ExitStatus>> {
        if let Some(status) = self.status {
            return Poll::Ready(Ok(status));
        }
        if self.exit.is_none() {
            self.exit = Some(self.arm()?);
        }
        loop {
            if let Some(status) = self.try_wait()? {
                return Poll::Ready(Ok(status));
            }
            let exit = self.exit.as_mut().expect("armed above");
            ready!(exit.poll_changed(cx))?;
        }
    }

    fn std(&mut self) -> &mut std::process::Child {
        self.std.as_mut().expect("Child used after drop")
    }

    fn arm(&mut self) -> io::Result<Exit> {
        #[cfg(unix)]
        return Exit::new(self.std().id(), self.pidfd);
        #[cfg(windows)]
        Exit::new(self.std())
    }

    /// The exit status if the child has exited (reaping it), `None` if it
    /// is still running. Does not wait.
    ///
    /// # Errors
    ///
    /// The OS's error of `waitpid`.
    ///
    /// ```
    /// # #[cfg(unix)]
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let mut child = magpie::process::Command::new("sleep").arg("10").spawn()?;
    /// assert!(child.try_wait()?.is_none());
    /// child.kill().await?;
    /// assert!(child.try_wait()?.is_some());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let status = self.std().try_wait()?;
        if status.is_some() {
            self.status = status;
            self.exit = None; // deregisters the pidfd / signal receiver
        }
        Ok(status)
    }

    /// Asks the OS to kill the child (SIGKILL on Unix, `TerminateProcess`
    /// on Windows) and returns without waiting; follow with
    /// [`wait`](Child::wait) to reap it.
    ///
    /// A child that has already been reaped is not signalled (its id may
    /// belong to another process now) and this returns `Ok` (std's
    /// behaviour; tokio returns an `InvalidInput` error instead).
    ///
    /// # Errors
    ///
    /// The OS's error of `kill`.
    ///
    /// ```
    /// # #[cfg(unix)]
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// use std::os::unix::process::ExitStatusExt;
    /// let mut child = magpie::process::Command::new("sleep").arg("10").spawn()?;
    /// child.start_kill()?;
    /// assert_eq!(child.wait().await?.signal(), Some(9));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn start_kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        self.std().kill()
    }

    /// Kills the child and waits for it to be reaped.
    ///
    /// # Errors
    ///
    /// As [`start_kill`](Child::start_kill) and [`wait`](Child::wait).
    ///
    /// ```
    /// # #[cfg(unix)]
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let mut child = magpie::process::Command::new("sleep").arg("10").spawn()?;
    /// child.kill().await?;
    /// assert!(child.id().is_none());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await.map(drop)
    }

    /// Closes stdin, reads all of stdout and stderr (those that are piped)
    /// while waiting for the exit, and returns all three. Reading both at
    /// once is what keeps a child that fills one pipe from blocking
    /// forever.
    ///
    /// # Errors
    ///
    /// The first error of reading either pipe or of waiting.
    ///
    /// ```
    /// # #[cfg(unix)]
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// use magpie::process::{Command, Stdio};
    /// let child = Command::new("sh")
    ///     .args(["-c", "echo out; echo err >&2"])
    ///     .stdout(Stdio::piped())
    ///     .stderr(Stdio::piped())
    ///     .spawn()?;
    /// let output = child.wait_with_output().await?;
    /// assert_eq!(output.stdout, b"out\n");
    /// assert_eq!(output.stderr, b"err\n");
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        self.stdin = None;
        let (mut stdout_pipe, mut stderr_pipe) = (self.stdout.take(), self.stderr.take());
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let read_out = async {
            match &mut stdout_pipe {
                Some(pipe) => pipe.read_to_end(&mut stdout).await.map(drop),
                None => Ok(()),
            }
        };
        let read_err = async {
            match &mut stderr_pipe {
                Some(pipe) => pipe.read_to_end(&mut stderr).await.map(drop),
                None => Ok(()),
            }
        };
        let (out, err, status) = crate::join!(read_out, read_err, self.wait());
        out?;
        err?;
        Ok(Output {
            status: status?,
            stdout,
            stderr,
        })
    }

    /// which watch `wait` uses: "pidfd" or "sigchld"; `None`
    /// before the first wait and after the reap.
    #[cfg(all(test, unix))]
    pub(crate) fn watch_kind(&self) -> Option<&'static str> {
        self.exit.as_ref().map(Exit::kind)
    }

    /// Makes the next `wait` use SIGCHLD even where a pidfd is available.
    #[cfg(all(test, unix))]
    pub(crate) fn use_sigchld(&mut self) {
        self.pidfd = false;
        self.exit = None;
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.status.is_some() {
            return;
        }
        let Some(mut std) = self.std.take() else {
            return;
        };
        if self.kill_on_drop {
            let _ = std.kill();
        }
        #[cfg(unix)]
        {
            if matches!(std.try_wait(), Ok(Some(_)) | Err(_)) {
                return;
            }
            // Still running: a task reaps it when it exits. (The pipes
            // stay with this `Child` and close as it goes.)
            let mut orphan = Orphan {
                std,
                exit: self.exit.take(),
                pidfd: self.pidfd,
            };
            // After a shutdown the task is dropped unpolled: the child is
            // then left to the OS (reparented when this process exits).
            drop(self.runtime.spawn(async move { orphan.reap().await }));
        }
    }
}

/// A dropped, still running child, reaped by a task (Unix).
#[cfg(unix)]
struct Orphan {
    std: std::process::Child,
    exit: Option<Exit>,
    pidfd: bool,
}

#[cfg(unix)]
impl Orphan {
    async fn reap(&mut self) {
        std::future::poll_fn(|cx| loop {
            match self.std.try_wait() {
                Ok(None) => {}
                // Reaped, or not ours to reap any more.
                Ok(Some(_)) | Err(_) => return Poll::Ready(()),
            }
            if self.exit.is_none() {
                match Exit::new(self.std.id(), self.pidfd) {
                    Ok(exit) => self.exit = Some(exit),
                    Err(_) => return Poll::Ready(()),
                }
                continue; // check once more after arming
            }
            let exit = self.exit.as_mut().expect("armed above");
            if ready!(exit.poll_changed(cx)).is_err() {
                return Poll::Ready(());
            }
        })
        .await
    }
}

impl std::fmt::Debug for Child {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Child")
            .field("pid", &self.id())
            .field("status", &self.status)
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .finish()
    }
}
