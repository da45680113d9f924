//! The thread-local runtime context: entering, nesting, and teardown.

mod support;

use std::cell::RefCell;

#[test]
fn enter_guards_dropped_out_of_order_panic_with_a_clear_message() {
    let a = support::rt(1);
    let b = support::rt(1);
    let outer = a.enter();
    let inner = b.enter();
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(outer)));
    let message = dropped.expect_err("an out-of-order drop must panic");
    let message = message
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| message.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    assert!(
        message.contains("out of order"),
        "unclear message: {message}"
    );
    drop(inner);
}

#[test]
fn enter_guards_dropped_in_order_restore_the_previous_runtime() {
    let a = support::rt(1);
    let b = support::rt(1);
    let outer = a.enter();
    {
        let _inner = b.enter();
        let h = magpie::spawn(async { 2 });
        assert_eq!(b.block_on(h).unwrap(), 2);
    }
    let h = magpie::spawn(async { 1 });
    assert_eq!(a.block_on(h).unwrap(), 1);
    drop(outer);
    assert!(magpie::runtime::Handle::try_current().is_err());
}

thread_local! {
    static KEPT: RefCell<Option<magpie::Runtime>> = const { RefCell::new(None) };
}

#[test]
fn a_runtime_kept_in_a_thread_local_drops_cleanly_when_its_thread_exits() {
    // The pending task holds the only sender: its drop closes the channel.
    let (held_by_task, closed) = std::sync::mpsc::channel::<()>();
    let t = std::thread::spawn(move || {
        // The runtime's slot is registered first, so it is destroyed after
        // magpie's own context, which the runtime's drop then cannot use.
        KEPT.with(|slot| *slot.borrow_mut() = Some(support::rt(1)));
        KEPT.with(|slot| {
            let slot = slot.borrow();
            let rt = slot.as_ref().unwrap();
            let h = rt.spawn(async { 5 });
            assert_eq!(rt.block_on(h).unwrap(), 5);
            // A task still pending at teardown is cancelled, not leaked.
            rt.spawn(async move {
                let _sender = held_by_task;
                std::future::pending::<()>().await
            });
        });
    });
    // Before the fix the thread aborted the whole process here (and on
    // Windows, where this drop runs under the loader lock, hung joining the
    // workers).
    t.join().expect("the thread exits cleanly");
    let cancelled = closed.recv_timeout(std::time::Duration::from_secs(10));
    assert_eq!(
        cancelled,
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected)
    );
}

thread_local! {
    static BUILT_ON_FIRST_USE: magpie::Runtime = support::rt(1);
}

#[test]
fn a_runtime_dropped_at_thread_exit_while_the_context_is_alive_drops_cleanly() {
    let (held_by_task, closed) = std::sync::mpsc::channel::<()>();
    let t = std::thread::spawn(move || {
        // The other order: magpie's context is registered first and the
        // lazily built runtime's slot after it, so the runtime is destroyed
        // first, with the context still usable.
        let _ = magpie::runtime::Handle::try_current();
        BUILT_ON_FIRST_USE.with(|rt| {
            let h = rt.spawn(async { 5 });
            assert_eq!(rt.block_on(h).unwrap(), 5);
            rt.spawn(async move {
                let _sender = held_by_task;
                std::future::pending::<()>().await
            });
        });
    });
    t.join().expect("the thread exits cleanly");
    let cancelled = closed.recv_timeout(std::time::Duration::from_secs(10));
    assert_eq!(
        cancelled,
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected)
    );
}
