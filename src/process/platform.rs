//! `Command` settings that exist on one platform only, as std has them:
//! user, group, process group, `argv[0]` and a pre-exec hook on Unix;
//! creation flags and raw arguments on Windows.

use super::Command;

#[cfg(unix)]
impl Command {
    /// Runs the child as user `id` (`setuid` before exec); needs the
    /// privilege to do so, or `spawn` fails with `PermissionDenied`.
    ///
    /// ```no_run
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let status = magpie::process::Command::new("id").uid(65534).status().await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn uid(&mut self, id: u32) -> &mut Command {
        std::os::unix::process::CommandExt::uid(&mut self.std, id);
        self
    }

    /// Runs the child with group `id` (`setgid` before exec).
    ///
    /// ```no_run
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let status = magpie::process::Command::new("id").gid(65534).status().await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn gid(&mut self, id: u32) -> &mut Command {
        std::os::unix::process::CommandExt::gid(&mut self.std, id);
        self
    }

    /// Puts the child in process group `pgroup` (0: a new group whose id is
    /// the child's pid), so a signal to the group reaches it and its
    /// children but not this process (a Ctrl-C in the terminal, for one).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let status = magpie::process::Command::new("true")
    ///     .process_group(0)
    ///     .status()
    ///     .await?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn process_group(&mut self, pgroup: i32) -> &mut Command {
        std::os::unix::process::CommandExt::process_group(&mut self.std, pgroup);
        self
    }

    /// The `argv[0]` the child sees, instead of the program's path.
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let out = magpie::process::Command::new("sh")
    ///     .arg0("renamed")
    ///     .args(["-c", "echo $0"])
    ///     .output()
    ///     .await?;
    /// assert_eq!(out.stdout, b"renamed\n");
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn arg0(&mut self, arg: impl AsRef<std::ffi::OsStr>) -> &mut Command {
        std::os::unix::process::CommandExt::arg0(&mut self.std, arg);
        self
    }

    /// Runs `f` in the child after `fork` and before `exec`.
    ///
    /// # Safety
    ///
    /// As std's `CommandExt::pre_exec`: `f` runs in a forked copy of a
    /// multi-threaded process, so it may only do what is async-signal-safe
    /// (no allocation, no locks another thread may have held: not even
    /// magpie's).
    ///
    /// ```
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// let mut command = magpie::process::Command::new("true");
    /// // SAFETY: the hook does nothing, which is async-signal-safe.
    /// unsafe { command.pre_exec(|| Ok(())) };
    /// assert!(command.status().await?.success());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub unsafe fn pre_exec<F>(&mut self, f: F) -> &mut Command
    where
        F: FnMut() -> std::io::Result<()> + Send + Sync + 'static,
    {
        // SAFETY: the caller upholds std's contract, stated above.
        unsafe { std::os::unix::process::CommandExt::pre_exec(&mut self.std, f) };
        self
    }
}

#[cfg(windows)]
impl Command {
    /// Sets the `CreateProcess` creation flags (`CREATE_NO_WINDOW`,
    /// `CREATE_NEW_PROCESS_GROUP`, ...).
    ///
    /// ```no_run
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    /// magpie::process::Command::new("cmd").creation_flags(CREATE_NO_WINDOW).status().await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn creation_flags(&mut self, flags: u32) -> &mut Command {
        std::os::windows::process::CommandExt::creation_flags(&mut self.std, flags);
        self
    }

    /// Appends `arg` to the command line as it is, without quoting (for
    /// programs such as `cmd /c` that parse their command line their own
    /// way).
    ///
    /// ```no_run
    /// # magpie::Runtime::new().unwrap().block_on(async {
    /// magpie::process::Command::new("cmd").raw_arg("/c \"echo a b\"").status().await?;
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn raw_arg(&mut self, arg: impl AsRef<std::ffi::OsStr>) -> &mut Command {
        std::os::windows::process::CommandExt::raw_arg(&mut self.std, arg);
        self
    }
}
