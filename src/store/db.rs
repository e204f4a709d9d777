//! One query API over two databases: SQLite through rusqlite, run in place on the calling
//! thread (no worker thread, no channel per row), and PostgreSQL through sqlx. Queries are
//! written once with `$1` placeholders, which both accept.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgPool, PgRow};
use sqlx::{Column, Postgres, Row as _, TypeInfo, ValueRef};

tokio::task_local! {
    /// Statements run for the current request, when the request counts them.
    pub static QUERIES: std::cell::Cell<u32>;
}

pub(super) fn count() {
    let _ = QUERIES.try_with(|c| c.set(c.get() + 1));
}

/// Statements slower than this (200 ms, or `CARMINE_SLOW_MS`) are logged, with their text,
/// for whoever runs the server.
fn slow_threshold() -> Duration {
    static SLOW: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *SLOW.get_or_init(|| {
        let ms = std::env::var("CARMINE_SLOW_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(200);
        Duration::from_millis(ms)
    })
}

fn slow(sql: &str, started: std::time::Instant) {
    let took = started.elapsed();
    if took >= slow_threshold() {
        tracing::warn!(ms = took.as_millis() as u64, sql, "slow statement");
    }
}

/// A value read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    I64(i64),
    F64(f64),
    Text(String),
    Bool(bool),
}

pub use crate::domain::values::Arg;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// A unique index refused the write; `what` names the index or the message.
    pub fn unique_violation(&self) -> Option<String> {
        match self {
            Error::Sqlite(rusqlite::Error::SqliteFailure(e, msg))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
            {
                Some(msg.clone().unwrap_or_default())
            }
            Error::Postgres(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                Some(format!("{} {}", d.constraint().unwrap_or(""), d.message()))
            }
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// A row with its column names, read by name.
#[derive(Debug, Clone)]
pub struct Row {
    names: Arc<Vec<String>>,
    vals: Vec<Val>,
}

impl Row {
    fn val(&self, name: &str) -> &Val {
        match self.names.iter().position(|n| n == name) {
            Some(i) => &self.vals[i],
            None => {
                debug_assert!(false, "no column {name}");
                &Val::Null
            }
        }
    }
    pub fn first(&self) -> &Val {
        self.vals.first().unwrap_or(&Val::Null)
    }
    pub fn opt_i64(&self, name: &str) -> Option<i64> {
        match self.val(name) {
            Val::I64(n) => Some(*n),
            Val::Bool(b) => Some(*b as i64),
            Val::F64(f) => Some(*f as i64),
            Val::Text(t) => t.parse().ok(),
            Val::Null => None,
        }
    }
    pub fn i64(&self, name: &str) -> i64 {
        self.opt_i64(name).unwrap_or(0)
    }
    pub fn opt_str(&self, name: &str) -> Option<String> {
        match self.val(name) {
            Val::Text(t) => Some(t.clone()),
            Val::I64(n) => Some(n.to_string()),
            Val::F64(f) => Some(f.to_string()),
            Val::Bool(b) => Some(b.to_string()),
            Val::Null => None,
        }
    }
    pub fn str(&self, name: &str) -> String {
        self.opt_str(name).unwrap_or_default()
    }
    pub fn opt_f64(&self, name: &str) -> Option<f64> {
        match self.val(name) {
            Val::F64(f) => Some(*f),
            Val::I64(n) => Some(*n as f64),
            Val::Text(t) => t.parse().ok(),
            _ => None,
        }
    }
    pub fn f64(&self, name: &str) -> f64 {
        self.opt_f64(name).unwrap_or(0.0)
    }
    pub fn bool(&self, name: &str) -> bool {
        match self.val(name) {
            Val::Bool(b) => *b,
            Val::I64(n) => *n != 0,
            _ => false,
        }
    }
}

/// How a type is read from a row.
pub trait FromRow: Sized {
    fn from_row(row: &Row) -> Self;
}

impl FromRow for Row {
    fn from_row(row: &Row) -> Self {
        row.clone()
    }
}

// ---------------------------------------------------------------- SQLite

/// SQLite connections, opened on demand and kept for reuse. Writes in this process are
/// serialised by `write_lock` before they reach SQLite, so a writer waits on an async lock
/// instead of blocking a worker thread in SQLite's busy handler.
pub struct SqlitePool {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
    /// SQLite's `synchronous` pragma for every connection: FULL unless durability was traded.
    synchronous: &'static str,
    write_lock: Arc<tokio::sync::Mutex<()>>,
    /// The WAL-index header, read to learn that nothing was committed since.
    version: Option<super::data_version::DataVersion>,
    /// A connection held open and unused, so that the `-shm` file `version` maps stays
    /// the database's for as long as the pool lives.
    keeper: Option<Mutex<rusqlite::Connection>>,
}

/// A connection borrowed from the pool, returned when dropped.
pub struct Pooled<'a> {
    pool: &'a SqlitePool,
    conn: Option<rusqlite::Connection>,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            if let Ok(mut idle) = self.pool.idle.lock() {
                if idle.len() < 32 {
                    idle.push(c);
                }
            }
        }
    }
}

