//! Sync primitive benchmarks: `magpie::sync` side by side with `tokio::sync`
//! and smol's `async-lock` / `async-channel`, one criterion group per
//! workload so the ratios come from one run.
//!
//! * `mutex_uncontended`: 1,000 lock/unlock pairs on one task.
//! * `mutex_contended`: 8 tasks x 10,000 lock/increment/unlock.
//! * `semaphore`: 64 tasks x 100 acquire/yield/release on 8 permits.
//! * `mpsc_throughput`: 4 producers x 100,000 messages, capacity 1,024.
//! * `oneshot_request_reply`: 1,000 requests, each answered on a oneshot.
//! * `notify_waiters`: 64 waiting tasks released by one `notify_waiters`
//!   (magpie and tokio only: async-lock has no `Notify`).
//!
//! Each library runs on its own family's runtime, all with the same worker
//! count: magpie on magpie, tokio on tokio, async-lock/async-channel on
//! `async-executor`.
//!
//! Run: `cargo bench --bench sync`.

mod support;

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc as std_mpsc, Arc};

use criterion::{criterion_group, criterion_main, Criterion};
use support::{Bench, Magpie, Smol, Spawn, Tokio};

const UNCONTENDED_LOCKS: usize = 1_000;
const CONTENDED_TASKS: usize = 8;
const CONTENDED_LOCKS: usize = 10_000;
const SEM_TASKS: usize = 64;
const SEM_PERMITS: usize = 8;
const SEM_ROUNDS: usize = 100;
const PRODUCERS: usize = 4;
const MESSAGES: usize = 100_000;
const CAPACITY: usize = 1_024;
const REQUESTS: usize = 1_000;
const NOTIFY_TASKS: usize = 64;

/// Spawns `n` tasks made by `task(i)` and blocks the bench thread until all
/// of them finished (a std channel, neutral to every runtime).
fn run_tasks<B: Bench, F>(rt: &B, n: usize, task: impl Fn(usize) -> F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let spawner = rt.spawner();
    let left = Arc::new(AtomicUsize::new(n));
    let (done_tx, done_rx) = std_mpsc::sync_channel(1);
    for i in 0..n {
        let (left, done_tx, work) = (left.clone(), done_tx.clone(), task(i));
        spawner.spawn(async move {
            work.await;
            if left.fetch_sub(1, Ordering::AcqRel) == 1 {
                done_tx.send(()).unwrap();
            }
        });
    }
    done_rx.recv().unwrap();
}

/// `iter` for one bench function.
macro_rules! bench {
    ($g:expr, $name:expr, $work:expr) => {
        $g.bench_function($name, |b| b.iter(|| $work));
    };
}

fn mutex_uncontended(c: &mut Criterion, magpie: &Magpie, tokio: &Tokio, smol: &Smol) {
    let mut g = c.benchmark_group("mutex_uncontended");
    let m = magpie::sync::Mutex::new(0u64);
    bench!(
        g,
        "magpie",
        magpie.block_on(async {
            for _ in 0..UNCONTENDED_LOCKS {
                *m.lock().await += 1;
            }
        })
    );
    let m = tokio::sync::Mutex::new(0u64);
    bench!(
        g,
        "tokio",
        tokio.block_on(async {
            for _ in 0..UNCONTENDED_LOCKS {
                *m.lock().await += 1;
            }
        })
    );
    let m = async_lock::Mutex::new(0u64);
    bench!(
        g,
        "async-lock",
        smol.block_on(async {
            for _ in 0..UNCONTENDED_LOCKS {
                *m.lock().await += 1;
            }
        })
    );
    g.finish();
}

