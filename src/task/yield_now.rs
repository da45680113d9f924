use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Yields to the scheduler: the task goes to the back of its worker's run
/// queue, so the other ready tasks run first.
///
/// ```
/// let rt = magpie::Runtime::new().unwrap();
/// rt.block_on(async {
///     for _ in 0..3 {
///         magpie::task::yield_now().await;
///     }
/// });
/// ```
pub async fn yield_now() {
    YieldNow { yielded: false }.await
}

struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // A wake during our own poll only sets NOTIFIED; the worker then
        // queues the task at the back of its local queue.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
