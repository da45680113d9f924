//! `select!`.
//!
//! Expansion, in order:
//!
//! 1. Evaluate every branch's `if` precondition; a `false` one is disabled
//!    and its future expression is not evaluated.
//! 2. Evaluate the enabled futures, left to right, into pinned locals.
//! 3. Poll the enabled futures, starting at a branch chosen at random on
//!    every poll (at the first with `biased;`). A future that completes
//!    with a value its pattern does not match disables its branch. The
//!    first match ends the polling; if every branch is disabled instead,
//!    the `else` branch is taken (and without `else`, `select!` panics).
//! 4. Drop all the futures (ending their borrows), then match the value
//!    against the winning branch's pattern and evaluate its handler. The
//!    handler runs in the enclosing function, so `break`, `continue`,
//!    `return`, `?` and `.await` in it act there.
//!
//! Step 3 matches the pattern against a *reference* to the output, with
//! every `mut` and `ref` removed from the pattern (a `mut` binding would
//! move out of the reference, and bindings bind by reference anyway);
//! step 4 matches the value itself with the pattern as written. Patterns are read token by token, so a `select!` with very many
//! branches or very long patterns may need a higher `#![recursion_limit]`.

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
///   starve the others. With `biased;`
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
        $crate::__select!(@parse {[true] [] []} $($rest)*)
    };
    ($($rest:tt)*) => {
        $crate::__select!(@parse {[false] [] []} $($rest)*)
    };
}

