//! Local execution — asyncio's single-threaded event loop, and `!Send`
//! state on a multi-thread runtime.
//!
//! ```text
//! cargo run --example local [-- --ticks 20 --players 4 --sessions 6]
//! ```
//!
//! Two sections:
//! 1. **a game loop on a current-thread runtime**: the world is an
//!    `Rc<RefCell<World>>` shared by a fixed-rate tick task (an `interval`)
//!    and one task per player (each on its own timer), all spawned with
//!    `spawn_local` and all running on the thread in `block_on` — exactly
//!    asyncio's model, with no `Arc`, no `Mutex` and no `Send`;
//! 2. **pinned sessions on a multi-thread runtime**: each "session" keeps
//!    `!Send` state (an `Rc` cache) and is started with
//!    `Handle::spawn_pinned`, which puts it on the least loaded worker and
//!    keeps it there; while Send tasks are stolen back and forth between
//!    the workers, every poll of a session happens on the thread that
//!    built it (checked on every step).

use magpie::runtime::Builder;
use magpie::task;
use magpie::time::{interval, sleep, Duration, MissedTickBehavior};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Game ticks to simulate (section 1).
    pub ticks: u32,
    /// Players moving in the world (section 1).
    pub players: u32,
    /// Pinned sessions (section 2).
    pub sessions: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            ticks: 20,
            players: 4,
            sessions: 6,
        }
    }
}

/// Everything the example observed.
#[derive(Debug, Clone)]
pub struct Report {
    /// Section 1: ticks the world ran.
    pub ticks: u32,
    /// Section 1: moves every player made, by player.
    pub moves: Vec<u32>,
    /// Section 1: whether every task of the game ran on the `block_on`
    /// thread.
    pub game_on_one_thread: bool,
    /// Section 2: per session, how many steps it ran and whether every
    /// step ran on the thread that built it.
    pub sessions: Vec<(u32, bool)>,
    /// Section 2: how many distinct worker threads the sessions used.
    pub session_threads: usize,
}

/// The game's shared state: plain `Rc<RefCell<..>>`, no locks.
#[derive(Default)]
struct World {
    tick: u32,
    positions: HashMap<u32, (i32, i32)>,
    moves: HashMap<u32, u32>,
}

/// Runs both sections and reports what happened.
pub fn run(config: &Config) -> Report {
    let (ticks, moves, game_on_one_thread) = game(config);
    let (sessions, session_threads) = pinned_sessions(config);
    Report {
        ticks,
        moves,
        game_on_one_thread,
        sessions,
        session_threads,
    }
}

/// Section 1: the game loop, on a current-thread runtime.
fn game(config: &Config) -> (u32, Vec<u32>, bool) {
    let rt = Builder::new_current_thread()
        .build()
        .expect("build the runtime");
    let here = std::thread::current().id();
    let world = Rc::new(RefCell::new(World::default()));
    let all_here = Rc::new(RefCell::new(true));
    let cfg = config.clone();
    let w = world.clone();
    let a = all_here.clone();
    rt.block_on(async move {
        let mut players = Vec::new();
        for id in 0..cfg.players {
            let (w, a) = (w.clone(), a.clone());
            w.borrow_mut().positions.insert(id, (0, 0));
            players.push(task::spawn_local(async move {
                // Each player moves on its own timer until the game ends.
                let step = Duration::from_millis(3 + u64::from(id) * 2);
                loop {
                    sleep(step).await;
                    *a.borrow_mut() &= std::thread::current().id() == here;
                    let mut world = w.borrow_mut();
                    if world.tick >= cfg.ticks {
                        break;
                    }
                    let pos = world.positions.get_mut(&id).expect("spawned above");
                    pos.0 += 1;
                    pos.1 += (id as i32 % 3) - 1;
                    *world.moves.entry(id).or_default() += 1;
                }
            }));
        }
        let (w2, a2) = (w.clone(), a.clone());
        let ticker = task::spawn_local(async move {
            let mut every = interval(Duration::from_millis(5));
            every.set_missed_tick_behavior(MissedTickBehavior::Delay);
            for _ in 0..cfg.ticks {
                every.tick().await;
                *a2.borrow_mut() &= std::thread::current().id() == here;
                let mut world = w2.borrow_mut();
                world.tick += 1;
                if world.tick % 5 == 0 {
                    let leader = world
                        .positions
                        .iter()
                        .max_by_key(|(id, (x, _))| (*x, std::cmp::Reverse(**id)))
                        .map(|(id, pos)| (*id, *pos));
                    println!("  tick {:>3}: leader {:?}", world.tick, leader);
                }
            }
        });
        ticker.await.expect("ticker");
        for p in players {
            p.await.expect("player");
        }
    });
    let world = world.borrow();
    let moves = (0..config.players)
        .map(|id| world.moves.get(&id).copied().unwrap_or(0))
        .collect();
    let on_one_thread = *all_here.borrow();
    (world.tick, moves, on_one_thread)
}

