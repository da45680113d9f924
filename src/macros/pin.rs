//! `pin!`: pins values on the stack, in tokio's shape.

/// Pins each named local variable on the stack, shadowing it with a
/// `Pin<&mut T>` (tokio's `pin!`): the way to `select!` over, or poll by
/// reference, a future that is not `Unpin`. The second form declares and
/// pins in one statement.
///
/// It expands to [`std::pin::pin!`], so it needs no `unsafe`.
///
/// ```
/// use magpie::time::{sleep, Duration};
///
/// magpie::Runtime::new().unwrap().block_on(async {
///     let deadline = sleep(Duration::from_millis(5));
///     magpie::pin!(deadline);
///     let mut turns = 0;
///     loop {
///         magpie::select! {
///             () = &mut deadline => break,
///             () = magpie::task::yield_now() => turns += 1,
///         }
///     }
///     assert!(turns > 0);
///
///     magpie::pin! {
///         let a = async { 1 };
///         let b = async { 2 };
///     }
///     assert_eq!(a.await + b.await, 3);
/// });
/// ```
#[macro_export]
macro_rules! pin {
    ($($x:ident),* $(,)?) => {$(
        #[allow(unused_mut)]
        let mut $x = ::std::pin::pin!($x);
    )*};
    ($(let $x:ident = $init:expr;)*) => {$(
        #[allow(unused_mut)]
        let mut $x = ::std::pin::pin!($init);
    )*};
}
