//! Chrome trace-event JSON (`chrome://tracing`, Perfetto): one "thread"
//! per worker. Polls are duration events (`B`/`E`) so each worker's
//! timeline shows which task ran when; queue depths are counter events
//! (`C`), one track per worker's local queue and one for the injector;
//! everything else is an instant event.
//!
//! A ring that wrapped may start inside a poll or end inside one: an `E`
//! with no `B` before it and a trailing `B` with no `E` are left out, so
//! every written `B` has its `E` on the same thread.

use super::{Event, Kind, EXTERNAL};
use std::io::{self, Write};

pub(super) fn write(rings: &[Vec<Event>], out: &mut dyn Write) -> io::Result<()> {
    let external = rings.len() - 1;
    write!(out, "{{\"displayTimeUnit\":\"ns\",\"traceEvents\":[")?;
    let mut first = true;
    let mut sep = |out: &mut dyn Write| -> io::Result<()> {
        if !std::mem::take(&mut first) {
            write!(out, ",")?;
        }
        writeln!(out)
    };
    for (tid, events) in rings.iter().enumerate() {
        let name = if tid == external {
            "outside the runtime".to_string()
        } else {
            format!("worker {tid}")
        };
        sep(out)?;
        write!(
            out,
            "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":{tid},\"args\":{{\"name\":\"{name}\"}}}}"
        )?;
        for event in paired(events) {
            sep(out)?;
            write_event(out, tid, event)?;
        }
    }
    writeln!(out, "\n]}}")
}

/// The events with unmatched poll ends (at the start) and an unmatched poll
/// start (at the end) removed.
fn paired(events: &[Event]) -> impl Iterator<Item = &Event> {
    let mut open: Option<usize> = None;
    let mut keep = vec![true; events.len()];
    for (i, e) in events.iter().enumerate() {
        match e.kind {
            Kind::PollStart => open = Some(i),
            Kind::PollEnd if open.take().is_none() => keep[i] = false,
            _ => {}
        }
    }
    if let Some(i) = open {
        keep[i] = false;
    }
    events.iter().zip(keep).filter_map(|(e, k)| k.then_some(e))
}

fn write_event(out: &mut dyn Write, tid: usize, e: &Event) -> io::Result<()> {
    let ts = e.ts_ns as f64 / 1000.0;
    if e.kind == Kind::QueueDepth {
        // Counter events ("C"): Perfetto draws one track per name (per
        // process), under the workers' timelines.
        return write!(
            out,
            "{{\"name\":\"local queue, worker {tid}\",\"ph\":\"C\",\"ts\":{ts:.3},\"pid\":1,\"tid\":{tid},\"args\":{{\"depth\":{}}}}},\n\
             {{\"name\":\"injector\",\"ph\":\"C\",\"ts\":{ts:.3},\"pid\":1,\"tid\":{tid},\"args\":{{\"depth\":{}}}}}",
            e.arg, e.task
        );
    }
    let (name, ph) = match e.kind {
        Kind::Spawn => ("spawn", "i"),
        Kind::PollStart => ("poll", "B"),
        Kind::PollEnd => ("poll", "E"),
        Kind::Wake => ("wake", "i"),
        Kind::Steal => ("steal", "i"),
        Kind::Park => ("park", "i"),
        Kind::Unpark => ("unpark", "i"),
        Kind::TimerFire => ("timers fired", "i"),
        Kind::IoEvent => ("io events", "i"),
        Kind::QueueDepth => unreachable!("written above"),
    };
    write!(
        out,
        "{{\"name\":\"{name}\",\"ph\":\"{ph}\",\"ts\":{ts:.3},\"pid\":1,\"tid\":{tid}"
    )?;
    if ph == "i" {
        write!(out, ",\"s\":\"t\"")?;
    }
    match e.kind {
        Kind::Spawn | Kind::PollStart | Kind::PollEnd => {
            write!(out, ",\"args\":{{\"task\":{}}}", e.task)?
        }
        Kind::Wake => {
            if e.arg == EXTERNAL {
                write!(
                    out,
                    ",\"args\":{{\"task\":{},\"from\":\"outside\"}}",
                    e.task
                )?
            } else {
                write!(out, ",\"args\":{{\"task\":{},\"from\":{}}}", e.task, e.arg)?
            }
        }
        Kind::Steal => write!(
            out,
            ",\"args\":{{\"victim\":{},\"tasks\":{}}}",
            e.task, e.arg
        )?,
        Kind::TimerFire | Kind::IoEvent => write!(out, ",\"args\":{{\"count\":{}}}", e.arg)?,
        Kind::Park | Kind::Unpark | Kind::QueueDepth => {}
    }
    write!(out, "}}")
}
