//! magpie::fs: errors, the File buffer across its boundary, directory
//! listings, and what a dropped File does with its buffer.

mod support;

use std::io::{ErrorKind, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures::StreamExt;
use magpie::fs::{self, File, OpenOptions};
use magpie::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// A fresh directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("magpie-fs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `len` bytes that differ from their neighbours, so an offset mistake shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[test]
fn a_missing_path_is_not_found_everywhere() {
    support::rt(2).block_on(async {
        let missing = Path::new("/no/such/magpie/path");
        assert_eq!(
            fs::read(missing).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            fs::read_to_string(missing).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            File::open(missing).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            fs::metadata(missing).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            fs::read_dir(missing).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            fs::remove_file(missing).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            fs::rename(missing, "/tmp/x").await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            fs::copy(missing, "/tmp/x").await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        let in_missing_dir = missing.join("file");
        assert_eq!(
            fs::write(&in_missing_dir, "x").await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
    });
}

#[cfg(unix)]
#[test]
fn a_file_that_may_not_be_read_is_permission_denied() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        eprintln!("skipped: root may read any file");
        return;
    }
    let dir = TempDir::new("perm");
    let path = dir.join("secret");
    std::fs::write(&path, "x").unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    support::rt(1).block_on(async {
        assert_eq!(
            fs::read(&path).await.unwrap_err().kind(),
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            File::open(&path).await.unwrap_err().kind(),
            ErrorKind::PermissionDenied
        );
    });
}

#[test]
fn the_free_functions_round_trip() {
    let dir = TempDir::new("free");
    support::rt(2).block_on(async {
        fs::create_dir_all(dir.join("a/b/c")).await.unwrap();
        fs::create_dir(dir.join("a/d")).await.unwrap();
        assert_eq!(
            fs::create_dir(dir.join("a/d")).await.unwrap_err().kind(),
            ErrorKind::AlreadyExists
        );
        fs::write(dir.join("a/b/c/f"), "contents").await.unwrap();
        let copied = fs::copy(dir.join("a/b/c/f"), dir.join("a/d/g"))
            .await
            .unwrap();
        // std's count; under Wine, CopyFileEx reports 0 bytes.
        if cfg!(unix) {
            assert_eq!(copied, 8);
        }
        fs::rename(dir.join("a/d/g"), dir.join("a/h"))
            .await
            .unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("a/h")).await.unwrap(),
            "contents"
        );
        assert_eq!(fs::metadata(dir.join("a/h")).await.unwrap().len(), 8);
        fs::remove_file(dir.join("a/h")).await.unwrap();
        fs::remove_dir_all(dir.join("a")).await.unwrap();
        assert!(!dir.join("a").exists());
    });
}

#[test]
fn file_writes_seeks_and_reads_across_the_buffer_boundary() {
    let dir = TempDir::new("boundary");
    let path = dir.join("f");
    let data = pattern(200 * 1024 + 17);
    support::rt(2).block_on(async {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .await
            .unwrap();
        // Odd-sized writes: the 64 KiB buffer fills in the middle of one.
        for chunk in data.chunks(1000) {
            file.write_all(chunk).await.unwrap();
        }
        file.flush().await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), data);

        // A read that straddles the 64 KiB mark of the first fill.
        let at = 64 * 1024 - 10;
        assert_eq!(
            file.seek(SeekFrom::Start(at as u64)).await.unwrap(),
            at as u64
        );
        let mut buf = [0u8; 20];
        file.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf[..], &data[at..at + 20]);

        // The position is the caller's, not the read-ahead's.
        assert_eq!(file.stream_position().await.unwrap(), (at + 20) as u64);
        assert_eq!(file.seek(SeekFrom::Current(-20)).await.unwrap(), at as u64);

        // Read a little (a 64 KiB fill), then write: the write lands right
        // after what was read.
        file.rewind().await.unwrap();
        let mut head = [0u8; 10];
        file.read_exact(&mut head).await.unwrap();
        file.write_all(b"XYZ").await.unwrap();
        let mut next = [0u8; 5];
        file.read_exact(&mut next).await.unwrap(); // flushes XYZ first
        assert_eq!(&next[..], &data[13..18]);
        let on_disk = std::fs::read(&path).unwrap();
        assert_eq!(&on_disk[..13], &[&data[..10], b"XYZ"].concat()[..]);
        assert_eq!(&on_disk[13..], &data[13..]);

        // Everything, in small reads, from the start.
        file.rewind().await.unwrap();
        let mut all = Vec::new();
        let mut small = [0u8; 333];
        loop {
            let n = file.read(&mut small).await.unwrap();
            if n == 0 {
                break;
            }
            all.extend_from_slice(&small[..n]);
        }
        assert_eq!(all, on_disk);
        assert_eq!(file.read(&mut small).await.unwrap(), 0, "still at the end");
    });
}

