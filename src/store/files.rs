//! The file store: attachment bytes on the local disk under the data directory. Files are
//! streamed in (hashed on the way, never held whole in memory) into a temporary file that
//! is renamed into place once complete, and streamed out.

use std::path::{Path, PathBuf};

use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

#[derive(Debug, Clone)]
pub struct Files {
    root: PathBuf,
}

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
}

impl From<std::io::Error> for PutError {
    fn from(e: std::io::Error) -> Self {
        PutError::Io(e)
    }
}

impl Files {
    pub fn new(root: PathBuf) -> Files {
        Files { root }
    }

    fn path(&self, directory: &str, filename: &str) -> PathBuf {
        self.root.join(directory).join(filename)
    }

    /// Streams a body into a new file of the store, at most `limit` bytes.
    pub async fn put(&self, body: Body, limit: u64) -> Result<Stored, PutError> {
        let now = time::OffsetDateTime::now_utc();
        let directory = format!("{:04}/{:02}", now.year(), now.month() as u8);
        let dir = self.root.join(&directory);
        tokio::fs::create_dir_all(&dir).await?;
        let stamp = format!(
            "{:02}{:02}{:02}{:02}{:02}{:02}",
            now.year() % 100,
            now.month() as u8,
            now.day(),
            now.hour(),
            now.minute(),
            now.second()
        );
        let filename = format!("{stamp}_{:016x}", rand::random::<u64>());
        let temp = dir.join(format!(".{filename}.part"));
        let result = write(&temp, body, limit).await;
        match result {
            Ok((size, digest)) => {
                tokio::fs::rename(&temp, dir.join(&filename)).await?;
                Ok(Stored {
                    directory,
                    filename,
                    size,
                    digest,
                })
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&temp).await;
                Err(e)
            }
        }
    }

    /// The file's bytes as a stream, or none when it is missing.
    pub async fn open(&self, directory: &str, filename: &str) -> Option<(Body, u64)> {
        let file = tokio::fs::File::open(self.path(directory, filename))
            .await
            .ok()?;
        let size = file.metadata().await.ok()?.len();
        let stream = futures_util::stream::unfold(file, |mut file| async move {
            use tokio::io::AsyncReadExt;
            let mut buf = vec![0u8; 64 * 1024];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok::<Bytes, std::io::Error>(Bytes::from(buf)), file))
                }
                Err(e) => Some((Err(e), file)),
            }
        });
        Some((Body::from_stream(stream), size))
    }

    /// Whether the file is there (Redmine answers 404 for an attachment whose file is gone).
    pub async fn exists(&self, directory: &str, filename: &str) -> bool {
        tokio::fs::metadata(self.path(directory, filename))
            .await
            .is_ok_and(|m| m.is_file())
    }

    pub async fn delete(&self, directory: &str, filename: &str) {
        let _ = tokio::fs::remove_file(self.path(directory, filename)).await;
    }
}

/// How much of a too large upload is read past the limit before the connection is given up.
const DRAIN: u64 = 256 * 1024 * 1024;

async fn write(path: &Path, body: Body, limit: u64) -> Result<(u64, String), PutError> {
    let mut file = tokio::fs::File::create(path).await?;
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| PutError::Body)?;
        size += chunk.len() as u64;
        if size > limit {
            // the rest is read and dropped (up to a bound), so that the client receives the
            // answer and may keep its connection, as Redmine reads the whole body
            let mut drained = size;
            while let Some(Ok(chunk)) = stream.next().await {
                drained += chunk.len() as u64;
                if drained > limit.saturating_add(DRAIN) {
                    break;
                }
            }
            return Err(PutError::TooLarge);
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await?;
    }
    file.flush().await?;
    file.sync_all().await?;
    Ok((size, hex::encode(hasher.finalize())))
}
