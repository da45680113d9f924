//! `split`: one reader/writer as two halves usable from different tasks.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use crate::loom::sync::{Arc, Mutex};

/// Splits `stream` into a read half and a write half that can move to
/// different tasks. The halves share the stream behind a lock held only
/// for the duration of one poll. For magpie's TCP and Unix streams prefer
/// their own `split`/`into_split`, which need no lock.
///
/// ```
/// use magpie::io::{split, AsyncWriteExt};
///
/// # futures::executor::block_on(async {
/// let (_read, mut write) = split(futures::io::Cursor::new(Vec::new()));
/// write.write_all(b"half").await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub fn split<T: AsyncRead + AsyncWrite>(stream: T) -> (ReadHalf<T>, WriteHalf<T>) {
    let shared = Arc::new(Mutex::new(stream));
    (
        ReadHalf {
            shared: shared.clone(),
        },
        WriteHalf { shared },
    )
}

/// The reading half returned by [`split`].
pub struct ReadHalf<T> {
    shared: Arc<Mutex<T>>,
}

/// The writing half returned by [`split`].
pub struct WriteHalf<T> {
    shared: Arc<Mutex<T>>,
}

/// [`ReadHalf::reunite`] was given halves of two different streams.
pub struct ReuniteError<T>(pub ReadHalf<T>, pub WriteHalf<T>);

impl<T> ReadHalf<T> {
    /// Whether `other` is the write half of the same stream.
    ///
    /// ```
    /// let (r, w) = magpie::io::split(futures::io::Cursor::new(Vec::<u8>::new()));
    /// assert!(r.is_pair_of(&w));
    /// ```
    pub fn is_pair_of(&self, other: &WriteHalf<T>) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Joins the halves back into the stream.
    ///
    /// ```
    /// let (r, w) = magpie::io::split(futures::io::Cursor::new(vec![1u8]));
    /// let stream = r.reunite(w).ok().unwrap();
    /// assert_eq!(stream.into_inner(), [1]);
    /// ```
    pub fn reunite(self, other: WriteHalf<T>) -> Result<T, ReuniteError<T>> {
        if !self.is_pair_of(&other) {
            return Err(ReuniteError(self, other));
        }
        drop(other);
        match Arc::try_unwrap(self.shared) {
            Ok(mutex) => Ok(mutex.into_inner()),
            Err(_) => unreachable!("both halves were given, so no other owner exists"),
        }
    }

    /// Joins the halves back into the stream (tokio's name); like
    /// [`reunite`](Self::reunite), but panics on halves of two streams.
    ///
    /// # Panics
    ///
    /// If `other` is not the write half of this stream.
    ///
    /// ```
    /// let (r, w) = magpie::io::split(futures::io::Cursor::new(vec![2u8]));
    /// assert_eq!(r.unsplit(w).into_inner(), [2]);
    /// ```
    #[track_caller]
    pub fn unsplit(self, other: WriteHalf<T>) -> T {
        match self.reunite(other) {
            Ok(stream) => stream,
            Err(_) => panic!("ReadHalf::unsplit: the halves are of two different streams"),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ReadHalf<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut stream = self.shared.lock();
        Pin::new(&mut *stream).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WriteHalf<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut stream = self.shared.lock();
        Pin::new(&mut *stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut stream = self.shared.lock();
        Pin::new(&mut *stream).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut stream = self.shared.lock();
        Pin::new(&mut *stream).poll_close(cx)
    }
}

impl<T> fmt::Debug for ReadHalf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadHalf").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for WriteHalf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteHalf").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for ReuniteError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReuniteError(..)")
    }
}

impl<T> fmt::Display for ReuniteError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same stream")
    }
}

impl<T> std::error::Error for ReuniteError<T> {}
