//! `#[magpie::main]` and `#[magpie::test]`.

#[magpie::test]
async fn test_macro_runs_the_body_on_a_runtime() {
    assert!(magpie::runtime::Handle::try_current().is_ok());
    assert_eq!(magpie::spawn(async { 5 }).await.unwrap(), 5);
}

#[magpie::test(worker_threads = 1)]
async fn test_macro_takes_worker_threads() {
    let name = magpie::spawn(async { std::thread::current().name().map(String::from) })
        .await
        .unwrap();
    assert!(name.unwrap().starts_with("magpie-worker"));
}

#[magpie::test(worker_threads = 2)]
async fn test_macro_supports_question_mark() -> Result<(), std::io::Error> {
    let v = magpie::spawn(async { 1 }).await?;
    assert_eq!(v, 1);
    Ok(())
}

mod main_macro {
    #[magpie::main(worker_threads = 2)]
    async fn main() -> u32 {
        magpie::spawn(async { 7 }).await.unwrap()
    }

    #[test]
    fn main_macro_builds_a_runtime_and_returns_the_body_value() {
        assert_eq!(main(), 7);
    }
}

/// Where a panic inside the body of a `#[magpie::main]` or
/// `#[magpie::test]` function is reported: the line of the `panic!`, not
/// the line of the attribute.
mod body_locations {
    use std::cell::Cell;
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::Once;

    thread_local! {
        /// Set while `panic_line` runs `f` on this thread: the hook records
        /// the panic's line here instead of printing it.
        static RECORDED: Cell<Option<Option<u32>>> = const { Cell::new(None) };
    }

    /// Runs `f`, which must panic, and returns the line its panic reports.
    fn panic_line(f: impl FnOnce()) -> u32 {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let default = panic::take_hook();
            panic::set_hook(Box::new(move |info| {
                if RECORDED.get().is_some() {
                    RECORDED.set(Some(info.location().map(|l| l.line())));
                } else {
                    default(info);
                }
            }));
        });
        RECORDED.set(Some(None));
        let result = panic::catch_unwind(AssertUnwindSafe(f));
        let line = RECORDED.take();
        assert!(result.is_err(), "the body did not panic");
        line.flatten().expect("the panic has a location")
    }

    // The tests below check these two line numbers: keep each `panic!`
    // exactly that many lines below its constant.
    const MAIN_PANIC_LINE: u32 = line!() + 3;
    #[magpie::main(worker_threads = 1)]
    async fn main_whose_body_panics() {
        panic!("in the body of a #[magpie::main] function");
    }

    const TEST_PANIC_LINE: u32 = line!() + 4;
    #[magpie::test(worker_threads = 1)]
    #[should_panic(expected = "in the body of a #[magpie::test] function")]
    async fn test_whose_body_panics() {
        panic!("in the body of a #[magpie::test] function");
    }

    #[test]
    fn a_panic_in_a_main_body_reports_the_line_of_the_panic() {
        assert_eq!(panic_line(main_whose_body_panics), MAIN_PANIC_LINE);
    }

    #[test]
    fn a_panic_in_a_test_body_reports_the_line_of_the_panic() {
        assert_eq!(panic_line(test_whose_body_panics), TEST_PANIC_LINE);
    }
}

#[magpie::test]
async fn a_test_defaults_to_current_thread_so_its_tasks_run_on_the_test_thread() {
    let here = std::thread::current().id();
    let there = magpie::spawn(async { std::thread::current().id() })
        .await
        .unwrap();
    assert_eq!(here, there);
    assert_eq!(
        magpie::runtime::Handle::current().metrics().num_workers(),
        1
    );
    // `!Send` state works in the body.
    let rc = std::rc::Rc::new(5);
    assert_eq!(
        magpie::task::spawn_local(async move { *rc }).await.unwrap(),
        5
    );
}

#[magpie::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_thread_test_runs_tasks_on_workers() {
    let here = std::thread::current().id();
    let there = magpie::spawn(async { std::thread::current().id() })
        .await
        .unwrap();
    assert_ne!(here, there);
    assert_eq!(
        magpie::runtime::Handle::current().metrics().num_workers(),
        2
    );
}

mod current_thread_main {
    #[magpie::main(flavor = "current_thread")]
    async fn main() -> std::thread::ThreadId {
        magpie::spawn(async { std::thread::current().id() })
            .await
            .unwrap()
    }

    #[test]
    fn main_with_the_current_thread_flavor_runs_tasks_on_the_calling_thread() {
        assert_eq!(main(), std::thread::current().id());
    }
}
