//! Seeing inside: slow-poll reports, task dumps, unhandled panics, traces.

mod support;

use magpie::runtime::{Builder, TaskState, UnhandledPanic};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn a_poll_longer_than_the_threshold_is_reported_with_the_task() {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let r = reports.clone();
    let rt = Builder::new()
        .worker_threads(1)
        .slow_poll_threshold(Duration::from_millis(200))
        .on_slow_poll(move |report| {
            r.lock().unwrap().push((
                report.id,
                report.name.map(String::from),
                report.location.file().to_string(),
                report.duration,
                report.to_string(),
            ))
        })
        .build()
        .unwrap();
    let slow = magpie::task::Builder::new()
        .name("blocker")
        .spawn_on(
            async { std::thread::sleep(Duration::from_millis(300)) },
            rt.handle(),
        )
        .unwrap();
    let slow_id = slow.id();
    rt.block_on(slow).unwrap();
    // A fast task is not reported.
    rt.block_on(rt.spawn(async {})).unwrap();
    drop(rt);
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let (id, name, file, duration, line) = &reports[0];
    assert_eq!(*id, slow_id);
    assert_eq!(name.as_deref(), Some("blocker"));
    assert!(file.ends_with("rt_debug.rs"), "{file}");
    assert!(*duration >= Duration::from_millis(300));
    assert!(
        line.contains("\"blocker\"") && line.contains("took"),
        "{line}"
    );
}

