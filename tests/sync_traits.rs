//! Every sync type and future can cross threads where its contents can, so
//! they work in spawned tasks of any multi-thread executor.

use magpie::sync::{broadcast, mpsc, oneshot, watch};
use magpie::sync::{Barrier, Mutex, Notify, RwLock, Semaphore};
use std::sync::Arc;

fn send_sync<T: Send + Sync>(_: &T) {}
fn send<T: Send>(_: &T) {}

/// Compiles only if `$t` does *not* implement `$trait`: with the blanket
/// impl for `()` and a second one for types that implement the trait, the
/// call is ambiguous (an error) exactly when the trait holds.
macro_rules! assert_not_impl {
    ($t:ty: $trait:path) => {{
        trait AmbiguousIfImpl<A> {
            fn check() {}
        }
        impl<T: ?Sized> AmbiguousIfImpl<()> for T {}
        #[allow(dead_code)]
        struct Invalid;
        impl<T: ?Sized + $trait> AmbiguousIfImpl<Invalid> for T {}
        <$t as AmbiguousIfImpl<_>>::check();
    }};
}

#[test]
fn primitives_and_their_futures_are_send_and_sync() {
    let m = Mutex::new(0);
    let rw = RwLock::new(0);
    let sem = Semaphore::new(1);
    let notify = Notify::new();
    let barrier = Barrier::new(1);
    send_sync(&m);
    send_sync(&rw);
    send_sync(&sem);
    send_sync(&notify);
    send_sync(&barrier);
    send(&m.lock());
    send(&Arc::new(Mutex::new(0)).lock_owned());
    send(&rw.read());
    send(&rw.write());
    send(&sem.acquire());
    send(&notify.notified());
    send(&barrier.wait());
}

#[test]
fn channel_halves_and_their_futures_are_send() {
    let (tx, mut rx) = mpsc::channel::<String>(1);
    send_sync(&tx);
    send(&tx.send(String::new()));
    send(&rx.recv());
    let (utx, urx) = mpsc::unbounded_channel::<String>();
    send_sync(&utx);
    send(&urx);
    let (otx, orx) = oneshot::channel::<String>();
    send(&otx);
    send(&orx);
    let (btx, mut brx) = broadcast::channel::<String>(1);
    send_sync(&btx);
    send(&brx.recv());
    let (wtx, mut wrx) = watch::channel(String::new());
    send_sync(&wtx);
    send(&wrx.changed());
}

/// `Send` and `Sync` of a type, checked at compile time.
fn assert_send_sync<T: Send + Sync + ?Sized>() {}
fn assert_send<T: Send + ?Sized>() {}
fn assert_sync<T: Sync + ?Sized>() {}

type NotSync = std::cell::Cell<u8>;
type NotSend = std::sync::MutexGuard<'static, u8>; // Sync, not Send
type Neither = std::rc::Rc<u8>;

#[test]
fn owned_mapped_mutex_guards_are_send_and_sync_as_a_mut_reference_is() {
    use magpie::sync::OwnedMappedMutexGuard as G;
    assert_send_sync::<G<(u8, String), String>>();
    assert_send_sync::<G<Vec<u8>, [u8]>>();
    // `&mut U` may move where `U: Send`, and be shared where `U: Sync`.
    assert_send::<G<NotSync, NotSync>>();
    assert_not_impl!(G<NotSync, NotSync>: Sync);
    assert_sync::<G<u8, NotSend>>();
    assert_not_impl!(G<u8, NotSend>: Send);
    // The `Arc<Mutex<T>>` inside needs `T: Send` either way.
    assert_not_impl!(G<Neither, u8>: Send);
    assert_not_impl!(G<Neither, u8>: Sync);
}

#[test]
fn owned_rwlock_guards_are_send_and_sync_as_their_references_are() {
    use magpie::sync::{OwnedRwLockMappedWriteGuard as W, OwnedRwLockReadGuard as R};
    assert_send_sync::<R<(u8, String), str>>();
    assert_send_sync::<W<(u8, String), str>>();
    // A read guard is a `&U`: it moves and is shared where `U: Sync`.
    assert_not_impl!(R<u8, NotSync>: Send);
    assert_not_impl!(R<u8, NotSync>: Sync);
    assert_send_sync::<R<u8, NotSend>>();
    // A mapped write guard is a `&mut U`.
    assert_send::<W<u8, NotSync>>();
    assert_not_impl!(W<u8, NotSync>: Sync);
    assert_sync::<W<u8, NotSend>>();
    assert_not_impl!(W<u8, NotSend>: Send);
    // The `Arc<RwLock<T>>` inside needs `T: Send + Sync` either way.
    assert_not_impl!(R<NotSync, u8>: Send);
    assert_not_impl!(W<NotSync, u8>: Sync);
    assert_not_impl!(R<Neither, u8>: Sync);
}

#[test]
fn once_cells_and_their_futures_are_send_and_sync_where_the_value_is() {
    use magpie::sync::OnceCell;
    let cell = OnceCell::<String>::new();
    send_sync(&cell);
    send(&cell.get_or_init(|| async { String::new() }));
    send(&cell.get_or_try_init(|| async { Ok::<_, ()>(String::new()) }));
    assert_send::<OnceCell<NotSync>>();
    assert_not_impl!(OnceCell<NotSync>: Sync);
    assert_not_impl!(OnceCell<NotSend>: Send);
    assert_not_impl!(OnceCell<NotSend>: Sync);
}
