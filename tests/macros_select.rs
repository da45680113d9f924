//! `select!`: first wins, patterns, preconditions, `else`, `biased;`.

#[path = "support/always_ready.rs"]
mod always_ready;
mod support;

use always_ready::{drain, drained_when_one_arrived, logs_polls, ten_thousand_messages_and_one};
use magpie::time::{sleep, Duration};
use std::cell::{Cell, RefCell};
use std::future::{pending, ready};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[test]
fn first_future_to_finish_wins_and_the_others_are_dropped() {
    let rt = support::rt(2);
    let drops = support::DropCounter::default();
    let token = drops.token();
    let winner = rt.block_on(async {
        magpie::select! {
            _ = async move { let _t = token; pending::<()>().await } => "pending",
            v = async { sleep(Duration::from_millis(2)).await; 5 } => { assert_eq!(v, 5); "sleep" }
        }
    });
    assert_eq!(winner, "sleep");
    assert_eq!(drops.count(), 1);
}

#[test]
fn losers_are_dropped_before_the_handler_runs() {
    let rt = support::rt(1);
    let mut v = vec![1, 2];
    rt.block_on(async {
        magpie::select! {
            // This future borrows `v` mutably; the handler may use `v`
            // again only because the future is gone by then.
            _ = async { v.push(3); pending::<()>().await } => {}
            _ = ready(()) => v.push(4),
        }
    });
    assert_eq!(v.last(), Some(&4));
}

#[test]
fn a_pattern_mismatch_disables_the_branch_and_others_continue() {
    let rt = support::rt(1);
    let got = rt.block_on(async {
        magpie::select! {
            biased;
            Some(x) = ready(None::<u32>) => x,
            Some(y) = async { sleep(Duration::from_millis(2)).await; Some(7) } => y * 10,
        }
    });
    assert_eq!(got, 70);
}

#[test]
fn else_runs_when_every_branch_is_disabled() {
    let rt = support::rt(1);
    let got = rt.block_on(async {
        magpie::select! {
            Ok(v) = ready(Err::<u8, ()>(())) => v as i32,
            Some(v) = ready(None::<u8>) => v as i32,
            else => -1,
        }
    });
    assert_eq!(got, -1);
}

#[test]
fn a_false_precondition_disables_the_branch_without_evaluating_its_future() {
    let rt = support::rt(1);
    let mut evaluated = false;
    let got = rt.block_on(async {
        magpie::select! {
            v = { evaluated = true; ready(1) }, if false => v,
            v = async { 2 }, if 1 + 1 == 2 => v,
        }
    });
    assert_eq!(got, 2);
    assert!(!evaluated);
}

#[test]
fn all_disabled_without_else_panics() {
    let rt = support::rt(1);
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            magpie::select! {
                _ = ready(()), if false => {}
            }
        })
    }));
    let message = support::panic_message(&*res.expect_err("select! did not panic"));
    assert!(message.contains("all branches are disabled"), "{message}");
}

#[test]
fn biased_polls_branches_top_to_bottom() {
    let rt = support::rt(1);
    rt.block_on(async {
        for _ in 0..50 {
            let v = magpie::select! {
                biased;
                a = ready(1) => a,
                b = ready(2) => b,
            };
            assert_eq!(v, 1);
        }
    });
}

#[test]
fn unbiased_select_starts_at_a_random_branch() {
    let rt = support::rt(1);
    let mut seen = [false; 3];
    rt.block_on(async {
        for _ in 0..300 {
            let v: usize = magpie::select! {
                a = ready(0) => a,
                b = ready(1) => b,
                c = ready(2) => c,
            };
            seen[v] = true;
        }
    });
    assert_eq!(seen, [true; 3], "every branch won at least once");
}

#[test]
fn handlers_can_break_return_and_await() {
    let rt = support::rt(1);
    let n = rt.block_on(async {
        let mut n = 0;
        loop {
            magpie::select! {
                _ = magpie::task::yield_now() => {
                    n += 1;
                    if n == 3 {
                        break;
                    }
                    sleep(Duration::from_millis(1)).await;
                    continue;
                }
            }
        }
        n
    });
    assert_eq!(n, 3);

    async fn early(x: Option<u8>) -> Result<u8, &'static str> {
        let v = magpie::select! {
            v = ready(x) => v.ok_or("none")?,
        };
        Ok(v + 1)
    }
    assert_eq!(rt.block_on(early(Some(1))), Ok(2));
    assert_eq!(rt.block_on(early(None)), Err("none"));
}

