//! The drivers a parked worker turns (placeholder until the core lands).

pub(crate) mod io;