/// Section 2: `!Send` sessions pinned to workers of a multi-thread
/// runtime, while Send work is stolen around them.
fn pinned_sessions(config: &Config) -> (Vec<(u32, bool)>, usize) {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("build the runtime");
    // Busy Send tasks: the workers steal these from each other.
    let noise: Vec<_> = (0..32)
        .map(|_| {
            rt.spawn(async {
                for _ in 0..200 {
                    task::yield_now().await;
                }
            })
        })
        .collect();
    let sessions: Vec<_> = (0..config.sessions)
        .map(|n| {
            rt.handle().spawn_pinned(move || {
                // Built on the worker that will run it; `Rc` never leaves.
                let home = std::thread::current().id();
                let cache: Rc<RefCell<Vec<u32>>> = Rc::default();
                async move {
                    let mut same_thread = true;
                    for step in 0..50 {
                        if step % 10 == 0 {
                            sleep(Duration::from_millis(1)).await;
                        } else {
                            task::yield_now().await;
                        }
                        same_thread &= std::thread::current().id() == home;
                        cache.borrow_mut().push(step * n);
                    }
                    let steps = cache.borrow().len() as u32;
                    (steps, same_thread, format!("{home:?}"))
                }
            })
        })
        .collect();
    rt.block_on(async {
        for h in noise {
            h.await.expect("noise task");
        }
        let mut out = Vec::new();
        let mut threads = Vec::new();
        for (n, h) in sessions.into_iter().enumerate() {
            let (steps, same, thread) = h.await.expect("session");
            println!("  session {n}: {steps} steps on {thread}, never moved: {same}");
            out.push((steps, same));
            if !threads.contains(&thread) {
                threads.push(thread);
            }
        }
        (out, threads.len())
    })
}

fn main() {
    let mut config = Config::default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = || -> u32 {
            pair.get(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{} needs a number", pair[0]))
        };
        match pair[0].as_str() {
            "--ticks" => config.ticks = value(),
            "--players" => config.players = value(),
            "--sessions" => config.sessions = value(),
            other => panic!("unknown argument {other}"),
        }
    }
    println!(
        "1. game loop on a current-thread runtime ({} ticks, {} players, Rc<RefCell<World>>)",
        config.ticks, config.players
    );
    let (ticks, moves, on_one_thread) = game(&config);
    println!(
        "   {ticks} ticks; moves per player {moves:?}; every task on the block_on thread: \
         {on_one_thread}"
    );
    println!(
        "2. {} pinned !Send sessions on a 2-worker runtime, beside 32 stolen Send tasks",
        config.sessions
    );
    let (sessions, threads) = pinned_sessions(&config);
    println!(
        "   {threads} worker thread(s) used; no session ever moved: {}",
        sessions.iter().all(|(_, same)| *same)
    );
}
