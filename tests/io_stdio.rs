//! `magpie::io::{stdin, stdout, stderr}`, seen from outside: each test runs
//! this test binary again as a child (its test `stdio_child`, told what to
//! do by an environment variable) with piped standard streams, and checks
//! the bytes that cross the pipes.
//!
//! The test harness prints a line or two of its own on the child's stdout,
//! so the child frames what it writes between two markers.

use std::io::{Read, Write};
use std::process::{Child, Command, Output, Stdio};

use magpie::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

mod support;

const CHILD_ENV: &str = "MAGPIE_STDIO_CHILD";
const BEGIN: &[u8] = b"<<magpie-begin>>\n";
const END: &[u8] = b"<<magpie-end>>\n";

// ---- the parent's side -------------------------------------------------

/// Starts this binary's `stdio_child` test doing `scenario`.
fn spawn_child(scenario: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "stdio_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, scenario)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Runs `scenario` with `input` on its stdin (then end of file) and
/// returns what it wrote; panics if the child failed.
fn run_child(scenario: &str, input: Vec<u8>) -> Output {
    let mut child = spawn_child(scenario);
    let mut stdin = child.stdin.take().unwrap();
    // A thread, so that a child writing while we write cannot deadlock us.
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "child {scenario} failed: {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    out
}

/// What the child wrote between the markers.
fn framed(bytes: &[u8]) -> &[u8] {
    let find = |what: &[u8]| bytes.windows(what.len()).position(|w| w == what);
    let start = find(BEGIN).expect("the begin marker") + BEGIN.len();
    let end = start
        + bytes[start..]
            .windows(END.len())
            .position(|w| w == END)
            .expect("the end marker");
    &bytes[start..end]
}

/// `count` numbered lines.
fn numbered_lines(count: usize) -> Vec<u8> {
    (0..count)
        .flat_map(|i| format!("line {i}\n").into_bytes())
        .collect()
}

/// `len` bytes that are not a repetition of a short period (a lost or
/// doubled chunk shows).
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i / 251) as u8)
        .collect()
}

#[test]
fn stdout_writes_arrive_complete_and_in_order() {
    let out = run_child("lines-stdout", Vec::new());
    assert_eq!(framed(&out.stdout), numbered_lines(5000));
}

#[test]
fn stderr_writes_arrive_complete_and_in_order() {
    let out = run_child("lines-stderr", Vec::new());
    assert_eq!(framed(&out.stderr), numbered_lines(5000));
}

#[test]
fn a_write_larger_than_the_buffer_arrives_whole() {
    let out = run_child("large", Vec::new());
    let got = framed(&out.stdout);
    assert_eq!(got.len(), LARGE);
    assert!(got == pattern(LARGE), "the large write arrived garbled");
}

#[test]
fn stdin_reads_what_the_parent_pipes_in() {
    let input = pattern(300 * 1024);
    let out = run_child("echo", input.clone());
    let got = framed(&out.stdout);
    assert_eq!(got.len(), input.len());
    assert!(got == input, "stdin's bytes came back garbled");
}

#[test]
fn stdin_lines_end_at_end_of_file_and_reads_after_it_return_zero() {
    let out = run_child("lines-stdin", b"one\ntwo\nthree".to_vec());
    assert_eq!(framed(&out.stdout), b"[one][two][three] eof, then 0\n");
}

#[test]
fn stdin_of_an_empty_pipe_is_at_end_of_file_at_once() {
    let out = run_child("lines-stdin", Vec::new());
    assert_eq!(framed(&out.stdout), b" eof, then 0\n");
}

/// The child writes "ping" (no newline: std's line buffer would hold it),
/// flushes, and waits for our answer on its stdin before it goes on. If
/// `flush` returned before the bytes reached the pipe, neither side would
/// ever move (the test would hang, not pass).
#[test]
fn flush_returning_ok_means_the_reader_has_the_bytes() {
    let mut child = spawn_child("ping");
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8];
    while !seen.ends_with(b"ping") {
        let n = stdout.read(&mut byte).unwrap();
        assert_eq!(
            n,
            1,
            "child ended before ping: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.push(byte[0]);
    }
    child.stdin.take().unwrap().write_all(b"pong\n").unwrap();
    stdout.read_to_end(&mut seen).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{}", String::from_utf8_lossy(&seen));
    assert_eq!(framed(&seen), b"ping, got pong\n");
}

/// The child writes a payload and flushes (`Ok`), writes a tail without
/// flushing, and drops the runtime while that write may still be queued or
/// in flight. The flushed payload must be all there; the tail is either
/// all there (its hop had started, and shutdown waits for it) or absent
/// (shutdown cancelled it before it started), never cut.
#[test]
fn bytes_flushed_before_runtime_shutdown_are_not_lost() {
    let out = run_child("shutdown", Vec::new());
    let got = framed(&out.stdout);
    let payload = pattern(200 * 1024);
    assert!(got.starts_with(&payload), "flushed bytes were lost");
    let tail = &got[payload.len()..];
    assert!(tail.is_empty() || tail == b"tail\n", "tail cut: {tail:?}");
}

