//! `join!` and `try_join!`.

#[path = "support/always_ready.rs"]
mod always_ready;
mod support;

use always_ready::{drain, drained_when_one_arrived, logs_polls, ten_thousand_messages_and_one};
use magpie::time::{sleep, Duration};
use std::cell::{Cell, RefCell};
use std::future::Future;
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

/// `Ok` once `fut` finishes.
async fn ok_after(fut: impl Future<Output = ()>) -> Result<(), ()> {
    fut.await;
    Ok(())
}

#[test]
fn join_starts_polling_at_the_next_future_on_every_wake() {
    let rt = support::rt(1);
    let log = RefCell::new(String::new());
    rt.block_on(async {
        magpie::join!(
            logs_polls('a', 3, &log),
            logs_polls('b', 3, &log),
            logs_polls('c', 3, &log),
        )
    });
    assert_eq!(log.into_inner(), "abc bca cab abc".replace(' ', ""));
}

#[test]
fn a_future_that_is_always_ready_does_not_starve_the_others_in_join() {
    let rt = support::rt(1);
    let (mut busy, mut one) = ten_thousand_messages_and_one();
    let drained = Cell::new(0);
    let ((), seen) = rt.block_on(async {
        magpie::join!(
            drain(&mut busy, &drained),
            drained_when_one_arrived(&mut one, &drained)
        )
    });
    assert!(
        seen < 10_000,
        "the second future waited for all {seen} of the first's messages"
    );
}

#[test]
fn biased_join_polls_in_argument_order_on_every_wake() {
    let rt = support::rt(1);
    let log = RefCell::new(String::new());
    rt.block_on(async {
        magpie::join!(biased; logs_polls('a', 3, &log), logs_polls('b', 3, &log), logs_polls('c', 3, &log))
    });
    assert_eq!(log.into_inner(), "abc abc abc abc".replace(' ', ""));
}

#[test]
fn biased_join_lets_the_first_future_take_the_whole_budget() {
    // The price of the fixed order: the second future waits for the first.
    let rt = support::rt(1);
    let (mut busy, mut one) = ten_thousand_messages_and_one();
    let drained = Cell::new(0);
    let ((), seen) = rt.block_on(async {
        magpie::join!(biased; drain(&mut busy, &drained), drained_when_one_arrived(&mut one, &drained))
    });
    assert_eq!(seen, 10_000);
}

#[test]
fn biased_join_of_one_future_and_of_none() {
    let rt = support::rt(1);
    rt.block_on(async {
        let (x,) = magpie::join!(biased; async { 9 },);
        assert_eq!(x, 9);
        let () = magpie::join!(biased;);
    });
}

#[test]
fn try_join_starts_polling_at_the_next_future_on_every_wake() {
    let rt = support::rt(1);
    let log = RefCell::new(String::new());
    let ok = |id| ok_after(logs_polls(id, 3, &log));
    let out = rt.block_on(async { magpie::try_join!(ok('a'), ok('b'), ok('c')) });
    assert_eq!(out, Ok(((), (), ())));
    assert_eq!(log.into_inner(), "abc bca cab abc".replace(' ', ""));
}

#[test]
fn biased_try_join_polls_in_argument_order_on_every_wake() {
    let rt = support::rt(1);
    let log = RefCell::new(String::new());
    let ok = |id| ok_after(logs_polls(id, 3, &log));
    let out = rt.block_on(async { magpie::try_join!(biased; ok('a'), ok('b'), ok('c')) });
    assert_eq!(out, Ok(((), (), ())));
    assert_eq!(log.into_inner(), "abc abc abc abc".replace(' ', ""));
}

/// Yields once, then fails with `e`.
async fn fails_after_a_yield(e: &str) -> Result<(), &str> {
    magpie::task::yield_now().await;
    Err(e)
}

#[test]
fn try_join_returns_the_error_of_the_failing_future_it_polled_first() {
    // Both fail on the second poll, which starts at the second future.
    let rt = support::rt(1);
    let out = rt.block_on(async {
        magpie::try_join!(fails_after_a_yield("first"), fails_after_a_yield("second"))
    });
    assert_eq!(out, Err("second"));
}

#[test]
fn biased_try_join_returns_the_error_of_the_first_failing_argument() {
    let rt = support::rt(1);
    let out = rt.block_on(async {
        magpie::try_join!(biased; fails_after_a_yield("first"), fails_after_a_yield("second"))
    });
    assert_eq!(out, Err("first"));
    let () = rt.block_on(async { magpie::try_join!(biased;) }).unwrap();
}

#[test]
fn a_future_that_is_always_ready_does_not_starve_the_others_in_try_join() {
    let rt = support::rt(1);
    let (mut busy, mut one) = ten_thousand_messages_and_one();
    let drained = Cell::new(0);
    let out: Result<((), usize), ()> = rt.block_on(async {
        magpie::try_join!(ok_after(drain(&mut busy, &drained)), async {
            Ok(drained_when_one_arrived(&mut one, &drained).await)
        })
    });
    let seen = out.unwrap().1;
    assert!(
        seen < 10_000,
        "the second future waited for all {seen} of the first's messages"
    );
}

#[test]
fn join_accepts_borrowed_temporary_futures() {
    let rt = support::rt(1);
    let out = rt.block_on(async { magpie::join!(&mut std::future::ready(1), async { 2 }) });
    assert_eq!(out, (1, 2));
    let out = rt.block_on(async { magpie::try_join!(&mut std::future::ready(Ok::<_, ()>(3))) });
    assert_eq!(out, Ok((3,)));
}

// No `#![recursion_limit]` in this file: one macro step per future.
#[test]
fn join_of_sixty_four_futures_fits_the_default_recursion_limit() {
    let rt = support::rt(1);
    let out = rt.block_on(async {
        magpie::join!(
            async { 0u32 },
            async { 1u32 },
            async { 2u32 },
            async { 3u32 },
            async { 4u32 },
            async { 5u32 },
            async { 6u32 },
            async { 7u32 },
            async { 8u32 },
            async { 9u32 },
            async { 10u32 },
            async { 11u32 },
            async { 12u32 },
            async { 13u32 },
            async { 14u32 },
            async { 15u32 },
            async { 16u32 },
            async { 17u32 },
            async { 18u32 },
            async { 19u32 },
            async { 20u32 },
            async { 21u32 },
            async { 22u32 },
            async { 23u32 },
            async { 24u32 },
            async { 25u32 },
            async { 26u32 },
            async { 27u32 },
            async { 28u32 },
            async { 29u32 },
            async { 30u32 },
            async { 31u32 },
            async { 32u32 },
            async { 33u32 },
            async { 34u32 },
            async { 35u32 },
            async { 36u32 },
            async { 37u32 },
            async { 38u32 },
            async { 39u32 },
            async { 40u32 },
            async { 41u32 },
            async { 42u32 },
            async { 43u32 },
            async { 44u32 },
            async { 45u32 },
            async { 46u32 },
            async { 47u32 },
            async { 48u32 },
            async { 49u32 },
            async { 50u32 },
            async { 51u32 },
            async { 52u32 },
            async { 53u32 },
            async { 54u32 },
            async { 55u32 },
            async { 56u32 },
            async { 57u32 },
            async { 58u32 },
            async { 59u32 },
            async { 60u32 },
            async { 61u32 },
            async { 62u32 },
            async { 63u32 },
        )
    });
    assert_eq!(out.0 + out.63, 63);
}
