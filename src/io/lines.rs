//! `AsyncBufReadExt`: `read_line`, `read_until`, `lines` and `split`.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::Stream;
use futures_io::AsyncBufRead;

/// Line- and delimiter-reading methods for every [`AsyncBufRead`] (wrap a socket in a
/// [`BufReader`](super::BufReader) to get one).
///
/// ```
/// use magpie::io::{AsyncBufReadExt, BufReader};
///
/// # futures::executor::block_on(async {
/// let mut reader = BufReader::new(&b"a\nb"[..]);
/// let mut line = String::new();
/// reader.read_line(&mut line).await?;
/// assert_eq!(line, "a\n");
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub trait AsyncBufReadExt: AsyncBufRead {
    /// Appends one line, including its `\n` if there is one, to `buf`;
    /// returns the bytes read (0 at end of stream).
    ///
    /// ```
    /// use magpie::io::{AsyncBufReadExt, BufReader};
    /// # futures::executor::block_on(async {
    /// let mut reader = BufReader::new(&b"last"[..]);
    /// let mut line = String::new();
    /// assert_eq!(reader.read_line(&mut line).await?, 4);
    /// assert_eq!(reader.read_line(&mut line).await?, 0);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn read_line<'a>(&'a mut self, buf: &'a mut String) -> ReadLine<'a, Self>
    where
        Self: Unpin,
    {
        ReadLine {
            reader: self,
            buf,
            bytes: Vec::new(),
        }
    }

    /// The lines of the stream, without their `\n` or `\r\n`. Use
    /// [`Lines::next_line`] or the [`Stream`] impl.
    ///
    /// ```
    /// use magpie::io::{AsyncBufReadExt, BufReader};
    /// # futures::executor::block_on(async {
    /// let mut lines = BufReader::new(&b"x\r\ny\n"[..]).lines();
    /// assert_eq!(lines.next_line().await?.as_deref(), Some("x"));
    /// assert_eq!(lines.next_line().await?.as_deref(), Some("y"));
    /// assert_eq!(lines.next_line().await?, None);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn lines(self) -> Lines<Self>
    where
        Self: Sized,
    {
        Lines {
            reader: self,
            bytes: Vec::new(),
        }
    }

    /// Appends bytes up to and including `byte` (or up to end of stream) to
    /// `buf`; returns how many were appended (0 at end of stream). On an
    /// error, the bytes read before it stay in `buf`.
    ///
    /// ```
    /// use magpie::io::{AsyncBufReadExt, BufReader};
    /// # futures::executor::block_on(async {
    /// let mut reader = BufReader::new(&b"key=value;rest"[..]);
    /// let mut buf = Vec::new();
    /// assert_eq!(reader.read_until(b';', &mut buf).await?, 10);
    /// assert_eq!(buf, b"key=value;");
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn read_until<'a>(&'a mut self, byte: u8, buf: &'a mut Vec<u8>) -> ReadUntil<'a, Self>
    where
        Self: Unpin,
    {
        let start = buf.len();
        ReadUntil {
            reader: self,
            byte,
            buf,
            start,
        }
    }

    /// The segments of the stream between `byte`s, without the `byte`. Use
    /// [`Split::next_segment`] or the [`Stream`] impl.
    ///
    /// ```
    /// use magpie::io::{AsyncBufReadExt, BufReader};
    /// # futures::executor::block_on(async {
    /// let mut parts = BufReader::new(&b"a,b,,c"[..]).split(b',');
    /// let mut all = Vec::new();
    /// while let Some(part) = parts.next_segment().await? {
    ///     all.push(part);
    /// }
    /// assert_eq!(all, [&b"a"[..], b"b", b"", b"c"]);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    fn split(self, byte: u8) -> Split<Self>
    where
        Self: Sized,
    {
        Split {
            reader: self,
            byte,
            bytes: Vec::new(),
        }
    }
}

impl<R: AsyncBufRead + ?Sized> AsyncBufReadExt for R {}

/// Appends bytes up to and including `byte` to `out`; `Ready(Ok(()))` at
/// the delimiter or at end of stream. Bytes read stay in `out` across
/// `Pending` and errors.
fn poll_read_until<R: AsyncBufRead + Unpin + ?Sized>(
    reader: &mut R,
    cx: &mut Context<'_>,
    byte: u8,
    out: &mut Vec<u8>,
) -> Poll<io::Result<()>> {
    loop {
        let available = ready!(Pin::new(&mut *reader).poll_fill_buf(cx))?;
        if available.is_empty() {
            return Poll::Ready(Ok(()));
        }
        let (used, done) = match available.iter().position(|&b| b == byte) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        out.extend_from_slice(&available[..used]);
        Pin::new(&mut *reader).consume(used);
        if done {
            return Poll::Ready(Ok(()));
        }
    }
}

fn utf8(bytes: Vec<u8>) -> io::Result<String> {
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// Future of [`AsyncBufReadExt::read_line`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct ReadLine<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut String,
    bytes: Vec<u8>,
}

