//! `select!`.
//!
//! Expansion, in order:
//!
//! 1. Evaluate every branch's `if` precondition; a `false` one is disabled
//!    and its future expression is not evaluated.
//! 2. Evaluate the enabled futures, left to right, and move them into one
//!    list of slots (`future/slots.rs`); a disabled branch's slot is `None`.
//! 3. Poll the enabled futures, starting at a branch chosen at random on
//!    every poll (at the first with `biased;`). A future that completes
//!    with a value its pattern does not match disables its branch (its slot
//!    becomes `None`, dropping the future). The first match ends the
//!    polling with an `Outcome` naming the branch and holding the value; if
//!    every branch is disabled instead, the outcome says so and the `else`
//!    branch is taken (without `else`, `select!` panics).
//! 4. Drop all the futures (ending their borrows), then match the value
//!    against the winning branch's pattern and evaluate its handler. The
//!    handler runs in the enclosing function, so `break`, `continue`,
//!    `return`, `?` and `.await` in it act there.
//!
//! Step 3 tests the pattern, as written, on the value itself, with a guard
//! that runs only when the pattern matches and then refuses the arm: no
//! binding moves anything, so the value is still whole for step 4, and
//! `mut`, `ref` and `&` patterns need no rewriting. So the macro never
//! reads a pattern token by token: it reads one branch per step (a
//! `$p:pat`, a `$f:expr`, a handler), and the default recursion limit
//! allows well over a hundred branches.
//!
//! Size: the future a `select!` awaits is the slot list and nothing else
//! (no pointer per branch, no output slot per branch, no flags: the
//! polling closure captures nothing, and `None` is the disabled flag).
//! Everything held across the `.await` is in the block that ends with it,
//! so the enclosing `async` block stores no other local of the macro's.

/// Waits on several futures at once and runs the handler of the first one
/// to complete; the others are dropped (cancelled). asyncio's
/// `asyncio.wait(..., return_when=FIRST_COMPLETED)` followed by cancelling
/// the pending ones, in one expression.
///
/// ```text
/// magpie::select! {
///     [biased;]
///     <pattern> = <future> [, if <precondition>] => <handler>,
///     ...
///     [else => <expression>]
/// }
/// ```
///
/// * Each time the task wakes, polling starts at a randomly chosen branch
///   (then goes round in order), so a branch that is always ready cannot
///   starve the others. With `biased;` as the first line they are polled
///   top to bottom (useful for giving
///   shutdown signals priority, or for deterministic tests).
/// * If a future completes with a value that does not match its pattern,
///   that branch is disabled for the rest of this `select!` and the others
///   continue. A branch whose `if` precondition is `false` is disabled from
///   the start, and its future expression is not even evaluated.
/// * If a future completes with a value that does not match its pattern,
///   it is dropped there and then. The losers are dropped when the winner
///   is found, before its handler runs, so a handler may use what they
///   borrowed.
/// * When every branch is disabled, `select!` evaluates `else`; without an
///   `else` branch it panics. A `select!` of only `else` evaluates it.
/// * A branch's future may be `&mut` a future that is `Unpin` (a pinned
///   one: `&mut sleep` after `let mut sleep = pin!(sleep(..))`), which
///   polls it without consuming it, so it can be awaited again after the
///   `select!`; or `&mut` a temporary (`&mut some_future()`), which lives
///   until the `select!` ends.
/// * Any number of branches fits the default recursion limit up to about
///   120 (one macro step per branch).
/// * The value of `select!` is the value of the handler that ran.
///
/// ```
/// use magpie::time::{sleep, Duration};
///
/// let rt = magpie::Runtime::new().unwrap();
/// let winner = rt.block_on(async {
///     magpie::select! {
///         _ = sleep(Duration::from_secs(60)) => "timer",
///         v = async { 42 } => {
///             assert_eq!(v, 42);
///             "value"
///         }
///     }
/// });
/// assert_eq!(winner, "value");
/// ```
///
/// Patterns and `else`: here both futures finish with `None`, so both
/// branches are disabled and `else` runs.
///
/// ```
/// let rt = magpie::Runtime::new().unwrap();
/// let got = rt.block_on(async {
///     magpie::select! {
///         biased;
///         Some(x) = async { None::<u32> } => x,
///         Some(y) = async { None::<u32> }, if true => y + 100,
///         else => 0,
///     }
/// });
/// assert_eq!(got, 0);
/// ```
///
/// A future polled by reference, then awaited to the end:
///
/// ```
/// use magpie::time::{sleep, Duration};
/// use std::pin::pin;
///
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut slow = pin!(sleep(Duration::from_millis(20)));
///     let first = magpie::select! {
///         () = &mut slow => "slow",
///         () = sleep(Duration::from_millis(1)) => "fast",
///     };
///     assert_eq!(first, "fast");
///     slow.await; // the same sleep, already partly waited for
///     let only_else = magpie::select! { else => "else" };
///     assert_eq!(only_else, "else");
/// });
/// ```
///
/// # Cancellation safety
///
/// When one branch wins, the futures of the other branches are dropped
/// mid-flight. In a loop like
///
/// ```text
/// loop {
///     magpie::select! {
///         line = read_line(&mut socket) => ...,
///         msg = rx.recv() => ...,
///     }
/// }
/// ```
///
/// every iteration creates fresh futures and drops the losers, so each
/// future in a looping `select!` must be *cancellation safe*: dropping it
/// before completion must not lose data. Receiving from a channel, waiting
/// on `Notify`, `sleep`, and accepting a connection are cancellation safe
/// (nothing was taken yet, or what was taken stays queued). Reading into a
/// buffer that lives *outside* the future is safe; a future that reads a
/// whole line into its own local buffer, or `write_all`, is not: the
/// partial line or the count of bytes written is lost with it. For those,
/// keep the state outside the loop (a buffer you reuse, or a future created
/// once before the loop and polled by `&mut` reference).
#[macro_export]
macro_rules! select {
    (biased; $($rest:tt)*) => {
        $crate::__select!(@parse [true] [] [] [$crate::__private::Disabled] $($rest)*)
    };
    ($($rest:tt)*) => {
        $crate::__select!(@parse [false] [] [] [$crate::__private::Disabled] $($rest)*)
    };
}

