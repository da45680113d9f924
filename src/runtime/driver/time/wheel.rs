//! The hierarchical timer wheel: six [`Level`]s of 64 slots at 1 ms per tick.
//!
//! Level 0 slots are one tick wide, level 1 slots 64 ticks, level `n` slots
//! `64^n` ticks; together they span `64^6` ms (about 795 days). A node is
//! filed at the level of the highest 6-bit digit in which its `when` differs
//! from `elapsed` (the wheel's present), in the slot named by that digit of
//! `when`. As `elapsed` reaches the start of an occupied slot above level 0,
//! the slot is emptied and its nodes re-filed relative to the new `elapsed`,
//! which puts them at a lower level ("cascading"); nodes whose `when` has
//! been reached move to the `pending` list, from which the driver fires them
//! one by one. So filing and cancelling are O(1), and every node cascades at
//! most once per level.
//!
//! Deadlines farther away than the wheel spans go to the top level and are
//! re-filed each rotation until they come within range; they still fire
//! exactly at their `when`.
//!
//! The wheel knows nothing about clocks: callers pass ticks, which is how
//! the unit tests below drive it.

use super::entry::{List, Location, NodeRef};
use super::level::{Expiration, Level, SLOT_BITS};

/// Levels in the wheel.
pub(super) const NUM_LEVELS: usize = 6;
/// Ticks the wheel spans (`64^6`).
pub(super) const SPAN: u64 = 1 << (SLOT_BITS * NUM_LEVELS as u32);

#[derive(Debug)]
pub(super) struct Wheel {
    /// The tick the wheel has advanced to; nodes with `when <= elapsed` are
    /// due.
    elapsed: u64,
    levels: [Level; NUM_LEVELS],
    /// Due nodes waiting to be fired.
    pending: List,
    /// Nodes filed anywhere in the wheel (a metric).
    len: usize,
}

impl Wheel {
    pub(super) fn new() -> Wheel {
        Wheel {
            elapsed: 0,
            levels: std::array::from_fn(Level::new),
            pending: List::new(),
            len: 0,
        }
    }

    pub(super) fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// Number of filed nodes.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Files `node` for tick `when`, which must be later than `elapsed`.
    pub(super) fn insert(&mut self, node: NodeRef, when: u64) {
        debug_assert!(when > self.elapsed, "filing a node that is already due");
        debug_assert_eq!(node.location(), Location::Nowhere);
        node.set_when(when);
        let level = level_for(self.elapsed, when);
        self.levels[level].push(node, when);
        self.len += 1;
    }

    /// Unlinks `node` from wherever it is filed (a no-op if nowhere).
    pub(super) fn remove(&mut self, node: NodeRef) {
        match node.location() {
            Location::Nowhere => return,
            Location::Pending => self.pending.remove(node),
            Location::Slot { level, slot } => {
                self.levels[level as usize].remove(node, slot as usize)
            }
        }
        self.len -= 1;
        node.set_location(Location::Nowhere);
    }

    /// The earliest tick at which some node is due: `elapsed` if some are
    /// due already, `None` if the wheel is empty.
    pub(super) fn next_deadline(&self) -> Option<u64> {
        if !self.pending.is_empty() {
            return Some(self.elapsed);
        }
        self.next_expiration().map(|e| e.deadline)
    }

    /// The earliest exact deadline in the next slot, if that is a level-0
    /// slot (one tick) holding at most `limit` nodes and nothing is due.
    pub(super) fn next_exact(&self, limit: usize) -> Option<u64> {
        let exp = self.next_level0()?;
        self.levels[0].min_at(exp.slot, limit)
    }

    /// Unlinks and returns a node of the next level-0 slot whose exact
    /// deadline `now_ns` has reached, if that slot holds at most `limit`
    /// nodes. Its tick has not been reached (`poll` would have fired it),
    /// but its deadline has: firing it is not early.
    pub(super) fn poll_exact(&mut self, now_ns: u64, limit: usize) -> Option<NodeRef> {
        let exp = self.next_level0()?;
        let node = self.levels[0].find_due(exp.slot, now_ns, limit)?;
        self.remove(node);
        Some(node)
    }

    /// The next slot to visit, if it is on level 0 and nothing is pending.
    fn next_level0(&self) -> Option<Expiration> {
        if !self.pending.is_empty() {
            return None;
        }
        self.next_expiration().filter(|exp| exp.level == 0)
    }

    /// The next slot to visit. Levels are checked from the bottom: a lower
    /// level's next slot always begins before any higher level's, because a
    /// higher level's next slot begins at the end of the current rotation of
    /// the level below, at the earliest.
    fn next_expiration(&self) -> Option<Expiration> {
        self.levels
            .iter()
            .enumerate()
            .find_map(|(i, level)| level.next_expiration(self.elapsed, i == NUM_LEVELS - 1))
    }

    /// Advances to `now` and returns one due node (unlinked, its location
    /// `Nowhere`), or `None` once nothing is due at `now`. Call repeatedly;
    /// the wheel stays consistent between calls.
    pub(super) fn poll(&mut self, now: u64) -> Option<NodeRef> {
        loop {
            if let Some(node) = self.pending.pop_front() {
                node.set_location(Location::Nowhere);
                self.len -= 1;
                return Some(node);
            }
            match self.next_expiration() {
                Some(exp) if exp.deadline <= now => {
                    self.elapsed = exp.deadline;
                    self.cascade(exp);
                }
                _ => {
                    self.elapsed = self.elapsed.max(now);
                    return None;
                }
            }
        }
    }

    /// Re-files every node of the slot `exp` names relative to `elapsed`
    /// (now the slot's start): due ones to `pending`, others lower down.
    fn cascade(&mut self, exp: Expiration) {
        let mut list = self.levels[exp.level].take_slot(exp.slot);
        while let Some(node) = list.pop_front() {
            node.set_location(Location::Nowhere);
            let when = node.when();
            if when <= self.elapsed {
                self.pending.push_front(node);
                node.set_location(Location::Pending);
            } else {
                // Re-filed lower down: `insert` counts it again.
                self.len -= 1;
                self.insert(node, when);
            }
        }
    }

    /// Unlinks and returns any filed node (for shutdown), `None` once empty.
    pub(super) fn pop_any(&mut self) -> Option<NodeRef> {
        let node = match self.pending.pop_front() {
            Some(node) => Some(node),
            None => self.levels.iter_mut().find_map(Level::pop_any),
        }?;
        node.set_location(Location::Nowhere);
        self.len -= 1;
        Some(node)
    }
}

/// The level for a node due at `when` when the wheel stands at `elapsed`:
/// the highest 6-bit digit in which the two differ (level 0 if they differ
/// only in the lowest digit), capped at the top level.
pub(super) fn level_for(elapsed: u64, when: u64) -> usize {
    let masked = ((elapsed ^ when) | (SLOT_MASK)).min(SPAN - 1);
    let significant = 63 - masked.leading_zeros();
    (significant / SLOT_BITS) as usize
}

const SLOT_MASK: u64 = (1 << SLOT_BITS) - 1;
