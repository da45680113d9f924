#![cfg(loom)]
//! `block_in_place`: the worker is lent to a pool thread while the caller
//! blocks, and recalled after. A task queued behind the blocked one must
//! run during the block (or the model deadlocks), and the caller must get
//! its worker back (or its task never finishes).

use magpie::runtime::Builder;

#[test]
fn a_task_queued_behind_block_in_place_runs_during_it() {
    loom::model(|| {
        let rt = Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let h = rt.spawn(async {
            let (tx, rx) = loom::sync::mpsc::channel();
            // Queued on this worker, behind the task that blocks.
            drop(magpie::spawn(async move {
                tx.send(1).unwrap();
            }));
            magpie::task::block_in_place(move || rx.recv().unwrap())
        });
        assert_eq!(rt.block_on(h).unwrap(), 1);
    });
}
