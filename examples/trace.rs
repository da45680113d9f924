//! Records a scheduling trace of a short workload and writes `trace.json`.
//!
//! ```text
//! cargo run --release --example trace [path]
//! ```
//!
//! Open the file at https://ui.perfetto.dev (or chrome://tracing): one
//! timeline per worker, a bar per task poll, instants for spawns, wakes,
//! steals, parks, unparks and timer firings. asyncio readers: this is what
//! debug mode and `loop.slow_callback_duration` hint at, as a picture.

use magpie::runtime::Builder;
use magpie::task::JoinSet;
use magpie::time::{sleep, Duration};

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "trace.json".into());
    run(&path)
}

/// Records the workload and writes the trace to `path`.
pub fn run(path: &str) -> std::io::Result<()> {
    let rt = Builder::new()
        .worker_threads(2)
        .trace_events(200_000)
        .enable_task_tracking()
        .build()?;
    rt.block_on(async {
        // A fan-out of short tasks, some yielding, some sleeping, and one
        // chain of spawns: enough to see stealing and the LIFO slot.
        let mut set = JoinSet::new();
        for i in 0..200u64 {
            set.spawn(async move {
                for _ in 0..(i % 4) {
                    magpie::task::yield_now().await;
                }
                if i % 10 == 0 {
                    sleep(Duration::from_millis(i / 10)).await;
                }
                i
            });
        }
        let mut sum = 0;
        while let Some(r) = set.join_next().await {
            sum += r.unwrap();
        }
        println!("workload done (checksum {sum})");
    });
    rt.handle().write_trace(path)?;
    let m = rt.handle().metrics();
    for w in 0..m.num_workers() {
        println!(
            "worker {w}: {} polls, {} stolen, {} parks, busy {:?}",
            m.worker_poll_count(w),
            m.worker_steal_count(w),
            m.worker_park_count(w),
            m.worker_total_busy_duration(w)
        );
    }
    println!("wrote {path}: open it at https://ui.perfetto.dev or chrome://tracing");
    Ok(())
}
