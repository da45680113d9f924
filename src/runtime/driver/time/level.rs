//! One level of the timer wheel: 64 slots and a bitmap of the occupied ones.
//!
//! Level `n` has slots `64^n` ticks wide, so the whole level spans `64^(n+1)`
//! ticks (one "rotation"). A node filed at level `n` sits in the slot given
//! by bits `6n..6n+6` of its `when`. The occupancy bitmap has bit `s` set
//! iff slot `s` is non-empty, so the next occupied slot is one
//! `rotate_right` + `trailing_zeros`, never a scan.

use super::entry::{List, Location, NodeRef};

/// Slots per level.
pub(super) const SLOTS: usize = 64;
/// log2(SLOTS): the bits of a tick each level consumes.
pub(super) const SLOT_BITS: u32 = 6;

/// The next occupied slot of a level and the tick it becomes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Expiration {
    pub(super) level: usize,
    pub(super) slot: usize,
    pub(super) deadline: u64,
}

#[derive(Debug)]
pub(super) struct Level {
    level: usize,
    /// Bit `s` is set iff `slots[s]` is non-empty.
    occupied: u64,
    slots: [List; SLOTS],
}

impl Level {
    pub(super) fn new(level: usize) -> Level {
        Level {
            level,
            occupied: 0,
            slots: std::array::from_fn(|_| List::new()),
        }
    }

    /// Ticks covered by one slot of this level.
    fn slot_range(&self) -> u64 {
        1 << (SLOT_BITS * self.level as u32)
    }

    /// Ticks covered by the whole level.
    fn level_range(&self) -> u64 {
        self.slot_range() << SLOT_BITS
    }

    /// The slot `when` belongs in at this level.
    pub(super) fn slot_for(&self, when: u64) -> usize {
        ((when >> (SLOT_BITS * self.level as u32)) as usize) & (SLOTS - 1)
    }

    pub(super) fn push(&mut self, node: NodeRef, when: u64) {
        let slot = self.slot_for(when);
        self.slots[slot].push_front(node);
        node.set_location(Location::Slot {
            level: self.level as u8,
            slot: slot as u8,
        });
        self.occupied |= 1 << slot;
    }

    pub(super) fn remove(&mut self, node: NodeRef, slot: usize) {
        self.slots[slot].remove(node);
        if self.slots[slot].is_empty() {
            self.occupied &= !(1 << slot);
        }
    }

    /// The earliest exact deadline in `slot`, if it holds at most `limit`
    /// nodes (and at least one).
    pub(super) fn min_at(&self, slot: usize, limit: usize) -> Option<u64> {
        let mut min = None::<u64>;
        self.walk_small(slot, limit, |n| {
            min = Some(min.map_or(n.at(), |m| m.min(n.at())));
        })?;
        min
    }

    /// A node of `slot` whose exact deadline is at or before `now_ns`, if
    /// the slot holds at most `limit` nodes.
    pub(super) fn find_due(&self, slot: usize, now_ns: u64, limit: usize) -> Option<NodeRef> {
        let mut due = None;
        self.walk_small(slot, limit, |n| {
            if due.is_none() && n.at() <= now_ns {
                due = Some(n);
            }
        })?;
        due
    }

    /// Calls `f` on each node of `slot` if it holds at most `limit` nodes;
    /// `None` (having visited at most `limit`) if it holds more.
    fn walk_small(&self, slot: usize, limit: usize, f: impl FnMut(NodeRef)) -> Option<()> {
        let mut nodes = self.slots[slot].iter();
        nodes.by_ref().take(limit).for_each(f);
        nodes.next().is_none().then_some(())
    }

    /// Empties `slot`, returning its nodes (their `location` still names the
    /// slot; the caller re-files every one before releasing the lock).
    pub(super) fn take_slot(&mut self, slot: usize) -> List {
        self.occupied &= !(1 << slot);
        std::mem::take(&mut self.slots[slot])
    }

    /// The first occupied slot at or after the one `elapsed` is in, and the
    /// tick its range begins.
    ///
    /// Below the top level every filed node is due later than `elapsed`
    /// (filing puts it in a slot past the current one, and the wheel visits
    /// every due slot as time advances). At the top level a node more than a
    /// whole wheel away may sit in a slot "behind" the current one; it is due
    /// in the next rotation, so its slot is reported one rotation later.
    pub(super) fn next_expiration(&self, elapsed: u64, top: bool) -> Option<Expiration> {
        if self.occupied == 0 {
            return None;
        }
        let slot_range = self.slot_range();
        let level_range = self.level_range();
        let now_slot = ((elapsed / slot_range) % SLOTS as u64) as u32;
        let distance = self.occupied.rotate_right(now_slot).trailing_zeros();
        let slot = ((now_slot + distance) as usize) % SLOTS;
        let level_start = elapsed & !(level_range - 1);
        let mut deadline = level_start + slot as u64 * slot_range;
        if deadline <= elapsed {
            debug_assert!(top, "a level below the top holds a node behind time");
            deadline += level_range;
        }
        Some(Expiration {
            level: self.level,
            slot,
            deadline,
        })
    }

    /// Some node of this level, for shutdown.
    pub(super) fn pop_any(&mut self) -> Option<NodeRef> {
        if self.occupied == 0 {
            return None;
        }
        let slot = self.occupied.trailing_zeros() as usize;
        let node = self.slots[slot].pop_front();
        if self.slots[slot].is_empty() {
            self.occupied &= !(1 << slot);
        }
        node
    }
}
