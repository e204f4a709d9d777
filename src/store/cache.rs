//! This process's copies of what nearly every request reads and rarely changes: the
//! caller's project access map, built-in roles, custom field definitions, a user's groups.
//!
//! Every change to the tables they come from bumps one counter row, by trigger, in the
//! same transaction (migration 18), whichever process or tool made it. A request makes the
//! next read through the cache check that counter first (one small statement), and so does
//! any write of this process; when it moved, every copy is dropped. So a change made
//! through one process is seen by every other on its next request. A request signed in
//! with an API key reads the counter in the key's own statement (`observed`), and needs
//! no other until it writes.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use super::{Db, Result};

/// Entries kept at most; past it the cache starts again (one per user who came by, mostly).
const LIMIT: usize = 4096;
const UNKNOWN: i64 = i64::MIN;

tokio::task_local! {
    /// The counter as this request read it with its credentials, until it writes.
    static OBSERVED: std::cell::Cell<Option<i64>>;
    /// The issue whose answer this request is (its route is `stamped`), and its stamps
    /// as the credentials' statement read them, until it writes.
    static STAMPED: std::cell::Cell<(Option<i64>, Option<[i64; 2]>)>;
}

/// Runs one request, whose credentials' statement may read the counter for it, and the
/// stamps of `issue`, the issue its answer shows.
pub async fn per_request<F: Future>(issue: Option<i64>, request: F) -> F::Output {
    let stamped = STAMPED.scope(std::cell::Cell::new((issue, None)), request);
    OBSERVED.scope(std::cell::Cell::new(None), stamped).await
}

/// The issue whose stamps the credentials' statement should read with the counter.
pub fn stamped_issue() -> Option<i64> {
    STAMPED.try_with(|s| s.get().0).ok().flatten()
}

/// The stamps of `issue` as this request read them already, if it did.
pub fn stamps_observed(issue: i64) -> Option<[i64; 2]> {
    match STAMPED.try_with(|s| s.get()).ok()? {
        (Some(i), stamps) if i == issue => stamps,
        _ => None,
    }
}

/// The stamps of the request's issue, read with its credentials.
pub fn observe_stamps(stamps: [i64; 2]) {
    let _ = STAMPED.try_with(|s| s.set((s.get().0, Some(stamps))));
}

type Entry = Arc<dyn Any + Send + Sync>;

pub struct Cache {
    /// The counter value the entries were read under.
    generation: AtomicI64,
    /// The counter must be read again before the next use: a request began, or this
    /// process wrote.
    recheck: AtomicBool,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            generation: AtomicI64::new(UNKNOWN),
            recheck: AtomicBool::new(true),
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl Cache {
    /// The counter must be read again before the next use: a request begins (what other
    /// processes changed since must show), or this process wrote (it may have moved).
    pub fn recheck(&self) {
        self.recheck.store(true, SeqCst);
        // what this request read before its write no longer stands for it
        let _ = OBSERVED.try_with(|o| o.set(None));
        let _ = STAMPED.try_with(|s| s.set((s.get().0, None)));
    }

    /// The counter as this request just read it (with its API key): the request's check
    /// of it. A newer value drops the copies; an older one leaves the newer copies, which
    /// this request may as well see. (The counter only grows: servers running on a
    /// database restored from a backup must be restarted.)
    pub fn observed(&self, now: i64) {
        if OBSERVED.try_with(|o| o.set(Some(now))).is_err() {
            return;
        }
        let known = self.generation.load(SeqCst);
        if (known == UNKNOWN || now > known) && self.generation.swap(now, SeqCst) != now {
            self.entries().clear();
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // a panic while holding it leaves only a map of copies behind: start it again
        self.entries.lock().unwrap_or_else(|poisoned| {
            let mut map = poisoned.into_inner();
            map.clear();
            map
        })
    }

    async fn revalidate(&self, db: &Db) -> Result<()> {
        if OBSERVED.try_with(|o| o.get()).ok().flatten().is_some() {
            return Ok(());
        }
        if !self.recheck.swap(false, SeqCst) && self.generation.load(SeqCst) != UNKNOWN {
            return Ok(());
        }
        let now = db
            .int("SELECT value FROM change_counter WHERE id = 1", &[])
            .await?;
        if self.generation.swap(now, SeqCst) != now {
            self.entries().clear();
        }
        Ok(())
    }

    /// The counter value this process's copies stand for, checked for this request: an
    /// answer built from now on is at least as new as it.
    pub async fn generation(&self, db: &Db) -> Result<i64> {
        self.revalidate(db).await?;
        Ok(self.generation.load(SeqCst))
    }

    /// The copy under `key`, or what `load` reads, kept unless something changed meanwhile.
    pub async fn get<T, F>(&self, db: &Db, key: String, load: F) -> Result<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: Future<Output = Result<T>>,
    {
        self.revalidate(db).await?;
        let generation = self.generation.load(SeqCst);
        if let Some(hit) = self.entries().get(&key).cloned() {
            if let Ok(value) = hit.downcast::<T>() {
                return Ok(value);
            }
        }
        let value = Arc::new(load.await?);
        let mut entries = self.entries();
        // read under an older counter: used once, not kept. (Read just before a change, it
        // is kept until the next check of the counter, which the change itself requests.)
        if self.generation.load(SeqCst) == generation {
            if entries.len() >= LIMIT {
                entries.clear();
            }
            entries.insert(key, value.clone());
        }
        Ok(value)
    }
}
