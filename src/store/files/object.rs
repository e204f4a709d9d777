//! Attachment bytes in an object store (the `object_store` crate: S3-compatible services,
//! shared by every carmine process of a deployment, or in memory). An upload is written as
//! a multipart upload of bounded parts, so it is never held whole, and becomes visible
//! only once complete.

use std::sync::Arc;

use axum::body::Body;
use futures_util::StreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload, WriteMultipart};

use super::{new_name, Hashing, Pace, PutError, Stored, DRAIN};

/// Parts of 5 MiB (S3's smallest), at most two in flight: an upload holds about 15 MiB.
const PART: usize = 5 * 1024 * 1024;
const IN_FLIGHT: usize = 2;

/// A multipart upload that is aborted if dropped before it is finished.
struct Unfinished(Option<WriteMultipart>);

impl Unfinished {
    fn writer(&mut self) -> &mut WriteMultipart {
        self.0.as_mut().expect("an unfinished upload")
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        let (Some(writer), Ok(runtime)) = (self.0.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        runtime.spawn(async move {
            let _ = writer.abort().await;
        });
    }
}

#[derive(Debug, Clone)]
pub struct Object {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
}

fn io(e: object_store::Error) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl Object {
    pub fn new(store: Arc<dyn ObjectStore>, prefix: &str) -> Object {
        Object {
            store,
            prefix: Path::from(prefix),
        }
    }

    fn path(&self, directory: &str, filename: &str) -> Path {
        let mut p = self.prefix.clone();
        for part in directory.split('/').filter(|s| !s.is_empty()) {
            p = p.child(part);
        }
        p.child(filename)
    }

    pub async fn put(&self, body: Body, limit: u64, pace: &Pace) -> Result<Stored, PutError> {
        let (directory, filename) = new_name();
        let upload = self
            .store
            .put_multipart(&self.path(&directory, &filename))
            .await
            .map_err(io)?;
        // aborted however the write ends unfinished: an error, or the request given up
        let mut pending = Unfinished(Some(WriteMultipart::new_with_chunk_size(upload, PART)));
        let mut hashing = Hashing::new(limit);
        let mut stream = body.into_data_stream();
        while let Some(chunk) = pace.next(&mut stream, hashing.size).await? {
            if !hashing.take(&chunk) {
                drop(pending);
                super::drain(stream, hashing.size, limit.saturating_add(DRAIN), pace).await;
                return Err(PutError::TooLarge);
            }
            let writer = pending.writer();
            writer
                .wait_for_capacity(IN_FLIGHT)
                .await
                .map_err(|e| PutError::Io(io(e)))?;
            writer.write(&chunk);
        }
        let writer = pending.0.take().expect("an unfinished upload");
        writer.finish().await.map_err(io)?;
        let (size, digest) = hashing.finish();
        Ok(Stored {
            directory,
            filename,
            size,
            digest,
        })
    }

    pub async fn open(&self, directory: &str, filename: &str) -> Option<(Body, u64)> {
        let got = self.store.get(&self.path(directory, filename)).await.ok()?;
        let size = got.meta.size;
        let stream = got.into_stream().map(|chunk| chunk.map_err(io));
        Some((Body::from_stream(stream), size))
    }

    pub async fn exists(&self, directory: &str, filename: &str) -> bool {
        self.store
            .head(&self.path(directory, filename))
            .await
            .is_ok()
    }

    pub async fn delete(&self, directory: &str, filename: &str) {
        let _ = self.store.delete(&self.path(directory, filename)).await;
    }

    pub async fn read(&self, directory: &str, filename: &str, max: u64) -> Option<Vec<u8>> {
        let got = self.store.get(&self.path(directory, filename)).await.ok()?;
        if got.meta.size > max {
            return None;
        }
        got.bytes().await.ok().map(|b| b.to_vec())
    }

    pub async fn keep(&self, directory: &str, filename: &str, bytes: &[u8]) -> Result<(), String> {
        let payload = PutPayload::from(bytes.to_vec());
        self.store
            .put(&self.path(directory, filename), payload)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
