//! Answers kept whole for the read clients repeat most, one issue (`GET /issues/:id`):
//! each is kept with the values it was built under (the change counter, the issue's
//! stamp, the counter of changes to who sees what; see migration 27) and given again
//! only while every one of them still holds, so it is what building it again would give.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

use crate::store::data_version::Version;

/// What a kept answer must still match: read before it was built.
pub type Validators = [i64; 3];

/// Bytes kept at most; past it the copies start again.
const BUDGET: usize = 16 << 20;

#[derive(Default)]
pub struct Replies {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    answers: HashMap<String, Answer>,
    bytes: usize,
}

struct Answer {
    under: Validators,
    body: Bytes,
    /// A data version at which `under` was read, or found to hold (SQLite): while the
    /// database stays at it, the answer stands without reading them again.
    at: Option<Version>,
}

impl Replies {
    /// The answer kept under `key`, when the database has not changed since it was found
    /// current (a request that read nothing: see `cache::version_seen`).
    pub fn get_quiet(&self, key: &str, version: Version) -> Option<Bytes> {
        let kept = self.kept();
        kept.answers
            .get(key)
            .filter(|a| a.at == Some(version))
            .map(|a| a.body.clone())
    }

    /// The answer kept under `key` when it was built under exactly `now`, which were read
    /// at the data version `at`.
    pub fn get(&self, key: &str, now: &Validators, at: Option<Version>) -> Option<Bytes> {
        let mut kept = self.kept();
        let answer = kept.answers.get_mut(key).filter(|a| a.under == *now)?;
        if at.is_some() {
            answer.at = at;
        }
        Some(answer.body.clone())
    }

    /// Keeps an answer built under `under` (read before it was built, at the data version
    /// `at`: a change made meanwhile has moved them, and the next request builds it again).
    pub fn put(&self, key: String, under: Validators, body: Bytes, at: Option<Version>) {
        let mut kept = self.kept();
        if kept.bytes + body.len() + key.len() > BUDGET {
            kept.answers.clear();
            kept.bytes = 0;
        }
        kept.bytes += body.len() + key.len();
        let answer = Answer { under, body, at };
        if let Some(old) = kept.answers.insert(key.clone(), answer) {
            kept.bytes -= old.body.len() + key.len();
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        // a panic while holding it leaves only copies behind: start again
        self.kept.lock().unwrap_or_else(|poisoned| {
            let mut kept = poisoned.into_inner();
            kept.answers.clear();
            kept.bytes = 0;
            kept
        })
    }
}
