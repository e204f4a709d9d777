//! The file store: attachment bytes, streamed in (hashed on the way, never held whole in
//! memory) and streamed out. Two backends: the local disk under the data directory (the
//! default) and an object store (`--files s3://bucket/prefix`, or `memory:` for tests).

mod disk;
mod object;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, BodyDataStream, Bytes};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

pub use disk::Disk;
pub use object::Object;

/// A file written to the store.
#[derive(Debug, Clone)]
pub struct Stored {
    pub directory: String,
    pub filename: String,
    pub size: u64,
    /// Lowercase hex SHA-256.
    pub digest: String,
}

#[derive(Debug)]
pub enum PutError {
    /// The body went past the limit (bytes); nothing was kept.
    TooLarge,
    Io(std::io::Error),
    /// The client's body failed midway.
    Body,
    /// The body stalled, or came slower than the minimum rate.
    Timeout,
}

impl From<std::io::Error> for PutError {
    fn from(e: std::io::Error) -> Self {
        PutError::Io(e)
    }
}

#[derive(Debug, Clone)]
pub enum Files {
    Disk(Disk),
    Object(Object),
}

/// Where derived files (thumbnails) are kept, beside the attachments.
pub const THUMBNAILS: &str = "thumbnails";

impl Files {
    /// The store a `--files` value names: none for the disk under `default_root`; a
    /// directory (or `file://` one); `memory:`; `s3://bucket[/prefix]` with the AWS_* environment (credentials, region,
    /// AWS_ENDPOINT for another S3-compatible service).
    pub fn from_setting(value: Option<&str>, default_root: PathBuf) -> anyhow::Result<Files> {
        let value = value.map(str::trim).filter(|v| !v.is_empty());
        let Some(value) = value else {
            return Ok(Files::Disk(Disk::new(default_root)));
        };
        if value == "memory:" || value == "memory://" {
            let store = object_store::memory::InMemory::new();
            return Ok(Files::Object(Object::new(Arc::new(store), "")));
        }
        if let Some(rest) = value.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let store = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()?;
            return Ok(Files::Object(Object::new(Arc::new(store), prefix)));
        }
        match value.strip_prefix("file://") {
            Some(path) => Ok(Files::Disk(Disk::new(PathBuf::from(path)))),
            None if value.contains("://") => {
                anyhow::bail!("unknown file store {value}: memory:, s3://… or file://…")
            }
            None => Ok(Files::Disk(Disk::new(PathBuf::from(value)))),
        }
    }

    /// Streams a body into a new file of the store, at most `limit` bytes, at the pace
    /// `idle` sets (see `Pace`).
    pub async fn put(&self, body: Body, limit: u64, idle: Duration) -> Result<Stored, PutError> {
        let pace = Pace::new(idle);
        match self {
            Files::Disk(d) => d.put(body, limit, &pace).await,
            Files::Object(o) => o.put(body, limit, &pace).await,
        }
    }

    /// The file's bytes as a stream and its size, or none when it is missing.
    pub async fn open(&self, directory: &str, filename: &str) -> Option<(Body, u64)> {
        match self {
            Files::Disk(d) => d.open(directory, filename).await,
            Files::Object(o) => o.open(directory, filename).await,
        }
    }

    /// Whether the file is there (Redmine answers 404 for an attachment whose file is gone).
    pub async fn exists(&self, directory: &str, filename: &str) -> bool {
        match self {
            Files::Disk(d) => d.exists(directory, filename).await,
            Files::Object(o) => o.exists(directory, filename).await,
        }
    }

    pub async fn delete(&self, directory: &str, filename: &str) {
        match self {
            Files::Disk(d) => d.delete(directory, filename).await,
            Files::Object(o) => o.delete(directory, filename).await,
        }
    }

    /// A whole file of at most `max` bytes (a thumbnail's source or a kept thumbnail).
    pub async fn read(&self, directory: &str, filename: &str, max: u64) -> Option<Vec<u8>> {
        match self {
            Files::Disk(d) => d.read(directory, filename, max).await,
            Files::Object(o) => o.read(directory, filename, max).await,
        }
    }

    /// Keeps a small derived file; a failure is logged, not answered.
    pub async fn write_whole(&self, directory: &str, filename: &str, bytes: &[u8]) {
        if let Err(e) = self.keep(directory, filename, bytes).await {
            tracing::warn!(error = %e, "could not keep a thumbnail");
        }
    }

    /// Copies the file at `from` to `directory/filename` (an import): on disk streamed;
    /// to an object store read whole first.
    pub async fn copy_in(
        &self,
        directory: &str,
        filename: &str,
        from: &Path,
    ) -> Result<(), String> {
        match self {
            Files::Disk(d) => d
                .copy_in(directory, filename, from)
                .await
                .map_err(|e| e.to_string()),
            Files::Object(o) => {
                let bytes = tokio::fs::read(from).await.map_err(|e| e.to_string())?;
                o.keep(directory, filename, &bytes).await
            }
        }
    }

    /// Writes a file whole under `directory/filename`, replacing any there.
    pub async fn keep(&self, directory: &str, filename: &str, bytes: &[u8]) -> Result<(), String> {
        match self {
            Files::Disk(d) => d
                .keep(directory, filename, bytes)
                .await
                .map_err(|e| e.to_string()),
            Files::Object(o) => o.keep(directory, filename, bytes).await,
        }
    }
}

