//! The database: SQLite (embedded default) or PostgreSQL behind one API.
//!
//! Queries are written once in the SQL both dialects share (`$1` placeholders work in
//! both) and run through [`Db`], so every query runs on both databases.

pub mod admin;
pub mod attachments;
pub mod cache;
pub mod custom_values;
pub mod data_version;
mod db;
pub mod documents;
pub mod files;
pub mod groups;
pub mod import;
pub mod issue_page;
pub mod issue_query;
pub mod issues;
pub mod journals;
mod key_reads;
pub mod members;
pub mod news;
pub mod oauth;
pub mod projects;
pub mod queries;
pub mod reference;
pub mod references;
pub mod relations;
pub mod rollup;
pub mod search;
pub mod seed;
pub mod settings;
mod slow_reads;
pub mod sql;
pub mod subject_words;
pub mod time_entries;
pub mod users;
pub mod versions;
pub mod watchers;
pub mod wiki;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub use db::{Arg, Db, Error, FromRow, Result, Row, Tx, QUERIES};

struct Migration {
    version: i64,
    sql: &'static str,
    /// PostgreSQL's own text, where the two databases differ (`sql` is SQLite's then).
    pg: Option<&'static str>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("../../migrations/0001_foundation.sql"),
        pg: None,
    },
    Migration {
        version: 2,
        sql: include_str!("../../migrations/0002_projects.sql"),
        pg: None,
    },
    Migration {
        version: 3,
        sql: include_str!("../../migrations/0003_custom_field_links.sql"),
        pg: None,
    },
    Migration {
        version: 4,
        sql: include_str!("../../migrations/0004_issues.sql"),
        pg: None,
    },
    Migration {
        version: 5,
        sql: include_str!("../../migrations/0005_queries_watchers.sql"),
        pg: None,
    },
    Migration {
        version: 6,
        sql: include_str!("../../migrations/0006_custom_values.sql"),
        pg: None,
    },
    Migration {
        version: 7,
        sql: include_str!("../../migrations/0007_relations.sql"),
        pg: None,
    },
    Migration {
        version: 8,
        sql: include_str!("../../migrations/0008_journal_authors.sql"),
        pg: None,
    },
    Migration {
        version: 9,
        sql: include_str!("../../migrations/0009_custom_field_enumerations.sql"),
        pg: None,
    },
    Migration {
        version: 10,
        sql: include_str!("../../migrations/0010_time_entries.sql"),
        pg: None,
    },
    Migration {
        version: 11,
        sql: include_str!("../../migrations/0011_wiki.sql"),
        pg: None,
    },
    Migration {
        version: 12,
        sql: include_str!("../../migrations/0012_attachments.sql"),
        pg: None,
    },
    Migration {
        version: 13,
        sql: include_str!("../../migrations/0013_news.sql"),
        pg: None,
    },
    Migration {
        version: 14,
        sql: include_str!("../../migrations/0014_search.sqlite.sql"),
        pg: Some(include_str!("../../migrations/0014_search.pg.sql")),
    },
    Migration {
        version: 15,
        sql: include_str!("../../migrations/0015_attachment_fields.sql"),
        pg: None,
    },
    Migration {
        version: 16,
        sql: include_str!("../../migrations/0016_oauth.sql"),
        pg: None,
    },
    Migration {
        version: 17,
        sql: include_str!("../../migrations/0017_partial_parent_index.sql"),
        pg: None,
    },
    Migration {
        version: 18,
        sql: include_str!("../../migrations/0018_change_counter.sql"),
        pg: Some(include_str!("../../migrations/0018_change_counter.pg.sql")),
    },
    Migration {
        version: 19,
        sql: include_str!("../../migrations/0019_issue_tree_index.sql"),
        pg: Some(include_str!(
            "../../migrations/0019_issue_tree_index.pg.sql"
        )),
    },
    Migration {
        version: 20,
        sql: include_str!("../../migrations/0020_issue_counts.sql"),
        pg: Some(include_str!("../../migrations/0020_issue_counts.pg.sql")),
    },
    Migration {
        version: 21,
        sql: include_str!("../../migrations/0021_time_entry_counts.sql"),
        pg: Some(include_str!(
            "../../migrations/0021_time_entry_counts.pg.sql"
        )),
    },
    Migration {
        version: 22,
        sql: include_str!("../../migrations/0022_covering_issue_indexes.sql"),
        pg: None,
    },
    Migration {
        version: 23,
        sql: include_str!("../../migrations/0023_issue_value_counts.sql"),
        pg: Some(include_str!(
            "../../migrations/0023_issue_value_counts.pg.sql"
        )),
    },
    Migration {
        version: 24,
        sql: include_str!("../../migrations/0024_documents_boards.sql"),
        pg: None,
    },
    Migration {
        version: 25,
        sql: include_str!("../../migrations/0025_search_documents_messages.sqlite.sql"),
        pg: Some(include_str!(
            "../../migrations/0025_search_documents_messages.pg.sql"
        )),
    },
    Migration {
        version: 26,
        sql: include_str!("../../migrations/0026_version_names_counted.sql"),
        pg: Some(include_str!(
            "../../migrations/0026_version_names_counted.pg.sql"
        )),
    },
    Migration {
        version: 27,
        sql: include_str!("../../migrations/0027_issue_stamps.sql"),
        pg: Some(include_str!("../../migrations/0027_issue_stamps.pg.sql")),
    },
    Migration {
        version: 28,
        sql: include_str!("../../migrations/0028_issue_totals.sql"),
        pg: Some(include_str!("../../migrations/0028_issue_totals.pg.sql")),
    },
    Migration {
        version: 29,
        sql: include_str!("../../migrations/0029_custom_values_by_value.sql"),
        pg: Some(include_str!(
            "../../migrations/0029_custom_values_by_value.pg.sql"
        )),
    },
    Migration {
        version: 30,
        sql: include_str!("../../migrations/0030_issue_value_totals.sql"),
        pg: Some(include_str!(
            "../../migrations/0030_issue_value_totals.pg.sql"
        )),
    },
    Migration {
        version: 31,
        sql: include_str!("../../migrations/0031_issue_blocks.sql"),
        pg: Some(include_str!("../../migrations/0031_issue_blocks.pg.sql")),
    },
    Migration {
        version: 32,
        sql: include_str!("../../migrations/0032_issue_indexes_hold_ids.sql"),
        pg: Some(include_str!(
            "../../migrations/0032_issue_indexes_hold_ids.pg.sql"
        )),
    },
    Migration {
        version: 33,
        sql: include_str!("../../migrations/0033_time_entry_project_counts.sql"),
        pg: Some(include_str!(
            "../../migrations/0033_time_entry_project_counts.pg.sql"
        )),
    },
    Migration {
        version: 34,
        sql: include_str!("../../migrations/0034_prompt_vacuum.sql"),
        pg: Some(include_str!("../../migrations/0034_prompt_vacuum.pg.sql")),
    },
    Migration {
        version: 35,
        sql: include_str!("../../migrations/0035_subject_words.sql"),
        pg: Some(include_str!("../../migrations/0035_subject_words.pg.sql")),
    },
    Migration {
        version: 36,
        sql: include_str!("../../migrations/0036_issue_project_counts.sql"),
        pg: Some(include_str!(
            "../../migrations/0036_issue_project_counts.pg.sql"
        )),
    },
    Migration {
        version: 37,
        sql: include_str!("../../migrations/0037_issue_version_category_indexes.sql"),
        pg: Some(include_str!(
            "../../migrations/0037_issue_version_category_indexes.pg.sql"
        )),
    },
];

