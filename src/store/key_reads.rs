//! On PostgreSQL every request signed with an API key reads its user, the change counter
//! and the stamps of the issue it shows in one statement (`users::find_by_api_key`): one
//! round trip per request, which on a small machine costs more than the rest of the
//! answer. Requests that arrive while such a statement runs wait for it to end and are
//! then read together, in one statement. That statement's snapshot is taken after each of
//! them arrived, so each still sees every change committed before it came.

use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::oneshot;

use super::{Db, Error, Result, Row};

/// Requests read in one statement at most (each distinct size is one prepared statement).
const MOST: usize = 32;

type Answer = std::result::Result<Option<Row>, String>;

#[derive(Default)]
pub struct KeyReads {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// A reader runs, and reads the waiting ones next. One at a time, so that the
    /// requests that come meanwhile are many (two at once measured slower).
    running: bool,
    waiting: Vec<Wanted>,
}

struct Wanted {
    key: String,
    issue: Option<i64>,
    reply: oneshot::Sender<Answer>,
}

impl KeyReads {
    /// The row of the active user holding `key`, with the columns `generation`, `own` and
    /// `seen` (the stamps of `issue`, 0 without one), read by a statement that began after
    /// this call.
    pub async fn read(db: &Db, key: &str, issue: Option<i64>) -> Result<Option<Row>> {
        let (reply, answer) = oneshot::channel();
        let lead = {
            let mut state = db.key_reads.lock();
            state.waiting.push(Wanted {
                key: key.to_owned(),
                issue,
                reply,
            });
            !std::mem::replace(&mut state.running, true)
        };
        if lead {
            tokio::spawn(run(db.clone()));
        }
        // the request asked for one statement, whoever ran it
        super::db::count();
        match answer.await {
            Ok(answer) => answer.map_err(Error::Other),
            Err(_) => Err(Error::Other("the key reader stopped".into())),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // a panic while holding it leaves a queue whose waiters are told so when dropped
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Lets the next request start a reader if this one ends early (a panic).
struct Running {
    reads: Arc<KeyReads>,
    ended: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.ended {
            self.reads.lock().running = false;
        }
    }
}

/// Reads the waiting requests, a statement at a time, until none waits.
async fn run(db: Db) {
    let mut running = Running {
        reads: db.key_reads.clone(),
        ended: false,
    };
    loop {
        let batch: Vec<Wanted> = {
            let mut state = running.reads.lock();
            if state.waiting.is_empty() {
                state.running = false;
                running.ended = true;
                return;
            }
            let n = state.waiting.len().min(MOST);
            state.waiting.drain(..n).collect()
        };
        let mut args = Vec::with_capacity(batch.len() * 2);
        for w in &batch {
            args.push(w.key.as_str().into());
            args.push(w.issue.into());
        }
        match db.rows(statement(batch.len()), &args).await {
            Ok(rows) => {
                let mut found: Vec<Option<Row>> = vec![None; batch.len()];
                for row in rows {
                    if let Some(slot) = usize::try_from(row.i64("wanted"))
                        .ok()
                        .and_then(|i| found.get_mut(i))
                    {
                        *slot = Some(row);
                    }
                }
                for (w, row) in batch.into_iter().zip(found) {
                    let _ = w.reply.send(Ok(row));
                }
            }
            Err(e) => {
                let e = e.to_string();
                for w in batch {
                    let _ = w.reply.send(Err(e.clone()));
                }
            }
        }
    }
}

/// The statement reading `n` keys: each with its place in the batch (`wanted`).
fn statement(n: usize) -> &'static str {
    static SQL: OnceLock<Vec<String>> = OnceLock::new();
    let all = SQL.get_or_init(|| {
        (1..=MOST)
            .map(|n| {
                let wanted: Vec<String> = (0..n)
                    .map(|i| format!("({i}, ${}::text, ${}::bigint)", 2 * i + 1, 2 * i + 2))
                    .collect();
                super::users::by_api_keys(&wanted.join(", "))
            })
            .collect()
    });
    &all[n.clamp(1, MOST) - 1]
}