#[test]
fn a_task_stuck_waiting_shows_up_in_the_dump() {
    let rt = Builder::new()
        .worker_threads(2)
        .enable_task_tracking()
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let never = Arc::new(magpie::sync::Notify::new());
    let n = never.clone();
    let stuck = magpie::task::Builder::new()
        .name("stuck-on-notify")
        .spawn_on(
            async move {
                tx.send(()).unwrap();
                // Never notified.
                n.notified().await
            },
            rt.handle(),
        )
        .unwrap();
    rx.recv().unwrap();
    // Bounded wait until the task has gone idle after its first poll.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let task = loop {
        let dump = rt.handle().dump();
        let t = dump
            .tasks()
            .iter()
            .find(|t| t.id == stuck.id())
            .cloned()
            .expect("the stuck task is in the dump");
        if t.state == TaskState::Idle || std::time::Instant::now() > deadline {
            break t;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    assert_eq!(task.state, TaskState::Idle);
    assert_eq!(task.name.as_deref(), Some("stuck-on-notify"));
    assert_eq!(task.polls, Some(1));
    assert!(task.location.file().ends_with("rt_debug.rs"));
    assert!(task.age.is_some() && task.since_last_poll.is_some());
    let table = rt.handle().dump().to_string();
    assert!(
        table.contains("stuck-on-notify") && table.contains("idle"),
        "{table}"
    );
}

#[test]
fn a_dump_without_tracking_still_lists_tasks() {
    let rt = support::rt(1);
    let h = rt.spawn(std::future::pending::<()>());
    let dump = rt.handle().dump();
    assert_eq!(dump.tasks().len(), 1);
    assert_eq!(dump.tasks()[0].id, h.id());
    assert!(dump.tasks()[0].age.is_none());
    assert!(dump.tasks()[0].polls.is_none());
}

#[test]
fn unhandled_panic_shutdown_runtime_cancels_the_other_tasks() {
    let rt = Builder::new()
        .worker_threads(2)
        .unhandled_panic(UnhandledPanic::ShutdownRuntime)
        .build()
        .unwrap();
    let bystander = rt.spawn(std::future::pending::<()>());
    let err = rt
        .block_on(rt.spawn(async { panic!("fatal bug") }))
        .unwrap_err();
    assert!(err.is_panic());
    assert!(rt.block_on(bystander).unwrap_err().is_cancelled());
    assert!(rt.block_on(rt.spawn(async {})).unwrap_err().is_cancelled());
}

#[test]
fn unhandled_panic_ignore_keeps_the_runtime_running() {
    let rt = support::rt(2);
    assert!(rt
        .block_on(rt.spawn(async { panic!("one bad task") }))
        .is_err());
    assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
}

#[test]
fn the_trace_file_is_chrome_json_with_paired_polls() {
    let rt = Builder::new()
        .worker_threads(2)
        .trace_events(100_000)
        .build()
        .unwrap();
    rt.block_on(async {
        let mut set = magpie::task::JoinSet::new();
        for _ in 0..50 {
            set.spawn(async {
                magpie::task::yield_now().await;
                magpie::time::sleep(Duration::from_millis(1)).await;
            });
        }
        while set.join_next().await.is_some() {}
    });
    let path = std::env::temp_dir().join(format!("magpie-trace-{}.json", std::process::id()));
    rt.handle().write_trace(&path).unwrap();
    drop(rt);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let events = json["traceEvents"].as_array().expect("traceEvents array");
    let count = |name: &str| events.iter().filter(|e| e["name"] == name).count();
    assert!(count("spawn") >= 50);
    assert!(count("wake") >= 50);
    assert!(count("timers fired") >= 1);
    // Every poll start has its end, on the same worker, in order.
    let mut open: std::collections::HashMap<u64, u64> = Default::default();
    let mut polls = 0;
    for e in events {
        let tid = e["tid"].as_u64().unwrap();
        match e["ph"].as_str().unwrap() {
            "B" => {
                let task = e["args"]["task"].as_u64().unwrap();
                assert!(open.insert(tid, task).is_none(), "nested poll on {tid}");
            }
            "E" => {
                let task = e["args"]["task"].as_u64().unwrap();
                assert_eq!(open.remove(&tid), Some(task), "unpaired end on {tid}");
                polls += 1;
            }
            _ => {}
        }
    }
    assert!(open.is_empty(), "unpaired starts: {open:?}");
    assert!(polls >= 100, "{polls} polls");
}

#[test]
fn write_trace_without_tracing_is_a_clear_error() {
    let rt = support::rt(1);
    let err = rt
        .handle()
        .write_trace("/nonexistent/never-written.json")
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn research_knobs_keep_the_runtime_correct() {
    use magpie::runtime::StealBatch;
    for (lifo, batch) in [
        (true, StealBatch::Half),
        (false, StealBatch::Half),
        (true, StealBatch::One),
        (false, StealBatch::One),
    ] {
        let mut b = Builder::new();
        b.worker_threads(2)
            .steal_batch(batch)
            .max_searching_workers(2)
            .global_queue_interval(7)
            .event_interval(3)
            .rng_seed(9);
        if !lifo {
            b.disable_lifo_slot();
        }
        let rt = b.build().unwrap();
        let sum = rt.block_on(async {
            let hs: Vec<_> = (0..1000u64)
                .map(|i| {
                    magpie::spawn(async move {
                        magpie::task::yield_now().await;
                        i
                    })
                })
                .collect();
            let mut s = 0;
            for h in hs {
                s += h.await.unwrap();
            }
            s
        });
        assert_eq!(sum, 499_500);
        if !lifo {
            assert_eq!(rt.handle().metrics().worker_lifo_count(0), 0);
            assert_eq!(rt.handle().metrics().worker_lifo_count(1), 0);
        }
    }
}

#[test]
fn unhandled_panic_shutdown_runtime_ends_a_running_block_on_with_the_tasks_panic() {
    let rt = Builder::new()
        .worker_threads(2)
        .unhandled_panic(UnhandledPanic::ShutdownRuntime)
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let ended = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async {
                let _doomed = magpie::spawn(async {
                    magpie::time::sleep(std::time::Duration::from_millis(5)).await;
                    panic!("fatal bug 42")
                });
                magpie::time::sleep(std::time::Duration::from_millis(300)).await;
            })
        }));
        let message = match ended {
            Ok(()) => "block_on returned normally".to_string(),
            Err(p) => p
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "non-string panic".into()),
        };
        tx.send(message).unwrap();
    });
    // Before the fix the block_on never returned (nothing drove its timer).
    let message = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("block_on must end once the runtime shuts itself down");
    assert!(message.contains("fatal bug 42"), "{message}");
    assert!(message.contains("ShutdownRuntime"), "{message}");
}