/// A new file's directory (`YYYY/MM`) and name (`yyMMddHHmmss_<random>`), as Redmine lays
/// its files out.
fn new_name() -> (String, String) {
    let now = time::OffsetDateTime::now_utc();
    let directory = format!("{:04}/{:02}", now.year(), now.month() as u8);
    let filename = format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}_{:016x}",
        now.year() % 100,
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        rand::random::<u64>()
    );
    (directory, filename)
}

/// The size and SHA-256 of a body as it streams by, against a limit.
struct Hashing {
    hasher: Sha256,
    size: u64,
    limit: u64,
}

impl Hashing {
    fn new(limit: u64) -> Hashing {
        Hashing {
            hasher: Sha256::new(),
            size: 0,
            limit,
        }
    }

    /// Counts and hashes a chunk; false once past the limit.
    fn take(&mut self, chunk: &[u8]) -> bool {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return false;
        }
        self.hasher.update(chunk);
        true
    }

    fn finish(self) -> (u64, String) {
        (self.size, hex::encode(self.hasher.finalize()))
    }
}

/// How an upload's body must keep coming: a chunk at least every `idle`, and once `idle`
/// has passed since it began, 16 KiB/s on average. A large file on a slow link gets
/// through; a client trickling bytes to hold a connection does not.
pub struct Pace {
    idle: Duration,
    started: Instant,
}

const MIN_RATE: u64 = 16 * 1024;

impl Pace {
    fn new(idle: Duration) -> Pace {
        Pace {
            idle,
            started: Instant::now(),
        }
    }

    /// The next chunk of the body, `None` at its end.
    async fn next(
        &self,
        stream: &mut BodyDataStream,
        received: u64,
    ) -> Result<Option<Bytes>, PutError> {
        match tokio::time::timeout(self.idle, stream.next()).await {
            Err(_) => Err(PutError::Timeout),
            Ok(None) => Ok(None),
            Ok(Some(Err(_))) => Err(PutError::Body),
            Ok(Some(Ok(chunk))) => {
                let elapsed = self.started.elapsed();
                if elapsed > self.idle && received / elapsed.as_secs().max(1) < MIN_RATE {
                    return Err(PutError::Timeout);
                }
                Ok(Some(chunk))
            }
        }
    }
}

/// How much of a too large upload is read past the limit before the connection is given up.
const DRAIN: u64 = 256 * 1024 * 1024;

/// Reads and drops the rest of a too large body up to `until` bytes, so that the client
/// receives the answer and may keep its connection, as Redmine reads the whole body; at
/// the same pace as the rest, or not at all.
async fn drain(mut stream: BodyDataStream, mut read: u64, until: u64, pace: &Pace) {
    while let Ok(Some(chunk)) = pace.next(&mut stream, read).await {
        read += chunk.len() as u64;
        if read > until {
            break;
        }
    }
}