/// Connections each process keeps to PostgreSQL at most.
const PG_CONNECTIONS: u32 = 16;

/// Opens `DATABASE_URL` when it names PostgreSQL, else the SQLite file in the data dir
/// (or the file a `sqlite:` URL names). `durable`: SQLite syncs every commit to disk.
pub async fn open(
    database_url: Option<&str>,
    data_dir: &Path,
    durable: bool,
) -> anyhow::Result<Db> {
    match database_url.filter(|u| !u.is_empty()) {
        Some(url) if url.starts_with("postgres:") || url.starts_with("postgresql:") => {
            // JIT compiles any statement the planner costs high (an issue page's rows,
            // whose subtree sums it overestimates): 190 ms of compiling for 1 ms of work
            let opts = PgConnectOptions::from_str(url)?.options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(PG_CONNECTIONS)
                // sqlx would ask each connection whether it is alive before every
                // statement: a round trip more each time. A dead one (the server restarted)
                // fails its statement instead, and `Db` then tries reads and BEGIN once
                // more on another connection.
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?;
            Ok(Db::postgres(pool))
        }
        Some(url) => {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            Ok(Db::sqlite(db::SqlitePool::open(path.into(), durable)?))
        }
        None => {
            std::fs::create_dir_all(data_dir)?;
            let path = data_dir.join("carmine.db");
            Ok(Db::sqlite(db::SqlitePool::open(path, durable)?))
        }
    }
}

/// Applies pending migrations and, on a fresh database given `first_start`, loads the
/// default data, in one transaction (an import brings its own data instead). On PostgreSQL an advisory lock keeps several processes starting at once
/// from doing it twice; on SQLite the transaction takes the write lock up front.
pub async fn migrate(db: &Db, first_start: Option<&seed::FirstStart>) -> Result<bool> {
    let pg = db.is_postgres();
    let id_type = if pg {
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    } else {
        "INTEGER PRIMARY KEY AUTOINCREMENT"
    };
    let mut tx = db.begin().await?;
    if pg {
        tx.rows("SELECT pg_advisory_xact_lock(7361029)", &[])
            .await?;
    }
    tx.batch("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")
        .await?;
    let done: Vec<i64> = tx
        .rows("SELECT version FROM schema_migrations", &[])
        .await?
        .iter()
        .map(|r| r.i64("version"))
        .collect();
    for m in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
        let sql =
            m.pg.filter(|_| pg)
                .unwrap_or(m.sql)
                .replace("{ID}", id_type)
                .replace("{COLLATE_C}", if pg { "COLLATE \"C\"" } else { "" })
                .replace("{FLOAT}", if pg { "DOUBLE PRECISION" } else { "REAL" });
        tx.batch(&sql).await?;
        tx.exec(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[m.version.into()],
        )
        .await?;
    }
    if pg {
        // the default queries come with explicit ids, which PostgreSQL's sequence skips
        tx.rows(
            "SELECT setval(pg_get_serial_sequence('queries', 'id'), GREATEST((SELECT MAX(id) FROM queries), 1))",
            &[],
        )
        .await?;
    }
    let Some(first_start) = first_start else {
        tx.commit().await?;
        return Ok(false);
    };
    if tx.int("SELECT COUNT(*) FROM users", &[]).await? > 0 {
        tx.commit().await?;
        return Ok(false);
    }
    for statement in seed::statements(first_start, pg) {
        tx.batch(&statement).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Seconds since the epoch: every timestamp is stored this way, in both databases.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
