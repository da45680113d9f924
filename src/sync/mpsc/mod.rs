//! A multi-producer, single-consumer channel, bounded or unbounded.
//!
//! * [`channel`] has a fixed capacity: its buffer is a ring of exactly that
//!   many slots, allocated once, so sending allocates nothing; the ring
//!   itself enforces the capacity (a send is one CAS while there is room).
//!   Senders wait in FIFO order while it is full, and each freed slot is
//!   handed to the longest waiter; [`Sender::reserve`] sets a slot aside
//!   ([`Sender::reserve_many`] several at once, [`Sender::reserve_owned`]
//!   with a permit that owns its sender).
//! * [`unbounded_channel`] never makes senders wait; each message is one
//!   node of a lock-free list.
//!
//! Both send without taking a lock (the bounded one while nobody is queued
//! and no slot is reserved; then a short lock keeps the hand-off fair).
//! When every sender is gone the receiver still drains what was sent, then
//! gets `None`. When the receiver is gone (or [`Receiver::close`]d), sends
//! fail and hand the value back. Dropping the receiver drops what is
//! buffered at once; a value that still arrives afterwards (through a
//! [`Permit`], or from a send that raced the drop) is dropped right away by
//! the sender that sent it, not kept until the last sender goes.
//!
//! ```
//! use magpie::sync::mpsc;
//!
//! let rt = magpie::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let (tx, mut rx) = mpsc::channel(32);
//!     for id in 0..4 {
//!         let tx = tx.clone();
//!         magpie::spawn(async move { tx.send(id).await.unwrap() });
//!     }
//!     drop(tx);
//!     let mut got = Vec::new();
//!     while let Some(id) = rx.recv().await {
//!         got.push(id);
//!     }
//!     got.sort();
//!     assert_eq!(got, [0, 1, 2, 3]);
//! });
//! ```

mod backpressure;
mod bounded;
mod chan;
pub mod error;
mod list;
mod permit;
mod receiver;
mod ring;
mod unbounded;

pub use bounded::{channel, Receiver, Sender, WeakSender};
pub use permit::{OwnedPermit, Permit, PermitIterator};
pub use unbounded::{unbounded_channel, UnboundedReceiver, UnboundedSender, WeakUnboundedSender};
