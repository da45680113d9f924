//! `select!`.
//!
//! Expansion, in order:
//!
//! 1. Evaluate every branch's `if` precondition; a `false` one is disabled
//!    and its future expression is not evaluated.
//! 2. Evaluate the enabled futures, left to right, into pinned locals.
//! 3. Poll the enabled futures, starting at a random branch (at the first
//!    with `biased;`). A future that completes with a value its pattern does
//!    not match disables its branch. The first match ends the polling; if
//!    every branch is disabled instead, the `else` branch is taken (and
//!    without `else`, `select!` panics).
//! 4. Drop all the futures (ending their borrows), then match the value
//!    against the winning branch's pattern and evaluate its handler. The
//!    handler runs in the enclosing function, so `break`, `continue`,
//!    `return`, `?` and `.await` in it act there.
//!
//! Pattern matching in step 3 is done on a reference to the output, so a
//! pattern may not use `mut` bindings of non-`Copy` values; bind without
//! `mut` and rebind in the handler (`let mut x = x;`).

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
/// * Branches are polled in a random order each time the task wakes, so a
///   branch that is always ready cannot starve the others. With `biased;`
///   as the first line they are polled top to bottom (useful for giving
///   shutdown signals priority, or for deterministic tests).
/// * If a future completes with a value that does not match its pattern,
///   that branch is disabled for the rest of this `select!` and the others
///   continue. A branch whose `if` precondition is `false` is disabled from
///   the start, and its future expression is not even evaluated.
/// * When every branch is disabled, `select!` evaluates `else`; without an
///   `else` branch it panics.
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
        $crate::__select!(@parse [true] [] [] $($rest)*)
    };
    ($($rest:tt)*) => {
        $crate::__select!(@parse [false] [] [] $($rest)*)
    };
}

/// Normalises `select!` branches, then expands them. Not public API.
///
/// State: `[biased]`, `[index tokens]` (`+ 1` per branch so far, giving the
/// next branch's index), `[branches]`, then the unparsed input.
#[doc(hidden)]
#[macro_export]
macro_rules! __select {
    // `else` ends the input.
    (@parse [$b:tt] [$($n:tt)*] [$($br:tt)*] else => $e:expr $(,)?) => {
        $crate::__select!(@emit [$b] [$($br)*] [$e])
    };
    // No more input and no `else`.
    (@parse [$b:tt] [$($n:tt)*] [$($br:tt)*]) => {
        $crate::__select!(@emit [$b] [$($br)*] [
            ::std::panic!("select!: all branches are disabled and there is no else branch")
        ])
    };
    // Branch with a precondition; block handler, with or without a comma.
    (@parse [$b:tt] [$($n:tt)*] [$($br:tt)*]
        $p:pat = $f:expr, if $c:expr => $h:block, $($rest:tt)*) => {
        $crate::__select!(@branch [$b] [$($n)*] [$($br)*] [$p] [$f] [$c] [$h] $($rest)*)
    };
    (@parse [$b:tt] [$($n:tt)*] [$($br:tt)*]
        $p:pat = $f:expr, if $c:expr => $h:block $($rest:tt)*) => {
        $crate::__select!(@branch [$b] [$($n)*] [$($br)*] [$p] [$f] [$c] [$h] $($rest)*)
    };
    // Branch with a precondition; expression handler.
    (@parse [$b:tt] [$($n:tt)*] [$($br:tt)*]
        $p:pat = $f:expr, if $c:expr => $h:expr, $($rest:tt)*) => {
        $crate::__select!(@branch [$b] [$($n)*] [$($br)*] [$p] [$f] [$c] [$h] $($rest)*)
    };
    (@parse [$b:tt] [$($n:tt)*] [$($br:tt)*]
        $p:pat = $f:expr, if $c:expr => $h:expr) => {
        $crate::__select!(@branch [$b] [$($n)*] [$($br)*] [$p] [$f] [$c] [$h])
    };
    // The same four without a precondition.
    (@parse [$b:tt] [$($n:tt)*] [$($br:tt)*]
        $p:pat = $f:expr => $h:block, $($rest:tt)*) => {
        $crate::__select!(@branch [$b] [$($n)*] [$($br)*] [$p] [$f] [true] [$h] $($rest)*)
    };
    (@parse [$b:tt] [$($n:tt)*] [$($br:tt)*]
        $p:pat = $f:expr => $h:block $($rest:tt)*) => {
        $crate::__select!(@branch [$b] [$($n)*] [$($br)*] [$p] [$f] [true] [$h] $($rest)*)
    };
    (@parse [$b:tt] [$($n:tt)*] [$($br:tt)*]
        $p:pat = $f:expr => $h:expr, $($rest:tt)*) => {
        $crate::__select!(@branch [$b] [$($n)*] [$($br)*] [$p] [$f] [true] [$h] $($rest)*)
    };
    (@parse [$b:tt] [$($n:tt)*] [$($br:tt)*]
        $p:pat = $f:expr => $h:expr) => {
        $crate::__select!(@branch [$b] [$($n)*] [$($br)*] [$p] [$f] [true] [$h])
    };
    // Records one branch with fresh `fut`/`out`/`off` locals and its index.
    (@branch [$b:tt] [$($n:tt)*] [$($br:tt)*] [$p:pat] [$f:expr] [$c:expr] [$h:expr] $($rest:tt)*) => {
        $crate::__select!(@parse [$b] [$($n)* + 1] [
            $($br)* (fut out off [0 $($n)*] [$p] [$f] [$c] [$h])
        ] $($rest)*)
    };
    (@emit [$b:tt] [] [$e:expr]) => {
        ::std::compile_error!("select! needs at least one branch")
    };
    (@emit [$b:tt]
        [$(($fut:ident $out:ident $off:ident [$($i:tt)*] [$p:pat] [$f:expr] [$c:expr] [$h:expr]))+]
        [$e:expr]
    ) => {{
        $( let mut $out = ::std::option::Option::None; )+
        {
            $( let mut $off: bool = !$c; )+
            $(
                let mut $fut = ::std::pin::pin!(if $off {
                    ::std::option::Option::None
                } else {
                    ::std::option::Option::Some(::std::future::IntoFuture::into_future($f))
                });
            )+
            let branches: usize = 0 $( + { let _ = $($i)*; 1 } )+;
            let start: usize = if $b { 0 } else { $crate::__private::random_below(branches) };
            ::std::future::poll_fn(|cx| {
                for step in 0..branches {
                    let branch = (start + step) % branches;
                    $(
                        if branch == $($i)* && !$off {
                            if let ::std::option::Option::Some(fut) = $fut.as_mut().as_pin_mut() {
                                if let ::std::task::Poll::Ready(v) = ::std::future::Future::poll(fut, cx) {
                                    #[allow(unused_variables, unused_mut, unreachable_patterns)]
                                    let matched = ::std::matches!(&v, $p);
                                    if matched {
                                        $out = ::std::option::Option::Some(v);
                                        return ::std::task::Poll::Ready(());
                                    }
                                    $off = true;
                                }
                            }
                        }
                    )+
                }
                if $( $off && )+ true {
                    ::std::task::Poll::Ready(())
                } else {
                    ::std::task::Poll::Pending
                }
            })
            .await;
        }
        $(
            if let ::std::option::Option::Some(v) = $out {
                match v {
                    $p => $h,
                    #[allow(unreachable_patterns)]
                    _ => ::std::unreachable!("select!: the pattern matched a moment ago"),
                }
            } else
        )+
        { $e }
    }};
}
