#![cfg(loom)]
//! Park / unpark: no wake-up is ever lost, with 2 and 3 workers.
//!
//! If a wake-up were lost, the worker that should run the task would sleep
//! forever and `block_on` would never return: loom reports the deadlock.

fn rt(workers: usize) -> magpie::Runtime {
    magpie::runtime::Builder::new()
        .worker_threads(workers)
        .build()
        .unwrap()
}

#[test]
fn a_task_spawned_from_outside_wakes_a_sleeping_worker_2() {
    loom::model(|| {
        let rt = rt(2);
        let h = rt.spawn(async { 1 });
        assert_eq!(rt.block_on(h).unwrap(), 1);
    });
}

#[test]
fn tasks_spawned_from_a_worker_are_found_by_the_other_2() {
    loom::model(|| {
        let rt = rt(2);
        let out = rt.block_on(async {
            let a = magpie::spawn(async {
                let b = magpie::spawn(async { 2 });
                b.await.unwrap()
            });
            a.await.unwrap()
        });
        assert_eq!(out, 2);
    });
}

/// Three workers and the main thread: the state space is large, so this
/// model explores one preemption per execution (the 2-worker models above
/// run at the suite's bound).
#[test]
fn a_task_spawned_from_outside_wakes_a_sleeping_worker_3() {
    let mut model = loom::model::Builder::new();
    model.preemption_bound = Some(1);
    magpie_loom_tests::check(&model, || {
        let rt = rt(3);
        let h = rt.spawn(async { 1 });
        assert_eq!(rt.block_on(h).unwrap(), 1);
    });
}

/// A timer comes due while a worker sleeps in the driver: the advance
/// unparks the driver (as real time would end its timed wait), the driver
/// fires the timer, and the woken task must run — on the driver's worker or
/// on the other one — so `block_on` returns. A lost wake-up anywhere on that
/// path (timer filing vs the driver's wait, the fire's wake vs the workers'
/// park) deadlocks the model.
#[test]
fn a_timer_due_while_the_driver_holder_parks_wakes_its_task_2() {
    loom::model(|| {
        let rt = rt(2);
        let h = rt.spawn(async {
            magpie::__loom::rt::sleep_until_tick(1).await;
            7
        });
        magpie::__loom::rt::advance(rt.handle(), std::time::Duration::from_millis(1));
        assert_eq!(rt.block_on(h).unwrap(), 7);
    });
}
