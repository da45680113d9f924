//! Loom models of the I/O driver's readiness protocol: the readiness word
//! with its tick, the reader/writer waker slots, the registration slab, and
//! the two-direction wait of `ready(Interest::READABLE | Interest::WRITABLE)`.
#![cfg(loom)]

use std::future::poll_fn;

use loom::sync::Arc;
use loom::thread;
use magpie::__loom::io::{
    Direction, Interest, ListWait, Ready, ReadyWait, Registrations, ScheduledIo,
};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

/// An operation that got `WouldBlock` clears what it saw at tick 1 while
/// the dispatcher stamps a new event at tick 2: whatever the order, the
/// newer event is still there afterwards.
#[test]
fn a_stale_clear_never_drops_a_newer_event() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        io.set_readiness(1, Ready::READABLE);
        let seen = io.ready_event(Direction::Read).unwrap();

        let dispatcher = {
            let io = io.clone();
            thread::spawn(move || io.set_readiness(2, Ready::READABLE))
        };
        io.clear_readiness(seen);
        dispatcher.join().unwrap();

        assert!(io.ready_event(Direction::Read).is_some());
    });
}

/// A reader storing its waker races the dispatcher setting readiness and
/// waking: the reader always completes (loom reports a lost wake-up as a
/// deadlock).
#[test]
fn a_waker_registered_during_dispatch_is_not_lost() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        let dispatcher = {
            let io = io.clone();
            thread::spawn(move || io.wake(1, Ready::READABLE))
        };
        let event = loom::future::block_on(poll_fn(|cx| io.poll_ready(cx, Direction::Read)));
        assert!(event.is_readable());
        dispatcher.join().unwrap();
    });
}

/// Reader and writer wait at once; one event with both bits wakes both.
#[test]
fn one_event_wakes_reader_and_writer() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        let writer = {
            let io = io.clone();
            thread::spawn(move || {
                loom::future::block_on(poll_fn(|cx| io.poll_ready(cx, Direction::Write)))
            })
        };
        let dispatcher = {
            let io = io.clone();
            thread::spawn(move || io.wake(1, Ready::READABLE | Ready::WRITABLE))
        };
        let read = loom::future::block_on(poll_fn(|cx| io.poll_ready(cx, Direction::Read)));
        assert!(read.is_readable());
        assert!(writer.join().unwrap().is_writable());
        dispatcher.join().unwrap();
    });
}

/// A source deregisters (and its slot is reused) while the driver
/// dispatches an event for its old key: the event reaches the old source
/// or nobody, never the new one.
#[test]
fn deregistration_racing_dispatch_never_misdelivers() {
    loom::model(|| {
        let registrations = Arc::new(Registrations::new());
        let (old_key, _old) = registrations.register().unwrap();

        let dispatcher = {
            let registrations = registrations.clone();
            thread::spawn(move || {
                let mut wake_list = Vec::new();
                registrations.dispatch([(old_key, Ready::READABLE)], 1, false, &mut wake_list);
                wake_list.into_iter().for_each(|w| w.wake());
            })
        };
        registrations.deregister(old_key);
        let (new_key, new) = registrations.register().unwrap();
        dispatcher.join().unwrap();

        assert_ne!(old_key, new_key);
        assert!(new.ready_event(Direction::Read).is_none());
    });
}

/// Shutdown racing a reader that is about to wait: the reader always ends,
/// with a shutdown event.
#[test]
fn shutdown_racing_a_wait_ends_the_wait() {
    loom::model(|| {
        let registrations = Arc::new(Registrations::new());
        let (_key, io) = registrations.register().unwrap();
        let closer = {
            let registrations = registrations.clone();
            thread::spawn(move || registrations.shutdown())
        };
        let event = loom::future::block_on(poll_fn(|cx| io.poll_ready(cx, Direction::Read)));
        assert!(event.is_shutdown());
        closer.join().unwrap();
    });
}

/// Two `async` readers wait on the same direction of one source and one
/// event arrives: both are woken (each then re-checks; here the readiness
/// stays, so both complete). With one waker per direction the first
/// reader's waker was overwritten and it slept forever: loom reports that
/// as a deadlock.
#[test]
fn one_event_wakes_both_of_two_readers_waiting_on_one_direction() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        let other = {
            let io = io.clone();
            thread::spawn(move || loom::future::block_on(ListWait::new(io, Direction::Read)))
        };
        let dispatcher = {
            let io = io.clone();
            thread::spawn(move || io.wake(1, Ready::READABLE))
        };
        let mine = loom::future::block_on(ListWait::new(io, Direction::Read));
        assert!(mine.is_readable());
        assert!(other.join().unwrap().is_readable());
        dispatcher.join().unwrap();
    });
}

/// A `poll_*` reader (the waker slot) and an `async` reader (the list)
/// wait on the same direction: one event wakes both.
#[test]
fn one_event_wakes_the_slot_reader_and_the_list_reader() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        let listed = {
            let io = io.clone();
            thread::spawn(move || loom::future::block_on(ListWait::new(io, Direction::Read)))
        };
        let dispatcher = {
            let io = io.clone();
            thread::spawn(move || io.wake(1, Ready::READABLE))
        };
        let slot = loom::future::block_on(poll_fn(|cx| io.poll_ready(cx, Direction::Read)));
        assert!(slot.is_readable());
        assert!(listed.join().unwrap().is_readable());
        dispatcher.join().unwrap();
    });
}

