//! A large, realistic data set for benchmarks (issue #14, item 1).
//!
//! `cargo run --release --example seed -- --issues N --data DIR` fills a fresh embedded
//! database; with `DATABASE_URL` set, that PostgreSQL database instead. `bench/seed` wraps it.
//!
//! The structure is small and made through the API by the server itself, so it is exactly
//! what the API makes: two issue custom fields, 1,000 users (`perf0`…`perf999`, password
//! `perf-pass`), 1,000 projects in a tree (`perf` at the root), members with Redmine's
//! default roles, two versions and a category per project. The bulk is written straight
//! into the database in the shapes the API writes (the API would take hours): N issues (a
//! tenth, at least 100,000 when N allows, in `perf`), every tracker, status and priority,
//! three journals per issue on average whose status details chain to the issue's status, a
//! note on each first journal, a watcher, custom values, a relation for one issue in ten, a
//! time entry for one in two. Subtasks go through the API again, as their parents' derived
//! fields are the server's business. The search index is filled by the database itself.
//! The admin's key is `CARMINE_ADMIN_API_KEY` (default 0123…4567).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

const DEFAULT_KEY: &str = "0123456789abcdef0123456789abcdef01234567";
const USERS: usize = 1000;
const PROJECTS: usize = 1000;
/// Requests in flight while the structure is built.
const PARALLEL: usize = 8;
/// Issues written per batch.
const CHUNK: usize = 25_000;
const WORDS: &[&str] = &[
    "login",
    "page",
    "crash",
    "report",
    "export",
    "slow",
    "search",
    "mobile",
    "layout",
    "email",
    "permission",
    "upload",
    "timeout",
    "import",
    "calendar",
    "filter",
];
/// Subtasks at most (one per hundred issues).
const SUBTASKS: usize = 5_000;
const SEVERITIES: &[&str] = &["Low", "Normal", "High", "Critical"];

struct Args {
    issues: usize,
    data: PathBuf,
    carmine: PathBuf,
    database_url: Option<String>,
    key: String,
}

fn args() -> Args {
    let mut a = Args {
        issues: 100_000,
        data: PathBuf::new(),
        carmine: PathBuf::from("target/release/carmine"),
        database_url: std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()),
        key: std::env::var("CARMINE_ADMIN_API_KEY").unwrap_or_else(|_| DEFAULT_KEY.into()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--issues" => a.issues = value.replace('_', "").parse().expect("--issues N"),
            "--data" => a.data = PathBuf::from(value),
            "--carmine" => a.carmine = PathBuf::from(value),
            _ => panic!("usage: seed --issues N --data DIR [--carmine PATH]"),
        }
    }
    assert!(
        a.database_url.is_some() || !a.data.as_os_str().is_empty(),
        "--data DIR (or DATABASE_URL) is required"
    );
    a
}

// ---------------------------------------------------------------- the server, for the structure

struct Server {
    child: Child,
    base: String,
    key: String,
    http: reqwest::Client,
}

impl Server {
    /// The structure needs the administration extension (custom fields): it is switched on
    /// first, as an administrator would.
    fn enable_admin_api(a: &Args) {
        let mut cmd = Command::new(&a.carmine);
        // the first start may happen here: it must give the admin the key
        cmd.args(["settings", "set", "admin_api_enabled", "1"])
            .env("CARMINE_ADMIN_API_KEY", &a.key);
        if !a.data.as_os_str().is_empty() {
            cmd.args(["--data".as_ref(), a.data.as_os_str()]);
        }
        let status = cmd
            .stdout(Stdio::null())
            .status()
            .expect("carmine settings");
        assert!(status.success(), "carmine settings set admin_api_enabled 1");
    }

    async fn start(a: &Args) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut cmd = Command::new(&a.carmine);
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("CARMINE_ADMIN_API_KEY", &a.key)
            .env("CARMINE_LOG", "warn")
            .stdout(Stdio::null());
        if !a.data.as_os_str().is_empty() {
            cmd.args(["--data".as_ref(), a.data.as_os_str()]);
        }
        let child = cmd
            .spawn()
            .expect("start carmine (build it: cargo build --release)");
        let s = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            key: a.key.clone(),
            http: reqwest::Client::new(),
        };
        for _ in 0..600 {
            if s.http
                .get(format!("{}/trackers.json", s.base))
                .send()
                .await
                .is_ok()
            {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("carmine did not start");
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("X-Redmine-API-Key", &self.key)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = r.status();
        let text = r.text().await.expect("body");
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, body).await
    }

    fn stop(self) {}
}

