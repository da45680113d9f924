//! Panics caused by a caller's mistake name the caller's line, not a line
//! inside magpie (`#[track_caller]` all the way down).

use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

static SEEN: Mutex<Option<(String, u32)>> = Mutex::new(None);
/// The tests in this file share the process-wide panic hook: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f`, which must panic; returns the line `f` said the panic should
/// point at (`line!()` of the call, in this file), and the reported one.
fn panic_location(f: impl FnOnce(&mut u32)) -> (u32, Option<(String, u32)>) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        if let Some(at) = info.location() {
            *SEEN.lock().unwrap() = Some((at.file().to_string(), at.line()));
        }
    }));
    let mut expected = 0;
    let result = panic::catch_unwind(AssertUnwindSafe(|| f(&mut expected)));
    panic::set_hook(previous);
    assert!(result.is_err(), "expected a panic");
    (expected, SEEN.lock().unwrap().take())
}

#[track_caller]
fn assert_points_here(f: impl FnOnce(&mut u32)) {
    let (line, seen) = panic_location(f);
    assert_eq!(seen, Some((file!().to_string(), line)));
}

#[test]
fn worker_threads_zero_points_at_the_caller() {
    assert_points_here(|at| {
        *at = line!() + 1;
        magpie::runtime::Builder::new().worker_threads(0);
    });
}

#[test]
fn spawn_outside_a_runtime_points_at_the_caller() {
    assert_points_here(|at| {
        *at = line!() + 1;
        drop(magpie::spawn(async {}));
    });
}

#[test]
fn sleep_outside_a_runtime_points_at_the_caller() {
    assert_points_here(|at| {
        *at = line!() + 1;
        drop(magpie::time::sleep(std::time::Duration::from_millis(1)));
    });
}

#[test]
fn block_on_inside_a_runtime_points_at_the_caller() {
    let rt = magpie::runtime::Builder::new()
        .worker_threads(1)
        .build()
        .unwrap();
    let h = rt.handle().clone();
    rt.block_on(async move {
        assert_points_here(|at| {
            *at = line!() + 1;
            h.block_on(async {});
        });
    });
}

#[test]
fn into_panic_of_a_cancellation_points_at_the_caller() {
    let rt = magpie::runtime::Builder::new()
        .worker_threads(1)
        .build()
        .unwrap();
    let h = rt.spawn(std::future::pending::<()>());
    h.abort();
    let err = rt.block_on(h).unwrap_err();
    assert_points_here(move |at| {
        *at = line!() + 1;
        drop(err.into_panic());
    });
}

#[test]
fn channel_and_semaphore_constructors_point_at_the_caller() {
    assert_points_here(|at| {
        *at = line!() + 1;
        drop(magpie::sync::mpsc::channel::<u8>(0));
    });
    assert_points_here(|at| {
        *at = line!() + 1;
        drop(magpie::sync::broadcast::channel::<u8>(0));
    });
    assert_points_here(|at| {
        *at = line!() + 1;
        let _ = magpie::sync::Semaphore::new(usize::MAX);
    });
}