/// Reads `select!` branches, then expands them. Not public API.
///
/// The state is four groups: `[biased] [count] [branches] [disabled]`.
/// `count` is `+ 1` once per branch so far (branch `i` gets the index
/// `0 + 1 + ..`, `i` times). Each branch is recorded as
/// `([path] [won] (fut cond out [index] [pattern] [future] [condition] [handler]))`
/// where `fut`, `cond` and `out` are fresh (hygienic) local names; `path`
/// is the `init` steps that lead from the slot list to the branch's slot,
/// and `won` the [`Outcome`](crate::__private::Outcome) that says this
/// branch won with `out`, usable both as an expression and as a pattern.
/// `disabled` is the outcome that says every branch is disabled. Each new
/// branch adds one `init` to every earlier path and wraps every earlier
/// outcome in `Earlier(..)`, all in the step that reads it: one macro step
/// per branch, whatever the patterns, so the recursion limit allows about
/// 120 branches.
///
/// A branch is `$p:pat = $f:expr [, if $c:expr] => handler`; a block
/// handler may be followed by the next branch with or without a comma, so
/// each step first drops a comma left over from the previous branch.
#[doc(hidden)]
#[macro_export]
macro_rules! __select {
    // `else` ends the input.
    (@parse $b:tt $n:tt $br:tt $dis:tt $(,)? else => $e:expr $(,)?) => {
        $crate::__select!(@emit $b $n $br $dis [$e])
    };
    // No more input: without any branch, an error; without `else`, a panic.
    (@parse $b:tt [] [] $dis:tt $(,)?) => {
        ::std::compile_error!("select! needs at least one branch or an `else` branch")
    };
    (@parse $b:tt $n:tt $br:tt $dis:tt $(,)?) => {
        $crate::__select!(@emit $b $n $br $dis [
            $crate::__private::all_branches_disabled()
        ])
    };
    // A branch with a block handler; what follows may start with a comma.
    (@parse $b:tt [$($n:tt)*] [$(([$($path:ident)*] [$($won:tt)*] $rec:tt))*] [$($dis:tt)*]
        $(,)? $p:pat = $f:expr $(, if $c:expr)? => $h:block $($rest:tt)*
    ) => {
        $crate::__select!(@parse $b [$($n)* + 1] [
            $(([init $($path)*] [$crate::__private::Outcome::Earlier($($won)*)] $rec))*
            ([] [$crate::__private::Outcome::Last(out)] (fut cond out [0 $($n)*] [$p] [$f] [$($c)?] [$h]))
        ] [$crate::__private::Outcome::Earlier($($dis)*)] $($rest)*)
    };
    // A branch with any other handler, which a comma ends.
    (@parse $b:tt [$($n:tt)*] [$(([$($path:ident)*] [$($won:tt)*] $rec:tt))*] [$($dis:tt)*]
        $(,)? $p:pat = $f:expr $(, if $c:expr)? => $h:expr $(, $($rest:tt)*)?
    ) => {
        $crate::__select!(@parse $b [$($n)* + 1] [
            $(([init $($path)*] [$crate::__private::Outcome::Earlier($($won)*)] $rec))*
            ([] [$crate::__private::Outcome::Last(out)] (fut cond out [0 $($n)*] [$p] [$f] [$($c)?] [$h]))
        ] [$crate::__private::Outcome::Earlier($($dis)*)] $($($rest)*)?)
    };

    // A branch's precondition; `true` when it has none.
    (@enabled) => {
        true
    };
    (@enabled $c:expr) => {
        $c
    };

    // Only `else`: nothing to wait for.
    (@emit $b:tt $n:tt [] $dis:tt [$e:expr]) => {{
        $e
    }};
    (@emit [$b:tt] [$($n:tt)*] [$((
        [$($path:ident)*] [$($won:tt)*]
        ($fut:ident $cond:ident $out:ident [$($i:tt)*] [$p:pat] [$f:expr] [$($c:expr)?] [$h:expr])
    ))+] [$($dis:tt)*] [$e:expr]) => {{
        // Steps 1 to 3 in one block, whose value is the outcome. The
        // futures are evaluated into `let`s (so that a temporary a branch
        // borrows, `&mut fut()`, lives as long as the block) and moved into
        // the slots at once (`None`: disabled). The closure captures nothing,
        // and nothing of the block is used after the `.await`, which is its
        // tail: the future awaited here is the slots alone.
        let outcome = {
            // Step 1: every precondition.
            $( let $cond: bool = $crate::__select!(@enabled $($c)?); )+
            // Step 2: the enabled futures.
            $(
                let $fut = if $cond {
                    ::std::option::Option::Some($f)
                } else {
                    ::std::option::Option::None
                };
            )+
            // Step 3: poll them.
            $crate::__private::poll_branches(
                $crate::__private::NoSlots $(
                    .push(::std::option::Option::map($fut, ::std::future::IntoFuture::into_future))
                )+,
                |mut slots, cx| {
                    // A task whose budget is spent yields here, before any
                    // branch can win without spending budget.
                    if $crate::__private::poll_budget_available(cx).is_pending() {
                        return ::std::task::Poll::Pending;
                    }
                    const BRANCHES: usize = 0 $($n)*;
                    // A new start on every poll, not once per `select!`: a
                    // branch polled first each time could spend the task's
                    // whole budget every time.
                    let start: usize = if $b || BRANCHES == 1 {
                        0
                    } else {
                        $crate::__private::random_below(BRANCHES)
                    };
                    for step in 0..BRANCHES {
                        // `(start + step) % BRANCHES`, without a division.
                        let branch = match start + step {
                            n if n < BRANCHES => n,
                            n => n - BRANCHES,
                        };
                        $(
                            if branch == ($($i)*) {
                                let mut slot = slots.as_mut() $(.$path())* .last();
                                if let ::std::option::Option::Some(fut) = slot.as_mut().as_pin_mut() {
                                    if let ::std::task::Poll::Ready(value) = ::std::future::Future::poll(fut, cx) {
                                        #[allow(unused_mut)]
                                        let mut $out = value;
                                        // Does the pattern match? The guard runs
                                        // only if it does and then refuses the
                                        // arm, so no binding moves out of `out`:
                                        // the pattern works as written, `mut`
                                        // and `ref` included.
                                        let mut matched = false;
                                        #[allow(unused_variables, unused_mut, unreachable_code)]
                                        match $out {
                                            $p if {
                                                matched = true;
                                                false
                                            } => $crate::__private::never_taken(),
                                            _ => {}
                                        }
                                        if matched {
                                            return ::std::task::Poll::Ready($($won)*);
                                        }
                                        // A mismatch disables the branch.
                                        slot.set(::std::option::Option::None);
                                    }
                                }
                            }
                        )+
                    }
                    if $( slots.as_mut() $(.$path())* .last().is_none() && )+ true {
                        ::std::task::Poll::Ready($($dis)*)
                    } else {
                        ::std::task::Poll::Pending
                    }
                },
            )
            .await
        };
        // Step 4: the futures are gone (the polling future was a temporary
        // of the block, and the `let`s ended with it); run the winner's handler here, in the enclosing
        // function.
        match outcome {
            $(
                $($won)* => {
                    // `mut`: a `ref mut` binding in the pattern borrows
                    // `out` mutably.
                    #[allow(unused_mut)]
                    let mut $out = $out;
                    match $out {
                        $p => $h,
                        #[allow(unreachable_patterns)]
                        _ => $crate::__private::never_taken(),
                    }
                }
            )+
            $($dis)* => $e,
        }
    }};
}
