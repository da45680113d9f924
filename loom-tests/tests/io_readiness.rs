//! Loom models of the I/O driver's readiness protocol: the readiness word
//! with its tick, the reader/writer waker slots, and the registration slab.
#![cfg(loom)]

use std::future::poll_fn;

use loom::sync::Arc;
use loom::thread;
use magpie::__loom::io::{Direction, ListWait, Ready, Registrations, ScheduledIo};
use std::future::Future;

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
