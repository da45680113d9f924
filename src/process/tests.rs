//! The exit watches, each driven on its own: on Linux the pidfd is the
//! default and SIGCHLD the fallback; both must reap.

use super::{Command, Stdio};
use std::time::Duration;

fn rt() -> crate::Runtime {
    crate::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap()
}

#[test]
fn wait_uses_a_pidfd_on_linux_and_sigchld_elsewhere() {
    rt().block_on(async {
        let mut child = Command::new("sleep").arg("0.05").spawn().unwrap();
        let waiting = crate::time::timeout(Duration::from_millis(1), child.wait()).await;
        assert!(waiting.is_err(), "sleep 0.05 cannot have exited in 1 ms");
        let expected = if cfg!(target_os = "linux") {
            "pidfd"
        } else {
            "sigchld"
        };
        assert_eq!(child.watch_kind(), Some(expected));
        assert!(child.wait().await.unwrap().success());
        assert_eq!(child.watch_kind(), None, "the watch goes with the reap");
    });
}

#[test]
fn the_sigchld_fallback_reaps_many_children_sharing_one_signal() {
    rt().block_on(async {
        let waits: Vec<_> = (0..8)
            .map(|i| {
                let mut child = Command::new("sh")
                    .args(["-c", &format!("sleep 0.0{i}; exit {i}")])
                    .stdout(Stdio::null())
                    .spawn()
                    .unwrap();
                child.use_sigchld();
                crate::spawn(async move {
                    let status = child.wait().await.unwrap();
                    assert_eq!(child.watch_kind(), None);
                    assert_eq!(child.id(), None);
                    status.code()
                })
            })
            .collect();
        let mut codes = Vec::new();
        for wait in waits {
            codes.push(wait.await.unwrap());
        }
        assert_eq!(codes, (0..8).map(Some).collect::<Vec<_>>());
    });
}

#[test]
fn the_sigchld_watch_is_armed_before_the_first_check() {
    // A child that exits before `wait` is first polled: its SIGCHLD came
    // before the receiver existed, and only the check after arming sees it.
    rt().block_on(async {
        let mut child = Command::new("true").spawn().unwrap();
        child.use_sigchld();
        std::thread::sleep(Duration::from_millis(50));
        let status = crate::time::timeout(Duration::from_secs(5), child.wait()).await;
        assert!(status.unwrap().unwrap().success());
    });
}
