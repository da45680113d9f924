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
