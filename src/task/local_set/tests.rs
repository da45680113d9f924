//! What only the crate can reach: spawning onto the *current* set
//! (`spawn_on_current`, behind the public `task::spawn_local`).

use super::*;
use std::cell::Cell;
use std::rc::Rc;

fn rt() -> Runtime {
    crate::runtime::Builder::new()
        .worker_threads(1)
        .build()
        .unwrap()
}

/// What `task::spawn_local` does, minus its panic outside a set.
#[track_caller]
fn spawn_here<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match spawn_on_current(future, Meta::here()) {
        Ok(h) => h,
        Err(_) => panic!("no LocalSet is running on this thread"),
    }
}

fn is_running_some_set() -> bool {
    spawn_on_current(async {}, Meta::here()).is_ok()
}

#[test]
fn outside_a_running_set_the_future_comes_back() {
    let local = LocalSet::new();
    let marker = Rc::new(());
    let back = spawn_on_current(
        {
            let marker = marker.clone();
            async move { drop(marker) }
        },
        Meta::here(),
    );
    assert!(back.is_err());
    drop(back);
    assert_eq!(Rc::strong_count(&marker), 1);
    assert_eq!(local.shared.owned.len(), 0);
}

#[test]
fn a_task_spawns_onto_its_own_set() {
    let rt = rt();
    let local = LocalSet::new();
    let hits = Rc::new(Cell::new(0));
    let h = local.spawn_local({
        let hits = hits.clone();
        async move {
            let inner = spawn_here({
                let hits = hits.clone();
                async move { hits.set(hits.get() + 1) }
            });
            inner.await.unwrap();
            hits.set(hits.get() + 1);
        }
    });
    local.block_on(&rt, h).unwrap();
    assert_eq!(hits.get(), 2);
    // The set is current inside run_until's own future too, and only there.
    local.block_on(&rt, async { assert!(is_running_some_set()) });
    assert!(!is_running_some_set());
}

#[test]
fn awaiting_the_set_also_waits_for_tasks_spawned_meanwhile() {
    let rt = rt();
    let local = LocalSet::new();
    let depth = Rc::new(Cell::new(0));
    fn chain(depth: Rc<Cell<u32>>, left: u32) -> std::pin::Pin<Box<dyn Future<Output = ()>>> {
        Box::pin(async move {
            crate::task::yield_now().await;
            depth.set(depth.get() + 1);
            if left > 0 {
                spawn_here(chain(depth, left - 1));
            }
        })
    }
    local.spawn_local(chain(depth.clone(), 9));
    rt.block_on(local);
    assert_eq!(depth.get(), 10);
}

#[test]
fn the_innermost_running_set_is_current_and_the_outer_comes_back() {
    let rt = rt();
    let outer = LocalSet::new();
    outer.block_on(&rt, async {
        let inner = LocalSet::new();
        inner
            .run_until(async {
                spawn_here(std::future::pending::<()>());
            })
            .await;
        assert_eq!(inner.shared.owned.len(), 1);
        assert_eq!(outer.shared.owned.len(), 0);
        spawn_here(std::future::pending::<()>());
        assert_eq!(outer.shared.owned.len(), 1);
    });
    assert!(!is_running_some_set());
}

/// Spawns onto the current set (and wakes `wake`) when dropped.
struct SpawnsOnDrop {
    spawned: Rc<RefCell<Option<JoinHandle<()>>>>,
    ran: Rc<Cell<bool>>,
    wake: Option<crate::sync::oneshot::Sender<()>>,
}

impl Drop for SpawnsOnDrop {
    fn drop(&mut self) {
        if let Some(tx) = self.wake.take() {
            let _ = tx.send(());
        }
        let ran = self.ran.clone();
        *self.spawned.borrow_mut() = Some(spawn_here(async move { ran.set(true) }));
    }
}

#[test]
fn a_spawn_from_a_drop_during_the_sets_drop_is_cancelled_at_once() {
    let rt = rt();
    let local = LocalSet::new();
    let spawned = Rc::new(RefCell::new(None));
    let ran = Rc::new(Cell::new(false));
    let (tx, rx) = crate::sync::oneshot::channel::<()>();
    // A second task that the drop below wakes: its wake lands on the set's
    // queue while the set is being dropped.
    let woken = local.spawn_local(async move {
        let _ = rx.await;
    });
    let guard = SpawnsOnDrop {
        spawned: spawned.clone(),
        ran: ran.clone(),
        wake: Some(tx),
    };
    local.spawn_local(async move {
        let _guard = guard;
        std::future::pending::<()>().await
    });
    local.block_on(&rt, crate::task::yield_now());
    drop(local);
    let h = spawned
        .borrow_mut()
        .take()
        .expect("the drop spawned a task");
    assert!(rt.block_on(h).unwrap_err().is_cancelled());
    assert!(!ran.get());
    // Either cancelled or (had it been polled) finished; never left hanging.
    assert!(woken.is_finished());
}

#[test]
fn a_drop_while_the_set_runs_may_spawn_and_wake() {
    let rt = rt();
    let local = LocalSet::new();
    let spawned = Rc::new(RefCell::new(None));
    let ran = Rc::new(Cell::new(false));
    let (tx, rx) = crate::sync::oneshot::channel::<()>();
    let woken = local.spawn_local(async move { rx.await.unwrap() });
    let guard = SpawnsOnDrop {
        spawned: spawned.clone(),
        ran: ran.clone(),
        wake: Some(tx),
    };
    // Completes on its first poll: the guard drops inside the tick.
    local.spawn_local(async move { drop(guard) });
    local.block_on(&rt, woken).unwrap();
    let h = spawned.borrow_mut().take().unwrap();
    local.block_on(&rt, h).unwrap();
    assert!(ran.get());
}
