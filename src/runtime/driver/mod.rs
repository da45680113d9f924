//! Placeholder until the core lands (take main's version at merge).

pub(crate) mod time;

/// Stand-in for the core's driver handle.
#[derive(Debug, Clone)]
pub(crate) struct Handle {
    pub(crate) time: time::Handle,
}

impl Handle {
    /// Stand-in: wakes the worker parked on the driver.
    pub(crate) fn unpark(&self) {}
}
