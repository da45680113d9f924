//! Task-locals, the public coop functions, and `JoinSet::join_all`.

mod support;

use magpie::task::{self, JoinSet};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

magpie::task_local! {
    static ID: u32;
    static NAME: String;
}

#[test]
fn each_task_sees_its_own_value_across_workers() {
    let rt = support::rt(4);
    rt.block_on(async {
        let mut set = JoinSet::new();
        for i in 0..64u32 {
            set.spawn(ID.scope(i, async move {
                for _ in 0..50 {
                    task::yield_now().await;
                    assert_eq!(ID.get(), i);
                }
                i
            }));
        }
        let mut got = set.join_all().await;
        got.sort();
        assert_eq!(got, (0..64).collect::<Vec<_>>());
    });
}

#[test]
fn the_value_is_in_scope_while_the_future_is_dropped() {
    struct ReadsOnDrop(Arc<AtomicUsize>);
    impl Drop for ReadsOnDrop {
        fn drop(&mut self) {
            let v = ID.try_with(|v| *v).unwrap_or(0);
            self.0.store(v as usize, Ordering::SeqCst);
        }
    }
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let mut fut = Box::pin(ID.scope(42, async move {
        let _guard = ReadsOnDrop(s);
        std::future::pending::<()>().await
    }));
    // Poll once so the guard exists inside the future's state.
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(fut.as_mut().poll(&mut cx).is_pending());
    assert!(ID.try_with(|_| ()).is_err(), "not set between polls");
    drop(fut);
    assert_eq!(seen.load(Ordering::SeqCst), 42);
    assert!(ID.try_with(|_| ()).is_err(), "restored after the drop");
}

#[test]
fn nested_scopes_restore_and_a_panic_restores_too() {
    NAME.sync_scope("outer".to_string(), || {
        NAME.sync_scope("inner".to_string(), || assert_eq!(NAME.get(), "inner"));
        assert_eq!(NAME.get(), "outer");
        let r = std::panic::catch_unwind(|| {
            NAME.sync_scope("boom".to_string(), || panic!("inside"));
        });
        assert!(r.is_err());
        assert_eq!(NAME.get(), "outer");
    });
    assert!(NAME.try_with(|_| ()).is_err());
}

#[test]
#[should_panic(expected = "not set")]
fn get_outside_the_scope_panics_with_a_clear_message() {
    let _ = ID.get();
}

#[test]
fn join_all_resumes_a_task_panic() {
    let rt = support::rt(2);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(async { 1 });
            set.spawn(async { panic!("task failed") });
            set.join_all().await
        })
    }))
    .unwrap_err();
    assert_eq!(support::panic_message(&*err), "task failed");
}

#[test]
fn unconstrained_code_is_never_made_to_yield() {
    let rt = support::rt(1);
    rt.block_on(async {
        let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
        for i in 0..2000 {
            tx.send(i).unwrap();
        }
        magpie::spawn(task::coop::unconstrained(async move {
            for _ in 0..2000 {
                rx.recv().await.unwrap();
            }
        }))
        .await
        .unwrap();
    });
    assert_eq!(rt.handle().metrics().budget_forced_yield_count(), 0);
}

#[test]
fn consume_budget_makes_a_busy_loop_take_turns() {
    let rt = magpie::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let flag = Arc::new(AtomicUsize::new(0));
        let f = flag.clone();
        let other = magpie::spawn(async move {
            f.store(1, Ordering::SeqCst);
        });
        // Never awaits anything but the budget: without it, `other` could
        // not run before the loop ends.
        let mut turns = 0;
        while flag.load(Ordering::SeqCst) == 0 {
            task::coop::consume_budget().await;
            turns += 1;
            assert!(turns < 10_000, "the loop never yielded");
        }
        other.await.unwrap();
    });
}
