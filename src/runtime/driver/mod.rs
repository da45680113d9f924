//! The drivers a parked worker turns (placeholder until the core lands).

pub(crate) mod io;

/// Placeholder for the core's driver handle.
pub(crate) struct Handle {
    pub(crate) io: io::Handle,
}
