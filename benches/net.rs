//! TCP on loopback: magpie next to tokio (multi-thread) and smol
//! (`async-io`'s `Async<TcpStream>` on an `async-executor` with the same
//! number of threads), in one criterion run so the ratios compare like
//! with like. Each workload is written once against `NetBench`
//! (`support/net.rs`), which hands it each runtime's own TCP types.
//!
//! * `tcp_echo`: 32 connections, each making 2,000 round trips of 64 bytes
//!   against an echo server on the same runtime.
//! * `tcp_stream_throughput`: one connection streams 256 MiB to a sink that
//!   counts the bytes and answers with the count.
//!
//! Run with `cargo bench --bench net` (prints a ratio table at the end:
//! magpie's time over each peer's, below 1.0 means magpie is faster).

mod support;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use support::net::NetBench;
use support::{report, Bench, Magpie, Smol, Spawn, Tokio};

const CONNECTIONS: usize = 32;
const ROUND_TRIPS: usize = 2_000;
const MESSAGE: usize = 64;
const STREAM_BYTES: u64 = 256 << 20;
const CHUNK: usize = 64 * 1024;

/// Starts a server on `rt` that hands every accepted connection to
/// `serve` in a task of its own; returns the server's address.
fn server<B: NetBench, F>(rt: &B, serve: fn(B::Stream) -> F) -> SocketAddr
where
    F: Future<Output = ()> + Send + 'static,
{
    let spawner = rt.spawner();
    rt.block_on(async move {
        let (listener, addr) = B::listen();
        let connections = spawner.clone();
        spawner.spawn(async move {
            while let Ok((stream, _)) = B::accept(&listener).await {
                connections.spawn(serve(stream));
            }
        });
        addr
    })
}

/// Echoes every `MESSAGE` bytes back until the client goes away.
async fn echo<B: NetBench>(mut stream: B::Stream) {
    B::set_nodelay(&stream);
    let mut buf = [0; MESSAGE];
    while B::read_exact(&mut stream, &mut buf).await.is_ok() {
        B::write_all(&mut stream, &buf).await.unwrap();
    }
}

/// `CONNECTIONS` clients, each in its own task, make `ROUND_TRIPS` round
/// trips each; returns when all are done.
fn echo_clients<B: NetBench>(rt: &B, addr: SocketAddr) {
    let spawner = rt.spawner();
    rt.block_on(async move {
        let clients: Vec<_> = (0..CONNECTIONS)
            .map(|_| {
                spawner.spawn_join(async move {
                    let mut stream = B::connect(addr).await.unwrap();
                    B::set_nodelay(&stream);
                    let mut buf = [7; MESSAGE];
                    for _ in 0..ROUND_TRIPS {
                        B::write_all(&mut stream, &buf).await.unwrap();
                        B::read_exact(&mut stream, &mut buf).await.unwrap();
                    }
                })
            })
            .collect();
        for client in clients {
            client.await;
        }
    })
}

/// Counts the bytes until end of stream, then answers with the count.
async fn sink<B: NetBench>(mut stream: B::Stream) {
    let mut buf = vec![0; CHUNK];
    let mut total = 0u64;
    loop {
        match B::read(&mut stream, &mut buf).await.unwrap() {
            0 => break,
            n => total += n as u64,
        }
    }
    B::write_all(&mut stream, &total.to_le_bytes())
        .await
        .unwrap();
}

/// Streams `STREAM_BYTES` to the sink at `addr` from the bench thread's
/// `block_on` and checks the count it answers.
fn stream_to<B: NetBench>(rt: &B, addr: SocketAddr) {
    rt.block_on(async {
        let mut stream = B::connect(addr).await.unwrap();
        let chunk = vec![1; CHUNK];
        let mut sent = 0u64;
        while sent < STREAM_BYTES {
            B::write_all(&mut stream, &chunk).await.unwrap();
            sent += CHUNK as u64;
        }
        B::shutdown_write(&mut stream).await.unwrap();
        let mut count = [0; 8];
        B::read_exact(&mut stream, &mut count).await.unwrap();
        assert_eq!(u64::from_le_bytes(count), STREAM_BYTES);
    })
}

fn tcp_echo<B: NetBench>(group: &mut BenchmarkGroup<'_, WallTime>, rt: &B) {
    let addr = server(rt, echo::<B>);
    group.bench_function(BenchmarkId::new(B::NAME, CONNECTIONS), |b| {
        b.iter(|| echo_clients(rt, addr))
    });
}

fn tcp_stream_throughput<B: NetBench>(group: &mut BenchmarkGroup<'_, WallTime>, rt: &B) {
    let addr = server(rt, sink::<B>);
    group.bench_function(B::NAME, |b| b.iter(|| stream_to(rt, addr)));
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("tcp_echo");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements((CONNECTIONS * ROUND_TRIPS) as u64));
    on_each_runtime!(group, tcp_echo, Tokio::new());
    let mut group = c.benchmark_group("tcp_stream_throughput");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Bytes(STREAM_BYTES));
    on_each_runtime!(group, tcp_stream_throughput, Tokio::new());
    c.final_summary();
    // tcp_echo's ids carry the connection count (`magpie/32`).
    let per_connections = |name: &str| format!("{name}/{CONNECTIONS}");
    report::print_ratio_table(
        &["tcp_echo"],
        &[
            &per_connections(Magpie::NAME),
            &per_connections(Tokio::NAME),
            &per_connections(Smol::NAME),
        ],
    );
    report::print_ratio_table(
        &["tcp_stream_throughput"],
        &[Magpie::NAME, Tokio::NAME, Smol::NAME],
    );
}