/// A panic on the way must not leave the server running.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the requests `PARALLEL` at a time; the answers come back in order.
async fn each<T, F>(items: Vec<T>, f: impl Fn(T) -> F) -> Vec<Value>
where
    F: std::future::Future<Output = Value>,
{
    stream::iter(items.into_iter().map(f))
        .buffered(PARALLEL)
        .collect()
        .await
}

struct Project {
    id: i64,
    members: Vec<i64>,
    versions: Vec<i64>,
    category: i64,
}

struct Structure {
    users: Vec<i64>,
    projects: Vec<Project>,
    severity: i64,
    customer: i64,
}

fn parent_of(n: usize, rng: &mut StdRng) -> Option<usize> {
    match n {
        0 => None,
        1..=100 => Some((n - 1) / 10),
        _ => Some(rng.gen_range(1..=100)),
    }
}

async fn structure(s: &Server, rng: &mut StdRng) -> Structure {
    let field = |body: Value| async move {
        s.post("/custom_fields.json", json!({ "custom_field": body }))
            .await["custom_field"]["id"]
            .as_i64()
            .expect("custom field id")
    };
    let severity = field(json!({"name": "Severity", "customized_type": "issue",
        "field_format": "list", "possible_values": SEVERITIES, "is_filter": true,
        "is_for_all": true, "tracker_ids": [1, 2, 3]}))
    .await;
    let customer = field(json!({"name": "Customer", "customized_type": "issue",
        "field_format": "string", "is_filter": true, "is_for_all": true,
        "tracker_ids": [1, 2, 3]}))
    .await;

    // one password hash for all: argon2 is slow on purpose, a thousand of them take a minute
    let users = each((0..USERS).collect(), |n| async move {
        let mut user = json!({"login": format!("perf{n}"), "firstname": "Perf",
            "lastname": n.to_string(), "mail": format!("perf{n}@example.net")});
        if n == 0 {
            user["password"] = json!("perf-pass");
        }
        s.post("/users.json", json!({ "user": user })).await
    })
    .await
    .iter()
    .map(|u| u["user"]["id"].as_i64().expect("user id"))
    .collect::<Vec<_>>();

    let parents: Vec<Option<usize>> = (0..PROJECTS).map(|n| parent_of(n, rng)).collect();
    let mut ids = vec![0i64; PROJECTS];
    // parents before children: the root, its ten children, their ninety, the rest
    for level in [0..1, 1..11, 11..101, 101..PROJECTS] {
        let made = each(level.clone().collect(), |n| {
            let parent = parents[n].map(|p| ids[p]);
            async move {
                let identifier = if n == 0 {
                    "perf".to_string()
                } else {
                    format!("perf-{n}")
                };
                let mut p = json!({"name": format!("Perf {n}"), "identifier": identifier,
                    "is_public": n % 5 != 4});
                if let Some(parent) = parent {
                    p["parent_id"] = json!(parent);
                }
                s.post("/projects.json", json!({ "project": p })).await
            }
        })
        .await;
        for (n, p) in level.zip(made) {
            ids[n] = p["project"]["id"].as_i64().expect("project id");
        }
    }

    let members: Vec<Vec<i64>> = (0..PROJECTS)
        .map(|n| {
            let count = if n == 0 { 100 } else { 10 };
            rand::seq::index::sample(rng, USERS, count)
                .iter()
                .map(|i| users[i])
                .collect()
        })
        .collect();
    // Manager, Developer, Reporter in turn
    let memberships: Vec<(i64, i64, i64)> = (0..PROJECTS)
        .flat_map(|n| {
            members[n]
                .iter()
                .enumerate()
                .map(move |(k, u)| (n, k, *u))
                .collect::<Vec<_>>()
        })
        .map(|(n, k, u)| (ids[n], u, 3 + k as i64 % 3))
        .collect();
    each(memberships, |(project, user, role)| async move {
        s.post(
            &format!("/projects/{project}/memberships.json"),
            json!({"membership": {"user_id": user, "role_ids": [role]}}),
        )
        .await
    })
    .await;
    let versions = each(
        (0..PROJECTS)
            .flat_map(|n| [(ids[n], 1), (ids[n], 2)])
            .collect(),
        |(project, v)| async move {
            s.post(
                &format!("/projects/{project}/versions.json"),
                json!({"version": {"name": format!("v{v}")}}),
            )
            .await
        },
    )
    .await;
    let categories = each(ids.clone(), |project| async move {
        s.post(
            &format!("/projects/{project}/issue_categories.json"),
            json!({"issue_category": {"name": "General"}}),
        )
        .await
    })
    .await;
    let projects = (0..PROJECTS)
        .map(|n| Project {
            id: ids[n],
            members: members[n].clone(),
            versions: versions[2 * n..2 * n + 2]
                .iter()
                .map(|v| v["version"]["id"].as_i64().expect("version id"))
                .collect(),
            category: categories[n]["issue_category"]["id"]
                .as_i64()
                .expect("category id"),
        })
        .collect();
    Structure {
        users,
        projects,
        severity,
        customer,
    }
}