/// The child points its fd 1 at a pipe nobody reads for one write: the
/// error of the background write comes out of `flush`.
#[cfg(unix)]
#[test]
fn a_failed_background_write_is_reported_by_flush() {
    let out = run_child("write-error", Vec::new());
    assert_eq!(framed(&out.stdout), b"flush failed with BrokenPipe\n");
}

// ---- the child's side --------------------------------------------------

const LARGE: usize = 3 * 1024 * 1024 + 7;

/// Does what the parent asked for; nothing when run as a normal test.
#[test]
fn stdio_child() {
    let Ok(scenario) = std::env::var(CHILD_ENV) else {
        return;
    };
    let rt = support::rt(2);
    if scenario == "shutdown" {
        rt.block_on(async {
            let mut out = magpie::io::stdout();
            out.write_all(BEGIN).await.unwrap();
            out.write_all(&pattern(200 * 1024)).await.unwrap();
            out.flush().await.unwrap();
            out.write_all(b"tail\n").await.unwrap();
        });
        drop(rt);
        let mut out = std::io::stdout().lock();
        out.write_all(END).unwrap();
        out.flush().unwrap();
        return;
    }
    rt.block_on(async {
        let mut out = magpie::io::stdout();
        let mut err = magpie::io::stderr();
        out.write_all(BEGIN).await.unwrap();
        err.write_all(BEGIN).await.unwrap();
        match scenario.as_str() {
            "lines-stdout" => write_lines(&mut out).await,
            "lines-stderr" => write_lines(&mut err).await,
            "large" => out.write_all(&pattern(LARGE)).await.unwrap(),
            "echo" => {
                let mut input = Vec::new();
                magpie::io::stdin().read_to_end(&mut input).await.unwrap();
                out.write_all(&input).await.unwrap();
            }
            "lines-stdin" => {
                let mut stdin = BufReader::new(magpie::io::stdin());
                let mut lines = (&mut stdin).lines();
                while let Some(line) = lines.next_line().await.unwrap() {
                    out.write_all(format!("[{line}]").as_bytes()).await.unwrap();
                }
                let again = stdin.read(&mut [0u8; 16]).await.unwrap();
                out.write_all(format!(" eof, then {again}\n").as_bytes())
                    .await
                    .unwrap();
            }
            "ping" => {
                out.write_all(b"ping").await.unwrap();
                out.flush().await.unwrap();
                let mut answer = String::new();
                BufReader::new(magpie::io::stdin())
                    .read_line(&mut answer)
                    .await
                    .unwrap();
                out.write_all(format!(", got {answer}").as_bytes())
                    .await
                    .unwrap();
            }
            #[cfg(unix)]
            "write-error" => {
                let message = write_to_a_closed_pipe(&mut out).await;
                out.write_all(message.as_bytes()).await.unwrap();
            }
            other => panic!("unknown scenario {other}"),
        }
        out.write_all(END).await.unwrap();
        err.write_all(END).await.unwrap();
        out.flush().await.unwrap();
        err.flush().await.unwrap();
    });
}

async fn write_lines(to: &mut (impl AsyncWriteExt + Unpin)) {
    for i in 0..5000 {
        to.write_all(format!("line {i}\n").as_bytes())
            .await
            .unwrap();
    }
}

/// Swaps fd 1 for a pipe nobody reads (its read end closed) around one
/// write and its flush; says how the flush ended. (Not a read-only file:
/// std treats `EBADF` on its standard streams as success.)
#[cfg(unix)]
async fn write_to_a_closed_pipe(out: &mut magpie::io::Stdout) -> String {
    out.flush().await.unwrap();
    let mut ends = [0; 2];
    // SAFETY: plain descriptor calls on fds this process owns; fd 1 is put
    // back before anything else writes to it (this task is the only
    // writer, and it waits for its write below). Rust ignores SIGPIPE, so
    // the write fails with EPIPE instead of ending the process.
    let saved = unsafe {
        assert_eq!(libc::pipe(ends.as_mut_ptr()), 0);
        libc::close(ends[0]);
        let saved = libc::dup(1);
        assert!(saved >= 0);
        assert!(libc::dup2(ends[1], 1) >= 0);
        saved
    };
    let wrote = out.write_all(b"lost\n").await;
    let flushed = out.flush().await;
    // SAFETY: as above; `saved` and `ends[1]` are ours and used no more.
    unsafe {
        assert!(libc::dup2(saved, 1) >= 0);
        libc::close(saved);
        libc::close(ends[1]);
    }
    assert!(wrote.is_ok(), "the write itself only starts the hop");
    match flushed {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            "flush failed with BrokenPipe\n".into()
        }
        other => format!("flush ended with {other:?}\n"),
    }
}
