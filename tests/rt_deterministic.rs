//! Deterministic runs: the same seed gives the same schedule, event for
//! event; different seeds give different interleavings; exploration finds a
//! race and its seed replays it.

mod support;

use magpie::runtime::{try_explore, Builder};
use magpie::sync::{mpsc, Mutex};
use magpie::task::{self, JoinSet};
use magpie::time::{sleep, Duration, Instant};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

fn det(seed: u64) -> magpie::Runtime {
    Builder::new_current_thread()
        .deterministic(seed)
        .trace_events(100_000)
        .build()
        .unwrap()
}

/// A workload with every source of scheduling choice: spawns, yields,
/// timers, channels, a lock, `select!`, `JoinSet`, `spawn_blocking`, and
/// pinned local tasks. Returns the order in which things happened.
async fn workload() -> Vec<String> {
    let log = Rc::new(RefCell::new(Vec::new()));
    let lock = Arc::new(Mutex::new(0u32));
    let (tx, mut rx) = mpsc::channel::<u32>(2);
    let mut set = JoinSet::new();
    for i in 0..6u32 {
        let (lock, tx) = (lock.clone(), tx.clone());
        set.spawn(async move {
            for _ in 0..i % 3 {
                task::yield_now().await;
            }
            sleep(Duration::from_millis(u64::from(i % 2))).await;
            *lock.lock().await += i;
            tx.send(i).await.unwrap();
            task::id()
        });
    }
    drop(tx);
    let l = log.clone();
    let local = task::spawn_local(async move {
        while let Some(v) = rx.recv().await {
            l.borrow_mut().push(format!("recv {v}"));
        }
    });
    let blocking = task::spawn_blocking(|| "blocking done");
    let l = log.clone();
    let racer = task::spawn_local(async move {
        let (a, b) = (std::future::ready(1), std::future::ready(2));
        let won = magpie::select! {
            x = a => x,
            y = b => y,
        };
        l.borrow_mut().push(format!("select {won}"));
    });
    while let Some(res) = set.join_next().await {
        log.borrow_mut().push(format!("joined {}", res.unwrap()));
    }
    let blocking = blocking.await.unwrap().to_string();
    log.borrow_mut().push(blocking);
    local.await.unwrap();
    racer.await.unwrap();
    let sum = *lock.lock().await;
    log.borrow_mut().push(format!("sum {sum}"));
    let out = log.borrow().clone();
    out
}

fn run(seed: u64) -> (Vec<String>, String) {
    let rt = det(seed);
    let log = rt.block_on(workload());
    let path = std::env::temp_dir().join(format!(
        "magpie-det-{}-{seed}-{:?}.json",
        std::process::id(),
        std::thread::current().id()
    ));
    rt.handle().write_trace(&path).unwrap();
    let trace = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    (log, trace)
}

#[test]
fn the_same_seed_gives_the_same_trace_byte_for_byte() {
    for seed in [0, 1, 42, 0xDEAD_BEEF] {
        let (log_a, trace_a) = run(seed);
        let (log_b, trace_b) = run(seed);
        assert_eq!(log_a, log_b, "seed {seed}: the program's own order differs");
        assert!(
            trace_a.len() > 1000,
            "a real trace: {} bytes",
            trace_a.len()
        );
        assert!(trace_a == trace_b, "seed {seed}: the traces differ");
    }
}

#[test]
fn different_seeds_give_different_interleavings() {
    let runs: Vec<_> = (0..8).map(run).collect();
    let distinct_logs = {
        let mut logs: Vec<_> = runs.iter().map(|(log, _)| log.clone()).collect();
        logs.sort();
        logs.dedup();
        logs.len()
    };
    assert!(distinct_logs > 1, "8 seeds, one interleaving");
    let distinct_traces = {
        let mut traces: Vec<_> = runs.iter().map(|(_, t)| t.clone()).collect();
        traces.sort();
        traces.dedup();
        traces.len()
    };
    assert!(distinct_traces > 1);
}

