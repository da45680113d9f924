//! TCP on loopback: magpie next to tokio (multi-thread) and smol
//! (`async-io`'s `Async<TcpStream>` on an `async-executor` with the same
//! number of threads), in one criterion run so the ratios compare like
//! with like.
//!
//! * `tcp_echo`: 32 connections, each making 2,000 round trips of 64 bytes
//!   against an echo server on the same runtime.
//! * `tcp_stream_throughput`: one connection streams 256 MiB to a sink that
//!   counts the bytes and answers with the count.
//!
//! Run with `cargo bench --bench net`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const WORKERS: usize = 2;
const CONNECTIONS: usize = 32;
const ROUND_TRIPS: usize = 2_000;
const MESSAGE: usize = 64;
const STREAM_BYTES: u64 = 256 << 20;
const CHUNK: usize = 64 * 1024;

fn tcp_echo(c: &mut Criterion) {
    let mut group = c.benchmark_group("tcp_echo");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements((CONNECTIONS * ROUND_TRIPS) as u64));

    let rt = magpie_rt::Rt::new();
    let addr = rt.echo_server();
    group.bench_function(BenchmarkId::new("magpie", CONNECTIONS), |b| {
        b.iter(|| rt.echo_clients(addr))
    });
    drop(rt);

    let rt = tokio_rt::Rt::new();
    let addr = rt.echo_server();
    group.bench_function(BenchmarkId::new("tokio", CONNECTIONS), |b| {
        b.iter(|| rt.echo_clients(addr))
    });
    drop(rt);

    let rt = smol_rt::Rt::new();
    let addr = rt.echo_server();
    group.bench_function(BenchmarkId::new("smol", CONNECTIONS), |b| {
        b.iter(|| rt.echo_clients(addr))
    });
    drop(rt);

    group.finish();
}

fn tcp_stream_throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("tcp_stream_throughput");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Bytes(STREAM_BYTES));

    let rt = magpie_rt::Rt::new();
    let addr = rt.sink_server();
    group.bench_function("magpie", |b| b.iter(|| rt.stream_to(addr)));
    drop(rt);

    let rt = tokio_rt::Rt::new();
    let addr = rt.sink_server();
    group.bench_function("tokio", |b| b.iter(|| rt.stream_to(addr)));
    drop(rt);

    let rt = smol_rt::Rt::new();
    let addr = rt.sink_server();
    group.bench_function("smol", |b| b.iter(|| rt.stream_to(addr)));
    drop(rt);

    group.finish();
}

mod magpie_rt {
    use super::*;
    use magpie::io::{AsyncReadExt, AsyncWriteExt};
    use magpie::net::{TcpListener, TcpStream};

    pub struct Rt(magpie::Runtime);

    impl Rt {
        pub fn new() -> Rt {
            Rt(magpie::runtime::Builder::new()
                .worker_threads(WORKERS)
                .build()
                .unwrap())
        }

        pub fn echo_server(&self) -> SocketAddr {
            self.0.block_on(async {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                magpie::spawn(async move {
                    while let Ok((mut stream, _)) = listener.accept().await {
                        stream.set_nodelay(true).unwrap();
                        magpie::spawn(async move {
                            let mut buf = [0; MESSAGE];
                            while stream.read_exact(&mut buf).await.is_ok() {
                                stream.write_all(&buf).await.unwrap();
                            }
                        });
                    }
                });
                addr
            })
        }

        pub fn echo_clients(&self, addr: SocketAddr) {
            self.0.block_on(async {
                let mut clients = magpie::task::JoinSet::new();
                for _ in 0..CONNECTIONS {
                    clients.spawn(async move {
                        let mut stream = TcpStream::connect(addr).await.unwrap();
                        stream.set_nodelay(true).unwrap();
                        let mut buf = [7; MESSAGE];
                        for _ in 0..ROUND_TRIPS {
                            stream.write_all(&buf).await.unwrap();
                            stream.read_exact(&mut buf).await.unwrap();
                        }
                    });
                }
                while let Some(done) = clients.join_next().await {
                    done.unwrap();
                }
            })
        }

