//! The runtime (placeholder until the core lands: the I/O driver plus the
//! two calls the sockets make, so that `net` compiles; replaced at merge).

pub(crate) mod driver;

/// Placeholder for the core's runtime handle.
pub(crate) struct Handle {
    driver: driver::Handle,
}

impl Handle {
    pub(crate) fn current() -> Handle {
        panic!("placeholder: the runtime core has not landed on this branch yet")
    }

    pub(crate) fn driver(&self) -> &driver::Handle {
        &self.driver
    }

    pub(crate) fn spawn_blocking<F, R>(&self, f: F) -> std::future::Ready<Result<R, std::io::Error>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        std::future::ready(Ok(f()))
    }
}