/// A queued reader is dropped while the dispatcher pops it: the list stays
/// consistent and a reader that comes after still gets the event.
#[test]
fn a_reader_dropped_while_it_is_being_woken_leaves_the_list_consistent() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        let mut first = Box::pin(ListWait::new(io.clone(), Direction::Read));
        let noop = std::task::Waker::noop();
        assert!(first
            .as_mut()
            .poll(&mut std::task::Context::from_waker(noop))
            .is_pending());
        let dispatcher = {
            let io = io.clone();
            thread::spawn(move || io.wake(1, Ready::READABLE))
        };
        drop(first);
        dispatcher.join().unwrap();
        let later = loom::future::block_on(ListWait::new(io, Direction::Read));
        assert!(later.is_readable());
    });
}

// ---- one wait on both directions (`ready(READABLE | WRITABLE)`) ----------

/// Whether any waiter (slot or list, either direction) is left on `io`.
fn has_waiters(io: &ScheduledIo) -> (bool, bool) {
    io.with_waiting(|read, write| (read, write))
}

/// One wait on both directions of a source races the dispatcher delivering
/// `event`; returns what the wait saw, after checking that the finished
/// wait left no node in either list.
fn both_directions_racing(event: Ready) -> (bool, bool) {
    let io = Arc::new(ScheduledIo::new());
    let dispatcher = {
        let io = io.clone();
        thread::spawn(move || io.wake(1, event))
    };
    let mut wait = pin!(ReadyWait::new(
        io.clone(),
        Interest::READABLE | Interest::WRITABLE
    ));
    let (read, write) = loom::future::block_on(wait.as_mut());
    assert_eq!(
        has_waiters(&io),
        (false, false),
        "a finished wait stays queued"
    );
    dispatcher.join().unwrap();
    (read.is_some(), write.is_some())
}

/// A READABLE-only event ends a wait on both directions, as readable only
/// (loom reports a wait that is never woken as a deadlock).
#[test]
fn a_wait_on_both_directions_ends_on_a_readable_only_event() {
    loom::model(|| {
        assert_eq!(both_directions_racing(Ready::READABLE), (true, false));
    });
}

/// The same for a WRITABLE-only event: the write list's node is woken.
#[test]
fn a_wait_on_both_directions_ends_on_a_writable_only_event() {
    loom::model(|| {
        assert_eq!(both_directions_racing(Ready::WRITABLE), (false, true));
    });
}

/// An event with both bits ends the wait. The write direction is always
/// reported: it is checked after the read direction, and the two bits
/// arrive in one store. (Readable is missing only when the read check came
/// before the event and the write check after it.)
#[test]
fn a_wait_on_both_directions_ends_on_an_event_with_both_bits() {
    loom::model(|| {
        let (_read, write) = both_directions_racing(Ready::READABLE | Ready::WRITABLE);
        assert!(write, "the write bit came with the read bit");
    });
}

/// A queued two-direction wait is dropped while the dispatcher delivers
/// `event` (which has the read bit); a reader queued behind it on the read
/// list still gets the event, and no node is left in either list.
fn two_direction_wait_dropped_while_woken(event: Ready) {
    let io = Arc::new(ScheduledIo::new());
    let mut first = Box::pin(ReadyWait::new(
        io.clone(),
        Interest::READABLE | Interest::WRITABLE,
    ));
    let mut noop = Context::from_waker(Waker::noop());
    assert!(first.as_mut().poll(&mut noop).is_pending());
    let mut behind = Box::pin(ListWait::new(io.clone(), Direction::Read));
    assert!(behind.as_mut().poll(&mut noop).is_pending());

    let reader = thread::spawn(move || loom::future::block_on(behind));
    let dispatcher = {
        let io = io.clone();
        thread::spawn(move || io.wake(1, event))
    };
    drop(first);
    assert!(reader.join().unwrap().is_readable());
    dispatcher.join().unwrap();
    assert_eq!(
        has_waiters(&io),
        (false, false),
        "a dropped wait stays queued"
    );
}

/// ... with a READABLE-only event: the dropped wait's write node must
/// leave the write list by itself.
#[test]
fn a_two_direction_wait_dropped_during_a_readable_event_leaves_the_other_reader_its_event() {
    loom::model(|| two_direction_wait_dropped_while_woken(Ready::READABLE));
}

/// ... with an event with both bits: both of its nodes may be popped.
#[test]
fn a_two_direction_wait_dropped_during_a_both_bit_event_leaves_the_other_reader_its_event() {
    loom::model(|| two_direction_wait_dropped_while_woken(Ready::READABLE | Ready::WRITABLE));
}

/// A reader-only event and a writer-only event come from two dispatch
/// turns while one wait on both directions is queued: the wait ends, and
/// no node is left behind.
#[test]
fn a_wait_on_both_directions_survives_two_one_direction_events() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        let dispatcher = {
            let io = io.clone();
            thread::spawn(move || {
                io.wake(1, Ready::READABLE);
                io.wake(2, Ready::WRITABLE);
            })
        };
        let mut wait = pin!(ReadyWait::new(
            io.clone(),
            Interest::READABLE | Interest::WRITABLE
        ));
        let (read, write) = loom::future::block_on(wait.as_mut());
        assert!(read.is_some() || write.is_some());
        assert_eq!(has_waiters(&io), (false, false));
        dispatcher.join().unwrap();
    });
}
