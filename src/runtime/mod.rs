//! The runtime (placeholder until the core lands: only the driver tree).

#[allow(dead_code)]
pub(crate) mod driver;
