//! Attachment bytes on the local disk under the data directory: written to a temporary
//! file renamed into place once complete and synced.

use std::path::{Path, PathBuf};

use axum::body::{Body, Bytes};
use tokio::io::AsyncWriteExt;

use super::{new_name, Hashing, Pace, PutError, Stored, DRAIN};

#[derive(Debug, Clone)]
pub struct Disk {
    root: PathBuf,
}

impl Disk {
    pub fn new(root: PathBuf) -> Disk {
        Disk { root }
    }

    fn path(&self, directory: &str, filename: &str) -> PathBuf {
        self.root.join(directory).join(filename)
    }

    /// Streams a body into a new file of the store, at most `limit` bytes.
    pub async fn put(&self, body: Body, limit: u64, pace: &Pace) -> Result<Stored, PutError> {
        let (directory, filename) = new_name();
        let dir = self.root.join(&directory);
        tokio::fs::create_dir_all(&dir).await?;
        let temp = dir.join(format!(".{filename}.part"));
        // removed however the write ends: an error, or the request dropped midway
        let mut partial = Partial(Some(temp.clone()));
        let (size, digest) = write(&temp, body, limit, pace).await?;
        tokio::fs::rename(&temp, dir.join(&filename)).await?;
        partial.0 = None;
        Ok(Stored {
            directory,
            filename,
            size,
            digest,
        })
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

    /// A whole file of at most `max` bytes.
    pub async fn read(&self, directory: &str, filename: &str, max: u64) -> Option<Vec<u8>> {
        let path = self.path(directory, filename);
        let len = tokio::fs::metadata(&path).await.ok()?.len();
        if len > max {
            return None;
        }
        tokio::fs::read(path).await.ok()
    }

    /// Copies a file in, atomically (an imported attachment).
    pub async fn copy_in(
        &self,
        directory: &str,
        filename: &str,
        from: &Path,
    ) -> std::io::Result<()> {
        let from = from.to_owned();
        self.place(directory, filename, |temp| async move {
            tokio::fs::copy(from, temp).await.map(|_| ())
        })
        .await
    }

    /// Writes a file whole, atomically: a thumbnail.
    pub async fn keep(&self, directory: &str, filename: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.place(directory, filename, |temp| async move {
            tokio::fs::write(temp, bytes).await
        })
        .await
    }

    /// Puts `directory/filename` in place whole: `fill` writes a temporary file of the
    /// directory, which is then renamed (removed if anything fails). Two requests may make
    /// the same thumbnail at once: each writes its own temporary.
    async fn place<F, Fut>(&self, directory: &str, filename: &str, fill: F) -> std::io::Result<()>
    where
        F: FnOnce(PathBuf) -> Fut,
        Fut: std::future::Future<Output = std::io::Result<()>>,
    {
        let dir = self.root.join(directory);
        let temp = dir.join(format!(".{filename}.{:08x}.part", rand::random::<u32>()));
        let done = async {
            tokio::fs::create_dir_all(&dir).await?;
            fill(temp.clone()).await?;
            tokio::fs::rename(&temp, dir.join(filename)).await
        };
        let result = done.await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&temp).await;
        }
        result
    }
}

/// A temporary file deleted when dropped, unless kept.
struct Partial(Option<PathBuf>);

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

async fn write(
    path: &Path,
    body: Body,
    limit: u64,
    pace: &Pace,
) -> Result<(u64, String), PutError> {
    let mut file = tokio::fs::File::create(path).await?;
    let mut hashing = Hashing::new(limit);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = pace.next(&mut stream, hashing.size).await? {
        if !hashing.take(&chunk) {
            super::drain(stream, hashing.size, limit.saturating_add(DRAIN), pace).await;
            return Err(PutError::TooLarge);
        }
        file.write_all(&chunk).await?;
    }
    file.flush().await?;
    file.sync_all().await?;
    Ok(hashing.finish())
}
