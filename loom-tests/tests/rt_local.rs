#![cfg(loom)]
//! Local execution: the current-thread runtime's `block_on` thread and
//! tasks pinned to a multi-thread worker. A lost wake-up leaves a thread
//! asleep forever, which loom reports as a deadlock.

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;
use magpie::runtime::Builder;
use magpie::sync::oneshot;

/// `Handle::spawn` from another thread while the thread in `block_on`
/// goes to sleep (in the driver): the spawn must wake it, and the task
/// must run there.
#[test]
fn a_remote_spawn_wakes_the_current_thread_block_on() {
    loom::model(|| {
        let rt = Builder::new_current_thread().build().unwrap();
        let handle = rt.handle().clone();
        let (tx, rx) = oneshot::channel::<u32>();
        let t = thread::spawn(move || {
            drop(handle.spawn(async move {
                let _ = tx.send(3);
            }));
        });
        assert_eq!(rt.block_on(rx).unwrap(), 3);
        t.join().unwrap();
    });
}

/// A pinned task waits on a channel; another thread sends while the
/// task's worker parks. The wake goes to that worker's inbox and must
/// unpark *it* (nobody else may run the task).
fn remote_wake_of_a_pinned_task(workers: usize) {
    let rt = Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .unwrap();
    let (tx, rx) = oneshot::channel::<u32>();
    let h = rt.handle().spawn_pinned(move || async move {
        let local = std::rc::Rc::new(rx.await.unwrap());
        *local + 1
    });
    let t = thread::spawn(move || {
        let _ = tx.send(4);
    });
    assert_eq!(rt.block_on(h).unwrap(), 5);
    t.join().unwrap();
}

#[test]
fn a_remote_wake_of_a_pinned_task_while_its_worker_parks() {
    loom::model(|| remote_wake_of_a_pinned_task(1));
}

/// The runtime shuts down while another thread wakes a pinned task: the
/// wake either reaches the inbox before the worker closes it (and the
/// reference is dropped with it) or finds it closed; either way the
/// future is dropped exactly once, by its worker, and nothing hangs.
#[test]
fn shutdown_while_a_pinned_task_is_being_woken() {
    loom::model(|| {
        struct CountDrop(Arc<AtomicUsize>);
        impl Drop for CountDrop {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let drops = Arc::new(AtomicUsize::new(0));
        let rt = Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let (ready_tx, ready_rx) = oneshot::channel::<()>();
        let d = drops.clone();
        let h = rt.handle().spawn_pinned(move || async move {
            let _guard = CountDrop(d);
            let _ = ready_tx.send(());
            // Woken by the send below, or cancelled by the shutdown.
            let _ = rx.await;
            std::future::pending::<()>().await
        });
        rt.block_on(ready_rx).unwrap();
        let t = thread::spawn(move || {
            let _ = tx.send(());
        });
        drop(rt);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        drop(h);
    });
}

/// The same with two workers: the other worker may be the one awake (or
/// the driver holder), and must not take the pinned task; the owner must
/// still be woken. Large state space: one preemption per execution.
#[test]
fn a_remote_wake_of_a_pinned_task_while_its_worker_parks_2() {
    let mut model = loom::model::Builder::new();
    model.preemption_bound = Some(1);
    magpie_loom_tests::check(&model, || remote_wake_of_a_pinned_task(2));
}