// ---------------------------------------------------------------- the bulk

/// One value of a generated row.
#[derive(Clone)]
enum V {
    I(i64),
    F(f64),
    S(String),
    B(bool),
    Null,
}

impl From<i64> for V {
    fn from(n: i64) -> V {
        V::I(n)
    }
}
impl From<&str> for V {
    fn from(s: &str) -> V {
        V::S(s.to_owned())
    }
}
impl From<String> for V {
    fn from(s: String) -> V {
        V::S(s)
    }
}
impl<T: Into<V>> From<Option<T>> for V {
    fn from(o: Option<T>) -> V {
        o.map_or(V::Null, Into::into)
    }
}

struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<V>>,
}

impl Table {
    fn new(name: &'static str, columns: &'static [&'static str]) -> Table {
        Table {
            name,
            columns,
            rows: Vec::new(),
        }
    }
    fn push(&mut self, row: Vec<V>) {
        debug_assert_eq!(row.len(), self.columns.len(), "{}", self.name);
        self.rows.push(row);
    }
}

struct Batch {
    issues: Table,
    journals: Table,
    details: Table,
    watchers: Table,
    values: Table,
    relations: Table,
    entries: Table,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            issues: Table::new(
                "issues",
                &[
                    "id",
                    "tracker_id",
                    "project_id",
                    "subject",
                    "description",
                    "due_date",
                    "category_id",
                    "status_id",
                    "assigned_to_id",
                    "priority_id",
                    "fixed_version_id",
                    "author_id",
                    "created_on",
                    "updated_on",
                    "start_date",
                    "done_ratio",
                    "estimated_hours",
                    "id_path",
                    "is_private",
                    "closed_on",
                ],
            ),
            journals: Table::new(
                "journals",
                &[
                    "id",
                    "journalized_id",
                    "journalized_type",
                    "user_id",
                    "notes",
                    "private_notes",
                    "created_on",
                ],
            ),
            details: Table::new(
                "journal_details",
                &["journal_id", "property", "prop_key", "old_value", "value"],
            ),
            watchers: Table::new("watchers", &["watchable_type", "watchable_id", "user_id"]),
            values: Table::new(
                "custom_values",
                &[
                    "customized_type",
                    "customized_id",
                    "custom_field_id",
                    "value",
                ],
            ),
            relations: Table::new(
                "issue_relations",
                &["issue_from_id", "issue_to_id", "relation_type"],
            ),
            entries: Table::new(
                "time_entries",
                &[
                    "project_id",
                    "issue_id",
                    "user_id",
                    "author_id",
                    "activity_id",
                    "hours",
                    "comments",
                    "spent_on",
                    "tyear",
                    "tmonth",
                    "tweek",
                    "created_on",
                    "updated_on",
                ],
            ),
        }
    }
    fn tables(&mut self) -> [&mut Table; 7] {
        [
            &mut self.issues,
            &mut self.journals,
            &mut self.details,
            &mut self.watchers,
            &mut self.values,
            &mut self.relations,
            &mut self.entries,
        ]
    }
}

