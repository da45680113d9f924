//! `PollEvented`: a non-blocking std I/O object registered with the driver.
//!
//! It owns the object and its registration, and it is the only place that
//! creates registrations, which is what makes the unsafe `Handle::add`
//! sound: `Drop` (and `into_inner`) delete the source (fd or socket) from
//! the poller before the object, and with it the source, is dropped or
//! handed back.
//!
//! Every operation follows one loop: wait until the readiness word says the
//! direction is ready, try the syscall, and on `WouldBlock` clear exactly
//! the readiness that was seen (see `scheduled_io.rs`) and wait again.

use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use super::driver::Handle;
use super::interest::Interest;
use super::interest_wait::InterestWait;
use super::ready::{Direction, Observed, ReadyEvent};
use super::registrations::shutdown_error;
use super::scheduled_io::ScheduledIo;
use super::source::AsSource;
use crate::loom::sync::Arc;
use crate::runtime::task::coop;

/// A registered non-blocking I/O object.
pub(crate) struct PollEvented<T: AsSource> {
    /// `None` only inside `drop`/`into_inner`.
    io: Option<T>,
    handle: Handle,
    key: usize,
    shared: Arc<ScheduledIo>,
}

impl<T: AsSource> PollEvented<T> {
    /// Registers `io` (already in non-blocking mode) with the driver of the
    /// current runtime. Panics outside a runtime.
    pub(crate) fn new(io: T) -> io::Result<PollEvented<T>> {
        Self::new_with_handle(io, super::current())
    }

    /// Registers `io` (already in non-blocking mode) with `handle`'s driver.
    pub(crate) fn new_with_handle(io: T, handle: Handle) -> io::Result<PollEvented<T>> {
        Self::new_with_interest(io, handle, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `io` (already in non-blocking mode) with `handle`'s driver
    /// for the readiness `interest` names only.
    pub(crate) fn new_with_interest(
        io: T,
        handle: Handle,
        interest: Interest,
    ) -> io::Result<PollEvented<T>> {
        Self::try_new_with_interest(io, handle, interest).map_err(|(_, e)| e)
    }

    /// As [`new_with_interest`](Self::new_with_interest), handing `io`
    /// back with the error if it cannot be registered.
    pub(crate) fn try_new_with_interest(
        io: T,
        handle: Handle,
        interest: Interest,
    ) -> Result<PollEvented<T>, (T, io::Error)> {
        // SAFETY: `Handle::add` needs the source deleted before it closes.
        // `PollEvented` owns `io`, and every way it can give the source up —
        // `Drop`, `into_inner` and `deregister` — calls `handle.delete` first.
        // (On failure nothing was added, so `io` goes back as it came.)
        match unsafe { handle.add(io.source(), interest) } {
            Ok((key, shared)) => Ok(PollEvented {
                io: Some(io),
                handle,
                key,
                shared,
            }),
            Err(e) => Err((io, e)),
        }
    }

    /// The driver this object is registered with.
    pub(crate) fn handle(&self) -> &Handle {
        &self.handle
    }

    /// The registered object.
    pub(crate) fn get_ref(&self) -> &T {
        self.io.as_ref().expect("PollEvented used after into_inner")
    }

    /// The registered object, mutably.
    #[cfg(unix)]
    pub(crate) fn get_mut(&mut self) -> &mut T {
        self.io.as_mut().expect("PollEvented used after into_inner")
    }

    /// Deregisters and hands the object back (still non-blocking).
    pub(crate) fn into_inner(mut self) -> io::Result<T> {
        let io = self.io.take().expect("PollEvented used after into_inner");
        self.handle.delete(io.source())?;
        Ok(io)
    }

    /// Deregisters and hands the object back whatever the poller says: a
    /// failed delete means the source was not in the poller any more.
    #[cfg_attr(not(unix), allow(dead_code))] // `AsyncFd::into_inner` (Unix)
    pub(crate) fn deregister(mut self) -> T {
        let io = self.io.take().expect("PollEvented used after into_inner");
        let _ = self.handle.delete(io.source());
        io
    }

    /// Waits until `direction` is ready (or the driver shut down, an error).
    /// Does not spend coop budget; see `poll_io`.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<io::Result<ReadyEvent>> {
        match self.shared.poll_ready(cx, direction) {
            Poll::Ready(event) if event.is_shutdown() => Poll::Ready(Err(shutdown_error())),
            Poll::Ready(event) => Poll::Ready(Ok(event)),
            Poll::Pending => {
                if let Err(e) = self
                    .handle
                    .rearm(self.get_ref().source(), self.key, &self.shared)
                {
                    return Poll::Ready(Err(e));
                }
                Poll::Pending
            }
        }
    }

    /// Waits until `direction` is ready, as one of any number of tasks
    /// waiting on it (the `async` methods: each waiting future carries its
    /// own list node). Spends one unit of coop budget when ready.
    pub(crate) fn readiness(&self, direction: Direction) -> Readiness<'_, T> {
        self.ready(Interest::from(direction))
    }

