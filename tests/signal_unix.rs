//! `signal::unix::signal` and `signal::ctrl_c`, with signals the process
//! sends itself. Each test uses its own signal number, because tests in
//! this file run in parallel in one process. SIGINT is only raised in a
//! child process (this test binary, re-run with an environment variable).
#![cfg(unix)]

mod support;

use magpie::signal::unix::{signal, SignalKind};
use std::process::{Command, Stdio};
use std::time::Duration;

fn raise(kind: SignalKind) {
    // SAFETY: raise(3) with a signal whose handler magpie installed.
    assert_eq!(unsafe { libc::raise(kind.as_raw_value()) }, 0);
}

#[test]
fn a_raised_signal_completes_recv() {
    let rt = support::rt(2);
    rt.block_on(async {
        let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
        raise(SignalKind::user_defined1());
        assert_eq!(usr1.recv().await, Some(()));
    });
}

#[test]
fn every_receiver_of_a_signal_is_notified() {
    let rt = support::rt(2);
    rt.block_on(async {
        let mut a = signal(SignalKind::hangup()).unwrap();
        let mut b = signal(SignalKind::hangup()).unwrap();
        let waiter = magpie::spawn(async move { b.recv().await });
        raise(SignalKind::hangup());
        assert_eq!(a.recv().await, Some(()));
        assert_eq!(waiter.await.unwrap(), Some(()));
    });
}

#[test]
fn a_receiver_waiting_in_a_task_is_woken_repeatedly() {
    let rt = support::rt(2);
    rt.block_on(async {
        let mut usr2 = signal(SignalKind::user_defined2()).unwrap();
        for _ in 0..3 {
            raise(SignalKind::user_defined2());
            assert_eq!(usr2.recv().await, Some(()));
        }
    });
}

#[test]
fn signals_that_cannot_be_handled_are_refused() {
    for kind in [
        SignalKind::from_raw(libc::SIGKILL),
        SignalKind::from_raw(libc::SIGSEGV),
        SignalKind::from_raw(0),
        SignalKind::from_raw(1000),
    ] {
        let err = signal(kind).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}

#[test]
fn signals_work_without_a_magpie_runtime() {
    let mut winch = signal(SignalKind::window_change()).unwrap();
    raise(SignalKind::window_change());
    futures::executor::block_on(async { assert_eq!(winch.recv().await, Some(())) });
}

#[test]
fn dropping_a_waiting_signal_deregisters_it() {
    let rt = support::rt(1);
    rt.block_on(async {
        let mut alrm = signal(SignalKind::alarm()).unwrap();
        let r = magpie::time::timeout(Duration::from_millis(1), alrm.recv()).await;
        assert!(r.is_err());
        drop(alrm);
        let mut again = signal(SignalKind::alarm()).unwrap();
        raise(SignalKind::alarm());
        assert_eq!(again.recv().await, Some(()));
    });
}

const CHILD_ENV: &str = "MAGPIE_SIGNAL_TEST_CHILD";

/// Runs only in the child process: ctrl_c completes on SIGINT instead of
/// the process dying.
#[test]
fn ctrl_c_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let rt = support::rt(1);
    rt.block_on(async {
        let mut ctrl_c = std::pin::pin!(magpie::signal::ctrl_c());
        // The first poll installs the handler.
        std::future::poll_fn(|cx| {
            assert!(ctrl_c.as_mut().poll(cx).is_pending());
            std::task::Poll::Ready(())
        })
        .await;
        raise(SignalKind::interrupt());
        ctrl_c.await.unwrap();
        println!("got ctrl-c");
    });
}

use std::future::Future;

#[test]
fn ctrl_c_completes_on_sigint_in_a_child_process() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "ctrl_c_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = wait_bounded(&mut child, Duration::from_secs(60));
    let mut out = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
    assert!(status.success(), "child failed: {status:?}\n{out}");
    assert!(out.contains("got ctrl-c"), "{out}");
}

/// Waits for `child`, killing it if it is still running after `limit` (a
/// hang guard, not a timing assertion).
fn wait_bounded(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            return child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
