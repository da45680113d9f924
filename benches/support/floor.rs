//! The floor of a local task: spawn + run + join of one task with the same
//! shape as magpie's task cell (one reference-counted heap cell holding the
//! future and then its output, a type-erased queue entry, a join side that
//! takes the output out of the cell) and nothing shared between threads:
//! `Rc` counts, a `VecDeque` run queue, no owned-task list, no waker
//! references (tasks are polled with a no-op waker).
//!
//! `rmws` adds uncontended atomic read-modify-writes on a word in the cell
//! at the three points where magpie's path makes them (spawn, run, join),
//! so the difference between two floors is what those atomics cost in
//! context, on this machine, in the same run.
//!
//! Only for futures that finish in their first poll (nothing ever wakes a
//! task here).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering::AcqRel};
use std::task::{Context, Poll, Waker};

/// Atomic read-modify-writes made at spawn, at run and at join.
#[derive(Clone, Copy, Default)]
pub struct Rmws {
    pub spawn: usize,
    pub run: usize,
    pub join: usize,
}

pub struct Floor {
    queue: RefCell<VecDeque<Rc<dyn Run>>>,
    rmws: Rmws,
}

trait Run {
    fn run(&self, rmws: usize);
}

struct Cell<F: Future> {
    stage: RefCell<Stage<F>>,
    /// The word the `rmws` touch (a shared cell's state word).
    state: AtomicUsize,
}

enum Stage<F: Future> {
    Running(F),
    Finished(F::Output),
    Consumed,
}

/// The join side of a floor task.
pub struct Join<F: Future + 'static> {
    cell: Rc<Cell<F>>,
    rmws: usize,
}

fn touch(state: &AtomicUsize, n: usize) {
    let state = black_box(state);
    for _ in 0..n {
        state.fetch_add(1, AcqRel);
    }
}

impl Floor {
    pub fn new(rmws: Rmws) -> Floor {
        Floor {
            queue: RefCell::new(VecDeque::new()),
            rmws,
        }
    }

    pub fn spawn<F: Future + 'static>(&self, future: F) -> Join<F> {
        let cell = Rc::new(Cell {
            stage: RefCell::new(Stage::Running(future)),
            state: AtomicUsize::new(0),
        });
        touch(&cell.state, self.rmws.spawn);
        self.queue.borrow_mut().push_back(cell.clone());
        Join {
            cell,
            rmws: self.rmws.join,
        }
    }

    /// Runs every queued task once.
    pub fn run(&self) {
        loop {
            let task = self.queue.borrow_mut().pop_front();
            match task {
                Some(task) => task.run(self.rmws.run),
                None => return,
            }
        }
    }
}

impl<F: Future> Run for Cell<F> {
    fn run(&self, rmws: usize) {
        touch(&self.state, rmws);
        let mut stage = self.stage.borrow_mut();
        let Stage::Running(future) = &mut *stage else {
            return;
        };
        // SAFETY: the future lives in an `Rc` allocation, which never
        // moves, and is never moved out of it: it is dropped in place when
        // the stage is overwritten below (or when the cell is dropped).
        let future = unsafe { Pin::new_unchecked(future) };
        if let Poll::Ready(out) = future.poll(&mut Context::from_waker(Waker::noop())) {
            *stage = Stage::Finished(out);
        }
    }
}

impl<F: Future + 'static> Join<F> {
    /// The output; panics if the task has not finished.
    pub fn take(self) -> F::Output {
        touch(&self.cell.state, self.rmws);
        let stage = std::mem::replace(&mut *self.cell.stage.borrow_mut(), Stage::Consumed);
        match stage {
            Stage::Finished(out) => out,
            _ => panic!("floor task joined before it finished"),
        }
    }
}