/// What the generator reads from the fresh database's reference data.
struct Reference {
    trackers: Vec<i64>,
    /// (id, is_closed)
    statuses: Vec<(i64, bool)>,
    priorities: Vec<i64>,
    activities: Vec<i64>,
    first_issue: i64,
    first_journal: i64,
}

fn date_of(t: i64) -> time::Date {
    time::OffsetDateTime::from_unix_timestamp(t)
        .expect("timestamp")
        .date()
}

fn ymd(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

struct Generator<'a> {
    st: &'a Structure,
    re: &'a Reference,
    rng: StdRng,
    perf_share: usize,
    journal_id: i64,
    /// the last issue written in each project, for relations (not across projects)
    last_in_project: Vec<i64>,
    /// open issues of `perf`, the parents of the subtasks
    open_parents: Vec<i64>,
}

/// 2020-01-01: issues are created one every 30 seconds from then on.
const START: i64 = 1_577_836_800;

impl Generator<'_> {
    fn issue(&mut self, k: usize, b: &mut Batch) {
        let rng = &mut self.rng;
        let id = self.re.first_issue + k as i64;
        let pi = if k < self.perf_share {
            0
        } else {
            1 + k % (PROJECTS - 1)
        };
        let p = &self.st.projects[pi];
        let pick = |rng: &mut StdRng, xs: &[i64]| xs[rng.gen_range(0..xs.len())];
        let author = pick(rng, &p.members);
        let assignee = (rng.gen_range(0..5) != 0).then(|| pick(rng, &p.members));
        let (status, closed) = self.re.statuses[rng.gen_range(0..self.re.statuses.len())];
        let created = START + 30 * k as i64;
        let w = |rng: &mut StdRng| WORDS[rng.gen_range(0..WORDS.len())];
        let subject = format!("{} {} issue {k}", w(rng).to_uppercase(), w(rng));
        let description = format!("Steps to reproduce {} {}", w(rng), k % 5000);

        // journals: the status moves from New to the issue's status, a note on the first
        let journals = rng.gen_range(2..=4);
        let mut old_status = 1;
        let mut at = created;
        for j in 0..journals {
            self.journal_id += 1;
            at += rng.gen_range(600..86_400);
            let new_status = if j + 1 == journals {
                status
            } else {
                self.re.statuses[rng.gen_range(0..4)].0
            };
            let note =
                (j == 0 || new_status == old_status).then(|| format!("Note {j} on {}", w(rng)));
            b.journals.push(vec![
                self.journal_id.into(),
                id.into(),
                "Issue".into(),
                pick(rng, &p.members).into(),
                note.into(),
                V::B(false),
                at.into(),
            ]);
            if new_status != old_status {
                b.details.push(vec![
                    self.journal_id.into(),
                    "attr".into(),
                    "status_id".into(),
                    old_status.to_string().into(),
                    new_status.to_string().into(),
                ]);
            }
            old_status = new_status;
        }
        let start = date_of(created);
        let due = k
            .is_multiple_of(4)
            .then(|| ymd(start + time::Duration::days(14)));
        b.issues.push(vec![
            id.into(),
            pick(rng, &self.re.trackers).into(),
            p.id.into(),
            subject.into(),
            description.into(),
            due.into(),
            (k % 2 == 1).then_some(p.category).into(),
            status.into(),
            assignee.into(),
            pick(rng, &self.re.priorities).into(),
            (!k.is_multiple_of(3))
                .then(|| pick(rng, &p.versions))
                .into(),
            author.into(),
            created.into(),
            at.into(),
            ymd(start).into(),
            (10 * (k as i64 % 10)).into(),
            if k.is_multiple_of(3) {
                V::F(f64::from(rng.gen_range(1..40)) / 2.0)
            } else {
                V::Null
            },
            format!("/{id}/").into(),
            V::B(k.is_multiple_of(50)),
            closed.then_some(at).into(),
        ]);
        b.watchers.push(vec![
            "Issue".into(),
            id.into(),
            pick(rng, &p.members).into(),
        ]);
        let severity = SEVERITIES[rng.gen_range(0..SEVERITIES.len())];
        b.values.push(vec![
            "Issue".into(),
            id.into(),
            self.st.severity.into(),
            severity.into(),
        ]);
        let customer = if k.is_multiple_of(4) {
            format!("Customer {}", k % 100)
        } else {
            String::new()
        };
        b.values.push(vec![
            "Issue".into(),
            id.into(),
            self.st.customer.into(),
            customer.into(),
        ]);
        if pi == 0 && !closed && self.open_parents.len() < SUBTASKS {
            self.open_parents.push(id);
        }
        let last = std::mem::replace(&mut self.last_in_project[pi], id);
        if k.is_multiple_of(10) && last > 0 {
            b.relations
                .push(vec![id.into(), last.into(), "relates".into()]);
        }
        if k.is_multiple_of(2) {
            let who = assignee.unwrap_or(author);
            let day = date_of(created);
            b.entries.push(vec![
                p.id.into(),
                id.into(),
                who.into(),
                who.into(),
                pick(rng, &self.re.activities).into(),
                V::F(f64::from(rng.gen_range(1..32)) / 4.0),
                "".into(),
                ymd(day).into(),
                i64::from(day.year()).into(),
                i64::from(day.month() as u8).into(),
                i64::from(day.iso_week()).into(),
                created.into(),
                created.into(),
            ]);
        }
    }
}

