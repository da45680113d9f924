//! `join!` and `try_join!`.

/// Waits for several futures at once, in the current task, and returns
/// all their outputs as a tuple — asyncio's `gather(a, b, c)`.
///
/// The futures are polled in order every time the task wakes, so they make
/// progress concurrently (but not in parallel: to use several cores,
/// `spawn` them and join the handles). Each argument may be anything that
/// implements `IntoFuture`. Must be used inside `async` code.
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
/// # Cancellation
///
/// Dropping the `join!` future (for example, because it lost a `select!`
/// or hit a `timeout`) drops every future it still holds, and the outputs
/// of those that had already finished.
#[macro_export]
macro_rules! join {
    () => {
        async {}.await
    };
    ($($fut:expr),+ $(,)?) => {
        $crate::__join_munch!(@join [] $($fut,)+)
    };
}

/// Like [`join!`], for futures that return `Result<T, E>` (with the same
/// `E`): returns `Ok((t1, t2, ..))` when all succeed, or the first `Err` as
/// soon as one fails — the other futures are then dropped (cancelled).
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
/// });
/// ```
///
/// # Cancellation
///
/// As for [`join!`]: dropping it drops all futures it holds. An error
/// return also drops them; the outputs of those already finished are lost.
#[macro_export]
macro_rules! try_join {
    () => {
        async { ::std::result::Result::<(), ::std::convert::Infallible>::Ok(()) }.await
    };
    ($($fut:expr),+ $(,)?) => {
        $crate::__join_munch!(@try [] $($fut,)+)
    };
}

/// Gives each future of `join!`/`try_join!` its own hygienic `slot`
/// variable, then expands the polling loop. Not public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __join_munch {
    (@$kind:ident [$($done:tt)*] $head:expr, $($rest:expr,)*) => {
        $crate::__join_munch!(@$kind [$($done)* (slot $head)] $($rest,)*)
    };
    (@join [$(($slot:ident $fut:expr))+]) => {{
        $(
            let mut $slot = ::std::pin::pin!($crate::__private::MaybeDone::Future(
                ::std::future::IntoFuture::into_future($fut),
            ));
        )+
        ::std::future::poll_fn(|cx| {
            let mut all_done = true;
            $( all_done &= $slot.as_mut().poll_done(cx); )+
            if !all_done {
                return ::std::task::Poll::Pending;
            }
            ::std::task::Poll::Ready((
                $( $slot.as_mut().take_output().expect("join! output taken twice"), )+
            ))
        })
        .await
    }};
    (@try [$(($slot:ident $fut:expr))+]) => {{
        $(
            let mut $slot = ::std::pin::pin!($crate::__private::MaybeDone::Future(
                ::std::future::IntoFuture::into_future($fut),
            ));
        )+
        ::std::future::poll_fn(|cx| {
            let mut all_done = true;
            $(
                if $slot.as_mut().poll_done(cx) {
                    if let ::std::option::Option::Some(e) = $crate::__private::take_err($slot.as_mut()) {
                        return ::std::task::Poll::Ready(::std::result::Result::Err(e));
                    }
                } else {
                    all_done = false;
                }
            )+
            if !all_done {
                return ::std::task::Poll::Pending;
            }
            ::std::task::Poll::Ready(::std::result::Result::Ok((
                $( $crate::__private::take_ok($slot.as_mut()), )+
            )))
        })
        .await
    }};
}