#[test]
fn a_large_write_and_read_go_through_in_one_piece() {
    let dir = TempDir::new("large");
    let path = dir.join("f");
    let data = pattern(3 * 1024 * 1024 + 5); // more than one hop's 2 MiB
    support::rt(2).block_on(async {
        let mut file = File::create(&path).await.unwrap();
        file.write_all(&data).await.unwrap();
        file.sync_all().await.unwrap();
        let mut back = Vec::new();
        File::open(&path)
            .await
            .unwrap()
            .read_to_end(&mut back)
            .await
            .unwrap();
        assert_eq!(back, data);
    });
}

#[test]
fn a_write_error_is_reported_by_flush() {
    let dir = TempDir::new("werr");
    let path = dir.join("f");
    std::fs::write(&path, "read only").unwrap();
    support::rt(1).block_on(async {
        let mut file = File::open(&path).await.unwrap(); // read-only
                                                         // Buffered: the OS has not seen it yet.
        assert_eq!(file.write(b"nope").await.unwrap(), 4);
        let err = file.flush().await.unwrap_err();
        assert_ne!(
            err.kind(),
            ErrorKind::Other,
            "the OS's error, not a made-up one: {err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"read only");
    });
}

#[test]
fn set_len_writes_out_the_buffer_first() {
    let dir = TempDir::new("setlen");
    let path = dir.join("f");
    support::rt(1).block_on(async {
        let mut file = File::create(&path).await.unwrap();
        file.write_all(b"0123456789").await.unwrap();
        file.set_len(4).await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), 4);
        file.set_len(6).await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"0123\0\0");
    });
}