impl std::ops::Deref for Pooled<'_> {
    type Target = rusqlite::Connection;
    fn deref(&self) -> &rusqlite::Connection {
        self.conn.as_ref().expect("connection")
    }
}

impl SqlitePool {
    pub fn open(path: PathBuf, durable: bool) -> Result<SqlitePool> {
        let pool = SqlitePool {
            path,
            synchronous: if durable { "FULL" } else { "NORMAL" },
            idle: Mutex::new(Vec::new()),
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            version: None,
            keeper: None,
        };
        let conn = pool.connect()?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // a read makes this connection one of the database's: the `-shm` file is in place
        // and stays while it is open
        conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
        let mut pool = pool;
        // the name SQLite resolved (a symbolic link followed), whose `-shm` it uses
        let resolved = conn.path().map(PathBuf::from);
        pool.version =
            super::data_version::DataVersion::open(resolved.as_ref().unwrap_or(&pool.path));
        pool.keeper = Some(Mutex::new(conn));
        Ok(pool)
    }

    fn connect(&self) -> Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open(&self.path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // FULL: in WAL mode NORMAL may lose commits already answered when power fails
        conn.pragma_update(None, "synchronous", self.synchronous)?;
        conn.set_prepared_statement_cache_capacity(256);
        conn.progress_handler(PROGRESS_STEPS as std::ffi::c_int, Some(past_deadline));
        Ok(conn)
    }

    fn get(&self) -> Result<Pooled<'_>> {
        let idle = self
            .idle
            .lock()
            .map_err(|_| Error::Other("pool".into()))?
            .pop();
        let conn = match idle {
            Some(c) => c,
            None => self.connect()?,
        };
        Ok(Pooled {
            pool: self,
            conn: Some(conn),
        })
    }
}

fn sqlite_bind(stmt: &mut rusqlite::CachedStatement<'_>, args: &[Arg]) -> Result<()> {
    for (i, a) in args.iter().enumerate() {
        // `$n` is a named parameter to SQLite: find where it sits in this statement
        let Some(idx) = stmt.parameter_index(&format!("${}", i + 1))? else {
            continue;
        };
        stmt.raw_bind_parameter(idx, sqlite_value(a))?;
    }
    Ok(())
}

fn sqlite_value(a: &Arg) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match a {
        Arg::I64(n) => V::Integer(*n),
        Arg::Str(s) => V::Text(s.clone()),
        Arg::Bool(b) => V::Integer(*b as i64),
        Arg::F64(f) => V::Real(*f),
        Arg::NullI64 | Arg::NullStr | Arg::NullF64 | Arg::NullBool => V::Null,
    }
}