/// Normalises `select!` branches, then expands them. Not public API.
///
/// The state `{[biased] [index] [branches]}` travels as one token tree:
/// `index` is `+ 1` once per branch so far (the next branch's index is
/// `0 + 1 + ..`), and each branch is recorded as
/// `(fut out off [index] [pattern] [pattern without mut] [future] [condition] [handler])`
/// where `fut`, `out` and `off` are fresh (hygienic) local names.
///
/// A branch's pattern is read token by token up to its `=`, building two
/// copies: the pattern as written, and one with every `mut` and `ref` removed (for
/// the by-reference match that decides whether the branch won). Groups are
/// entered with an explicit stack of `(delimiter [outer copies] [rest])`.
#[doc(hidden)]
#[macro_export]
macro_rules! __select {
    // `else` ends the input.
    (@parse $s:tt else => $e:expr $(,)?) => {
        $crate::__select!(@emit $s [$e])
    };
    // No more input and no `else`.
    (@parse $s:tt) => {
        $crate::__select!(@emit $s [
            ::std::panic!("select!: all branches are disabled and there is no else branch")
        ])
    };
    // A branch: read its pattern.
    (@parse $s:tt $($rest:tt)+) => {
        $crate::__select!(@pat $s [] [] [] $($rest)+)
    };

    // Pattern reading: `[stack] [as written] [without mut] tokens`.
    (@pat $s:tt [] [$($p:tt)*] [$($q:tt)*] = $($rest:tt)*) => {
        $crate::__select!(@arm $s [$($p)*] [$($q)*] $($rest)*)
    };
    // At top level, `mut` and `ref` stay in the as-written copy only
    // (matching a reference binds by reference anyway), and a group
    // goes whole into the as-written copy while its tokens are read for
    // the other copy.
    (@pat $s:tt [] [$($p:tt)*] $q:tt mut $($rest:tt)*) => {
        $crate::__select!(@pat $s [] [$($p)* mut] $q $($rest)*)
    };
    (@pat $s:tt [] [$($p:tt)*] $q:tt ref $($rest:tt)*) => {
        $crate::__select!(@pat $s [] [$($p)* ref] $q $($rest)*)
    };
    (@pat $s:tt [] [$($p:tt)*] $q:tt ( $($in:tt)* ) $($rest:tt)*) => {
        $crate::__select!(@pat $s [(paren $q [$($rest)*])] [$($p)* ( $($in)* )] [] $($in)*)
    };
    (@pat $s:tt [] [$($p:tt)*] $q:tt [ $($in:tt)* ] $($rest:tt)*) => {
        $crate::__select!(@pat $s [(bracket $q [$($rest)*])] [$($p)* [ $($in)* ]] [] $($in)*)
    };
    (@pat $s:tt [] [$($p:tt)*] $q:tt { $($in:tt)* } $($rest:tt)*) => {
        $crate::__select!(@pat $s [(brace $q [$($rest)*])] [$($p)* { $($in)* }] [] $($in)*)
    };
    // Inside a group: drop `mut` and `ref`, enter nested groups.
    (@pat $s:tt [$($st:tt)+] $p:tt $q:tt mut $($rest:tt)*) => {
        $crate::__select!(@pat $s [$($st)+] $p $q $($rest)*)
    };
    (@pat $s:tt [$($st:tt)+] $p:tt $q:tt ref $($rest:tt)*) => {
        $crate::__select!(@pat $s [$($st)+] $p $q $($rest)*)
    };
    (@pat $s:tt [$($st:tt)+] $p:tt $q:tt ( $($in:tt)* ) $($rest:tt)*) => {
        $crate::__select!(@pat $s [(paren $q [$($rest)*]) $($st)+] $p [] $($in)*)
    };
    (@pat $s:tt [$($st:tt)+] $p:tt $q:tt [ $($in:tt)* ] $($rest:tt)*) => {
        $crate::__select!(@pat $s [(bracket $q [$($rest)*]) $($st)+] $p [] $($in)*)
    };
    (@pat $s:tt [$($st:tt)+] $p:tt $q:tt { $($in:tt)* } $($rest:tt)*) => {
        $crate::__select!(@pat $s [(brace $q [$($rest)*]) $($st)+] $p [] $($in)*)
    };
    // The end of a group: close it in the outer copy, resume after it.
    // (The as-written copy took the whole group when entering it, so the
    // inner tokens below go to the without-mut copy only.)
    (@pat $s:tt [(paren [$($o:tt)*] [$($r:tt)*]) $($st:tt)*] $p:tt [$($q:tt)*]) => {
        $crate::__select!(@pat $s [$($st)*] $p [$($o)* ( $($q)* )] $($r)*)
    };
    (@pat $s:tt [(bracket [$($o:tt)*] [$($r:tt)*]) $($st:tt)*] $p:tt [$($q:tt)*]) => {
        $crate::__select!(@pat $s [$($st)*] $p [$($o)* [ $($q)* ]] $($r)*)
    };
    (@pat $s:tt [(brace [$($o:tt)*] [$($r:tt)*]) $($st:tt)*] $p:tt [$($q:tt)*]) => {
        $crate::__select!(@pat $s [$($st)*] $p [$($o)* { $($q)* }] $($r)*)
    };
    // Any other token: at top level it goes to both copies; inside a group
    // only to the without-mut copy.
    (@pat $s:tt [] [$($p:tt)*] [$($q:tt)*] $t:tt $($rest:tt)*) => {
        $crate::__select!(@pat $s [] [$($p)* $t] [$($q)* $t] $($rest)*)
    };
    (@pat $s:tt [$($st:tt)+] $p:tt [$($q:tt)*] $t:tt $($rest:tt)*) => {
        $crate::__select!(@pat $s [$($st)+] $p [$($q)* $t] $($rest)*)
    };
    (@pat $s:tt [] $p:tt $q:tt) => {
        ::std::compile_error!("select!: expected `<pattern> = <future> => <handler>`")
    };

    // After the pattern: `<future> [, if <condition>] => <handler>`; a
    // block handler may omit its comma.
    (@arm $s:tt $p:tt $q:tt $f:expr, if $c:expr => $h:block, $($rest:tt)*) => {
        $crate::__select!(@push $s $p $q [$f] [$c] [$h] $($rest)*)
    };
    (@arm $s:tt $p:tt $q:tt $f:expr, if $c:expr => $h:block $($rest:tt)*) => {
        $crate::__select!(@push $s $p $q [$f] [$c] [$h] $($rest)*)
    };
    (@arm $s:tt $p:tt $q:tt $f:expr, if $c:expr => $h:expr, $($rest:tt)*) => {
        $crate::__select!(@push $s $p $q [$f] [$c] [$h] $($rest)*)
    };
    (@arm $s:tt $p:tt $q:tt $f:expr, if $c:expr => $h:expr) => {
        $crate::__select!(@push $s $p $q [$f] [$c] [$h])
    };
    (@arm $s:tt $p:tt $q:tt $f:expr => $h:block, $($rest:tt)*) => {
        $crate::__select!(@push $s $p $q [$f] [true] [$h] $($rest)*)
    };
    (@arm $s:tt $p:tt $q:tt $f:expr => $h:block $($rest:tt)*) => {
        $crate::__select!(@push $s $p $q [$f] [true] [$h] $($rest)*)
    };
    (@arm $s:tt $p:tt $q:tt $f:expr => $h:expr, $($rest:tt)*) => {
        $crate::__select!(@push $s $p $q [$f] [true] [$h] $($rest)*)
    };
    (@arm $s:tt $p:tt $q:tt $f:expr => $h:expr) => {
        $crate::__select!(@push $s $p $q [$f] [true] [$h])
    };

    // Records one branch with fresh `fut`/`out`/`off` locals and its index.
    (@push {[$b:tt] [$($n:tt)*] [$($br:tt)*]} $p:tt $q:tt $f:tt $c:tt $h:tt $($rest:tt)*) => {
        $crate::__select!(@parse {[$b] [$($n)* + 1] [
            $($br)* (fut out off [0 $($n)*] $p $q $f $c $h)
        ]} $($rest)*)
    };
    (@emit {[$b:tt] [$($n:tt)*] []} [$e:expr]) => {
        ::std::compile_error!("select! needs at least one branch")
    };
    (@emit {[$b:tt] [$($n:tt)*] [$(
        ($fut:ident $out:ident $off:ident [$($i:tt)*] [$($p:tt)*] [$($q:tt)*] [$f:expr] [$c:expr] [$h:expr])
    )+]} [$e:expr]) => {{
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
            // The closure owns the futures' pins and the `off` flags and
            // writes the winner through a reference: every capture is a
            // value it needs, not a reference to one.
            $( let $out = &mut $out; )+
            ::std::future::poll_fn(move |cx| {
                const BRANCHES: usize = 0 $( + { let _ = $($i)*; 1 } )+;
                // A new start on every poll, not once per `select!`: a
                // branch polled first each time could spend the task's
                // whole budget every time.
                let start: usize = if $b { 0 } else { $crate::__private::random_below(BRANCHES) };
                for step in 0..BRANCHES {
                    // `(start + step) % BRANCHES`, without a division.
                    let branch = match start + step {
                        n if n < BRANCHES => n,
                        n => n - BRANCHES,
                    };
                    $(
                        if branch == $($i)* && !$off {
                            if let ::std::option::Option::Some(fut) = $fut.as_mut().as_pin_mut() {
                                if let ::std::task::Poll::Ready(v) = ::std::future::Future::poll(fut, cx) {
                                    #[allow(unused_variables, unreachable_patterns)]
                                    let matched = match &v {
                                        $($q)* => true,
                                        _ => false,
                                    };
                                    if matched {
                                        *$out = ::std::option::Option::Some(v);
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
                // `mut`: a `ref mut` binding in the pattern borrows `v` mutably.
                #[allow(unused_mut)]
                let mut v = v;
                match v {
                    $($p)* => $h,
                    #[allow(unreachable_patterns)]
                    _ => ::std::unreachable!("select!: the pattern matched a moment ago"),
                }
            } else
        )+
        { $e }
    }};
}