impl<R: AsyncBufRead + Unpin + ?Sized> Future for ReadLine<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        ready!(poll_read_until(this.reader, cx, b'\n', &mut this.bytes))?;
        let line = utf8(std::mem::take(&mut this.bytes))?;
        this.buf.push_str(&line);
        Poll::Ready(Ok(line.len()))
    }
}

/// The lines of a reader; see [`AsyncBufReadExt::lines`].
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct Lines<R> {
    reader: R,
    bytes: Vec<u8>,
}

impl<R: AsyncBufRead + Unpin> Lines<R> {
    /// The next line, or `None` at end of stream.
    ///
    /// ```
    /// use magpie::io::{AsyncBufReadExt, BufReader};
    /// # futures::executor::block_on(async {
    /// let mut lines = BufReader::new(&b"only"[..]).lines();
    /// assert_eq!(lines.next_line().await?.as_deref(), Some("only"));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn next_line(&mut self) -> io::Result<Option<String>> {
        std::future::poll_fn(|cx| self.poll_next_line(cx)).await
    }

    /// Polls for the next line, or `None` at end of stream.
    ///
    /// ```
    /// use magpie::io::{AsyncBufReadExt, BufReader};
    /// # futures::executor::block_on(async {
    /// let mut lines = BufReader::new(&b""[..]).lines();
    /// let next = std::future::poll_fn(|cx| lines.poll_next_line(cx)).await?;
    /// assert_eq!(next, None);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_next_line(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<String>>> {
        ready!(poll_read_until(
            &mut self.reader,
            cx,
            b'\n',
            &mut self.bytes
        ))?;
        let mut bytes = std::mem::take(&mut self.bytes);
        if bytes.is_empty() {
            return Poll::Ready(Ok(None));
        }
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
        }
        Poll::Ready(utf8(bytes).map(Some))
    }

    /// Unwraps the reader.
    ///
    /// ```
    /// use magpie::io::{AsyncBufReadExt, BufReader};
    /// let reader = BufReader::new(&b""[..]).lines().into_inner();
    /// assert!(reader.buffer().is_empty());
    /// ```
    pub fn into_inner(self) -> R {
        self.reader
    }
}

impl<R: AsyncBufRead + Unpin> Stream for Lines<R> {
    type Item = io::Result<String>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_line(cx).map(Result::transpose)
    }
}

/// Future of [`AsyncBufReadExt::read_until`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct ReadUntil<'a, R: ?Sized> {
    reader: &'a mut R,
    byte: u8,
    buf: &'a mut Vec<u8>,
    /// `buf.len()` when the read began.
    start: usize,
}

impl<R: AsyncBufRead + Unpin + ?Sized> Future for ReadUntil<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        ready!(poll_read_until(this.reader, cx, this.byte, this.buf))?;
        Poll::Ready(Ok(this.buf.len() - this.start))
    }
}

/// The segments of a reader between delimiters; see
/// [`AsyncBufReadExt::split`].
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct Split<R> {
    reader: R,
    byte: u8,
    bytes: Vec<u8>,
}

impl<R: AsyncBufRead + Unpin> Split<R> {
    /// The next segment, without its delimiter, or `None` at end of
    /// stream. A delimiter at the very end ends the last segment; it does
    /// not start an empty one.
    ///
    /// ```
    /// use magpie::io::{AsyncBufReadExt, BufReader};
    /// # futures::executor::block_on(async {
    /// let mut parts = BufReader::new(&b"x\0"[..]).split(0);
    /// assert_eq!(parts.next_segment().await?, Some(b"x".to_vec()));
    /// assert_eq!(parts.next_segment().await?, None);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn next_segment(&mut self) -> io::Result<Option<Vec<u8>>> {
        std::future::poll_fn(|cx| self.poll_next_segment(cx)).await
    }

    /// Polls for the next segment, or `None` at end of stream. Bytes of a
    /// segment read before a `Pending` or an error are kept for the next
    /// call.
    ///
    /// ```
    /// use magpie::io::{AsyncBufReadExt, BufReader};
    /// # futures::executor::block_on(async {
    /// let mut parts = BufReader::new(&b""[..]).split(b'|');
    /// let next = std::future::poll_fn(|cx| parts.poll_next_segment(cx)).await?;
    /// assert_eq!(next, None);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn poll_next_segment(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<Vec<u8>>>> {
        ready!(poll_read_until(
            &mut self.reader,
            cx,
            self.byte,
            &mut self.bytes
        ))?;
        let mut bytes = std::mem::take(&mut self.bytes);
        if bytes.is_empty() {
            return Poll::Ready(Ok(None));
        }
        if bytes.last() == Some(&self.byte) {
            bytes.pop();
        }
        Poll::Ready(Ok(Some(bytes)))
    }

    /// Unwraps the reader.
    ///
    /// ```
    /// use magpie::io::{AsyncBufReadExt, BufReader};
    /// let reader = BufReader::new(&b""[..]).split(b',').into_inner();
    /// assert!(reader.buffer().is_empty());
    /// ```
    pub fn into_inner(self) -> R {
        self.reader
    }
}

impl<R: AsyncBufRead + Unpin> Stream for Split<R> {
    type Item = io::Result<Vec<u8>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_segment(cx).map(Result::transpose)
    }
}
