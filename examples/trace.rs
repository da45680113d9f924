//! Records a scheduling trace and latency histograms of a short workload,
//! writes `trace.json`, prints the histograms and plots the scheduling
//! delays to `scheduling-delay.svg`.
//!
//! ```text
//! cargo run --release --example trace [trace.json] [scheduling-delay.svg]
//! ```
//!
//! Open the trace at https://ui.perfetto.dev (or chrome://tracing): one
//! timeline per worker, a bar per task poll, instants for spawns, wakes,
//! steals, parks, unparks and timer firings, and counter tracks for the
//! queue depths. asyncio readers: this is what debug mode and
//! `loop.slow_callback_duration` hint at, as a picture.
//!
//! The plot shows, for each place a worker found a task (its LIFO slot,
//! its local queue, the injector, another worker's queue, its pinned
//! tasks), the share of polls whose scheduling delay (wake or spawn to
//! start of poll) was at most x.

use magpie::runtime::{Builder, DelaySource, Histogram, RuntimeMetrics};
use magpie::sync::mpsc;
use magpie::task::{yield_now, JoinSet};
use magpie::time::{sleep, Duration};
use plotters::prelude::*;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let trace = args.next().unwrap_or_else(|| "trace.json".into());
    let svg = args.next().unwrap_or_else(|| "scheduling-delay.svg".into());
    run(&trace, &svg)
}

/// Runs the workload, writes the trace to `trace_path` and the
/// scheduling-delay plot to `svg_path`, and prints the histograms.
pub fn run(trace_path: &str, svg_path: &str) -> std::io::Result<()> {
    let rt = Builder::new()
        .worker_threads(2)
        .trace_events(200_000)
        .enable_task_tracking()
        .enable_histograms()
        .build()?;
    let checksum = rt.block_on(workload(rt.handle().clone()));
    println!("workload done (checksum {checksum})");
    rt.handle().write_trace(trace_path)?;
    println!("wrote {trace_path}: open it at https://ui.perfetto.dev or chrome://tracing");
    let m = rt.handle().metrics();
    print_summary(&m);
    plot(&m, svg_path).map_err(|e| std::io::Error::other(format!("plotting {svg_path}: {e}")))?;
    println!("wrote {svg_path}");
    Ok(())
}

/// A mix that gives every scheduling-delay source some polls.
async fn workload(handle: magpie::runtime::Handle) -> u64 {
    let mut set = JoinSet::new();
    // A fan-out from outside the workers (`block_on` runs on this thread):
    // the tasks start from the injector; some yield (local queue), some
    // sleep (woken by the timer driver).
    for i in 0..200u64 {
        set.spawn(async move {
            for _ in 0..(i % 4) {
                yield_now().await;
            }
            if i % 10 == 0 {
                sleep(Duration::from_millis(i / 10)).await;
            }
            i
        });
    }
    // A fan-out from a worker: its children queue up locally and the other
    // worker steals some of them.
    set.spawn(async {
        let mut children = JoinSet::new();
        for i in 0..2_000u64 {
            children.spawn(async move {
                yield_now().await;
                i % 7
            });
        }
        children.join_all().await.into_iter().sum()
    });
    // Ping-pong through two channels: each send wakes the other task into
    // the sender's LIFO slot.
    let (ping_tx, mut ping_rx) = mpsc::channel::<u64>(1);
    let (pong_tx, mut pong_rx) = mpsc::channel::<u64>(1);
    set.spawn(async move {
        while let Some(n) = ping_rx.recv().await {
            pong_tx.send(n + 1).await.unwrap();
        }
        0
    });
    set.spawn(async move {
        let mut n = 0;
        for _ in 0..2_000 {
            ping_tx.send(n).await.unwrap();
            n = pong_rx.recv().await.unwrap();
        }
        n
    });
    // Tasks pinned to a worker (`!Send` futures may live there).
    for i in 0..20u64 {
        let pinned = handle.spawn_pinned(move || async move {
            let local = std::rc::Rc::new(i);
            for _ in 0..20 {
                yield_now().await;
            }
            *local
        });
        set.spawn(async move { pinned.await.unwrap() });
    }
    let mut sum = 0;
    while let Some(r) = set.join_next().await {
        sum += r.unwrap();
    }
    sum
}

fn name(source: DelaySource) -> &'static str {
    match source {
        DelaySource::LifoSlot => "LIFO slot",
        DelaySource::LocalQueue => "local queue",
        DelaySource::Injector => "injector",
        DelaySource::Stolen => "stolen",
        DelaySource::Pinned => "pinned",
    }
}

