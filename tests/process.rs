//! magpie::process on Unix: spawning errors, waiting (before and after the
//! exit, cancelled, many at once), killing, reaping dropped children, and
//! pipes that do not deadlock.
#![cfg(unix)]

mod support;

use std::io::ErrorKind;
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use magpie::io::{AsyncReadExt, AsyncWriteExt};
use magpie::process::{Command, Stdio};
use magpie::time::{sleep, timeout};

/// Whether `pid` still names a process of ours (running, or a zombie not
/// yet reaped). `kill(pid, 0)` fails with ESRCH only once it is reaped.
fn exists(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

/// Waits (up to 5 s) until `pid` has been reaped.
async fn reaped(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while exists(pid) {
        assert!(Instant::now() < deadline, "process {pid} was never reaped");
        sleep(Duration::from_millis(5)).await;
    }
}

#[test]
fn spawning_a_missing_program_is_not_found() {
    support::rt(1).block_on(async {
        let err = Command::new("/no/such/program").spawn().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let err = Command::new("/no/such/program").output().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let err = Command::new("true")
            .current_dir("/no/such/dir")
            .spawn()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn spawning_a_file_that_is_not_executable_is_permission_denied() {
    let path = std::env::temp_dir().join(format!("magpie-noexec-{}", std::process::id()));
    std::fs::write(&path, "#!/bin/sh\n").unwrap();
    support::rt(1).block_on(async {
        let err = Command::new(&path).spawn().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    });
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn wait_on_a_child_that_already_exited_returns_at_once() {
    support::rt(2).block_on(async {
        let mut child = Command::new("sh").args(["-c", "exit 7"]).spawn().unwrap();
        let pid = child.id().unwrap();
        // Let it exit (and stay a zombie: nobody has waited yet).
        sleep(Duration::from_millis(100)).await;
        assert!(exists(pid), "a zombie until reaped");
        let status = timeout(Duration::from_secs(1), child.wait())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(status.code(), Some(7));
        assert!(!exists(pid), "wait reaped it");
        assert_eq!(
            child.wait().await.unwrap().code(),
            Some(7),
            "the same status again"
        );
        assert_eq!(child.try_wait().unwrap().map(|s| s.code()), Some(Some(7)));
    });
}

#[test]
fn a_wait_dropped_mid_wait_loses_nothing() {
    support::rt(2).block_on(async {
        let mut child = Command::new("sleep").arg("0.2").spawn().unwrap();
        assert!(timeout(Duration::from_millis(10), child.wait())
            .await
            .is_err());
        assert!(child.try_wait().unwrap().is_none());
        assert!(child.wait().await.unwrap().success());
    });
}

#[test]
fn many_children_are_waited_concurrently() {
    support::rt(2).block_on(async {
        let waits: Vec<_> = (0..64)
            .map(|i| {
                let mut child = Command::new("sh")
                    .args(["-c", &format!("sleep 0.0{}; exit {i}", i % 10)])
                    .spawn()
                    .unwrap();
                magpie::spawn(async move { child.wait().await.unwrap().code() })
            })
            .collect();
        for (i, wait) in waits.into_iter().enumerate() {
            assert_eq!(wait.await.unwrap(), Some(i as i32));
        }
    });
}

#[test]
fn kill_ends_a_child_that_would_never_exit() {
    support::rt(1).block_on(async {
        let mut child = Command::new("sleep").arg("1000").spawn().unwrap();
        let pid = child.id().unwrap();
        assert!(child.try_wait().unwrap().is_none());
        child.kill().await.unwrap();
        assert_eq!(child.wait().await.unwrap().signal(), Some(libc::SIGKILL));
        assert!(!exists(pid));
        assert_eq!(child.id(), None);
        child
            .start_kill()
            .expect("killing a reaped child is a no-op");
    });
}

#[test]
fn a_child_killed_on_drop_is_reaped() {
    support::rt(2).block_on(async {
        let child = Command::new("sleep")
            .arg("1000")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        drop(child);
        reaped(pid).await;
    });
}

#[test]
fn a_dropped_child_keeps_running_and_is_reaped_when_it_exits() {
    support::rt(2).block_on(async {
        let marker = std::env::temp_dir().join(format!("magpie-orphan-{}", std::process::id()));
        let _ = std::fs::remove_file(&marker);
        let child = Command::new("sh")
            .arg("-c")
            .arg(format!("sleep 0.1; touch {}", marker.display()))
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        drop(child); // not killed: kill_on_drop is off
        reaped(pid).await;
        assert!(marker.exists(), "the child ran to its end");
        std::fs::remove_file(&marker).unwrap();
    });
}

#[test]
fn output_reads_large_stdout_and_stderr_without_a_pipe_deadlock() {
    support::rt(2).block_on(async {
        // Both far beyond a pipe's 64 KiB: a child writing stdout first
        // would block forever if stderr were not read at the same time.
        let output = Command::new("sh")
            .args([
                "-c",
                "head -c 1000000 /dev/zero; head -c 300000 /dev/zero >&2; exit 4",
            ])
            .output()
            .await
            .unwrap();
        assert_eq!(output.status.code(), Some(4));
        assert_eq!(output.stdout.len(), 1_000_000);
        assert_eq!(output.stderr.len(), 300_000);
        assert!(output.stdout.iter().all(|&b| b == 0));
    });
}

#[test]
fn output_gives_the_child_an_empty_stdin_and_spawn_inherits_again() {
    support::rt(1).block_on(async {
        let mut command = Command::new("cat");
        let output = timeout(Duration::from_secs(5), command.output())
            .await
            .unwrap()
            .unwrap();
        assert!(output.status.success());
        assert!(output.stdout.is_empty(), "cat read an empty stdin");
        // The defaults were for that one spawn: stdout is not piped now.
        let mut child = Command::new("true").spawn().unwrap();
        assert!(child.stdout.is_none());
        child.wait().await.unwrap();
    });
}

#[test]
fn stdin_and_stdout_pipes_stream_both_ways() {
    support::rt(2).block_on(async {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        for line in ["one\n", "two\n"] {
            stdin.write_all(line.as_bytes()).await.unwrap();
            let mut back = vec![0u8; line.len()];
            stdout.read_exact(&mut back).await.unwrap();
            assert_eq!(back, line.as_bytes(), "cat echoed it while still running");
        }
        stdin.close().await.unwrap();
        let err = stdin.write_all(b"late").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        let mut rest = Vec::new();
        stdout.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
        assert!(child.wait().await.unwrap().success());
    });
}

#[test]
fn writing_to_a_child_that_exited_is_broken_pipe() {
    support::rt(1).block_on(async {
        let mut child = Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        child.wait().await.unwrap();
        let err = stdin.write_all(&[0u8; 200_000]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}

#[test]
fn one_childs_stdout_becomes_anothers_stdin() {
    support::rt(2).block_on(async {
        let mut producer = Command::new("sh")
            .args(["-c", "for i in 1 2 3; do echo line$i; done"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let pipe: Stdio = producer.stdout.take().unwrap().try_into().unwrap();
        let output = Command::new("wc")
            .arg("-l")
            .stdin(pipe)
            .output()
            .await
            .unwrap();
        assert_eq!(String::from_utf8(output.stdout).unwrap().trim(), "3");
        assert!(producer.wait().await.unwrap().success());
    });
}

#[test]
fn env_and_current_dir_reach_the_child() {
    support::rt(1).block_on(async {
        let output = Command::new("sh")
            .args(["-c", "echo \"$MAGPIE_TEST_VAR:$(pwd)\""])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap())
            .env("MAGPIE_TEST_VAR", "set")
            .current_dir("/")
            .output()
            .await
            .unwrap();
        assert_eq!(output.stdout, b"set:/\n");
    });
}

#[test]
fn wait_closes_stdin_so_a_reader_of_stdin_can_exit() {
    support::rt(1).block_on(async {
        let mut child = Command::new("cat").stdin(Stdio::piped()).spawn().unwrap();
        // cat waits for end of file; wait() closes our end first.
        let status = timeout(Duration::from_secs(5), child.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(status.success());
    });
}

#[cfg(target_os = "linux")]
#[test]
fn process_group_zero_makes_the_child_lead_a_new_group() {
    support::rt(1).block_on(async {
        // Field 5 of /proc/<pid>/stat is the process group id.
        let script = "set -- $(cat /proc/$$/stat); echo $1 $5";
        let ids = |out: std::process::Output| -> (String, String) {
            let text = String::from_utf8(out.stdout).unwrap();
            let mut parts = text.split_whitespace().map(str::to_owned);
            (parts.next().unwrap(), parts.next().unwrap())
        };
        let (pid, pgid) = ids(Command::new("sh")
            .args(["-c", script])
            .process_group(0)
            .output()
            .await
            .unwrap());
        assert_eq!(pid, pgid, "the child leads its own group");
        let (pid, pgid) = ids(Command::new("sh")
            .args(["-c", script])
            .output()
            .await
            .unwrap());
        assert_ne!(pid, pgid, "without it, the child stays in ours");
    });
}

#[test]
fn arg0_and_pre_exec_reach_the_child() {
    support::rt(1).block_on(async {
        let mut command = Command::new("sh");
        command.arg0("renamed").args(["-c", "echo $0; exit 3"]);
        let out = command.output().await.unwrap();
        assert_eq!(out.stdout, b"renamed\n");
        assert_eq!(out.status.code(), Some(3));
        let mut refused = Command::new("true");
        // SAFETY: the hook only builds an io::Error from a raw code, which
        // allocates nothing.
        unsafe { refused.pre_exec(|| Err(std::io::Error::from_raw_os_error(libc::EPERM))) };
        let err = refused.status().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EPERM));
    });
}
