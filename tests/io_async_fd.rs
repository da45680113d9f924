//! `AsyncFd` on file descriptors magpie does not know: a pipe, an eventfd,
//! a socket pair; guards, `clear_ready`, `try_io`, several waiters.
#![cfg(unix)]

use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;

use magpie::io::unix::AsyncFd;
use magpie::io::Interest;
use magpie::time::{sleep, timeout, Duration};

const PATIENCE: Duration = Duration::from_secs(10);
const QUIET: Duration = Duration::from_millis(100);

fn set_nonblocking(fd: &impl AsRawFd) {
    let raw = fd.as_raw_fd();
    // SAFETY: fcntl on a descriptor the caller owns, integer arguments.
    unsafe {
        let flags = libc::fcntl(raw, libc::F_GETFL);
        assert!(flags >= 0);
        assert_eq!(libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK), 0);
    }
}

/// A non-blocking pipe: (read end, write end).
fn pipe() -> (std::io::PipeReader, std::io::PipeWriter) {
    let (reader, writer) = std::io::pipe().unwrap();
    set_nonblocking(&reader);
    set_nonblocking(&writer);
    (reader, writer)
}

/// Reads what is there through the guard protocol: wait, try, and on
/// `WouldBlock` (guard cleared) wait again.
async fn read_some(fd: &AsyncFd<std::io::PipeReader>, buf: &mut [u8]) -> usize {
    loop {
        let mut guard = fd.readable().await.unwrap();
        if let Ok(result) = guard.try_io(|fd| fd.get_ref().read(buf)) {
            return result.unwrap();
        }
    }
}

