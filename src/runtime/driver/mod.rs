//! The drivers (placeholder until the core lands: only the timer wheel).

pub(crate) mod time;