fn mutex_contended(c: &mut Criterion, magpie: &Magpie, tokio: &Tokio, smol: &Smol) {
    let mut g = c.benchmark_group("mutex_contended");
    let m = Arc::new(magpie::sync::Mutex::new(0u64));
    bench!(
        g,
        "magpie",
        run_tasks(magpie, CONTENDED_TASKS, |_| {
            let m = m.clone();
            async move {
                for _ in 0..CONTENDED_LOCKS {
                    *m.lock().await += 1;
                }
            }
        })
    );
    let m = Arc::new(tokio::sync::Mutex::new(0u64));
    bench!(
        g,
        "tokio",
        run_tasks(tokio, CONTENDED_TASKS, |_| {
            let m = m.clone();
            async move {
                for _ in 0..CONTENDED_LOCKS {
                    *m.lock().await += 1;
                }
            }
        })
    );
    let m = Arc::new(async_lock::Mutex::new(0u64));
    bench!(
        g,
        "async-lock",
        run_tasks(smol, CONTENDED_TASKS, |_| {
            let m = m.clone();
            async move {
                for _ in 0..CONTENDED_LOCKS {
                    *m.lock().await += 1;
                }
            }
        })
    );
    g.finish();
}

fn semaphore(c: &mut Criterion, magpie: &Magpie, tokio: &Tokio, smol: &Smol) {
    let mut g = c.benchmark_group("semaphore");
    let s = Arc::new(magpie::sync::Semaphore::new(SEM_PERMITS));
    bench!(
        g,
        "magpie",
        run_tasks(magpie, SEM_TASKS, |_| {
            let s = s.clone();
            async move {
                for _ in 0..SEM_ROUNDS {
                    let _p = s.acquire().await.unwrap();
                    support::yield_now().await;
                }
            }
        })
    );
    let s = Arc::new(tokio::sync::Semaphore::new(SEM_PERMITS));
    bench!(
        g,
        "tokio",
        run_tasks(tokio, SEM_TASKS, |_| {
            let s = s.clone();
            async move {
                for _ in 0..SEM_ROUNDS {
                    let _p = s.acquire().await.unwrap();
                    support::yield_now().await;
                }
            }
        })
    );
    let s = Arc::new(async_lock::Semaphore::new(SEM_PERMITS));
    bench!(
        g,
        "async-lock",
        run_tasks(smol, SEM_TASKS, |_| {
            let s = s.clone();
            async move {
                for _ in 0..SEM_ROUNDS {
                    let _p = s.acquire().await;
                    support::yield_now().await;
                }
            }
        })
    );
    g.finish();
}

/// Producers plus one consumer task; the consumer is task `PRODUCERS`.
fn mpsc_throughput(c: &mut Criterion, magpie: &Magpie, tokio: &Tokio, smol: &Smol) {
    let mut g = c.benchmark_group("mpsc_throughput");
    bench!(g, "magpie", {
        let (tx, rx) = magpie::sync::mpsc::channel::<usize>(CAPACITY);
        let rx = std::sync::Mutex::new(Some(rx));
        run_tasks(magpie, PRODUCERS + 1, |i| {
            let (tx, rx) = (
                tx.clone(),
                (i == PRODUCERS).then(|| rx.lock().unwrap().take().unwrap()),
            );
            async move {
                match rx {
                    Some(mut rx) => {
                        drop(tx);
                        while rx.recv().await.is_some() {}
                    }
                    None => {
                        for m in 0..MESSAGES {
                            tx.send(m).await.unwrap();
                        }
                    }
                }
            }
        })
    });
    bench!(g, "tokio", {
        let (tx, rx) = tokio::sync::mpsc::channel::<usize>(CAPACITY);
        let rx = std::sync::Mutex::new(Some(rx));
        run_tasks(tokio, PRODUCERS + 1, |i| {
            let (tx, rx) = (
                tx.clone(),
                (i == PRODUCERS).then(|| rx.lock().unwrap().take().unwrap()),
            );
            async move {
                match rx {
                    Some(mut rx) => {
                        drop(tx);
                        while rx.recv().await.is_some() {}
                    }
                    None => {
                        for m in 0..MESSAGES {
                            tx.send(m).await.unwrap();
                        }
                    }
                }
            }
        })
    });
    bench!(g, "async-channel", {
        let (tx, rx) = async_channel::bounded::<usize>(CAPACITY);
        run_tasks(smol, PRODUCERS + 1, |i| {
            let (tx, rx) = (tx.clone(), (i == PRODUCERS).then(|| rx.clone()));
            async move {
                match rx {
                    Some(rx) => {
                        drop(tx);
                        while rx.recv().await.is_ok() {}
                    }
                    None => {
                        for m in 0..MESSAGES {
                            tx.send(m).await.unwrap();
                        }
                    }
                }
            }
        })
    });
    g.finish();
}

