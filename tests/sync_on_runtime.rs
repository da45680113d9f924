//! The sync primitives driven by magpie's multi-thread runtime: tasks on
//! every worker, the coop budget in play.

use magpie::sync::{broadcast, mpsc, oneshot, watch, Barrier, Mutex, Notify, RwLock, Semaphore};
use magpie::task::JoinSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[magpie::test(worker_threads = 4)]
async fn a_semaphore_never_lets_more_than_n_of_64_tasks_in() {
    const PERMITS: usize = 8;
    let sem = Arc::new(Semaphore::new(PERMITS));
    let inside = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let mut set = JoinSet::new();
    for _ in 0..64 {
        let (sem, inside, max) = (sem.clone(), inside.clone(), max.clone());
        set.spawn(async move {
            for _ in 0..200 {
                let _permit = sem.acquire().await.unwrap();
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(now, Ordering::SeqCst);
                magpie::task::yield_now().await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }
        });
    }
    while let Some(res) = set.join_next().await {
        res.unwrap();
    }
    assert!(max.load(Ordering::SeqCst) <= PERMITS);
    assert_eq!(sem.available_permits(), PERMITS);
}

#[magpie::test(worker_threads = 4)]
async fn a_contended_mutex_loses_no_increment() {
    let m = Arc::new(Mutex::new(0u64));
    let mut set = JoinSet::new();
    for _ in 0..8 {
        let m = m.clone();
        set.spawn(async move {
            for _ in 0..10_000 {
                *m.lock().await += 1;
            }
        });
    }
    while let Some(res) = set.join_next().await {
        res.unwrap();
    }
    assert_eq!(*m.lock().await, 80_000);
}

#[magpie::test(worker_threads = 4)]
async fn eight_producer_tasks_lose_and_duplicate_no_message() {
    const PER: u64 = 100_000;
    let (tx, mut rx) = mpsc::channel(1024);
    for p in 0..8u64 {
        let tx = tx.clone();
        magpie::spawn(async move {
            for i in 0..PER {
                tx.send(p * PER + i).await.unwrap();
            }
        });
    }
    drop(tx);
    let mut next = [0u64; 8];
    let mut total = 0u64;
    while let Some(v) = rx.recv().await {
        let (p, i) = ((v / PER) as usize, v % PER);
        assert_eq!(next[p], i, "producer {p} out of order");
        next[p] += 1;
        total += 1;
    }
    assert_eq!(total, 8 * PER);
}

#[magpie::test(worker_threads = 2)]
async fn unbounded_messages_from_tasks_all_arrive() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for p in 0..4u64 {
        let tx = tx.clone();
        magpie::spawn(async move {
            for i in 0..10_000u64 {
                tx.send(p * 10_000 + i).unwrap();
            }
        });
    }
    drop(tx);
    let mut sum = 0u64;
    while let Some(v) = rx.recv().await {
        sum += v;
    }
    assert_eq!(sum, (0..40_000u64).sum::<u64>());
}

#[magpie::test(worker_threads = 1)]
async fn a_receiver_that_is_always_ready_still_yields_to_other_tasks() {
    // One worker: the other task can only run if the busy receiver gives
    // the worker up, which the coop budget makes it do.
    let busy = magpie::spawn(async {
        let (tx, mut rx) = mpsc::unbounded_channel();
        for i in 0..10_000 {
            tx.send(i).unwrap();
        }
        let flag = Arc::new(AtomicUsize::new(0));
        let f2 = flag.clone();
        let other = magpie::spawn(async move { f2.store(1, Ordering::SeqCst) });
        let mut other_ran_midway = false;
        for _ in 0..10_000 {
            rx.recv().await.unwrap();
            other_ran_midway |= flag.load(Ordering::SeqCst) == 1;
        }
        other.await.unwrap();
        other_ran_midway
    });
    assert!(busy.await.unwrap());
}