// ---------------------------------------------------------------- the two databases

enum Target {
    Sqlite(rusqlite::Connection),
    Postgres(sqlx::PgConnection),
}

impl Target {
    async fn open(a: &Args) -> Target {
        match &a.database_url {
            Some(url) => {
                use sqlx::Connection;
                Target::Postgres(sqlx::PgConnection::connect(url).await.expect("connect"))
            }
            None => {
                let conn = rusqlite::Connection::open(a.data.join("carmine.db")).expect("open");
                // no journal while the bulk goes in (the server is stopped; a crash means
                // seeding again); WAL again at the end, as the server keeps it
                conn.execute_batch(
                    "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
                     PRAGMA cache_size = -400000; PRAGMA temp_store = MEMORY",
                )
                .expect("pragmas");
                Target::Sqlite(conn)
            }
        }
    }

    async fn ints(&mut self, sql: &str) -> Vec<i64> {
        match self {
            Target::Sqlite(c) => {
                let mut stmt = c.prepare(sql).expect("prepare");
                let rows = stmt.query_map([], |r| r.get::<_, i64>(0)).expect("query");
                rows.map(|r| r.expect("row")).collect()
            }
            Target::Postgres(c) => sqlx::query_scalar::<_, i64>(sql)
                .fetch_all(c)
                .await
                .expect("query"),
        }
    }

    async fn strings(&mut self, sql: &str) -> Vec<String> {
        match self {
            Target::Sqlite(c) => {
                let mut stmt = c.prepare(sql).expect("prepare");
                let rows = stmt
                    .query_map([], |r| r.get::<_, String>(0))
                    .expect("query");
                rows.map(|r| r.expect("row")).collect()
            }
            Target::Postgres(c) => sqlx::query_scalar::<_, String>(sql)
                .fetch_all(c)
                .await
                .expect("query"),
        }
    }

