//! Answers kept whole for the read clients repeat most, one issue (`GET /issues/:id`):
//! each is kept with the values it was built under (the change counter, the issue's
//! stamp, the counter of changes to who sees what; see migration 27) and given again
//! only while every one of them still holds, so it is what building it again would give.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

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
    answers: HashMap<String, (Validators, Bytes)>,
    bytes: usize,
}

impl Replies {
    /// The answer kept under `key` when it was built under exactly `now`.
    pub fn get(&self, key: &str, now: &Validators) -> Option<Bytes> {
        let kept = self.kept();
        kept.answers
            .get(key)
            .filter(|(under, _)| under == now)
            .map(|(_, body)| body.clone())
    }

    /// Keeps an answer built under `under` (read before it was built: a change made
    /// meanwhile has moved them, and the next request builds it again).
    pub fn put(&self, key: String, under: Validators, body: Bytes) {
        let mut kept = self.kept();
        if kept.bytes + body.len() + key.len() > BUDGET {
            kept.answers.clear();
            kept.bytes = 0;
        }
        kept.bytes += body.len() + key.len();
        if let Some((_, old)) = kept.answers.insert(key.clone(), (under, body)) {
            kept.bytes -= old.len() + key.len();
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