#[magpie::test(worker_threads = 1)]
async fn a_sender_whose_channel_never_fills_still_yields_to_other_tasks() {
    // One worker, and a channel big enough that `send` never waits: the
    // other task can only run midway if the sender's fast path spends the
    // coop budget too.
    let busy = magpie::spawn(async {
        let (tx, mut rx) = mpsc::channel(20_000);
        let flag = Arc::new(AtomicUsize::new(0));
        let f2 = flag.clone();
        let other = magpie::spawn(async move { f2.store(1, Ordering::SeqCst) });
        let mut other_ran_midway = false;
        for i in 0..10_000 {
            tx.send(i).await.unwrap();
            other_ran_midway |= flag.load(Ordering::SeqCst) == 1;
        }
        other.await.unwrap();
        assert_eq!(rx.try_recv(), Ok(0));
        other_ran_midway
    });
    assert!(busy.await.unwrap());
}

#[magpie::test(worker_threads = 2)]
async fn oneshot_replies_cross_tasks() {
    let mut set = JoinSet::new();
    for i in 0..100u32 {
        let (tx, rx) = oneshot::channel();
        magpie::spawn(async move { tx.send(i * 2).unwrap() });
        set.spawn(async move { rx.await.unwrap() });
    }
    let mut sum = 0;
    while let Some(res) = set.join_next().await {
        sum += res.unwrap();
    }
    assert_eq!(sum, (0..100u32).map(|i| i * 2).sum::<u32>());
}

#[magpie::test(worker_threads = 2)]
async fn notify_barrier_rwlock_broadcast_and_watch_work_across_tasks() {
    let notify = Arc::new(Notify::new());
    let n2 = notify.clone();
    let waiter = magpie::spawn(async move { n2.notified().await });
    notify.notify_one();
    waiter.await.unwrap();

    let barrier = Arc::new(Barrier::new(4));
    let mut set = JoinSet::new();
    for _ in 0..4 {
        let b = barrier.clone();
        set.spawn(async move { b.wait().await.is_leader() });
    }
    let mut leaders = 0;
    while let Some(res) = set.join_next().await {
        leaders += res.unwrap() as usize;
    }
    assert_eq!(leaders, 1);

    let lock = Arc::new(RwLock::new(0));
    let l2 = lock.clone();
    magpie::spawn(async move { *l2.write().await += 1 })
        .await
        .unwrap();
    assert_eq!(*lock.read().await, 1);

    let (btx, mut brx) = broadcast::channel(4);
    let got = magpie::spawn(async move { brx.recv().await.unwrap() });
    // The receiver subscribed before the send, so it sees it whenever it runs.
    btx.send(9).unwrap();
    assert_eq!(got.await.unwrap(), 9);

    let (wtx, mut wrx) = watch::channel(0);
    let changed = magpie::spawn(async move {
        wrx.changed().await.unwrap();
        *wrx.borrow()
    });
    wtx.send(5).unwrap();
    assert_eq!(changed.await.unwrap(), 5);
}

/// Runs `busy` (given a flag another task sets) on a one-worker runtime and
/// says whether the other task ran before `busy` finished.
async fn other_task_runs_midway<F, Fut>(busy: F) -> bool
where
    F: FnOnce(Arc<AtomicUsize>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    magpie::spawn(async move {
        let flag = Arc::new(AtomicUsize::new(0));
        let f2 = flag.clone();
        let other = magpie::spawn(async move { f2.store(1, Ordering::SeqCst) });
        busy(flag.clone()).await;
        let ran = flag.load(Ordering::SeqCst) == 1;
        other.await.unwrap();
        ran
    })
    .await
    .unwrap()
}

#[magpie::test(worker_threads = 1)]
async fn a_watch_send_and_changed_loop_yields_to_other_tasks() {
    let ran = other_task_runs_midway(|flag| async move {
        let (tx, mut rx) = watch::channel(0u32);
        for i in 0..10_000 {
            tx.send(i).unwrap();
            rx.changed().await.unwrap();
            if flag.load(Ordering::SeqCst) == 1 {
                return;
            }
        }
    })
    .await;
    assert!(ran, "changed() never yielded: the other task starved");
}

#[magpie::test(worker_threads = 1)]
async fn a_loop_on_a_closed_watch_sender_yields_to_other_tasks() {
    let ran = other_task_runs_midway(|flag| async move {
        let (tx, rx) = watch::channel(0u32);
        drop(rx);
        for _ in 0..10_000 {
            tx.closed().await;
            if flag.load(Ordering::SeqCst) == 1 {
                return;
            }
        }
    })
    .await;
    assert!(ran, "closed() never yielded: the other task starved");
}
