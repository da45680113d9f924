//! `join!` and `try_join!`.

/// Waits for several futures at once, in the current task, and returns
/// all their outputs as a tuple — asyncio's `gather(a, b, c)`.
///
/// Every time the task wakes, each future that has not finished is polled
/// once, so they make progress concurrently (but not in parallel: to use
/// several cores, `spawn` them and join the handles). Each argument may be
/// anything that implements `IntoFuture`. Must be used inside `async` code.
///
/// The future polled first moves one along on every wake (the first, then
/// the second, and so on round), as in tokio: a future that is always
/// ready, such as one draining a full channel, would otherwise spend the
/// task's whole cooperative budget (the 128 channel, socket, timer and lock
/// operations a task may do per poll before magpie makes it yield) on every
/// poll, and the futures after it would never find any budget left. With
/// `biased;` before the futures, they are polled in argument order on every
/// wake instead: deterministic, and a way to give the first ones priority,
/// at the price that they can starve the others.
///
/// ```
/// use magpie::time::{sleep, Duration};
///
/// async fn double(x: u32) -> u32 {
///     sleep(Duration::from_millis(1)).await;
///     x * 2
/// }
///
/// let rt = magpie::Runtime::new().unwrap();
/// let (a, b, c) = rt.block_on(async { magpie::join!(double(1), double(2), async { "three" }) });
/// assert_eq!((a, b, c), (2, 4, "three"));
/// ```
///
/// With `biased;`, and what changes without it:
///
/// ```
/// use magpie::task::yield_now;
/// use std::cell::RefCell;
///
/// let rt = magpie::Runtime::new().unwrap();
/// let finished = RefCell::new(Vec::new());
/// // Yields once, then records that it finished.
/// let step = |name| {
///     let finished = &finished;
///     async move {
///         yield_now().await;
///         finished.borrow_mut().push(name);
///     }
/// };
/// rt.block_on(async { magpie::join!(biased; step("a"), step("b")) });
/// assert_eq!(finished.take(), ["a", "b"]);
///
/// // Unbiased, the second poll starts at `b`.
/// rt.block_on(async { magpie::join!(step("a"), step("b")) });
/// assert_eq!(finished.take(), ["b", "a"]);
/// ```
///
/// # Cancellation
///
/// Dropping the `join!` future (for example, because it lost a `select!`
/// or hit a `timeout`) drops every future it still holds, and the outputs
/// of those that had already finished.
#[macro_export]
macro_rules! join {
    (biased; $(,)?) => {
        async {}.await
    };
    (biased; $($fut:expr),+ $(,)?) => {
        $crate::__join_munch!(@join [true] () [] $($fut,)+)
    };
    () => {
        async {}.await
    };
    ($($fut:expr),+ $(,)?) => {
        $crate::__join_munch!(@join [false] () [] $($fut,)+)
    };
}

/// Like [`join!`], for futures that return `Result<T, E>` (with the same
/// `E`): returns `Ok((t1, t2, ..))` when all succeed, or the first `Err` as
/// soon as one fails — the other futures are then dropped (cancelled).
/// Polls its futures as [`join!`] does, starting one further along on every
/// wake, or in argument order with `biased;` (then, of several futures that
/// fail during the same poll, the first one's error is returned).
///
/// ```
/// use std::io;
///
/// async fn parse(s: &str) -> Result<u32, std::num::ParseIntError> {
///     s.parse()
/// }
///
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     let ok = magpie::try_join!(parse("1"), parse("2"));
///     assert_eq!(ok, Ok((1, 2)));
///
///     let err = magpie::try_join!(parse("1"), parse("x"), std::future::pending::<Result<(), _>>());
///     assert!(err.is_err()); // returned although the third never finishes
///
///     let first = magpie::try_join!(biased; parse("x"), parse("y"));
///     assert_eq!(first.unwrap_err().to_string(), "invalid digit found in string");
/// });
/// ```
///
/// # Cancellation
///
/// As for [`join!`]: dropping it drops all futures it holds. An error
/// return also drops them; the outputs of those already finished are lost.
#[macro_export]
macro_rules! try_join {
    (biased; $(,)?) => {
        $crate::try_join!()
    };
    (biased; $($fut:expr),+ $(,)?) => {
        $crate::__join_munch!(@try [true] () [] $($fut,)+)
    };
    () => {
        async { ::std::result::Result::<(), ::std::convert::Infallible>::Ok(()) }.await
    };
    ($($fut:expr),+ $(,)?) => {
        $crate::__join_munch!(@try [false] () [] $($fut,)+)
    };
}

/// Gives each future of `join!`/`try_join!` its own hygienic `slot`
/// variable, then expands the polling. Not public API.
///
/// Each future is recorded as `(slot [future])`, and `nested` is the
/// pattern that binds the nested outputs (`(((), slot), slot)`, see
/// `future/join_slots.rs`) to the slot names. One macro step per future,
/// so the default recursion limit allows about 120.
///
/// Each poll goes through the slots once, in argument order but starting
/// at the slot after the one the previous poll started at (always at the
/// first with `biased;`), wrapping round to the first. A finished slot is
/// only checked, not polled again.
#[doc(hidden)]
#[macro_export]
macro_rules! __join_munch {
    // The polling, and the value once every slot finished.
    (@poll join) => {
        $crate::__private::poll_joined
    };
    (@poll try) => {
        $crate::__private::poll_try_joined
    };
    (@poll_once join $($args:tt)*) => {
        $crate::__private::poll_join($($args)*)
    };
    (@poll_once try $($args:tt)*) => {
        $crate::__private::poll_try_join($($args)*)
    };
    (@flatten join $value:ident $nested:tt [$($slot:ident)+]) => {{
        let $nested = $value;
        ( $($slot,)+ )
    }};
    (@flatten try $value:ident $nested:tt [$($slot:ident)+]) => {
        match $value {
            ::std::result::Result::Ok($nested) => ::std::result::Result::Ok(( $($slot,)+ )),
            ::std::result::Result::Err(e) => ::std::result::Result::Err(e),
        }
    };

    (@$kind:ident $biased:tt $nested:tt [$(($slot:ident $fut:tt))*] $head:expr, $($rest:expr,)*) => {
        $crate::__join_munch!(@$kind $biased ($nested, slot) [$(($slot $fut))* (slot [$head])] $($rest,)*)
    };
    (@$kind:ident [$biased:tt] $nested:tt [$(($slot:ident [$fut:expr]))+]) => {{
        let value = {
            // The futures, left to right, in `let`s so that a temporary that
            // one borrows (`&mut fut()`) lives as long as the `join!`; moved
            // into the slots at once.
            $( let $slot = $fut; )+
            // Where the next poll starts.
            let mut next_start: usize = 0;
            // The closure owns only `next_start`, and nothing of this block
            // is used after the `.await`, which is its tail: the future
            // awaited here is the slots and a `usize`.
            $crate::__join_munch!(@poll $kind)(
                $crate::__private::NoSlots $(
                    .push($crate::__private::MaybeDone::Future(
                        ::std::future::IntoFuture::into_future($slot),
                    ))
                )+,
                move |slots, cx| {
                    const COUNT: usize = 0 $( + { let _ = ::std::stringify!($slot); 1 } )+;
                    let start = next_start;
                    if !$biased {
                        next_start = if start + 1 == COUNT { 0 } else { start + 1 };
                    }
                    $crate::__join_munch!(@poll_once $kind slots, cx, start)
                },
            )
            .await
        };
        $crate::__join_munch!(@flatten $kind value $nested [$($slot)+])
    }};
}
