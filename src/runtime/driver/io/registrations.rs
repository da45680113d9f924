//! The registration slab: event key → source.
//!
//! Each registered source owns a slot. The poller's event key is the slot
//! index in the low bits and the slot's generation above them. Releasing a
//! slot bumps its generation, so an event that was already in flight for
//! the old source (read by `Poller::wait` before the source was deleted)
//! carries a key whose generation no longer matches and is dropped, even
//! if the index has since been given to a new source. The `ScheduledIo`
//! itself is reference-counted: the source's `Registration` holds it too,
//! so its memory outlives both the slot and any dispatch that looked it up.
//!
//! Dispatch takes the slab lock once per turn, sets readiness and moves the
//! wakers it must wake into a list the driver reuses from turn to turn;
//! they are woken after the lock is released.

use std::io;
use std::task::Waker;

use super::ready::Ready;
use super::scheduled_io::ScheduledIo;
use crate::loom::sync::{Arc, Mutex};

/// Bits of the key that hold the slot index; the generation sits above.
const INDEX_BITS: u32 = usize::BITS / 2;
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
/// Index `INDEX_MASK` is never handed out, so no key equals `usize::MAX`
/// (the key `polling` uses for its own notifications).
const MAX_SLOTS: usize = INDEX_MASK;

/// All sources registered with one driver.
#[derive(Debug)]
pub struct Registrations {
    slab: Mutex<Slab>,
}

#[derive(Debug, Default)]
struct Slab {
    slots: Vec<Slot>,
    free: Vec<usize>,
    is_shutdown: bool,
}

#[derive(Debug)]
struct Slot {
    generation: usize,
    io: Option<Arc<ScheduledIo>>,
}

fn key_of(index: usize, generation: usize) -> usize {
    index | (generation << INDEX_BITS)
}

fn split_key(key: usize) -> (usize, usize) {
    (key & INDEX_MASK, key >> INDEX_BITS)
}

impl Default for Registrations {
    fn default() -> Self {
        Self::new()
    }
}

impl Registrations {
    /// An empty slab.
    pub fn new() -> Registrations {
        Registrations {
            slab: Mutex::new(Slab::default()),
        }
    }

    /// Gives a new source a slot; returns its event key and its state.
    /// Fails once the driver has shut down.
    pub fn register(&self) -> io::Result<(usize, Arc<ScheduledIo>)> {
        let io = Arc::new(ScheduledIo::new());
        let mut slab = self.slab.lock();
        if slab.is_shutdown {
            return Err(shutdown_error());
        }
        let index = match slab.free.pop() {
            Some(index) => index,
            None if slab.slots.len() < MAX_SLOTS => {
                slab.slots.push(Slot {
                    generation: 0,
                    io: None,
                });
                slab.slots.len() - 1
            }
            None => {
                return Err(io::Error::new(
                    io::ErrorKind::OutOfMemory,
                    "too many I/O sources registered with the driver",
                ))
            }
        };
        let slot = &mut slab.slots[index];
        slot.io = Some(io.clone());
        Ok((key_of(index, slot.generation), io))
    }

    /// Releases the slot of `key`. Events still in flight for it are
    /// dropped by dispatch (generation mismatch).
    pub fn deregister(&self, key: usize) {
        let (index, generation) = split_key(key);
        let removed = {
            let mut slab = self.slab.lock();
            let Some(slot) = slab.slots.get_mut(index) else {
                return;
            };
            if slot.generation != generation || slot.io.is_none() {
                return;
            }
            slot.generation = (slot.generation + 1) & (usize::MAX >> INDEX_BITS);
            let removed = slot.io.take();
            slab.free.push(index);
            removed
        };
        if let Some(io) = removed {
            io.clear_wakers();
        }
    }

    /// Applies one turn's events: sets readiness stamped with `tick` and
    /// moves the wakers to wake into `wake_list`. With `wake_both`, every
    /// event wakes both directions (one-shot polling: each waiter re-arms).
    pub fn dispatch<I>(&self, events: I, tick: u16, wake_both: bool, wake_list: &mut Vec<Waker>)
    where
        I: IntoIterator<Item = (usize, Ready)>,
    {
        let slab = self.slab.lock();
        for (key, ready) in events {
            let (index, generation) = split_key(key);
            let Some(slot) = slab.slots.get(index) else {
                continue;
            };
            if slot.generation != generation {
                continue;
            }
            if let Some(io) = &slot.io {
                io.set_readiness(tick, ready);
                io.take_wakers(ready, wake_both, wake_list);
            }
        }
    }

    /// Refuses new registrations and ends every registered source's waits.
    pub fn shutdown(&self) {
        let live: Vec<Arc<ScheduledIo>> = {
            let mut slab = self.slab.lock();
            slab.is_shutdown = true;
            slab.slots
                .iter()
                .filter_map(|slot| slot.io.clone())
                .collect()
        };
        for io in live {
            io.shutdown();
        }
    }

    /// Whether `shutdown` has run.
    #[cfg_attr(not(loom), allow(dead_code))] // loom models and tests
    pub fn is_shutdown(&self) -> bool {
        self.slab.lock().is_shutdown
    }

    /// The number of registered sources.
    pub fn len(&self) -> usize {
        let slab = self.slab.lock();
        slab.slots.len() - slab.free.len()
    }

    /// Whether no source is registered.
    #[cfg_attr(not(loom), allow(dead_code))] // loom models and tests
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The error every I/O operation fails with once the runtime is gone.
pub(crate) fn shutdown_error() -> io::Error {
    io::Error::other("the magpie runtime's I/O driver has shut down")
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::runtime::driver::io::ready::Direction;

    #[test]
    fn a_reused_slot_ignores_events_for_its_previous_source() {
        let registrations = Registrations::new();
        let (old_key, _old) = registrations.register().unwrap();
        registrations.deregister(old_key);
        let (new_key, new) = registrations.register().unwrap();
        assert_eq!(old_key & INDEX_MASK, new_key & INDEX_MASK);
        assert_ne!(old_key, new_key);
        let mut wake_list = Vec::new();
        registrations.dispatch([(old_key, Ready::READABLE)], 1, false, &mut wake_list);
        assert!(new.ready_event(Direction::Read).is_none());
        registrations.dispatch([(new_key, Ready::READABLE)], 2, false, &mut wake_list);
        assert!(new.ready_event(Direction::Read).is_some());
    }

    #[test]
    fn no_registration_after_shutdown() {
        let registrations = Registrations::new();
        let (_, io) = registrations.register().unwrap();
        registrations.shutdown();
        assert!(io.ready_event(Direction::Read).unwrap().is_shutdown());
        assert!(registrations.register().is_err());
    }

    #[test]
    fn no_key_collides_with_the_pollers_notify_key() {
        assert_ne!(key_of(MAX_SLOTS - 1, usize::MAX >> INDEX_BITS), usize::MAX);
    }
}