    /// Waits until any direction `interest` names is ready, queued in the
    /// list of each; says what each ready direction saw.
    pub(crate) fn ready(&self, interest: Interest) -> Readiness<'_, T> {
        Readiness {
            io: self,
            interest,
            wait: InterestWait::new(),
        }
    }

    /// Runs `op` when `direction` is ready, until it does not say
    /// `WouldBlock`: the `async` form of [`poll_io`](Self::poll_io), for
    /// which any number of tasks may wait on the same direction.
    pub(crate) async fn async_io<R>(
        &self,
        direction: Direction,
        op: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.async_io_interest(Interest::from(direction), op).await
    }

    /// [`async_io`](Self::async_io) for any directions: runs `op` whenever
    /// one `interest` names is ready; a `WouldBlock` clears what was seen.
    pub(crate) async fn async_io_interest<R>(
        &self,
        interest: Interest,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let seen = self.ready(interest).await?;
            match op(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear(seen),
                result => return result,
            }
        }
    }

    /// Forgets readiness an operation saw before it got `WouldBlock`.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        self.shared.clear_readiness(event);
    }

    /// Forgets what a wait on several directions saw (each direction's
    /// event, only if its tick is still current).
    pub(crate) fn clear(&self, seen: Observed) {
        seen.events().for_each(|event| self.clear_readiness(event));
    }

    /// What the directions `interest` names are ready for now, without
    /// waiting (an empty observation if none is).
    pub(crate) fn observe(&self, interest: Interest) -> Observed {
        let mut seen = Observed::default();
        for direction in interest.directions() {
            if let Some(event) = self.shared.ready_event(direction) {
                seen.set(direction, event);
            }
        }
        seen
    }

    /// Runs `op` when `direction` is ready, until it does not say
    /// `WouldBlock`. Spends one unit of coop budget on success.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let coop = ready!(coop::poll_proceed(cx));
        loop {
            let event = ready!(self.poll_ready(cx, direction))?;
            match op(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(event),
                result => {
                    coop.made_progress();
                    return Poll::Ready(result);
                }
            }
        }
    }

    /// Runs `op` once if `direction` looks ready; `WouldBlock` otherwise.
    pub(crate) fn try_io<R>(
        &self,
        direction: Direction,
        op: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.try_io_interest(Interest::from(direction), op)
    }

    /// Runs `op` once if a direction `interest` names looks ready
    /// (`WouldBlock` otherwise); a `WouldBlock` from `op` clears what was
    /// seen.
    pub(crate) fn try_io_interest<R>(
        &self,
        interest: Interest,
        op: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        let seen = self.observe(interest);
        if seen.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        if seen.is_shutdown() {
            return Err(shutdown_error());
        }
        let result = op(self.get_ref());
        if matches!(&result, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.clear(seen);
        }
        result
    }

    /// A stream read.
    ///
    /// A short read is not taken as "drained": `polling` does not report
    /// read-closed (no `EPOLLRDHUP`), so a FIN that arrived with the data
    /// would get no further event; only `WouldBlock` clears readiness.
    pub(crate) fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>
    where
        for<'a> &'a T: Read,
    {
        self.poll_io(cx, Direction::Read, |mut io| io.read(buf))
    }

    /// A stream write.
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>
    where
        for<'a> &'a T: Write,
    {
        self.poll_io(cx, Direction::Write, |mut io| io.write(buf))
    }

    /// A vectored stream write.
    pub(crate) fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>>
    where
        for<'a> &'a T: Write,
    {
        self.poll_io(cx, Direction::Write, |mut io| io.write_vectored(bufs))
    }
}

/// Future of [`PollEvented::ready`]: a list waiter on each direction of an
/// interest (`interest_wait.rs`). It ends when any of them is ready, and
/// leaves the other direction's list before it returns (or when it is
/// dropped).
pub(crate) struct Readiness<'a, T: AsSource> {
    io: &'a PollEvented<T>,
    interest: Interest,
    /// Structurally pinned.
    wait: InterestWait,
}

impl<T: AsSource> Future for Readiness<'_, T> {
    type Output = io::Result<Observed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = ready!(coop::poll_proceed(cx));
        // SAFETY: `wait` is never moved out of the pinned future (it is
        // only re-pinned in place below); the other fields are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let io = this.io;
        // SAFETY: as above.
        let wait = unsafe { Pin::new_unchecked(&mut this.wait) };
        if let Poll::Ready(seen) = wait.poll(&io.shared, this.interest, cx) {
            if seen.is_shutdown() {
                return Poll::Ready(Err(shutdown_error()));
            }
            coop.made_progress();
            return Poll::Ready(Ok(seen));
        }
        if let Err(e) = io.handle.rearm(io.get_ref().source(), io.key, &io.shared) {
            return Poll::Ready(Err(e));
        }
        Poll::Pending
    }
}

impl<T: AsSource> Drop for Readiness<'_, T> {
    fn drop(&mut self) {
        self.wait.cancel(&self.io.shared);
    }
}

impl<T: AsSource> Drop for PollEvented<T> {
    fn drop(&mut self) {
        if let Some(io) = self.io.take() {
            // Deleting can only fail if the source is not registered, which
            // leaves nothing to undo.
            let _ = self.handle.delete(io.source());
            drop(io);
        }
        // After the delete no new event names `key`; releasing the slot
        // bumps its generation so events already in flight are ignored.
        self.handle.release(self.key);
    }
}

impl<T: AsSource + std::fmt::Debug> std::fmt::Debug for PollEvented<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollEvented")
            .field("io", &self.io)
            .field("key", &self.key)
            .finish()
    }
}