        pub fn sink_server(&self) -> SocketAddr {
            self.0.block_on(async {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                magpie::spawn(async move {
                    while let Ok((mut stream, _)) = listener.accept().await {
                        magpie::spawn(async move {
                            let mut buf = vec![0; CHUNK];
                            let mut total = 0u64;
                            loop {
                                match stream.read(&mut buf).await.unwrap() {
                                    0 => break,
                                    n => total += n as u64,
                                }
                            }
                            stream.write_all(&total.to_le_bytes()).await.unwrap();
                        });
                    }
                });
                addr
            })
        }

        pub fn stream_to(&self, addr: SocketAddr) {
            self.0.block_on(async {
                let mut stream = TcpStream::connect(addr).await.unwrap();
                let chunk = vec![1; CHUNK];
                let mut sent = 0u64;
                while sent < STREAM_BYTES {
                    stream.write_all(&chunk).await.unwrap();
                    sent += CHUNK as u64;
                }
                stream.shutdown(std::net::Shutdown::Write).unwrap();
                let mut count = [0; 8];
                stream.read_exact(&mut count).await.unwrap();
                assert_eq!(u64::from_le_bytes(count), STREAM_BYTES);
            })
        }
    }
}

mod tokio_rt {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    pub struct Rt(tokio::runtime::Runtime);

    impl Rt {
        pub fn new() -> Rt {
            Rt(tokio::runtime::Builder::new_multi_thread()
                .worker_threads(WORKERS)
                .enable_all()
                .build()
                .unwrap())
        }

        pub fn echo_server(&self) -> SocketAddr {
            self.0.block_on(async {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                tokio::spawn(async move {
                    while let Ok((mut stream, _)) = listener.accept().await {
                        stream.set_nodelay(true).unwrap();
                        tokio::spawn(async move {
                            let mut buf = [0; MESSAGE];
                            while stream.read_exact(&mut buf).await.is_ok() {
                                stream.write_all(&buf).await.unwrap();
                            }
                        });
                    }
                });
                addr
            })
        }

        pub fn echo_clients(&self, addr: SocketAddr) {
            self.0.block_on(async {
                let mut clients = tokio::task::JoinSet::new();
                for _ in 0..CONNECTIONS {
                    clients.spawn(async move {
                        let mut stream = TcpStream::connect(addr).await.unwrap();
                        stream.set_nodelay(true).unwrap();
                        let mut buf = [7; MESSAGE];
                        for _ in 0..ROUND_TRIPS {
                            stream.write_all(&buf).await.unwrap();
                            stream.read_exact(&mut buf).await.unwrap();
                        }
                    });
                }
                while let Some(done) = clients.join_next().await {
                    done.unwrap();
                }
            })
        }

        pub fn sink_server(&self) -> SocketAddr {
            self.0.block_on(async {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                tokio::spawn(async move {
                    while let Ok((mut stream, _)) = listener.accept().await {
                        tokio::spawn(async move {
                            let mut buf = vec![0; CHUNK];
                            let mut total = 0u64;
                            loop {
                                match stream.read(&mut buf).await.unwrap() {
                                    0 => break,
                                    n => total += n as u64,
                                }
                            }
                            stream.write_all(&total.to_le_bytes()).await.unwrap();
                        });
                    }
                });
                addr
            })
        }

        pub fn stream_to(&self, addr: SocketAddr) {
            self.0.block_on(async {
                let mut stream = TcpStream::connect(addr).await.unwrap();
                let chunk = vec![1; CHUNK];
                let mut sent = 0u64;
                while sent < STREAM_BYTES {
                    stream.write_all(&chunk).await.unwrap();
                    sent += CHUNK as u64;
                }
                stream.shutdown().await.unwrap();
                let mut count = [0; 8];
                stream.read_exact(&mut count).await.unwrap();
                assert_eq!(u64::from_le_bytes(count), STREAM_BYTES);
            })
        }
    }
}

mod smol_rt {
    use super::*;
    use async_executor::Executor;
    use async_io::Async;
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    use std::net::{TcpListener, TcpStream};

