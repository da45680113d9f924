//! Asynchronous I/O traits and helpers.
