//! The runtime (placeholder until the core lands: only the I/O driver).

pub(crate) mod driver;
