#![cfg(loom)]
//! RwLock: a writer excludes readers, readers share.

use loom::future::block_on;
use loom::sync::Arc;
use loom::thread;
use magpie::sync::RwLock;

#[test]
fn a_reader_sees_the_value_before_or_after_a_write_never_torn() {
    loom::model(|| {
        let lock = Arc::new(RwLock::new((0, 0)));
        let l2 = lock.clone();
        let t = thread::spawn(move || {
            block_on(async {
                let mut g = l2.write().await;
                g.0 = 1;
                g.1 = 1;
            })
        });
        let seen = *block_on(lock.read());
        assert!(seen == (0, 0) || seen == (1, 1));
        t.join().unwrap();
        assert_eq!(*block_on(lock.read()), (1, 1));
    });
}

#[test]
fn a_writer_waits_for_readers_on_other_threads() {
    loom::model(|| {
        let lock = Arc::new(RwLock::with_max_readers(0, 2));
        let l2 = lock.clone();
        let t = thread::spawn(move || block_on(async { *l2.read().await }));
        *block_on(lock.write()) += 1;
        let read = t.join().unwrap();
        assert!(read == 0 || read == 1);
    });
}

/// Two readers hold the lock at once, on two threads. (Until the read
/// guards took the data as a shared access, loom reported this as two
/// concurrent writes, so no model could hold two read locks.)
#[test]
fn two_readers_hold_the_lock_at_once() {
    loom::model(|| {
        let lock = Arc::new(RwLock::new(5));
        let l2 = lock.clone();
        let t = thread::spawn(move || *block_on(l2.read()));
        let a = *block_on(lock.read());
        assert_eq!(a + t.join().unwrap(), 10);
    });
}

/// A writer downgrades while a reader on another thread waits: the reader
/// sees the value before the write or the written one, and once the
/// downgrade happened the two read at once.
#[test]
fn a_downgraded_writer_shares_with_a_waiting_reader() {
    loom::model(|| {
        let lock = Arc::new(RwLock::with_max_readers(0, 2));
        let l2 = lock.clone();
        let t = thread::spawn(move || *block_on(l2.read()));
        let mut w = block_on(lock.write());
        *w = 1;
        let r = w.downgrade();
        assert_eq!(*r, 1);
        let seen = t.join().unwrap();
        assert!(seen == 0 || seen == 1, "{seen}");
        drop(r);
        assert!(lock.try_write().is_ok(), "every permit came back");
    });
}

/// The owned form: `downgrade_map` on another thread's lock handle.
#[test]
fn an_owned_downgrade_map_releases_every_permit_in_the_end() {
    loom::model(|| {
        // `read_owned` takes a std `Arc` (a loom `Arc` is no method receiver).
        let lock = std::sync::Arc::new(RwLock::with_max_readers((0u8, 0u8), 2));
        let l2 = lock.clone();
        let t = thread::spawn(move || block_on(l2.read_owned()).1);
        let mut w = block_on(lock.clone().write_owned());
        w.1 = 7;
        let part = magpie::sync::OwnedRwLockWriteGuard::downgrade_map(w, |pair| &pair.1);
        assert_eq!(*part, 7);
        let seen = t.join().unwrap();
        assert!(seen == 0 || seen == 7, "{seen}");
        drop(part);
        assert!(lock.try_write().is_ok(), "every permit came back");
    });
}
