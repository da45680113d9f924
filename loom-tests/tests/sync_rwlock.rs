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
