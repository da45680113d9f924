//! Loom models live in `tests/`; this crate holds only a helper for them.
//!
//! How many interleavings a model explored tells whether it races at all:
//! a model whose threads cannot overlap (a `join` before the racing
//! operation, a flag checked once, a future that is ready before the other
//! thread runs) explores a handful and can miss any ordering bug. Models
//! run through `loom::model` print their count with
//! `LOOM_LOG=loom::model=info cargo test ... -- --nocapture`; models that
//! need their own `loom::model::Builder` (a smaller preemption bound) run
//! through [`check`], which prints it too (captured unless `--nocapture`).

/// Runs `f` under `builder` like `Builder::check`, and prints (to the test's
/// captured output) how many interleavings were explored and how long that
/// took. Returns the count.
#[cfg(loom)]
pub fn check<F>(builder: &loom::model::Builder, f: F) -> usize
where
    F: Fn() + Sync + Send + 'static,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A std counter: it is outside the model, so loom neither sees nor
    // schedules it.
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let start = std::time::Instant::now();
    builder.check(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        f()
    });
    let n = count.load(Ordering::Relaxed);
    eprintln!("loom: {n} iterations in {:.2?}", start.elapsed());
    n
}