    /// An `async-executor` run by `WORKERS` threads, each driving it with
    /// `async_io::block_on` (so they also take turns on the reactor).
    pub struct Rt {
        executor: Arc<Executor<'static>>,
        stop: Option<async_channel::Sender<()>>,
        threads: Vec<std::thread::JoinHandle<()>>,
    }

    impl Rt {
        pub fn new() -> Rt {
            let executor = Arc::new(Executor::new());
            let (stop, stopped) = async_channel::bounded::<()>(1);
            let threads = (0..WORKERS)
                .map(|_| {
                    let (executor, stopped) = (executor.clone(), stopped.clone());
                    std::thread::spawn(move || {
                        let _ = async_io::block_on(executor.run(stopped.recv()));
                    })
                })
                .collect();
            Rt {
                executor,
                stop: Some(stop),
                threads,
            }
        }

        fn block_on<T: Send + 'static>(
            &self,
            fut: impl std::future::Future<Output = T> + Send + 'static,
        ) -> T {
            async_io::block_on(self.executor.spawn(fut))
        }

        pub fn echo_server(&self) -> SocketAddr {
            let listener = Async::<TcpListener>::bind(([127, 0, 0, 1], 0)).unwrap();
            let addr = listener.get_ref().local_addr().unwrap();
            let executor = self.executor.clone();
            self.executor
                .spawn(async move {
                    while let Ok((mut stream, _)) = listener.accept().await {
                        stream.get_ref().set_nodelay(true).unwrap();
                        executor
                            .spawn(async move {
                                let mut buf = [0; MESSAGE];
                                while stream.read_exact(&mut buf).await.is_ok() {
                                    stream.write_all(&buf).await.unwrap();
                                }
                            })
                            .detach();
                    }
                })
                .detach();
            addr
        }

        pub fn echo_clients(&self, addr: SocketAddr) {
            let executor = self.executor.clone();
            self.block_on(async move {
                let clients: Vec<_> = (0..CONNECTIONS)
                    .map(|_| {
                        executor.spawn(async move {
                            let mut stream = Async::<TcpStream>::connect(addr).await.unwrap();
                            stream.get_ref().set_nodelay(true).unwrap();
                            let mut buf = [7; MESSAGE];
                            for _ in 0..ROUND_TRIPS {
                                stream.write_all(&buf).await.unwrap();
                                stream.read_exact(&mut buf).await.unwrap();
                            }
                        })
                    })
                    .collect();
                for client in clients {
                    client.await;
                }
            })
        }

        pub fn sink_server(&self) -> SocketAddr {
            let listener = Async::<TcpListener>::bind(([127, 0, 0, 1], 0)).unwrap();
            let addr = listener.get_ref().local_addr().unwrap();
            let executor = self.executor.clone();
            self.executor
                .spawn(async move {
                    while let Ok((mut stream, _)) = listener.accept().await {
                        executor
                            .spawn(async move {
                                let mut buf = vec![0; CHUNK];
                                let mut total = 0u64;
                                loop {
                                    match stream.read(&mut buf).await.unwrap() {
                                        0 => break,
                                        n => total += n as u64,
                                    }
                                }
                                stream.write_all(&total.to_le_bytes()).await.unwrap();
                            })
                            .detach();
                    }
                })
                .detach();
            addr
        }

        pub fn stream_to(&self, addr: SocketAddr) {
            self.block_on(async move {
                let mut stream = Async::<TcpStream>::connect(addr).await.unwrap();
                let chunk = vec![1; CHUNK];
                let mut sent = 0u64;
                while sent < STREAM_BYTES {
                    stream.write_all(&chunk).await.unwrap();
                    sent += CHUNK as u64;
                }
                stream
                    .get_ref()
                    .shutdown(std::net::Shutdown::Write)
                    .unwrap();
                let mut count = [0; 8];
                stream.read_exact(&mut count).await.unwrap();
                assert_eq!(u64::from_le_bytes(count), STREAM_BYTES);
            })
        }
    }

    impl Drop for Rt {
        fn drop(&mut self) {
            drop(self.stop.take());
            for thread in self.threads.drain(..) {
                thread.join().unwrap();
            }
        }
    }
}

criterion_group!(benches, tcp_echo, tcp_stream_throughput);
criterion_main!(benches);
