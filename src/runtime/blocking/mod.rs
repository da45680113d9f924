//! The blocking-thread pool behind `spawn_blocking`.

mod pool;
mod task;

pub(crate) use pool::{BlockingPool, PoolConfig, Spawner};