fn sqlite_rows(conn: &rusqlite::Connection, sql: &str, args: &[Arg]) -> Result<Vec<Row>> {
    use rusqlite::types::ValueRef as V;
    let mut stmt = conn.prepare_cached(sql)?;
    sqlite_bind(&mut stmt, args)?;
    let names: Arc<Vec<String>> =
        Arc::new(stmt.column_names().iter().map(|s| s.to_string()).collect());
    let n = names.len();
    let mut out = Vec::new();
    let mut rows = stmt.raw_query();
    while let Some(r) = rows.next()? {
        let mut vals = Vec::with_capacity(n);
        for i in 0..n {
            vals.push(match r.get_ref(i)? {
                V::Null => Val::Null,
                V::Integer(x) => Val::I64(x),
                V::Real(f) => Val::F64(f),
                V::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
                V::Blob(b) => Val::Text(String::from_utf8_lossy(b).into_owned()),
            });
        }
        out.push(Row {
            names: names.clone(),
            vals,
        });
    }
    Ok(out)
}

fn sqlite_exec(conn: &rusqlite::Connection, sql: &str, args: &[Arg]) -> Result<u64> {
    let mut stmt = conn.prepare_cached(sql)?;
    sqlite_bind(&mut stmt, args)?;
    Ok(stmt.raw_execute()? as u64)
}

/// SQLite reads run in place on the calling worker thread: most take microseconds, and
/// handing the thread's other requests to another thread for each one (block_in_place)
/// cost more than the statement (a third of one issue's time). A read still running after
/// `IN_PLACE_STEPS` of SQLite's virtual machine (tenths of a millisecond; counted in
/// steps, not time, so that a fast read is never sent away because its thread was
/// preempted) is
/// interrupted and run again on the slow-read threads (`slow_reads`): a slow list does
/// not hold up the fast requests queued behind it, and at most that much of its work is
/// done twice.
const IN_PLACE_STEPS: u32 = 20_000;

/// SQLite's virtual machine steps between two calls of the progress callback.
const PROGRESS_STEPS: u32 = 1000;

thread_local! {
    /// How many more progress callbacks the read running in place on this thread may see.
    static STEPS_LEFT: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// SQLite's progress callback: true interrupts the statement (a read in place past its
/// steps, or a slow read whose request is gone).
fn past_deadline() -> bool {
    if super::slow_reads::abandoned() {
        return true;
    }
    STEPS_LEFT.with(|left| match left.get() {
        Some(0) => true,
        Some(n) => {
            left.set(Some(n - 1));
            false
        }
        None => false,
    })
}

/// Runs a read in place; None when it ran out of time there (never outside the server's
/// multi-threaded runtime). Only reads: an interrupted write inside a transaction would
/// roll the whole transaction back.
fn read_in_place<T>(f: impl FnOnce() -> Result<T>) -> Option<Result<T>> {
    let multi_thread = matches!(
        tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()),
        Ok(tokio::runtime::RuntimeFlavor::MultiThread)
    );
    if !multi_thread {
        return Some(f());
    }
    STEPS_LEFT.with(|left| left.set(Some(IN_PLACE_STEPS / PROGRESS_STEPS)));
    let done = f();
    STEPS_LEFT.with(|left| left.set(None));
    match done {
        Err(Error::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
            if e.code == rusqlite::ErrorCode::OperationInterrupted =>
        {
            None
        }
        done => Some(done),
    }
}

/// Runs SQLite work where the runtime allows blocking its thread (a multi-threaded one:
/// the server's); elsewhere in place.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

// ---------------------------------------------------------------- PostgreSQL

fn pg_query<'q>(
    sql: &'q str,
    args: &'q [Arg],
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    let mut q = sqlx::query(sql);
    for a in args {
        q = match a {
            Arg::I64(n) => q.bind(*n),
            Arg::Str(s) => q.bind(s.as_str()),
            Arg::Bool(b) => q.bind(*b),
            Arg::F64(f) => q.bind(*f),
            Arg::NullI64 => q.bind(None::<i64>),
            Arg::NullStr => q.bind(None::<String>),
            Arg::NullF64 => q.bind(None::<f64>),
            Arg::NullBool => q.bind(None::<bool>),
        };
    }
    q
}