#[test]
fn select_over_a_future_polled_by_reference_keeps_it_across_iterations() {
    let rt = support::rt(1);
    rt.block_on(async {
        let long = sleep(Duration::from_millis(20));
        let mut long = std::pin::pin!(long);
        let mut ticks = 0;
        loop {
            magpie::select! {
                _ = &mut long => break,
                _ = sleep(Duration::from_millis(1)) => ticks += 1,
            }
        }
        let _ = ticks; // how many ticks ran depends on the machine
    });
}

#[test]
fn trailing_commas_and_blocks_without_commas_parse() {
    let rt = support::rt(1);
    let v = rt.block_on(async {
        magpie::select! {
            biased;
            x = ready(1) => { x }
            y = ready(2) => { y },
            z = ready(3), if true => z,
        }
    });
    assert_eq!(v, 1);
}

#[test]
fn mut_bindings_work_for_copy_values() {
    let rt = support::rt(1);
    let v = rt.block_on(async {
        magpie::select! {
            Some(mut x) = ready(Some(1u32)) => { x += 1; x }
        }
    });
    assert_eq!(v, 2);
}

#[test]
fn mut_bindings_work_for_owned_values_at_any_depth() {
    let rt = support::rt(1);
    let v = rt.block_on(async {
        magpie::select! {
            biased;
            (Some(mut s), [mut n, _]) = ready((Some(String::from("a")), [1u8, 2])) => {
                s.push('b');
                n += 1;
                format!("{s}{n}")
            }
            mut other = ready(String::new()) => { other.push('x'); other }
        }
    });
    assert_eq!(v, "ab2");
}

#[test]
fn struct_patterns_and_ref_mut_bindings_parse() {
    struct Pair {
        a: Vec<u8>,
        b: u8,
    }
    let rt = support::rt(1);
    let v = rt.block_on(async {
        magpie::select! {
            Pair { a: mut list, b: 3 } = ready(Pair { a: vec![1], b: 3 }) => {
                list.push(2);
                list.len()
            }
        }
    });
    assert_eq!(v, 2);
    let v = rt.block_on(async {
        magpie::select! {
            ref mut s = ready(String::from("q")) => { s.push('!'); s.clone() }
        }
    });
    assert_eq!(v, "q!");
}

#[test]
fn twelve_branches_with_nested_patterns_fit_the_default_recursion_limit() {
    let rt = support::rt(1);
    let v = rt.block_on(async {
        magpie::select! {
            biased;
            Some(mut x0) = ready(Some(0u32)) => { x0 += 100; x0 }
            Some(mut x1) = ready(Some(1u32)) => { x1 += 100; x1 }
            Some(mut x2) = ready(Some(2u32)) => { x2 += 100; x2 }
            Some(mut x3) = ready(Some(3u32)) => { x3 += 100; x3 }
            Some(mut x4) = ready(Some(4u32)) => { x4 += 100; x4 }
            Some(mut x5) = ready(Some(5u32)) => { x5 += 100; x5 }
            Some(mut x6) = ready(Some(6u32)) => { x6 += 100; x6 }
            Some(mut x7) = ready(Some(7u32)) => { x7 += 100; x7 }
            Some(mut x8) = ready(Some(8u32)) => { x8 += 100; x8 }
            Some(mut x9) = ready(Some(9u32)) => { x9 += 100; x9 }
            Some(mut x10) = ready(Some(10u32)) => { x10 += 100; x10 }
            Some(mut x11) = ready(Some(11u32)) => { x11 += 100; x11 }
        }
    });
    assert_eq!(v, 100);
}

#[test]
fn each_wake_starts_polling_at_a_new_random_branch() {
    let rt = support::rt(1);
    let log = RefCell::new(String::new());
    rt.block_on(async {
        magpie::select! {
            _ = logs_polls('a', 100, &log) => {}
            _ = logs_polls('b', 100, &log) => {}
        }
    });
    // Each of the first 100 polls logs both branches; the first of each
    // pair is the branch that poll started at.
    let firsts: String = log.into_inner().chars().step_by(2).take(100).collect();
    assert!(firsts.contains('a') && firsts.contains('b'), "{firsts}");
}

#[test]
fn a_branch_that_is_always_ready_does_not_starve_the_others() {
    let rt = support::rt(1);
    let (mut busy, mut one) = ten_thousand_messages_and_one();
    let drained = Cell::new(0);
    let winner = rt.block_on(async {
        magpie::select! {
            () = drain(&mut busy, &drained) => None,
            seen = drained_when_one_arrived(&mut one, &drained) => Some(seen),
        }
    });
    assert!(
        matches!(winner, Some(seen) if seen < 10_000),
        "the second branch lost to a drain of all 10,000 messages: {winner:?}"
    );
}