/// Per worker: scheduling delay per source and poll time.
fn print_summary(m: &RuntimeMetrics) {
    println!("\nscheduling delay (wake or spawn to start of poll) and poll time:");
    let line = |what: &str, h: &Histogram| {
        println!(
            "  {what:<22} {:>7} {:>10} {:>10} {:>10}",
            h.count(),
            short(h.p50()),
            short(h.p99()),
            short(h.max())
        );
    };
    for w in 0..m.num_workers() {
        println!(
            "worker {w}: {:>20} {:>7} {:>10} {:>10} {:>10}",
            "", "count", "p50", "p99", "max"
        );
        for source in DelaySource::ALL {
            line(
                &format!("delay, {}", name(source)),
                &m.scheduling_delay_histogram(w, source),
            );
        }
        line("poll time", &m.poll_time_histogram(w));
    }
}

/// A duration to three significant digits (`8.39ms`; the histogram's
/// bucket bounds are powers of two in nanoseconds, so `Debug` would print
/// `8.388608ms`).
fn short(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    let (value, unit) = match ns {
        ns if ns < 1e3 => (ns, "ns"),
        ns if ns < 1e6 => (ns / 1e3, "µs"),
        ns if ns < 1e9 => (ns / 1e6, "ms"),
        ns => (ns / 1e9, "s"),
    };
    let decimals = match value {
        v if v.fract() == 0.0 => 0,
        v if v < 10.0 => 2,
        v if v < 100.0 => 1,
        _ => 0,
    };
    format!("{value:.decimals$}{unit}")
}

const COLORS: [RGBColor; 5] = [
    RGBColor(0xd6, 0x27, 0x28), // LIFO slot: red
    RGBColor(0x1f, 0x77, 0xb4), // local queue: blue
    RGBColor(0x2c, 0xa0, 0x2c), // injector: green
    RGBColor(0xff, 0x7f, 0x0e), // stolen: orange
    RGBColor(0x94, 0x67, 0xbd), // pinned: purple
];

/// Plots, per source (all workers merged), the share of polls whose delay
/// was at most x, with x on a log scale.
fn plot(m: &RuntimeMetrics, path: &str) -> Result<(), Box<dyn std::error::Error>> {
    // (source, its count and percentiles, its bucket upper bounds in ns
    // with the cumulative share at each)
    let mut curves = Vec::new();
    let (mut lo, mut hi) = (f64::MAX, 0f64);
    for (source, color) in DelaySource::ALL.into_iter().zip(COLORS) {
        let mut h = Histogram::empty();
        for w in 0..m.num_workers() {
            h.merge(&m.scheduling_delay_histogram(w, source));
        }
        let total = h.count();
        if total == 0 {
            continue;
        }
        let mut seen = 0;
        let mut points = Vec::new();
        for (range, n) in h.buckets() {
            if seen == 0 && n == 0 {
                continue;
            }
            // Bucket 0 starts at zero, which a log axis cannot show.
            let start = range.start.as_nanos().max(32) as f64;
            let end = (range.end.as_nanos() as f64).min(start * 2.0);
            if seen == 0 {
                points.push((start, 0.0));
                lo = lo.min(start);
            }
            seen += n;
            points.push((end, seen as f64 / total as f64));
            if seen == total {
                hi = hi.max(end);
                break;
            }
        }
        let detail = format!("n={total}, p50 {}, p99 {}", short(h.p50()), short(h.p99()));
        curves.push((name(source), detail, color, points));
    }
    if curves.is_empty() {
        return Err("no scheduling delay was recorded".into());
    }
    let root = SVGBackend::new(path, (900, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let (plot_area, legend_area) = root.split_horizontally(680);
    let mut chart = ChartBuilder::on(&plot_area)
        .caption(
            "Scheduling delay by source (trace example, 2 workers)",
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d((lo..hi).log_scale(), 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc("delay from wake or spawn to start of poll (log scale)")
        .y_desc("share of polls with delay ≤ x")
        .x_label_formatter(&|ns| short(Duration::from_nanos(*ns as u64)))
        .y_label_formatter(&|share| format!("{:.0}%", share * 100.0))
        .draw()?;
    // The legend beside the plot, where it hides no line.
    let title = ("sans-serif", 15).into_font();
    let detail_font = ("sans-serif", 12)
        .into_font()
        .color(&RGBColor(0x55, 0x55, 0x55));
    legend_area.draw(&Text::new(
        "where the worker found the task",
        (0, 52),
        title.clone(),
    ))?;
    for (i, (source, detail, color, points)) in curves.into_iter().enumerate() {
        chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
        let y = 92 + 44 * i as i32;
        legend_area.draw(&PathElement::new([(0, y), (28, y)], color.stroke_width(3)))?;
        legend_area.draw(&Text::new(source, (36, y - 9), title.clone()))?;
        legend_area.draw(&Text::new(detail, (36, y + 9), detail_font.clone()))?;
    }
    root.present()?;
    Ok(())
}