#[magpie::test]
async fn a_pipe_read_end_waits_for_the_writer_then_sees_end_of_stream_when_it_closes() {
    let (reader, mut writer) = pipe();
    let reader = AsyncFd::with_interest(reader, Interest::READABLE).unwrap();
    assert!(timeout(QUIET, reader.readable()).await.is_err());
    writer.write_all(b"through the pipe").unwrap();
    let mut buf = [0; 32];
    let n = timeout(PATIENCE, read_some(&reader, &mut buf))
        .await
        .unwrap();
    assert_eq!(&buf[..n], b"through the pipe");
    drop(writer);
    let n = timeout(PATIENCE, read_some(&reader, &mut buf))
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[magpie::test]
async fn a_guard_that_saw_would_block_is_cleared_and_the_next_wait_sleeps() {
    let (reader, mut writer) = pipe();
    let reader = AsyncFd::new(reader).unwrap();
    writer.write_all(b"ab").unwrap();
    let mut guard = reader.readable().await.unwrap();
    assert!(guard.ready().is_readable());
    let mut buf = [0; 8];
    assert_eq!(
        guard
            .try_io(|fd| fd.get_ref().read(&mut buf))
            .unwrap()
            .unwrap(),
        2
    );
    // Drained: the next read says WouldBlock, which clears the readiness.
    assert!(guard.try_io(|fd| fd.get_ref().read(&mut buf)).is_err());
    assert!(guard.ready().is_empty());
    assert!(timeout(QUIET, reader.readable()).await.is_err());
    writer.write_all(b"c").unwrap();
    timeout(PATIENCE, reader.readable())
        .await
        .unwrap()
        .unwrap()
        .retain_ready();
}

#[magpie::test]
async fn a_dropped_guard_keeps_the_readiness_and_clear_ready_forgets_it() {
    let (reader, mut writer) = pipe();
    let reader = AsyncFd::new(reader).unwrap();
    writer.write_all(b"x").unwrap();
    drop(reader.readable().await.unwrap());
    // Kept: this wait returns at once.
    let mut guard = timeout(QUIET, reader.readable()).await.unwrap().unwrap();
    guard.clear_ready();
    // Forgotten (although the byte is still there): the driver reports
    // the pipe again only on a new write.
    assert!(timeout(QUIET, reader.readable()).await.is_err());
    let err = reader
        .try_io(Interest::READABLE, |mut r| r.read(&mut [0; 1]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock);
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn eventfd() -> OwnedFd {
    // SAFETY: eventfd(2) takes no pointers; a new descriptor is ours.
    unsafe {
        let fd = libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC);
        assert!(fd >= 0);
        OwnedFd::from_raw_fd(fd)
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
#[magpie::test(worker_threads = 2)]
async fn several_tasks_waiting_on_one_eventfd_are_all_woken_by_one_write() {
    let event = Arc::new(AsyncFd::new(eventfd()).unwrap());
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let event = event.clone();
            magpie::spawn(async move {
                let guard = event.readable().await?;
                Ok::<_, std::io::Error>(guard.ready().is_readable())
            })
        })
        .collect();
    sleep(Duration::from_millis(20)).await;
    let one = 1u64.to_ne_bytes();
    // SAFETY: writes 8 bytes from a live array to an fd we own.
    let written = unsafe { libc::write(event.as_raw_fd(), one.as_ptr().cast(), 8) };
    assert_eq!(written, 8);
    for waiter in waiters {
        let readable = timeout(PATIENCE, waiter)
            .await
            .expect("a task waiting on the eventfd was never woken");
        assert!(readable.unwrap().unwrap());
    }
    // One task takes the count; the others' reads would block.
    let mut count = [0u8; 8];
    let n = event
        .async_io(Interest::READABLE, |fd| {
            // SAFETY: reads 8 bytes into a live array from an fd we own.
            let n = unsafe { libc::read(fd.as_raw_fd(), count.as_mut_ptr().cast(), 8) };
            if n < 0 {
                Err(std::io::Error::last_os_error())
            } else {
                Ok(n)
            }
        })
        .await
        .unwrap();
    assert_eq!((n, u64::from_ne_bytes(count)), (8, 1));
}

#[magpie::test]
async fn ready_mut_guards_give_the_object_mutably_and_into_inner_hands_it_back() {
    let (a, mut b) = std::os::unix::net::UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    let raw = a.as_raw_fd();
    let mut fd = AsyncFd::new(a).unwrap();
    {
        let mut guard = fd.writable_mut().await.unwrap();
        let n = guard
            .try_io(|fd| fd.get_mut().write(b"hi"))
            .unwrap()
            .unwrap();
        assert_eq!(n, 2);
    }
    let mut buf = [0; 2];
    b.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"hi");
    let a = fd.into_inner();
    assert_eq!(a.as_raw_fd(), raw);
    // Still open and usable after deregistering.
    (&a).write_all(b"!").unwrap();
    b.read_exact(&mut buf[..1]).unwrap();
    assert_eq!(buf[0], b'!');
}

#[magpie::test]
async fn ready_with_both_interests_reports_what_is_ready() {
    let (a, mut b) = std::os::unix::net::UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    let fd = AsyncFd::new(a).unwrap();
    let both = Interest::READABLE | Interest::WRITABLE;
    let guard = fd.ready(both).await.unwrap();
    assert!(guard.ready().is_writable() && !guard.ready().is_readable());
    drop(guard);
    b.write_all(b"x").unwrap();
    let guard = timeout(PATIENCE, fd.ready(Interest::READABLE))
        .await
        .unwrap()
        .unwrap();
    assert!(guard.ready().is_readable());
}

#[test]
#[should_panic]
fn async_fd_outside_a_runtime_panics() {
    let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    let _ = AsyncFd::new(a);
}

#[cfg(any(target_os = "linux", target_os = "android"))]
#[magpie::test]
async fn try_new_hands_back_an_fd_epoll_refuses() {
    // epoll refuses regular files (EPERM): the file comes back, still open.
    let file = std::fs::File::open("Cargo.toml").unwrap();
    let refused = magpie::io::unix::AsyncFd::try_new(file).unwrap_err();
    assert!(refused.to_string().contains("register"), "{refused}");
    let (file, cause) = refused.into_parts();
    assert_eq!(cause.raw_os_error(), Some(libc::EPERM));
    assert!(
        file.metadata().unwrap().len() > 0,
        "the file is still usable"
    );
    // `new` reports the same error, as an io::Error.
    let file = std::fs::File::open("Cargo.toml").unwrap();
    let err = magpie::io::unix::AsyncFd::new(file).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EPERM));
}