    /// Drops the secondary indexes of the bulk's tables and sets aside the triggers
    /// feeding the search index (SQLite), the counts tables and the issue stamps: building them once at the
    /// end is several times faster than keeping them up to date row by row. Returns what
    /// puts them back.
    async fn set_aside(&mut self) -> Vec<String> {
        let tables = "'issues', 'journals', 'journal_details', 'watchers', 'custom_values', \
                      'issue_relations', 'time_entries'";
        let list = match self {
            Target::Sqlite(_) => format!(
                "SELECT name || char(10) || sql FROM sqlite_master WHERE sql IS NOT NULL \
                 AND ((type = 'index' AND tbl_name IN ({tables})) \
                 OR (type = 'trigger' AND tbl_name IN ({tables}) \
                     AND (name LIKE '%_fts_insert' OR name LIKE '%_counts_%' \
                          OR name LIKE '%_stamped')))"
            ),
            Target::Postgres(_) => format!(
                "SELECT indexname || chr(10) || indexdef FROM pg_indexes \
                 WHERE tablename IN ({tables}) \
                 AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            ),
        };
        let mut restore = Vec::new();
        if let Target::Postgres(_) = self {
            let counting = [
                ("issues", "issue_counts_insert"),
                ("issues", "issue_counts_update"),
                ("time_entries", "time_entry_counts_insert"),
                ("time_entries", "time_entry_counts_update"),
                ("time_entries", "time_entry_project_counts_insert"),
                ("time_entries", "time_entry_project_counts_update"),
                ("custom_values", "issue_value_counts_insert"),
                ("custom_values", "issue_value_counts_update"),
                ("issues", "issue_value_counts_issue"),
                ("issues", "issue_value_counts_issue_update"),
                ("issues", "issue_totals_counted"),
                ("issues", "issue_blocks_counted"),
                ("issues", "subject_words_counted"),
                ("issues", "issue_project_counts_counted"),
                ("issues", "subject_words_counted_update"),
                // no answer is kept yet: the stamps may start at nothing
                ("issues", "issues_stamped"),
                ("journals", "journals_stamped"),
                ("journal_details", "journal_details_stamped"),
                ("watchers", "watchers_stamped"),
                ("custom_values", "custom_values_stamped"),
                ("issue_relations", "issue_relations_stamped"),
                ("time_entries", "time_entries_stamped"),
            ];
            for (table, trigger) in counting {
                self.batch(&format!("ALTER TABLE {table} DISABLE TRIGGER {trigger}"))
                    .await;
                restore.push(format!("ALTER TABLE {table} ENABLE TRIGGER {trigger}"));
            }
        }
        for row in self.strings(&list).await {
            let (name, sql) = row.split_once('\n').expect("name and statement");
            let kind = if sql.starts_with("CREATE TRIGGER") {
                "TRIGGER"
            } else {
                "INDEX"
            };
            self.batch(&format!("DROP {kind} {name}")).await;
            restore.push(sql.to_string());
        }
        restore
    }

    async fn restore(&mut self, statements: &[String]) {
        for sql in statements {
            self.batch(sql).await;
        }
        // what the counting triggers would have kept, counted once
        self.batch(
            "DELETE FROM issue_counts; \
             INSERT INTO issue_counts (project_id, tracker_id, status_id, is_private, n) \
             SELECT project_id, tracker_id, status_id, is_private, COUNT(*) FROM issues \
             GROUP BY project_id, tracker_id, status_id, is_private; \
             DELETE FROM issue_project_counts; \
             INSERT INTO issue_project_counts (project_id, status_id, is_private, n) \
             SELECT project_id, status_id, is_private, COUNT(*) FROM issues \
             GROUP BY project_id, status_id, is_private; \
             DELETE FROM issue_blocks; \
             INSERT INTO issue_blocks (block, tracker_id, status_id, is_private, n) \
             SELECT id / 4096, tracker_id, status_id, is_private, COUNT(*) FROM issues \
             GROUP BY id / 4096, tracker_id, status_id, is_private; \
             DELETE FROM issue_totals; \
             INSERT INTO issue_totals (tracker_id, status_id, is_private, n) \
             SELECT tracker_id, status_id, is_private, SUM(n) FROM issue_counts \
             GROUP BY tracker_id, status_id, is_private; \
             DELETE FROM time_entry_counts; \
             INSERT INTO time_entry_counts (project_id, user_id, activity_id, n) \
             SELECT project_id, user_id, activity_id, COUNT(*) FROM time_entries \
             GROUP BY project_id, user_id, activity_id; \
             DELETE FROM time_entry_project_counts; \
             INSERT INTO time_entry_project_counts (project_id, n) \
             SELECT project_id, COUNT(*) FROM time_entries GROUP BY project_id; \
             DELETE FROM issue_value_counts; \
             INSERT INTO issue_value_counts \
             (custom_field_id, value, project_id, tracker_id, status_id, is_private, n) \
             SELECT cv.custom_field_id, cv.value, i.project_id, i.tracker_id, i.status_id, \
             i.is_private, COUNT(*) FROM custom_values cv JOIN issues i ON i.id = cv.customized_id \
             WHERE cv.customized_type = 'Issue' AND length(cv.value) <= 200 \
             GROUP BY cv.custom_field_id, cv.value, i.project_id, i.tracker_id, i.status_id, \
             i.is_private; \
             DELETE FROM issue_word_counts; \
             INSERT INTO issue_word_counts \
             (word, project_id, tracker_id, status_id, is_private, n) \
             SELECT word, project_id, tracker_id, status_id, is_private, \
             COUNT(DISTINCT issue_id) FROM issue_subject_words \
             GROUP BY word, project_id, tracker_id, status_id, is_private",
        )
        .await;
        if let Target::Sqlite(_) = self {
            for fts in ["issues_fts", "journals_fts", "custom_values_fts"] {
                self.batch(&format!("INSERT INTO {fts} ({fts}) VALUES ('rebuild')"))
                    .await;
            }
        }
    }

    async fn batch(&mut self, sql: &str) {
        match self {
            Target::Sqlite(c) => c.execute_batch(sql).expect("batch"),
            Target::Postgres(c) => {
                sqlx::raw_sql(sql).execute(c).await.expect("batch");
            }
        }
    }

    async fn reference(&mut self) -> Reference {
        let closed = self
            .ints("SELECT id FROM issue_statuses WHERE is_closed ORDER BY id")
            .await;
        Reference {
            trackers: self.ints("SELECT id FROM trackers ORDER BY id").await,
            statuses: self
                .ints("SELECT id FROM issue_statuses ORDER BY position")
                .await
                .into_iter()
                .map(|id| (id, closed.contains(&id)))
                .collect(),
            priorities: self
                .ints("SELECT id FROM enumerations WHERE type = 'IssuePriority' AND active ORDER BY position")
                .await,
            activities: self
                .ints("SELECT id FROM enumerations WHERE type = 'TimeEntryActivity' AND active ORDER BY position")
                .await,
            first_issue: self
                .ints("SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) FROM issues")
                .await[0],
            first_journal: self
                .ints("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM journals")
                .await[0],
        }
    }

    async fn write(&mut self, t: &mut Table) {
        if t.rows.is_empty() {
            return;
        }
        match self {
            Target::Sqlite(c) => {
                let marks = vec!["?"; t.columns.len()].join(", ");
                let sql = format!(
                    "INSERT INTO {} ({}) VALUES ({marks})",
                    t.name,
                    t.columns.join(", ")
                );
                let mut stmt = c.prepare_cached(&sql).expect("prepare");
                for row in &t.rows {
                    let vals = row.iter().map(|v| match v {
                        V::I(n) => rusqlite::types::Value::Integer(*n),
                        V::F(f) => rusqlite::types::Value::Real(*f),
                        V::S(s) => rusqlite::types::Value::Text(s.clone()),
                        V::B(b) => rusqlite::types::Value::Integer(*b as i64),
                        V::Null => rusqlite::types::Value::Null,
                    });
                    stmt.execute(rusqlite::params_from_iter(vals))
                        .expect("insert");
                }
            }
            Target::Postgres(c) => {
                let mut text = String::with_capacity(t.rows.len() * 64);
                for row in &t.rows {
                    for (i, v) in row.iter().enumerate() {
                        if i > 0 {
                            text.push('\t');
                        }
                        match v {
                            V::I(n) => text.push_str(&n.to_string()),
                            V::F(f) => text.push_str(&f.to_string()),
                            V::B(b) => text.push(if *b { 't' } else { 'f' }),
                            V::Null => text.push_str("\\N"),
                            // the generated text has no tab, newline or backslash to escape
                            V::S(s) => text.push_str(s),
                        }
                    }
                    text.push('\n');
                }
                let mut copy = c
                    .copy_in_raw(&format!(
                        "COPY {} ({}) FROM STDIN",
                        t.name,
                        t.columns.join(", ")
                    ))
                    .await
                    .expect("copy");
                copy.send(text.into_bytes()).await.expect("copy rows");
                copy.finish().await.expect("copy end");
            }
        }
        t.rows.clear();
    }
}

/// Writes the issues and everything hanging from them; returns the subtasks' parents.
async fn bulk(a: &Args, st: &Structure) -> Vec<i64> {
    let mut db = Target::open(a).await;
    let re = db.reference().await;
    let mut g = Generator {
        st,
        re: &re,
        rng: StdRng::seed_from_u64(14),
        perf_share: a.issues.min((a.issues / 10).max(100_000)),
        journal_id: re.first_journal,
        last_in_project: vec![0; PROJECTS],
        open_parents: Vec::new(),
    };
    db.batch("BEGIN").await;
    let restore = db.set_aside().await;
    let mut b = Batch::new();
    for k in 0..a.issues {
        g.issue(k, &mut b);
        if (k + 1).is_multiple_of(CHUNK) || k + 1 == a.issues {
            for t in b.tables() {
                db.write(t).await;
            }
        }
    }
    // one hash for every perf user, copied from perf0's: all sign in with `perf-pass`
    db.batch(
        "UPDATE users SET hashed_password = (SELECT hashed_password FROM users WHERE login = 'perf0') \
         WHERE login LIKE 'perf%'",
    )
    .await;
    if matches!(db, Target::Postgres(_)) {
        // explicit ids leave the identity sequences behind
        db.batch(
            "SELECT setval(pg_get_serial_sequence('issues', 'id'), (SELECT MAX(id) FROM issues)); \
             SELECT setval(pg_get_serial_sequence('journals', 'id'), (SELECT MAX(id) FROM journals))",
        )
        .await;
    }
    db.restore(&restore).await;
    db.batch("COMMIT").await;
    if let Target::Sqlite(_) = db {
        db.batch("PRAGMA journal_mode = WAL").await;
    }
    db.batch("ANALYZE").await;
    if let Target::Sqlite(_) = db {
        // with STAT4 samples SQLite prepares a statement again for each new parameter on
        // a sampled column (a third of a single issue's time); the table statistics stay
        db.batch("DELETE FROM sqlite_stat4").await;
    }
    g.open_parents
}

/// Subtasks through the API: a parent's dates, priority and done ratio are derived from its
/// children by the server.
async fn subtasks(s: &Server, st: &Structure, issues: usize, parents: &[i64]) {
    let count = (issues / 100).min(parents.len());
    let perf = st.projects[0].id;
    each((0..count).collect(), |n| async move {
        let parent = parents[n];
        s.post(
            "/issues.json",
            json!({"issue": {"project_id": perf, "tracker_id": 2, "subject": format!("Subtask {n}"),
                "parent_issue_id": parent, "custom_fields": [{"id": st.severity, "value": "Low"}]}}),
        )
        .await
    })
    .await;
}

#[tokio::main]
async fn main() {
    let a = args();
    let t0 = Instant::now();
    let mut rng = StdRng::seed_from_u64(14);
    Server::enable_admin_api(&a);
    let s = Server::start(&a).await;
    let st = structure(&s, &mut rng).await;
    s.stop();
    let t1 = Instant::now();
    let parents = bulk(&a, &st).await;
    let t2 = Instant::now();
    let s = Server::start(&a).await;
    subtasks(&s, &st, a.issues, &parents).await;
    s.stop();
    if a.database_url.is_some() {
        // as autovacuum does soon after (migration 34): a bulk load leaves PostgreSQL's
        // visibility map unset, and every index-only scan would read the table too.
        // INDEX_CLEANUP ON: the subtasks' updates of their parents left dead rows on
        // under 2% of the pages, below which a vacuum skips the indexes and cannot mark
        // those pages (the newest issues: the subtree list at 297 req/s instead of 367)
        Target::open(&a)
            .await
            .batch("VACUUM (ANALYZE, INDEX_CLEANUP ON)")
            .await;
    }
    eprintln!(
        "seeded {} issues ({} users, {} projects): structure {:.1} s, bulk {:.1} s, subtasks {:.1} s",
        a.issues,
        st.users.len(),
        st.projects.len(),
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        t2.elapsed().as_secs_f64()
    );
}