#[test]
fn select_with_only_an_else_branch_evaluates_it() {
    let rt = support::rt(1);
    let v = rt.block_on(async {
        magpie::select! { else => 1 }
    });
    assert_eq!(v, 1);
    let v = rt.block_on(async {
        magpie::select! {
            biased;
            else => 2,
        }
    });
    assert_eq!(v, 2);
}

// No `#![recursion_limit]` in this file: one macro step per branch.
#[test]
fn sixty_four_branches_fit_the_default_recursion_limit() {
    let rt = support::rt(1);
    let v = rt.block_on(async {
        magpie::select! {
            x = pending::<u32>(), if 0 == 64 => x,
            x = pending::<u32>(), if 1 == 64 => x,
            x = pending::<u32>(), if 2 == 64 => x,
            x = pending::<u32>(), if 3 == 64 => x,
            x = pending::<u32>(), if 4 == 64 => x,
            x = pending::<u32>(), if 5 == 64 => x,
            x = pending::<u32>(), if 6 == 64 => x,
            x = pending::<u32>(), if 7 == 64 => x,
            x = pending::<u32>(), if 8 == 64 => x,
            x = pending::<u32>(), if 9 == 64 => x,
            x = pending::<u32>(), if 10 == 64 => x,
            x = pending::<u32>(), if 11 == 64 => x,
            x = pending::<u32>(), if 12 == 64 => x,
            x = pending::<u32>(), if 13 == 64 => x,
            x = pending::<u32>(), if 14 == 64 => x,
            x = pending::<u32>(), if 15 == 64 => x,
            x = pending::<u32>(), if 16 == 64 => x,
            x = pending::<u32>(), if 17 == 64 => x,
            x = pending::<u32>(), if 18 == 64 => x,
            x = pending::<u32>(), if 19 == 64 => x,
            x = pending::<u32>(), if 20 == 64 => x,
            x = pending::<u32>(), if 21 == 64 => x,
            x = pending::<u32>(), if 22 == 64 => x,
            x = pending::<u32>(), if 23 == 64 => x,
            x = pending::<u32>(), if 24 == 64 => x,
            x = pending::<u32>(), if 25 == 64 => x,
            x = pending::<u32>(), if 26 == 64 => x,
            x = pending::<u32>(), if 27 == 64 => x,
            x = pending::<u32>(), if 28 == 64 => x,
            x = pending::<u32>(), if 29 == 64 => x,
            x = pending::<u32>(), if 30 == 64 => x,
            x = pending::<u32>(), if 31 == 64 => x,
            x = pending::<u32>(), if 32 == 64 => x,
            x = pending::<u32>(), if 33 == 64 => x,
            x = pending::<u32>(), if 34 == 64 => x,
            x = pending::<u32>(), if 35 == 64 => x,
            x = pending::<u32>(), if 36 == 64 => x,
            x = pending::<u32>(), if 37 == 64 => x,
            x = pending::<u32>(), if 38 == 64 => x,
            x = pending::<u32>(), if 39 == 64 => x,
            x = pending::<u32>(), if 40 == 64 => x,
            x = pending::<u32>(), if 41 == 64 => x,
            x = pending::<u32>(), if 42 == 64 => x,
            x = pending::<u32>(), if 43 == 64 => x,
            x = pending::<u32>(), if 44 == 64 => x,
            x = pending::<u32>(), if 45 == 64 => x,
            x = pending::<u32>(), if 46 == 64 => x,
            x = pending::<u32>(), if 47 == 64 => x,
            x = pending::<u32>(), if 48 == 64 => x,
            x = pending::<u32>(), if 49 == 64 => x,
            x = pending::<u32>(), if 50 == 64 => x,
            x = pending::<u32>(), if 51 == 64 => x,
            x = pending::<u32>(), if 52 == 64 => x,
            x = pending::<u32>(), if 53 == 64 => x,
            x = pending::<u32>(), if 54 == 64 => x,
            x = pending::<u32>(), if 55 == 64 => x,
            x = pending::<u32>(), if 56 == 64 => x,
            x = pending::<u32>(), if 57 == 64 => x,
            x = pending::<u32>(), if 58 == 64 => x,
            x = pending::<u32>(), if 59 == 64 => x,
            x = pending::<u32>(), if 60 == 64 => x,
            x = pending::<u32>(), if 61 == 64 => x,
            x = pending::<u32>(), if 62 == 64 => x,
            Some(mut x) = ready(Some(64u32)) => { x += 1; x }
        }
    });
    assert_eq!(v, 65);
}

#[test]
fn a_disabled_branch_takes_its_output_type_from_the_other_branches() {
    let rt = support::rt(1);
    let v = rt.block_on(async {
        magpie::select! {
            // `pending()`'s output type is known only from `y`'s handler.
            x = pending(), if false => x,
            Some(x) = pending(), if false => x,
            y = ready(5u8) => y,
        }
    });
    assert_eq!(v, 5);
}

