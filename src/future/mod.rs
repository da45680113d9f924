//! Building blocks for futures: [`race`], plus the standard library's
//! [`pending`], [`ready`] and [`poll_fn`] re-exported so one `use` covers
//! them.
//!
//! asyncio readers: `race` is `asyncio.wait(..., return_when=FIRST_COMPLETED)`
//! for two awaitables of the same type, with the loser cancelled (dropped).
//! For more branches, or branches of different types, use [`select!`].
//!
//! ```
//! use magpie::future::{pending, race, ready};
//!
//! let rt = magpie::Runtime::new().unwrap();
//! let v = rt.block_on(race(pending::<u32>(), ready(7)));
//! assert_eq!(v, 7);
//! ```
//!
//! [`select!`]: crate::select!

pub(crate) mod join_slots;
pub(crate) mod maybe_done;
mod race;
pub(crate) mod slots;

pub use race::{race, Race};
pub use std::future::{pending, poll_fn, ready, Future, IntoFuture, Pending, PollFn, Ready};

pub(crate) use crate::util::rng::random_below;
