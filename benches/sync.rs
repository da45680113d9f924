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
//! Run: `cargo bench --bench sync` (prints a ratio table at the end:
//! magpie's time over each peer's, below 1.0 means magpie is faster).

mod support;

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc as std_mpsc, Arc};

use criterion::Criterion;
use support::{report, Bench, Magpie, Smol, Spawn, Tokio};

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

/// `$per_task` run by `$n` tasks on `$rt`, all sharing `Arc::new($shared)`
/// as `$s`.
macro_rules! shared_round {
    ($rt:expr, $n:expr, $shared:expr, |$s:ident| $per_task:expr) => {{
        let shared = Arc::new($shared);
        run_tasks($rt, $n, |_| {
            let $s = shared.clone();
            async move { $per_task }
        })
    }};
}

/// `count` lock/increment/unlock pairs on `m`.
macro_rules! lock_loop {
    ($m:expr, $count:expr) => {
        for _ in 0..$count {
            *$m.lock().await += 1;
        }
    };
}

fn mutex_uncontended(c: &mut Criterion, magpie: &Magpie, tokio: &Tokio, smol: &Smol) {
    let mut g = c.benchmark_group("mutex_uncontended");
    let m = magpie::sync::Mutex::new(0u64);
    bench!(
        g,
        "magpie",
        magpie.block_on(async { lock_loop!(m, UNCONTENDED_LOCKS) })
    );
    let m = tokio::sync::Mutex::new(0u64);
    bench!(
        g,
        "tokio",
        tokio.block_on(async { lock_loop!(m, UNCONTENDED_LOCKS) })
    );
    let m = async_lock::Mutex::new(0u64);
    bench!(
        g,
        "async-lock",
        smol.block_on(async { lock_loop!(m, UNCONTENDED_LOCKS) })
    );
    g.finish();
}

fn mutex_contended(c: &mut Criterion, magpie: &Magpie, tokio: &Tokio, smol: &Smol) {
    let mut g = c.benchmark_group("mutex_contended");
    let n = CONTENDED_TASKS;
    bench!(
        g,
        "magpie",
        shared_round!(magpie, n, magpie::sync::Mutex::new(0u64), |m| {
            lock_loop!(m, CONTENDED_LOCKS)
        })
    );
    bench!(
        g,
        "tokio",
        shared_round!(tokio, n, tokio::sync::Mutex::new(0u64), |m| {
            lock_loop!(m, CONTENDED_LOCKS)
        })
    );
    bench!(
        g,
        "async-lock",
        shared_round!(smol, n, async_lock::Mutex::new(0u64), |m| {
            lock_loop!(m, CONTENDED_LOCKS)
        })
    );
    g.finish();
}

fn semaphore(c: &mut Criterion, magpie: &Magpie, tokio: &Tokio, smol: &Smol) {
    let mut g = c.benchmark_group("semaphore");
    let n = SEM_TASKS;
    bench!(
        g,
        "magpie",
        shared_round!(magpie, n, magpie::sync::Semaphore::new(SEM_PERMITS), |s| {
            for _ in 0..SEM_ROUNDS {
                let _p = s.acquire().await.unwrap();
                support::yield_now().await;
            }
        })
    );
    bench!(
        g,
        "tokio",
        shared_round!(tokio, n, tokio::sync::Semaphore::new(SEM_PERMITS), |s| {
            for _ in 0..SEM_ROUNDS {
                let _p = s.acquire().await.unwrap();
                support::yield_now().await;
            }
        })
    );
    bench!(
        g,
        "async-lock",
        shared_round!(smol, n, async_lock::Semaphore::new(SEM_PERMITS), |s| {
            for _ in 0..SEM_ROUNDS {
                let _p = s.acquire().await;
                support::yield_now().await;
            }
        })
    );
    g.finish();
}

/// Producers plus one consumer task (task number `PRODUCERS`) on `$channel`;
/// the consumer runs `$drain` with the receiver bound to `$rx`.
macro_rules! mpsc_round {
    ($rt:expr, $channel:expr, |$rx:ident| $drain:expr) => {{
        let (tx, rx) = $channel;
        // Each producer gets its own sender and the original is dropped
        // here, so the receiver sees the end once every producer is done.
        let senders = std::sync::Mutex::new((0..PRODUCERS).map(|_| tx.clone()).collect::<Vec<_>>());
        drop(tx);
        let rx = std::sync::Mutex::new(Some(rx));
        run_tasks($rt, PRODUCERS + 1, |i| {
            let tx = (i < PRODUCERS).then(|| senders.lock().unwrap().pop().unwrap());
            let rx = (i == PRODUCERS).then(|| rx.lock().unwrap().take().unwrap());
            async move {
                match (tx, rx) {
                    #[allow(unused_mut)]
                    (_, Some(mut $rx)) => {
                        #[allow(unused_braces)]
                        let () = $drain;
                    }
                    (Some(tx), None) => {
                        for m in 0..MESSAGES {
                            tx.send(m).await.unwrap();
                        }
                    }
                    (None, None) => unreachable!(),
                }
            }
        })
    }};
}

fn mpsc_throughput(c: &mut Criterion, magpie: &Magpie, tokio: &Tokio, smol: &Smol) {
    let mut g = c.benchmark_group("mpsc_throughput");
    bench!(
        g,
        "magpie",
        mpsc_round!(
            magpie,
            magpie::sync::mpsc::channel::<usize>(CAPACITY),
            |rx| { while rx.recv().await.is_some() {} }
        )
    );
    bench!(
        g,
        "tokio",
        mpsc_round!(tokio, tokio::sync::mpsc::channel::<usize>(CAPACITY), |rx| {
            while rx.recv().await.is_some() {}
        })
    );
    bench!(
        g,
        "async-channel",
        mpsc_round!(smol, async_channel::bounded::<usize>(CAPACITY), |rx| {
            while rx.recv().await.is_ok() {}
        })
    );
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

fn main() {
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .configure_from_args();
    benches(&mut c);
    c.final_summary();
    report::print_ratio_table(
        &["mutex_uncontended", "mutex_contended", "semaphore"],
        &["magpie", "tokio", "async-lock"],
    );
    report::print_ratio_table(
        &["mpsc_throughput", "oneshot_request_reply", "notify_waiters"],
        &["magpie", "tokio", "async-channel"],
    );
}
