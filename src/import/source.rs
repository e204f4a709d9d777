//! Reading a Redmine database without changing it. Values come back as text (bytes only
//! where a column holds binary data), which is how the three databases Redmine runs on
//! all render the types its schema uses; `values` turns them into carmine's types.

use std::sync::Mutex;

use anyhow::{bail, Context};

/// One value of a source row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Text(String),
    Bytes(Vec<u8>),
}

impl Cell {
    pub fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The value as text; binary data read as UTF-8, invalid sequences replaced.
    pub fn into_text(self) -> Option<String> {
        match self {
            Cell::Null => None,
            Cell::Text(t) => Some(t),
            Cell::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        }
    }

    pub fn int(&self) -> Option<i64> {
        self.text().and_then(|t| t.trim().parse().ok())
    }
}

pub enum Source {
    /// rusqlite's connection is not shareable between threads; reads take turns.
    Sqlite(Mutex<rusqlite::Connection>),
}

impl Source {
    /// Opens `url` read-only: `sqlite:///path`, `sqlite:path` or a plain path.
    pub fn open(url: &str) -> anyhow::Result<Source> {
        if url.starts_with("postgres:")
            || url.starts_with("postgresql:")
            || url.starts_with("mysql:")
        {
            bail!(
                "reading a Redmine database on PostgreSQL or MySQL is not supported yet; \
                 copy it to SQLite first (for example with Redmine's own `rake db:migrate` on a \
                 SQLite `database.yml`, or a tool such as `sequel`), then import that file"
            );
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if !std::path::Path::new(path).is_file() {
            bail!("no Redmine database at {path}");
        }
        use rusqlite::OpenFlags as F;
        let conn = rusqlite::Connection::open_with_flags(
            path,
            F::SQLITE_OPEN_READ_ONLY | F::SQLITE_OPEN_NO_MUTEX | F::SQLITE_OPEN_URI,
        )
        .with_context(|| format!("opening {path}"))?;
        Ok(Source::Sqlite(Mutex::new(conn)))
    }

    fn sqlite(&self) -> std::sync::MutexGuard<'_, rusqlite::Connection> {
        match self {
            Source::Sqlite(c) => c.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    pub fn tables(&self) -> anyhow::Result<Vec<String>> {
        let conn = self.sqlite();
        let mut stmt = conn.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )?;
        let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(names.collect::<Result<_, _>>()?)
    }

    pub fn columns(&self, table: &str) -> anyhow::Result<Vec<String>> {
        let conn = self.sqlite();
        let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{table}\")"))?;
        let names = stmt.query_map([], |r| r.get::<_, String>(1))?;
        Ok(names.collect::<Result<_, _>>()?)
    }

    pub fn count(&self, table: &str) -> anyhow::Result<u64> {
        let n: i64 =
            self.sqlite()
                .query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
                    r.get(0)
                })?;
        Ok(n.max(0) as u64)
    }

    /// Redmine's schema version: the newest of its own migrations (plugins' are named
    /// `N-plugin` and do not count).
    pub fn schema_version(&self) -> anyhow::Result<Option<i64>> {
        let conn = self.sqlite();
        let mut stmt = conn.prepare("SELECT version FROM schema_migrations")?;
        let versions = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut newest = None;
        for v in versions {
            if let Ok(n) = v?.parse::<i64>() {
                newest = newest.max(Some(n));
            }
        }
        Ok(newest)
    }

    /// `(issue, parent)` of every subtask.
    pub fn issue_parents(&self) -> anyhow::Result<Vec<(i64, i64)>> {
        let conn = self.sqlite();
        let mut stmt =
            conn.prepare("SELECT id, parent_id FROM issues WHERE parent_id IS NOT NULL")?;
        let pairs = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
        Ok(pairs.collect::<Result<_, _>>()?)
    }

    /// Rows of `table`: by id, `limit` at a time past `after` when `after` is given
    /// (tables with an id), else all of them in `order` (small link tables, projects).
    pub fn rows(
        &self,
        table: &str,
        columns: &[String],
        order: &str,
        after: Option<i64>,
        limit: u64,
    ) -> anyhow::Result<Vec<Vec<Cell>>> {
        let list = columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = match after {
            Some(id) => {
                format!("SELECT {list} FROM \"{table}\" WHERE id > {id} ORDER BY id LIMIT {limit}")
            }
            None => format!("SELECT {list} FROM \"{table}\" ORDER BY {order}"),
        };
        let conn = self.sqlite();
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                use rusqlite::types::ValueRef as V;
                row.push(match r.get_ref(i)? {
                    V::Null => Cell::Null,
                    V::Integer(n) => Cell::Text(n.to_string()),
                    V::Real(x) => Cell::Text(x.to_string()),
                    V::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                    V::Blob(b) => Cell::Bytes(b.to_vec()),
                });
            }
            out.push(row);
        }
        Ok(out)
    }
}