fn pg_row(row: &PgRow, names: &Arc<Vec<String>>) -> Result<Row> {
    let mut vals = Vec::with_capacity(names.len());
    for (i, col) in row.columns().iter().enumerate() {
        let raw = row.try_get_raw(i)?;
        if raw.is_null() {
            vals.push(Val::Null);
            continue;
        }
        let v = match col.type_info().name() {
            "INT8" => Val::I64(row.try_get_unchecked::<i64, _>(i)?),
            "INT4" => Val::I64(row.try_get_unchecked::<i32, _>(i)? as i64),
            "INT2" => Val::I64(row.try_get_unchecked::<i16, _>(i)? as i64),
            "BOOL" => Val::Bool(row.try_get_unchecked::<bool, _>(i)?),
            "FLOAT8" => Val::F64(row.try_get_unchecked::<f64, _>(i)?),
            "FLOAT4" => Val::F64(row.try_get_unchecked::<f32, _>(i)? as f64),
            "VOID" => Val::Null,
            _ => Val::Text(row.try_get_unchecked::<String, _>(i)?),
        };
        vals.push(v);
    }
    Ok(Row {
        names: names.clone(),
        vals,
    })
}

fn pg_rows(rows: Vec<PgRow>) -> Result<Vec<Row>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let names: Arc<Vec<String>> = Arc::new(
        first
            .columns()
            .iter()
            .map(|c| c.name().to_owned())
            .collect(),
    );
    rows.iter().map(|r| pg_row(r, &names)).collect()
}

// ---------------------------------------------------------------- the API

/// The database, and this process's copies of what rarely changes in it.
#[derive(Clone)]
pub struct Db {
    backend: Backend,
    pub cache: Arc<super::cache::Cache>,
    /// Requests' key statements, read together while one runs (PostgreSQL).
    pub(super) key_reads: Arc<super::key_reads::KeyReads>,
}

#[derive(Clone)]
enum Backend {
    Sqlite(Arc<SqlitePool>),
    Postgres(PgPool),
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_postgres() {
            "Db(postgres)"
        } else {
            "Db(sqlite)"
        })
    }
}

fn is_write(sql: &str) -> bool {
    let head = sql.trim_start().get(..6).unwrap_or("").to_ascii_uppercase();
    !head.starts_with("SELECT") && !head.starts_with("WITH")
}

impl Db {
    pub fn sqlite(pool: SqlitePool) -> Db {
        Db::new(Backend::Sqlite(Arc::new(pool)))
    }

    pub fn postgres(pool: PgPool) -> Db {
        Db::new(Backend::Postgres(pool))
    }

    fn new(backend: Backend) -> Db {
        Db {
            backend,
            cache: Arc::new(super::cache::Cache::default()),
            key_reads: Arc::default(),
        }
    }