#[test]
fn task_ids_count_from_one_per_runtime() {
    let ids = |seed| {
        det(seed).block_on(async {
            let mut ids = vec![];
            for _ in 0..3 {
                ids.push(magpie::spawn(async { task::id() }).await.unwrap().as_u64());
            }
            ids
        })
    };
    assert_eq!(ids(3), vec![1, 2, 3]);
    assert_eq!(ids(3), ids(4), "ids follow spawn order, whatever the seed");
}

#[test]
fn virtual_time_only_no_wall_clock() {
    let rt = det(9);
    let elapsed = rt.block_on(async {
        let start = Instant::now();
        sleep(Duration::from_secs(86_400)).await;
        Instant::now() - start
    });
    assert_eq!(elapsed, Duration::from_secs(86_400));
}

#[test]
fn spawn_blocking_runs_on_the_runtime_thread_at_a_seeded_point() {
    let here = std::thread::current().id();
    let order = |seed| {
        det(seed).block_on(async move {
            let log = Arc::new(std::sync::Mutex::new(Vec::new()));
            let mut hs = vec![];
            for i in 0..4 {
                let log = log.clone();
                hs.push(task::spawn_blocking(move || {
                    assert_eq!(std::thread::current().id(), here);
                    log.lock().unwrap().push(i);
                }));
            }
            for h in hs {
                h.await.unwrap();
            }
            let v = log.lock().unwrap().clone();
            v
        })
    };
    assert_eq!(order(5), order(5));
    assert!(
        (0..16).any(|s| order(s) != order(5)),
        "blocking jobs never reordered"
    );
}

#[test]
fn a_deterministic_multi_thread_runtime_is_refused() {
    let err = Builder::new_multi_thread()
        .deterministic(1)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("current-thread"), "{err}");
}

#[test]
fn a_panic_in_an_unjoined_task_fails_the_seed() {
    let failure = try_explore(0..1, || async {
        magpie::spawn(async { panic!("nobody joins me") });
        sleep(Duration::from_secs(1)).await;
    })
    .unwrap_err();
    assert!(failure.message().contains("nobody joins me"), "{failure}");
}

#[test]
fn exploration_finds_a_check_then_act_race_and_the_seed_replays_it() {
    // The bank race, in miniature: check, await, then act.
    let body = || async {
        let balance = Rc::new(RefCell::new(100i64));
        let mut hs = vec![];
        for _ in 0..2 {
            let b = balance.clone();
            hs.push(task::spawn_local(async move {
                if *b.borrow() >= 80 {
                    task::yield_now().await;
                    *b.borrow_mut() -= 80;
                }
            }));
        }
        for h in hs {
            h.await.unwrap();
        }
        assert!(*balance.borrow() >= 0, "overdraft");
    };
    let failure = try_explore(0..1000, body).unwrap_err();
    let seed = failure.seed();
    for _ in 0..10 {
        let again = try_explore(seed..seed + 1, body).unwrap_err();
        assert_eq!(again.message(), failure.message());
    }
    assert!(failure
        .replay_command()
        .contains(&format!("MAGPIE_SEED={seed}")));
}

#[magpie::test(seeds = 200)]
async fn the_seeds_attribute_runs_the_body_under_each_seed() {
    // Correct under every interleaving: the lock is held across the await.
    let balance = Arc::new(Mutex::new(100i64));
    let mut hs = vec![];
    for _ in 0..2 {
        let b = balance.clone();
        hs.push(magpie::spawn(async move {
            let mut guard = b.lock().await;
            if *guard >= 80 {
                task::yield_now().await;
                *guard -= 80;
            }
        }));
    }
    for h in hs {
        h.await.unwrap();
    }
    assert_eq!(*balance.lock().await, 20);
}

#[magpie::test(seeds = 1000)]
#[should_panic(expected = "replay it with: MAGPIE_SEED=")]
async fn a_failing_seed_is_reported_with_the_command_that_replays_it() {
    let balance = Rc::new(RefCell::new(100i64));
    let mut hs = vec![];
    for _ in 0..2 {
        let b = balance.clone();
        hs.push(task::spawn_local(async move {
            if *b.borrow() >= 80 {
                task::yield_now().await;
                *b.borrow_mut() -= 80;
            }
        }));
    }
    for h in hs {
        h.await.unwrap();
    }
    assert!(*balance.borrow() >= 0, "overdraft");
}
