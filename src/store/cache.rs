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

use super::data_version::Version;
use super::users::User;
use super::{Db, Result};

/// Entries kept at most; past it the cache starts again (one per user who came by, mostly).
const LIMIT: usize = 4096;
const UNKNOWN: i64 = i64::MIN;

/// What one request read once and may use again until it writes.
#[derive(Clone, Copy, Default)]
struct Seen {
    /// The counter, as read with the request's credentials.
    generation: Option<i64>,
    /// The issue whose answer this request is (its route is `stamped`) ...
    issue: Option<i64>,
    /// ... and its stamps, read with the credentials too.
    stamps: Option<[i64; 2]>,
    /// The database's data version just before the credentials were looked up (SQLite).
    version: Option<Version>,
    /// The credentials came from memory: nothing was committed since `version`, when
    /// they were last read.
    quiet: bool,
}

tokio::task_local! {
    static SEEN: std::cell::Cell<Seen>;
}

fn seen() -> Seen {
    SEEN.try_with(|s| s.get()).unwrap_or_default()
}

fn see(change: impl FnOnce(&mut Seen)) {
    let _ = SEEN.try_with(|s| {
        let mut seen = s.get();
        change(&mut seen);
        s.set(seen);
    });
}

/// Runs one request, whose credentials' statement may read the counter for it, and the
/// stamps of `issue`, the issue its answer shows.
pub async fn per_request<F: Future>(issue: Option<i64>, request: F) -> F::Output {
    let seen = Seen {
        issue,
        ..Seen::default()
    };
    SEEN.scope(std::cell::Cell::new(seen), request).await
}

/// The issue whose stamps the credentials' statement should read with the counter.
pub fn stamped_issue() -> Option<i64> {
    seen().issue
}

/// The stamps of `issue` as this request read them already, if it did.
pub fn stamps_observed(issue: i64) -> Option<[i64; 2]> {
    let seen = seen();
    seen.stamps.filter(|_| seen.issue == Some(issue))
}

/// The stamps of the request's issue, read with its credentials.
pub fn observe_stamps(stamps: [i64; 2]) {
    see(|s| s.stamps = Some(stamps));
}

/// The data version read before this request's first statement, if one was (until the
/// request writes), and whether nothing was committed since it was read by an earlier one.
pub fn version_seen() -> (Option<Version>, bool) {
    let seen = seen();
    (seen.version, seen.quiet)
}

type Entry = Arc<dyn Any + Send + Sync>;

pub struct Cache {
    /// The counter value the entries were read under.
    generation: AtomicI64,
    /// The counter must be read again before the next use: a request began, or this
    /// process wrote.
    recheck: AtomicBool,
    entries: Mutex<HashMap<String, Entry>>,
    /// The user of an API key, with the counter read beside it, at a data version.
    keys: Mutex<HashMap<String, (User, i64, Version)>>,
}

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            generation: AtomicI64::new(UNKNOWN),
            recheck: AtomicBool::new(true),
            entries: Mutex::new(HashMap::new()),
            keys: Mutex::new(HashMap::new()),
        }
    }
}

impl Cache {
    /// The counter must be read again before the next use: a request begins (what other
    /// processes changed since must show), or this process wrote (it may have moved).
    pub fn recheck(&self) {
        self.recheck.store(true, SeqCst);
        // what this request read before its write no longer stands for it
        see(|s| {
            let issue = s.issue;
            *s = Seen {
                issue,
                ..Seen::default()
            }
        });
    }

    /// The counter as this request just read it (with its API key): the request's check
    /// of it. A newer value drops the copies; an older one leaves the newer copies, which
    /// this request may as well see. (The counter only grows: servers running on a
    /// database restored from a backup must be restarted.)
    pub fn observed(&self, now: i64) {
        if SEEN.try_with(|_| ()).is_err() {
            return;
        }
        see(|s| s.generation = Some(now));
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
        if seen().generation.is_some() {
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

    /// The user of an API key as read when the database was at `version`, if it is still
    /// there: then nothing was committed since, and the counter read with it stands too.
    pub fn quiet_key(&self, key: &str, version: Version) -> Option<User> {
        let (user, generation) = {
            let keys = self.keys.lock().ok()?;
            let (user, generation, at) = keys.get(key)?;
            (*at == version).then(|| (user.clone(), *generation))?
        };
        self.observed(generation);
        see(|s| {
            s.version = Some(version);
            s.quiet = true;
        });
        Some(user)
    }

    /// The user of an API key, read with the counter by a statement that began at
    /// `version`; the request notes that version as the one its reads began at.
    pub fn keep_key(&self, key: &str, user: &User, generation: i64, version: Version) {
        see(|s| s.version = Some(version));
        if let Ok(mut keys) = self.keys.lock() {
            if keys.len() >= LIMIT {
                keys.clear();
            }
            keys.insert(key.to_owned(), (user.clone(), generation, version));
        }
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
