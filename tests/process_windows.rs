//! magpie::process on Windows: exit codes, captured output through the
//! pool-backed pipes, and a kill (the wait runs on the blocking pool).
#![cfg(windows)]

mod support;

use magpie::process::Command;
use std::time::Duration;

#[test]
fn exit_codes_and_output_come_back() {
    support::rt(2).block_on(async {
        let status = Command::new("cmd")
            .args(["/C", "exit 3"])
            .status()
            .await
            .unwrap();
        assert_eq!(status.code(), Some(3));
        let output = Command::new("cmd")
            .args(["/C", "echo hi"])
            .output()
            .await
            .unwrap();
        assert!(output.status.success());
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "hi");
    });
}

#[test]
fn a_waiting_child_is_killed_and_reaped() {
    support::rt(2).block_on(async {
        let mut child = Command::new("cmd")
            .args(["/C", "pause"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take(); // keep the pipe open: pause waits
        assert!(
            magpie::time::timeout(Duration::from_millis(50), child.wait())
                .await
                .is_err()
        );
        child.kill().await.unwrap();
        assert!(child.id().is_none());
        drop(stdin);
    });
}

#[test]
fn spawning_a_missing_program_is_not_found() {
    support::rt(1).block_on(async {
        let err = Command::new("no-such-program-magpie").spawn().unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    });
}
