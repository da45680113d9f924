//! `copy_bidirectional`: two copies at once, between two streams, each
//! shutting down its writer when its reader ends.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::copy::CopyBuffer;

/// Copies `a`'s bytes into `b` and `b`'s into `a` at the same time, until
/// both reach end of stream. When one side's reader ends, the other side's
/// writer is closed (`close`, a socket's write shutdown), so the end of
/// stream travels through. Returns `(a to b, b to a)` byte counts.
///
/// An error in either direction ends the whole copy with that error.
///
/// ```
/// use magpie::io::{copy_bidirectional, duplex, AsyncReadExt, AsyncWriteExt};
///
/// # magpie::Runtime::new().unwrap().block_on(async {
/// let (mut client, mut proxy_front) = duplex(64);
/// let (mut proxy_back, mut server) = duplex(64);
/// let proxy = magpie::spawn(async move {
///     copy_bidirectional(&mut proxy_front, &mut proxy_back).await
/// });
/// client.write_all(b"request").await?;
/// client.close().await?;
/// let mut got = Vec::new();
/// server.read_to_end(&mut got).await?; // ends: the close went through
/// server.write_all(b"reply").await?;
/// drop(server);
/// let mut reply = Vec::new();
/// client.read_to_end(&mut reply).await?;
/// assert_eq!((&got[..], &reply[..]), (&b"request"[..], &b"reply"[..]));
/// assert_eq!(proxy.await.unwrap()?, (7, 5));
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn copy_bidirectional<A, B>(a: &mut A, b: &mut B) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let mut a_to_b = Direction::Copying(CopyBuffer::new());
    let mut b_to_a = Direction::Copying(CopyBuffer::new());
    poll_fn(|cx| {
        let a_to_b = a_to_b.poll(cx, &mut *a, &mut *b)?;
        let b_to_a = b_to_a.poll(cx, &mut *b, &mut *a)?;
        match (a_to_b, b_to_a) {
            (Poll::Ready(there), Poll::Ready(back)) => Poll::Ready(Ok((there, back))),
            _ => Poll::Pending,
        }
    })
    .await
}

/// Where one direction of the copy is.
enum Direction {
    Copying(CopyBuffer),
    /// The reader ended; the writer is being closed.
    Closing(u64),
    Done(u64),
}

impl Direction {
    fn poll<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        reader: &mut R,
        writer: &mut W,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + Unpin + ?Sized,
        W: AsyncWrite + Unpin + ?Sized,
    {
        loop {
            match self {
                Direction::Copying(buffer) => {
                    let copied = ready!(buffer.poll_copy(cx, reader, writer))?;
                    *self = Direction::Closing(copied);
                }
                Direction::Closing(copied) => {
                    ready!(Pin::new(&mut *writer).poll_close(cx))?;
                    *self = Direction::Done(*copied);
                }
                Direction::Done(copied) => return Poll::Ready(Ok(*copied)),
            }
        }
    }
}