    /// The database's WAL-index header now (SQLite only): equal to one read earlier, it
    /// says nothing was committed since.
    pub fn data_version(&self) -> Option<super::data_version::Version> {
        match &self.backend {
            Backend::Sqlite(pool) => pool.version.as_ref()?.now(),
            Backend::Postgres(_) => None,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    pub async fn rows(&self, sql: &str, args: &[Arg]) -> Result<Vec<Row>> {
        count();
        let started = std::time::Instant::now();
        let write = is_write(sql);
        let rows = self.rows_now(sql, args, write).await;
        slow(sql, started);
        if write {
            self.cache.recheck();
        }
        rows
    }

    async fn rows_now(&self, sql: &str, args: &[Arg], write: bool) -> Result<Vec<Row>> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let _w = if write {
                    Some(pool.write_lock.lock().await)
                } else {
                    None
                };
                let conn = pool.get()?;
                if write {
                    return blocking(|| sqlite_rows(&conn, sql, args));
                }
                if let Some(done) = read_in_place(|| sqlite_rows(&conn, sql, args)) {
                    return done;
                }
                drop(conn);
                let (pool, sql, args) = (pool.clone(), sql.to_owned(), args.to_vec());
                super::slow_reads::run(move || sqlite_rows(&*pool.get()?, &sql, &args))
                    .await
                    .unwrap_or_else(|| Err(Error::Other("the slow-read threads stopped".into())))
            }
            Backend::Postgres(pool) => {
                let mut tries = 0;
                loop {
                    match pg_query(sql, args).fetch_all(pool).await {
                        // a connection the server closed (it restarted): reading again on
                        // another changes nothing; writing again might write twice
                        Err(e) if !write && connection_lost(&e) && tries < RETRIES => tries += 1,
                        rows => return pg_rows(rows?),
                    }
                }
            }
        }
    }

    pub async fn exec(&self, sql: &str, args: &[Arg]) -> Result<u64> {
        count();
        let done = match &self.backend {
            Backend::Sqlite(pool) => {
                let _w = pool.write_lock.lock().await;
                let conn = pool.get()?;
                sqlite_exec(&conn, sql, args)
            }
            Backend::Postgres(pool) => Ok(pg_query(sql, args).execute(pool).await?.rows_affected()),
        };
        self.cache.recheck();
        done
    }

    pub async fn all<T: FromRow>(&self, sql: &str, args: &[Arg]) -> Result<Vec<T>> {
        Ok(self
            .rows(sql, args)
            .await?
            .iter()
            .map(T::from_row)
            .collect())
    }

    pub async fn opt<T: FromRow>(&self, sql: &str, args: &[Arg]) -> Result<Option<T>> {
        Ok(self.rows(sql, args).await?.first().map(T::from_row))
    }

    /// The first column of the first row as an integer (0 when there is none).
    pub async fn int(&self, sql: &str, args: &[Arg]) -> Result<i64> {
        Ok(first_int(&self.rows(sql, args).await?))
    }

    /// Starts a transaction. On SQLite it holds this process's write lock and the database's
    /// (`BEGIN IMMEDIATE`) from the start, so it never fails half way on a lock upgrade.
    pub async fn begin(&self) -> Result<Tx<'_>> {
        let inner = match &self.backend {
            Backend::Sqlite(pool) => {
                let guard = pool.write_lock.clone().lock_owned().await;
                let conn = pool.get()?;
                conn.execute_batch("BEGIN IMMEDIATE")?;
                TxInner::Sqlite {
                    conn,
                    _guard: guard,
                    done: false,
                }
            }
            Backend::Postgres(pool) => {
                let mut tries = 0;
                loop {
                    match pool.begin().await {
                        Err(e) if connection_lost(&e) && tries < RETRIES => tries += 1,
                        tx => break TxInner::Postgres(Some(tx?)),
                    }
                }
            }
        };
        Ok(Tx {
            inner,
            cache: &self.cache,
        })
    }
}

/// The connection was gone before the statement could run on it: the pool no longer
/// checks each one before lending it. After a server restart every pooled connection
/// is gone, so a read tries as many as the pool holds, and one more.
fn connection_lost(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Io(_))
        || matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("57P01"))
}

const RETRIES: usize = super::PG_CONNECTIONS as usize + 1;

fn first_int(rows: &[Row]) -> i64 {
    match rows.first().map(Row::first) {
        Some(Val::I64(n)) => *n,
        Some(Val::Bool(b)) => *b as i64,
        Some(Val::Text(t)) => t.parse().unwrap_or(0),
        _ => 0,
    }
}

/// A transaction; committing it tells the cache that something may have changed.
pub struct Tx<'a> {
    inner: TxInner<'a>,
    cache: &'a super::cache::Cache,
}

enum TxInner<'a> {
    Sqlite {
        conn: Pooled<'a>,
        _guard: tokio::sync::OwnedMutexGuard<()>,
        done: bool,
    },
    /// None once committed.
    Postgres(Option<sqlx::Transaction<'static, Postgres>>),
}

impl Drop for TxInner<'_> {
    fn drop(&mut self) {
        if let TxInner::Sqlite { conn, done, .. } = self {
            if !*done {
                let _ = conn.execute_batch("ROLLBACK");
            }
        }
        // sqlx rolls a dropped PostgreSQL transaction back itself
    }
}