fn oneshot_request_reply(c: &mut Criterion, magpie: &Magpie, tokio: &Tokio, smol: &Smol) {
    let mut g = c.benchmark_group("oneshot_request_reply");
    let s = magpie.spawner();
    bench!(
        g,
        "magpie",
        magpie.block_on(async {
            for i in 0..REQUESTS {
                let (tx, rx) = magpie::sync::oneshot::channel();
                s.spawn(async move { tx.send(i).unwrap() });
                assert_eq!(rx.await.unwrap(), i);
            }
        })
    );
    let s = tokio.spawner();
    bench!(
        g,
        "tokio",
        tokio.block_on(async {
            for i in 0..REQUESTS {
                let (tx, rx) = tokio::sync::oneshot::channel();
                s.spawn(async move { tx.send(i).unwrap() });
                assert_eq!(rx.await.unwrap(), i);
            }
        })
    );
    let s = smol.spawner();
    bench!(
        g,
        "async-channel",
        smol.block_on(async {
            for i in 0..REQUESTS {
                let (tx, rx) = async_channel::bounded(1);
                s.spawn(async move { tx.send(i).await.unwrap() });
                assert_eq!(rx.recv().await.unwrap(), i);
            }
        })
    );
    g.finish();
}

/// Tasks wait for `released`; each builds its `notified()` before checking
/// the flag, so the one `notify_waiters` after setting it reaches them all.
macro_rules! notify_round {
    ($rt:expr, $notify:expr) => {{
        let notify = $notify;
        let released = Arc::new(AtomicBool::new(false));
        let waiting = Arc::new(AtomicUsize::new(0));
        let (n, r, w) = (notify.clone(), released.clone(), waiting.clone());
        let spawner = $rt.spawner();
        spawner.spawn(async move {
            while w.load(Ordering::Acquire) < NOTIFY_TASKS {
                support::yield_now().await;
            }
            r.store(true, Ordering::Release);
            n.notify_waiters();
        });
        run_tasks($rt, NOTIFY_TASKS, |_| {
            let (notify, released, waiting) = (notify.clone(), released.clone(), waiting.clone());
            async move {
                let mut counted = false;
                loop {
                    let notified = notify.notified();
                    if released.load(Ordering::Acquire) {
                        break;
                    }
                    if !counted {
                        counted = true;
                        waiting.fetch_add(1, Ordering::AcqRel);
                    }
                    notified.await;
                }
            }
        });
    }};
}

fn notify_waiters(c: &mut Criterion, magpie: &Magpie, tokio: &Tokio) {
    let mut g = c.benchmark_group("notify_waiters");
    bench!(
        g,
        "magpie",
        notify_round!(magpie, Arc::new(magpie::sync::Notify::new()))
    );
    bench!(
        g,
        "tokio",
        notify_round!(tokio, Arc::new(tokio::sync::Notify::new()))
    );
    g.finish();
}

fn benches(c: &mut Criterion) {
    let magpie = Magpie::new();
    let tokio = Tokio::new();
    let smol = Smol::new();
    mutex_uncontended(c, &magpie, &tokio, &smol);
    mutex_contended(c, &magpie, &tokio, &smol);
    semaphore(c, &magpie, &tokio, &smol);
    mpsc_throughput(c, &magpie, &tokio, &smol);
    oneshot_request_reply(c, &magpie, &tokio, &smol);
    notify_waiters(c, &magpie, &tokio);
}

criterion_group! {
    name = sync;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = benches
}
criterion_main!(sync);
