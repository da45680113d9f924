//! `join!` and `try_join!`.

mod support;

use magpie::time::{sleep, Duration};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[test]
fn join_returns_every_output_in_argument_order() {
    let rt = support::rt(2);
    let out = rt.block_on(async {
        magpie::join!(
            async {
                sleep(Duration::from_millis(5)).await;
                1
            },
            async { "two" },
            std::future::ready(3.0),
        )
    });
    assert_eq!(out, (1, "two", 3.0));
}

#[test]
fn join_of_one_future_is_a_one_tuple_and_of_none_is_unit() {
    let rt = support::rt(1);
    rt.block_on(async {
        let (x,) = magpie::join!(async { 9 });
        assert_eq!(x, 9);
        let () = magpie::join!();
    });
}

#[test]
fn join_runs_its_futures_concurrently_in_one_task() {
    // Each future waits for the other to have started: only concurrent
    // polling lets both finish.
    let rt = support::rt(1);
    let started = Arc::new(AtomicUsize::new(0));
    let wait_for_both = |started: Arc<AtomicUsize>| async move {
        started.fetch_add(1, Ordering::SeqCst);
        while started.load(Ordering::SeqCst) < 2 {
            magpie::task::yield_now().await;
        }
    };
    rt.block_on(async {
        magpie::join!(
            wait_for_both(started.clone()),
            wait_for_both(started.clone())
        );
    });
    assert_eq!(started.load(Ordering::SeqCst), 2);
}

#[test]
fn join_borrows_locals_without_spawning() {
    let rt = support::rt(1);
    let mut a = vec![1];
    let b = String::from("x");
    rt.block_on(async {
        let (len, s) = magpie::join!(
            async {
                a.push(2);
                a.len()
            },
            async { b.as_str() }
        );
        assert_eq!((len, s), (2, "x"));
    });
}

#[test]
fn try_join_returns_all_oks() {
    let rt = support::rt(1);
    let out: Result<(u8, &str), String> =
        rt.block_on(async { magpie::try_join!(async { Ok(1) }, async { Ok("a") }) });
    assert_eq!(out, Ok((1, "a")));
}

#[test]
fn try_join_returns_the_first_error_and_drops_the_rest() {
    let rt = support::rt(1);
    let drops = support::DropCounter::default();
    let token = drops.token();
    let out: Result<((), ()), &str> = rt.block_on(async {
        magpie::try_join!(
            async move {
                let _token = token;
                std::future::pending::<()>().await;
                Ok(())
            },
            async {
                sleep(Duration::from_millis(1)).await;
                Err("boom")
            },
        )
    });
    assert_eq!(out, Err("boom"));
    assert_eq!(drops.count(), 1, "the pending future was dropped");
}

#[test]
fn try_join_of_nothing_is_ok_unit() {
    let rt = support::rt(1);
    rt.block_on(async {
        let r = magpie::try_join!();
        assert!(r.is_ok());
    });
}

#[test]
fn dropping_join_drops_its_futures() {
    let rt = support::rt(1);
    let drops = support::DropCounter::default();
    let (t1, t2) = (drops.token(), drops.token());
    rt.block_on(async {
        let joined = async move {
            magpie::join!(
                async move {
                    let _t = t1;
                    std::future::pending::<()>().await
                },
                async move {
                    let _t = t2;
                }
            )
        };
        let r = magpie::time::timeout(Duration::from_millis(5), joined).await;
        assert!(r.is_err());
    });
    assert_eq!(drops.count(), 2);
}
