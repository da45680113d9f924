//! Asynchronous I/O: the `futures-io` traits, extension methods, and
//! helpers to copy, buffer, split and read lines.
//!
//! magpie's sockets implement [`AsyncRead`] and [`AsyncWrite`] from the
//! `futures-io` crate — the neutral traits smol, async-std and `futures`
//! use — so libraries written against them work on magpie unchanged. The
//! extension traits here add the `async fn`-style methods:
//!
//! * [`AsyncReadExt`]: `read`, `read_exact`, `read_to_end`, `read_to_string`
//! * [`AsyncWriteExt`]: `write`, `write_all`, `flush`, `close`
//! * [`AsyncSeekExt`]: `seek`, `rewind`, `stream_position`
//! * [`AsyncBufReadExt`]: `read_line`, `lines`
//! * [`copy`], [`copy_bidirectional`], [`BufReader`], [`BufWriter`], [`split`]
//! * the process's standard streams: [`stdin`], [`stdout`], [`stderr`]
//!   (on the blocking pool, as in tokio)
//! * in-memory streams: [`duplex`] (a bounded pipe pair, for tests),
//!   [`empty`], [`sink`], [`repeat`]
//! * readiness: [`Interest`] and [`Ready`], used by the sockets' `ready`
//!   methods and, on Unix, by [`unix::AsyncFd`] for any file descriptor
//!
//! ```
//! use magpie::io::{AsyncReadExt, AsyncWriteExt, BufReader, AsyncBufReadExt};
//!
//! # futures::executor::block_on(async {
//! let mut out = Vec::new();
//! out.write_all(b"one\ntwo\n").await?;
//! let mut lines = BufReader::new(&out[..]).lines();
//! assert_eq!(lines.next_line().await?.as_deref(), Some("one"));
//! # std::io::Result::Ok(())
//! # }).unwrap();
//! ```

#[cfg(not(loom))]
pub(crate) mod blocking;
mod buf_reader;
mod buf_stream;
mod buf_writer;
mod copy;
mod copy_bidirectional;
mod duplex;
mod empty;
mod join;
mod lines;
mod numbers;
mod read_ext;
mod repeat;
mod seek_ext;
mod sink;
mod split;
#[cfg(not(loom))]
mod stdio;
#[cfg(all(unix, not(loom)))]
pub mod unix;
mod write_ext;

pub use crate::runtime::driver::io::{Interest, Ready};
pub use buf_reader::BufReader;
pub use buf_stream::BufStream;
pub use buf_writer::BufWriter;
pub use copy::{copy, copy_buf};
pub use copy_bidirectional::copy_bidirectional;
pub use duplex::{duplex, DuplexStream};
pub use empty::{empty, Empty};
pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
pub use join::{join, Join};
pub use lines::{AsyncBufReadExt, Lines, ReadLine, ReadUntil, Split};
pub use numbers::{ReadNumber, WriteNumber};
pub use read_ext::{AsyncReadExt, Read, ReadExact, ReadToEnd, ReadToString};
pub use repeat::{repeat, Repeat};
pub use seek_ext::{AsyncSeekExt, Seek};
pub use sink::{sink, Sink};
pub use split::{split, ReadHalf, ReuniteError, WriteHalf};
pub use std::io::{Error, ErrorKind, Result};
#[cfg(not(loom))]
pub use stdio::{stderr, stdin, stdout, Stderr, Stdin, Stdout};
pub use write_ext::{AsyncWriteExt, Close, Flush, Write, WriteAll, WriteVectored};
