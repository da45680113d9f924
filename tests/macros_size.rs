//! How big the futures of `select!` and `join!` are: their branches' own
//! futures, and not much else. `--nocapture` shows the sizes next to
//! tokio's for the same branches.

mod support;

use magpie::task::yield_now;
use magpie::time::{sleep, Duration};
use std::future::{ready, Future};
use std::mem::size_of_val;

/// The size of a future, by reference so that measuring does not move it.
fn size<F: Future>(fut: &F) -> usize {
    size_of_val(fut)
}

/// `n` rounded up to a whole number of words.
fn words(n: usize) -> usize {
    n.next_multiple_of(8)
}

#[test]
fn select_over_three_branches_is_its_branch_futures_and_a_word() {
    let rt = support::rt(1);
    // Inside the runtime, because creating a `sleep` needs one.
    rt.block_on(async {
        let branches = size(&sleep(Duration::from_secs(1))) + size(&ready(7u64)) + size(&yield_now());
        let magpie = size(&async {
            magpie::select! {
                () = sleep(Duration::from_secs(1)) => 0,
                n = ready(7u64) => n,
                () = yield_now() => 2,
            }
        });
        let tokio = size(&async {
            tokio::select! {
                () = sleep(Duration::from_secs(1)) => 0,
                n = ready(7u64) => n,
                () = yield_now() => 2,
            }
        });
        println!("select! over sleep, ready(u64), yield_now: branches {branches} B, magpie {magpie} B, tokio {tokio} B");
        // The word: the `async` block's own state, and the byte a disabled
        // branch's `None` may need.
        assert!(
            magpie <= words(branches) + 8,
            "select! future is {magpie} B for {branches} B of branches"
        );
        assert!(magpie < tokio, "select! future is {magpie} B, tokio's {tokio} B");
    });
}

#[test]
fn select_over_three_tiny_branches_is_three_slots_and_a_state_byte() {
    let slot = size_of_val(&Some(async { 1u64 }));
    let magpie = size(&async {
        magpie::select! {
            n = async { 1u64 } => n,
            n = async { 2u64 } => n,
            n = async { 3u64 } => n,
        }
    });
    let tokio = size(&async {
        tokio::select! {
            n = async { 1u64 } => n,
            n = async { 2u64 } => n,
            n = async { 3u64 } => n,
        }
    });
    println!(
        "select! over three `async {{ 1u64 }}`: slot {slot} B, magpie {magpie} B, tokio {tokio} B"
    );
    assert_eq!(magpie, 3 * slot + 1);
}

#[test]
fn join_of_three_is_its_futures_or_their_outputs_and_a_counter() {
    let rt = support::rt(1);
    rt.block_on(async {
        // A slot holds the future, then its output.
        let slot = |fut: usize, out: usize| fut.max(out);
        let slots = slot(size(&sleep(Duration::from_secs(1))), 0)
            + slot(size(&ready(7u64)), 8)
            + slot(size(&yield_now()), 0);
        let magpie = size(&async { magpie::join!(sleep(Duration::from_secs(1)), ready(7u64), yield_now()) });
        let tokio = size(&async { tokio::join!(sleep(Duration::from_secs(1)), ready(7u64), yield_now()) });
        println!("join! of sleep, ready(u64), yield_now: slots {slots} B, magpie {magpie} B, tokio {tokio} B");
        // A word for the rotation counter, one for the `async` block's state
        // and the slots' own tags.
        assert!(
            magpie <= words(slots) + 16,
            "join! future is {magpie} B for {slots} B of slots"
        );
        assert!(magpie < tokio, "join! future is {magpie} B, tokio's {tokio} B");
    });
}
