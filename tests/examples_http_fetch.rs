//! The `http_fetch` example against the `http_server` example and against
//! `python3 -m http.server` (skipped with a note when python3 is absent).
#![cfg(unix)]

#[allow(dead_code)]
#[path = "../examples/http_fetch.rs"]
mod http_fetch;
#[allow(dead_code)]
#[path = "../examples/http_server.rs"]
mod http_server;

use http_fetch::{fetch_all, Config};
use magpie::time::Duration;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn rt() -> magpie::Runtime {
    magpie::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap()
}

#[test]
fn fetches_many_urls_from_the_example_server_with_a_concurrency_limit() {
    let rt = rt();
    rt.block_on(async {
        let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop_tx, stop_rx) = magpie::sync::oneshot::channel::<()>();
        let config = http_server::Config {
            port: 0,
            log: false,
            // The /sleep handler is still sleeping at the end: do not wait.
            grace: Duration::ZERO,
            ..http_server::Config::default()
        };
        let server = magpie::spawn(http_server::serve(listener, config, async move {
            let _ = stop_rx.await;
        }));

        let mut urls: Vec<String> = (0..6).map(|_| format!("{base}/")).collect();
        urls.push(format!("{base}/chunked"));
        urls.push(format!("{base}/missing"));
        urls.push(format!("{base}/sleep?ms=10000")); // outlives its timeout
        urls.push("https://127.0.0.1:1/".to_string()); // unsupported
        let config = Config {
            concurrency: 3,
            per_request: Duration::from_secs(3),
            deadline: Duration::from_secs(60),
        };
        let results = fetch_all(&urls, &config).await;
        assert_eq!(results.len(), urls.len());
        for r in &results[..6] {
            let response = r.outcome.as_ref().unwrap();
            assert_eq!(response.status, 200);
            assert_eq!(response.body, b"hello from magpie\n");
        }
        let chunked = results[6].outcome.as_ref().unwrap();
        let expected: String = (0..20).map(|i| format!("line {i}\n")).collect();
        assert_eq!(String::from_utf8_lossy(&chunked.body), expected);
        assert!(chunked
            .headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v == "chunked"));
        assert_eq!(results[7].outcome.as_ref().unwrap().status, 404);
        assert_eq!(results[8].outcome.as_ref().unwrap_err(), "timed out");
        assert!(results[9]
            .outcome
            .as_ref()
            .unwrap_err()
            .contains("only http://"));

        stop_tx.send(()).unwrap();
        let summary = server.await.unwrap();
        assert_eq!(summary.requests, 8);
    });
}

#[test]
fn the_total_deadline_cancels_what_is_left() {
    let rt = rt();
    rt.block_on(async {
        let listener = magpie::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = http_server::Config {
            port: 0,
            log: false,
            grace: Duration::ZERO,
            ..http_server::Config::default()
        };
        let (stop_tx, stop_rx) = magpie::sync::oneshot::channel::<()>();
        let server = magpie::spawn(http_server::serve(listener, config, async move {
            let _ = stop_rx.await;
        }));
        // One slot, two slow requests: the second is still queued for the
        // permit when the deadline passes.
        let urls = vec![
            format!("{base}/sleep?ms=10000"),
            format!("{base}/sleep?ms=10000"),
        ];
        let config = Config {
            concurrency: 1,
            per_request: Duration::from_secs(60),
            deadline: Duration::from_millis(200),
        };
        let results = fetch_all(&urls, &config).await;
        for r in &results {
            assert_eq!(r.outcome.as_ref().unwrap_err(), "deadline exceeded");
        }
        stop_tx.send(()).unwrap();
        server.await.unwrap();
    });
}

#[test]
fn fetches_from_python_http_server() {
    let dir = std::env::temp_dir().join(format!("magpie-fetch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let content = "served by python\n".repeat(1000);
    std::fs::write(dir.join("hello.txt"), &content).unwrap();
    let spawned = Command::new("python3")
        .args([
            "-u",
            "-m",
            "http.server",
            "0",
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(child) = spawned else {
        println!("python3 is not installed: skipping the python http.server check");
        return;
    };
    let mut python = KillOnDrop(child);
    // "Serving HTTP on 127.0.0.1 port 12345 (http://127.0.0.1:12345/) ..."
    let mut line = String::new();
    BufReader::new(python.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("(http://"))
        .map(|w| format!("http://{}", w.trim_end_matches([')', '/'])))
        .unwrap_or_else(|| panic!("unexpected python output: {line}"));

    let urls = vec![format!("{base}/hello.txt"), format!("{base}/nope.txt")];
    let config = Config {
        concurrency: 2,
        per_request: Duration::from_secs(30),
        deadline: Duration::from_secs(60),
    };
    let results = rt().block_on(fetch_all(&urls, &config));
    let hello = results[0].outcome.as_ref().unwrap();
    assert_eq!(hello.status, 200);
    assert_eq!(hello.body, content.as_bytes());
    assert_eq!(results[1].outcome.as_ref().unwrap().status, 404);
    drop(python);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Kills the child process when the test ends, also on panic.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
