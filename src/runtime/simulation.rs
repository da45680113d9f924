//! The builder's knobs for simulated time: a paused clock
//! (`start_paused`) and deterministic runs (`deterministic`). The clock is
//! in `driver/time/clock.rs`, the seeded loop in `scheduler/deterministic.rs`.

use super::Builder;

impl Builder {
    /// Builds the runtime with its clock paused, as if `time::pause()` were
    /// its first call (tokio's `start_paused`): timers auto-advance the
    /// clock whenever the runtime has nothing else to do. Current-thread
    /// runtimes only: `build` fails on a multi-thread builder (see
    /// [`time::pause`](crate::time::pause) for why).
    ///
    /// ```
    /// use magpie::time::{interval, Duration, Instant};
    ///
    /// let rt = magpie::runtime::Builder::new_current_thread()
    ///     .start_paused(true)
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     let start = Instant::now();
    ///     let mut every_minute = interval(Duration::from_secs(60));
    ///     for _ in 0..=60 {
    ///         every_minute.tick().await;
    ///     }
    ///     // An hour of ticks, in a few milliseconds of real time.
    ///     assert_eq!(Instant::now() - start, Duration::from_secs(3600));
    /// });
    /// ```
    pub fn start_paused(&mut self, paused: bool) -> &mut Builder {
        self.config.start_paused = paused;
        self
    }

    /// Makes every scheduling choice of a current-thread runtime a
    /// function of `seed`: which runnable task runs next (a seeded pick,
    /// not FIFO), the clock (paused and auto-advancing: no wall-clock time
    /// leaks in), task ids (from 1, per runtime), `select!`'s branch order,
    /// and when a `spawn_blocking` result arrives (its closure runs as an
    /// ordinary task, on this thread, at a seeded point). The same program
    /// with the same seed then produces the same schedule, event for event
    /// (the trace, virtual timestamps included, is identical); another seed
    /// another interleaving. [`runtime::explore`](crate::runtime::explore)
    /// runs a test under many seeds.
    ///
    /// Outside the seed's reach: real I/O (readiness depends on the OS and
    /// the peer: use loopback peers that are themselves tasks of the
    /// runtime, or in-memory channels, for reproducible tests), other
    /// threads, and wall-clock reads (`std::time`) by the program itself.
    /// A `spawn_blocking` closure that waits for another task deadlocks
    /// here, since it runs on the runtime's only thread.
    ///
    /// Current-thread runtimes only: `build` fails otherwise.
    ///
    /// ```
    /// use magpie::runtime::Builder;
    ///
    /// fn order(seed: u64) -> Vec<u32> {
    ///     let rt = Builder::new_current_thread().deterministic(seed).build().unwrap();
    ///     rt.block_on(async {
    ///         let (tx, mut rx) = magpie::sync::mpsc::unbounded_channel();
    ///         for i in 0..8 {
    ///             let tx = tx.clone();
    ///             magpie::spawn(async move { tx.send(i).unwrap() });
    ///         }
    ///         drop(tx);
    ///         let mut order = Vec::new();
    ///         while let Some(i) = rx.recv().await {
    ///             order.push(i);
    ///         }
    ///         order
    ///     })
    /// }
    /// assert_eq!(order(7), order(7)); // replayable
    /// assert!((0..20).any(|seed| order(seed) != order(7))); // explores
    /// ```
    pub fn deterministic(&mut self, seed: u64) -> &mut Builder {
        self.config.deterministic = Some(seed);
        self.config.start_paused = true;
        self
    }
}