#[test]
fn a_dropped_file_writes_its_buffer_in_the_background() {
    let dir = TempDir::new("drop");
    let path = dir.join("f");
    let rt = support::rt(2);
    rt.block_on(async {
        let mut file = File::create(&path).await.unwrap();
        file.write_all(b"kept after drop").await.unwrap();
        drop(file); // no flush
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::read(&path).unwrap() != b"kept after drop" {
        assert!(
            Instant::now() < deadline,
            "the buffered write never reached the file"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_read_dropped_mid_wait_loses_nothing() {
    let dir = TempDir::new("cancel");
    let path = dir.join("f");
    std::fs::write(&path, pattern(1000)).unwrap();
    support::rt(2).block_on(async {
        let mut file = File::open(&path).await.unwrap();
        let mut buf = [0u8; 4];
        // Polled once (the fill is now in flight, or already back if the
        // pool was quick), then dropped.
        let mut all = match futures::poll!(file.read(&mut buf)) {
            std::task::Poll::Ready(n) => buf[..n.unwrap()].to_vec(),
            std::task::Poll::Pending => Vec::new(),
        };
        file.read_to_end(&mut all).await.unwrap();
        assert_eq!(all, pattern(1000), "nothing lost, nothing twice");
    });
}

#[test]
fn read_dir_lists_a_hundred_entries_in_batches() {
    let dir = TempDir::new("readdir");
    for i in 0..100 {
        std::fs::write(dir.join(&format!("entry-{i:03}")), i.to_string()).unwrap();
    }
    support::rt(2).block_on(async {
        let mut names = Vec::new();
        let mut entries = fs::read_dir(&dir.0).await.unwrap();
        while let Some(entry) = entries.next_entry().await.unwrap() {
            assert!(entry.file_type().await.unwrap().is_file());
            assert_eq!(entry.path(), dir.0.join(entry.file_name()));
            names.push(entry.file_name().into_string().unwrap());
        }
        assert!(
            entries.next_entry().await.unwrap().is_none(),
            "stays at the end"
        );
        names.sort();
        let expected: Vec<_> = (0..100).map(|i| format!("entry-{i:03}")).collect();
        assert_eq!(names, expected);

        // The same listing as a Stream.
        let streamed: Vec<_> = fs::read_dir(&dir.0).await.unwrap().collect().await;
        assert_eq!(streamed.len(), 100);
        assert!(streamed.iter().all(Result::is_ok));
    });
}

#[test]
fn read_dir_of_a_file_is_an_error() {
    let dir = TempDir::new("notdir");
    let path = dir.join("f");
    std::fs::write(&path, "").unwrap();
    support::rt(1).block_on(async {
        let err = fs::read_dir(&path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotADirectory);
    });
}

#[test]
fn many_files_are_read_concurrently() {
    let dir = TempDir::new("many");
    for i in 0..64 {
        std::fs::write(dir.join(&i.to_string()), i.to_string()).unwrap();
    }
    support::rt(2).block_on(async {
        let reads: Vec<_> = (0..64)
            .map(|i| {
                let path = dir.join(&i.to_string());
                magpie::spawn(async move { fs::read_to_string(path).await.unwrap() })
            })
            .collect();
        for (i, read) in reads.into_iter().enumerate() {
            assert_eq!(read.await.unwrap(), i.to_string());
        }
    });
}

#[test]
fn links_and_existence() {
    let dir = TempDir::new("links");
    support::rt(2).block_on(async {
        let original = dir.join("original");
        fs::write(&original, "one file").await.unwrap();
        assert!(fs::try_exists(&original).await.unwrap());
        assert!(!fs::try_exists(dir.join("nothing")).await.unwrap());

        fs::hard_link(&original, dir.join("hard")).await.unwrap();
        fs::write(&original, "changed").await.unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("hard")).await.unwrap(),
            "changed",
            "a hard link is the same file"
        );
        assert_eq!(
            fs::hard_link(&original, dir.join("hard"))
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::AlreadyExists
        );

        #[cfg(unix)]
        {
            fs::symlink(&original, dir.join("soft")).await.unwrap();
            assert_eq!(fs::read_link(dir.join("soft")).await.unwrap(), original);
            let meta = fs::symlink_metadata(dir.join("soft")).await.unwrap();
            assert!(meta.file_type().is_symlink());
            assert!(fs::metadata(dir.join("soft")).await.unwrap().is_file());
            fs::remove_file(&original).await.unwrap();
            // Dangling now: the link is there, what it names is not.
            assert!(!fs::try_exists(dir.join("soft")).await.unwrap());
            assert!(fs::symlink_metadata(dir.join("soft")).await.is_ok());
            assert_eq!(
                fs::read_link(dir.join("hard")).await.unwrap_err().kind(),
                ErrorKind::InvalidInput,
                "a regular file is no link"
            );
        }
    });
}

#[test]
fn dir_builder_and_a_cloned_file_handle() {
    let dir = TempDir::new("dirb");
    support::rt(2).block_on(async {
        let deep = dir.join("x/y/z");
        assert_eq!(
            fs::DirBuilder::new()
                .create(&deep)
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound,
            "not recursive: the parents are missing"
        );
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        builder.mode(0o700);
        builder.create(&deep).await.unwrap();
        builder.create(&deep).await.unwrap(); // recursive: existing is fine
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&deep).await.unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "mode {mode:o}");
        }

        let path = deep.join("f");
        let mut file = File::create(&path).await.unwrap();
        let mut clone = file.try_clone().await.unwrap();
        file.write_all(b"first,").await.unwrap();
        file.flush().await.unwrap();
        clone.write_all(b"second").await.unwrap();
        clone.flush().await.unwrap();
        drop((file, clone));
        assert_eq!(fs::read(&path).await.unwrap(), b"first,second");
    });
}

#[test]
fn try_into_std_succeeds_only_with_nothing_pending() {
    let dir = TempDir::new("tis");
    support::rt(2).block_on(async {
        let path = dir.join("f");
        std::fs::write(&path, pattern(100_000)).unwrap();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .await
            .unwrap();
        // Read-ahead: the OS position is past the caller's.
        let mut first = [0u8; 10];
        file.read_exact(&mut first).await.unwrap();
        let mut file = file.try_into_std().unwrap_err();
        // Reading what was fetched leaves nothing ahead: the position is
        // where the caller is.
        let mut rest = vec![0u8; 100_000 - 10];
        file.read_exact(&mut rest).await.unwrap();
        let mut std_file = file.try_into_std().expect("nothing pending");
        use std::io::Seek;
        assert_eq!(std_file.stream_position().unwrap(), 100_000);

        // Unwritten data: refused until flushed.
        let mut file = File::from_std(std_file);
        file.write_all(b"tail").await.unwrap();
        let mut file = file.try_into_std().unwrap_err();
        file.flush().await.unwrap();
        let std_file = file.try_into_std().expect("flushed");
        assert_eq!(std_file.metadata().unwrap().len(), 100_004);
    });
}
