//! Placeholder until the core lands (take main's version at merge): only
//! what the time driver and `magpie::time` need to compile.

#[allow(dead_code)] // until the core calls the driver
pub(crate) mod driver;

/// Stand-in for the core's runtime handle.
#[derive(Debug, Clone)]
pub(crate) struct Handle {
    driver: driver::Handle,
}

impl Handle {
    /// Stand-in: there is no runtime yet.
    pub(crate) fn current() -> Handle {
        panic!("must be called from the context of a magpie runtime")
    }

    pub(crate) fn driver(&self) -> &driver::Handle {
        &self.driver
    }
}
