//! The `local` example: the game runs entirely on the `block_on` thread,
//! every player moves, and pinned sessions never leave their worker.

#[allow(dead_code)]
#[path = "../examples/local.rs"]
mod local;

use local::{run, Config};

#[test]
fn local_example_keeps_local_state_on_its_thread() {
    let config = Config {
        ticks: 10,
        players: 3,
        sessions: 4,
    };
    let report = run(&config);
    assert_eq!(report.ticks, 10);
    assert_eq!(report.moves.len(), 3);
    assert!(report.moves.iter().all(|m| *m > 0), "{:?}", report.moves);
    assert!(report.game_on_one_thread);
    assert_eq!(report.sessions.len(), 4);
    for (steps, same_thread) in &report.sessions {
        assert_eq!(*steps, 50);
        assert!(same_thread, "a pinned session moved");
    }
    // Least-loaded placement spreads 4 sessions over both workers.
    assert_eq!(report.session_threads, 2);
}