#[test]
fn a_branch_may_borrow_a_temporary_future() {
    let rt = support::rt(1);
    let v = rt.block_on(async {
        magpie::select! {
            v = &mut ready(3) => v,
        }
    });
    assert_eq!(v, 3);
}

#[test]
fn a_branch_may_poll_a_pinned_future_by_reference_and_leave_it_running() {
    let rt = support::rt(1);
    rt.block_on(async {
        let mut sleep = std::pin::pin!(sleep(Duration::from_millis(5)));
        let first = magpie::select! {
            biased;
            () = &mut sleep => "sleep",
            () = ready(()) => "ready",
        };
        assert_eq!(first, "ready");
        // The same sleep, not a new one, finishes the second time.
        let second = magpie::select! {
            () = &mut sleep => "sleep",
        };
        assert_eq!(second, "sleep");
        assert!(magpie::time::Instant::now() >= sleep.deadline());
    });
}

#[test]
fn or_patterns_and_reference_patterns_work_as_written() {
    let rt = support::rt(1);
    let v = rt.block_on(async {
        magpie::select! {
            biased;
            Ok(n) | Err(n) = ready(Err::<u8, u8>(4)) => n,
        }
    });
    assert_eq!(v, 4);
    let v = rt.block_on(async {
        magpie::select! {
            biased;
            &7 = ready(&8) => "seven",
            &n = ready(&9) => if n == 9 { "nine" } else { "other" },
        }
    });
    assert_eq!(v, "nine");
}

#[test]
fn a_mismatched_branch_drops_its_future_at_once() {
    let rt = support::rt(1);
    let drops = support::DropCounter::default();
    let token = drops.token();
    let dropped_before_the_winner = rt.block_on(async {
        magpie::select! {
            biased;
            Some(()) = async move { let _t = token; None } => unreachable!(),
            () = async { sleep(Duration::from_millis(2)).await } => drops.count(),
        }
    });
    assert_eq!(dropped_before_the_winner, 1);
}

#[test]
fn a_select_loop_whose_winner_spends_no_budget_still_yields() {
    // Round and round: the channel branch always has a message (the loop
    // sends one back) and spends budget; the other branch is always ready
    // and spends none. Once the budget is spent the channel branch returns
    // `Pending` and the other one wins every time: without the budget check
    // at the top of `select!` the task never yields and the task that sets
    // `seen` never runs on this one-thread runtime.
    let rt = magpie::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let seen = Arc::new(AtomicBool::new(false));
    let turns = rt.block_on({
        let seen = seen.clone();
        async move {
            let started = Arc::new(AtomicBool::new(false));
            let setter = magpie::spawn({
                let started = started.clone();
                let seen = seen.clone();
                async move {
                    while !started.load(Ordering::Relaxed) {
                        magpie::task::yield_now().await;
                    }
                    seen.store(true, Ordering::Relaxed);
                }
            });
            let spinner = magpie::spawn({
                let seen = seen.clone();
                async move {
                    started.store(true, Ordering::Relaxed);
                    let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
                    tx.send(0u32).unwrap();
                    for turn in 0..100_000u32 {
                        if seen.load(Ordering::Relaxed) {
                            return Some(turn);
                        }
                        magpie::select! {
                            biased;
                            Some(v) = rx.recv() => tx.send(v + 1).unwrap(),
                            () = ready(()) => {}
                        }
                    }
                    None
                }
            });
            let turns = spinner.await.unwrap();
            setter.await.unwrap();
            turns
        }
    });
    let turns = turns.expect("the spinning select! loop never yielded to the other task");
    // It ran until its budget was spent, not forever.
    assert!(turns > 0, "the loop ran {turns} turns");
}

#[test]
fn pin_pins_several_futures_that_select_polls_by_reference_across_loops() {
    let rt = support::rt(1);
    let (first, second) = rt.block_on(async {
        let slow = sleep(Duration::from_millis(20));
        let counter = async {
            let mut n = 0u32;
            loop {
                magpie::task::yield_now().await;
                n += 1;
                if n == 3 {
                    return n;
                }
            }
        };
        magpie::pin!(slow, counter);
        let mut first = None;
        loop {
            magpie::select! {
                biased;
                n = &mut counter, if first.is_none() => first = Some(n),
                () = &mut slow => break,
            }
        }
        magpie::pin! {
            let later = async { "declared and pinned" };
        }
        (first, later.await)
    });
    assert_eq!(
        first,
        Some(3),
        "the counter kept its state across select! loops"
    );
    assert_eq!(second, "declared and pinned");
}
