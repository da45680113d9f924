//! `AsyncSeekExt`: `seek`, `rewind`, `stream_position`.

use std::future::Future;
use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::AsyncSeek;

/// Seeking methods for every [`AsyncSeek`] (such as
/// [`fs::File`](crate::fs::File)).
///
/// ```
/// use magpie::io::AsyncSeekExt;
/// use std::io::SeekFrom;
///
/// # futures::executor::block_on(async {
/// let mut cursor = futures::io::Cursor::new(vec![0u8; 10]);
/// assert_eq!(cursor.seek(SeekFrom::End(-3)).await?, 7);
/// assert_eq!(cursor.stream_position().await?, 7);
/// cursor.rewind().await?;
/// assert_eq!(cursor.stream_position().await?, 0);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub trait AsyncSeekExt: AsyncSeek {
    /// Moves the position; returns the new position from the start.
    ///
    /// ```
    /// use magpie::io::AsyncSeekExt;
    /// # futures::executor::block_on(async {
    /// let mut cursor = futures::io::Cursor::new(vec![0u8; 10]);
    /// assert_eq!(cursor.seek(std::io::SeekFrom::Start(4)).await?, 4);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn seek(&mut self, pos: SeekFrom) -> Seek<'_, Self>
    where
        Self: Unpin,
    {
        Seek { seeker: self, pos }
    }

    /// Moves back to the start (`seek(SeekFrom::Start(0))`); the new
    /// position is 0.
    ///
    /// ```
    /// use magpie::io::AsyncSeekExt;
    /// # futures::executor::block_on(async {
    /// let mut cursor = futures::io::Cursor::new(vec![0u8; 10]);
    /// cursor.seek(std::io::SeekFrom::End(0)).await?;
    /// assert_eq!(cursor.rewind().await?, 0);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn rewind(&mut self) -> Seek<'_, Self>
    where
        Self: Unpin,
    {
        self.seek(SeekFrom::Start(0))
    }

    /// The current position (`seek(SeekFrom::Current(0))`).
    ///
    /// ```
    /// use magpie::io::AsyncSeekExt;
    /// # futures::executor::block_on(async {
    /// let mut cursor = futures::io::Cursor::new(vec![0u8; 10]);
    /// assert_eq!(cursor.stream_position().await?, 0);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn stream_position(&mut self) -> Seek<'_, Self>
    where
        Self: Unpin,
    {
        self.seek(SeekFrom::Current(0))
    }
}

impl<S: AsyncSeek + ?Sized> AsyncSeekExt for S {}

/// Future of [`AsyncSeekExt::seek`], `rewind` and `stream_position`.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Seek<'a, S: ?Sized> {
    seeker: &'a mut S,
    pos: SeekFrom,
}

impl<S: AsyncSeek + Unpin + ?Sized> Future for Seek<'_, S> {
    type Output = io::Result<u64>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        Pin::new(&mut *this.seeker).poll_seek(cx, this.pos)
    }
}