fn open_tx<'t>(
    tx: &'t mut Option<sqlx::Transaction<'static, Postgres>>,
) -> Result<&'t mut sqlx::PgConnection> {
    match tx {
        Some(t) => Ok(&mut **t),
        None => Err(Error::Other("transaction already committed".into())),
    }
}

impl Tx<'_> {
    pub async fn rows(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<Row>> {
        count();
        match &mut self.inner {
            TxInner::Sqlite { conn, .. } => sqlite_rows(conn, sql, args),
            TxInner::Postgres(tx) => pg_rows(pg_query(sql, args).fetch_all(open_tx(tx)?).await?),
        }
    }

    pub async fn exec(&mut self, sql: &str, args: &[Arg]) -> Result<u64> {
        count();
        match &mut self.inner {
            TxInner::Sqlite { conn, .. } => sqlite_exec(conn, sql, args),
            TxInner::Postgres(tx) => Ok(pg_query(sql, args)
                .execute(open_tx(tx)?)
                .await?
                .rows_affected()),
        }
    }

    pub async fn int(&mut self, sql: &str, args: &[Arg]) -> Result<i64> {
        Ok(first_int(&self.rows(sql, args).await?))
    }

    /// Inserts `rows` into `table`'s `columns` (an import's bulk write): SQLite runs one
    /// prepared row insert per row, PostgreSQL one insert per few hundred rows.
    pub async fn insert_rows(
        &mut self,
        table: &str,
        columns: &[String],
        rows: &[Vec<Arg>],
    ) -> Result<()> {
        let names = columns.join(", ");
        match &mut self.inner {
            TxInner::Sqlite { conn, .. } => {
                count();
                let marks = vec!["?"; columns.len()].join(", ");
                let mut stmt = conn
                    .prepare_cached(&format!("INSERT INTO {table} ({names}) VALUES ({marks})"))?;
                for row in rows {
                    for (i, a) in row.iter().enumerate() {
                        stmt.raw_bind_parameter(i + 1, sqlite_value(a))?;
                    }
                    stmt.raw_execute()?;
                }
            }
            TxInner::Postgres(tx) => {
                // PostgreSQL takes at most 65,535 parameters per statement
                let per = (60_000 / columns.len().max(1)).clamp(1, 500);
                for chunk in rows.chunks(per) {
                    count();
                    let mut sql = format!("INSERT INTO {table} ({names}) VALUES ");
                    let mut n = 0;
                    for (r, row) in chunk.iter().enumerate() {
                        sql.push_str(if r == 0 { "(" } else { ", (" });
                        for c in 0..row.len() {
                            n += 1;
                            sql.push_str(&format!("{}${n}", if c == 0 { "" } else { ", " }));
                        }
                        sql.push(')');
                    }
                    let args: Vec<Arg> = chunk.iter().flatten().cloned().collect();
                    pg_query(&sql, &args).execute(open_tx(tx)?).await?;
                }
            }
        }
        Ok(())
    }

    /// Makes transactions taking the same key run one after another. SQLite's write
    /// transactions already do; PostgreSQL takes an advisory lock until the end.
    pub async fn serialize(&mut self, key: i64) -> Result<()> {
        if let TxInner::Postgres(_) = self.inner {
            self.rows("SELECT pg_advisory_xact_lock($1)", &[key.into()])
                .await?;
        }
        Ok(())
    }

    pub async fn batch(&mut self, sql: &str) -> Result<()> {
        match &mut self.inner {
            TxInner::Sqlite { conn, .. } => Ok(conn.execute_batch(sql)?),
            TxInner::Postgres(tx) => {
                sqlx::raw_sql(sql).execute(open_tx(tx)?).await?;
                Ok(())
            }
        }
    }

    pub async fn commit(mut self) -> Result<()> {
        let done = match &mut self.inner {
            TxInner::Sqlite { conn, done, .. } => {
                conn.execute_batch("COMMIT")?;
                *done = true;
                Ok(())
            }
            TxInner::Postgres(tx) => match tx.take() {
                Some(t) => Ok(t.commit().await?),
                None => Ok(()),
            },
        };
        self.cache.recheck();
        done
    }
}
