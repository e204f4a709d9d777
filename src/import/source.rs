//! Reading a Redmine database without changing it, on SQLite, PostgreSQL or MySQL
//! (MariaDB). Values come back as text, which each of them renders alike for the types
//! Redmine's schema uses (`2024-01-08 07:56:55.949243`, `1.5`, `t`/`true`/`1`), and as
//! bytes where a column is binary (a compressed wiki version); `values` turns them into
//! carmine's types.

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
    Postgres(sqlx::PgPool),
    Mysql(sqlx::MySqlPool),
}

/// A server's rows as cells: text, or bytes where `binary` says.
fn cells<R>(rows: Vec<R>, binary: &[bool]) -> anyhow::Result<Vec<Vec<Cell>>>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<Vec<u8>>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    rows.iter()
        .map(|row| {
            binary
                .iter()
                .enumerate()
                .map(|(i, &bytes)| {
                    Ok(if bytes {
                        row.try_get::<Option<Vec<u8>>, _>(i)?
                            .map_or(Cell::Null, Cell::Bytes)
                    } else {
                        row.try_get::<Option<String>, _>(i)?
                            .map_or(Cell::Null, Cell::Text)
                    })
                })
                .collect()
        })
        .collect()
}

/// A column, and whether it holds bytes rather than text.
struct Column {
    name: String,
    binary: bool,
}

impl Source {
    /// Opens `url`: `sqlite:///path` (or a plain path), `postgres://…`, `mysql://…`.
    /// A server database is read in read-only transactions' manner: only SELECTs run.
    pub async fn open(url: &str) -> anyhow::Result<Source> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await
                .context("connecting to Redmine's PostgreSQL database")?;
            return Ok(Source::Postgres(pool));
        }
        if url.starts_with("mysql:") || url.starts_with("mariadb:") {
            let url = url.replacen("mariadb:", "mysql:", 1);
            let pool = sqlx::mysql::MySqlPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .context("connecting to Redmine's MySQL database")?;
            return Ok(Source::Mysql(pool));
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

    fn quote(&self, name: &str) -> String {
        match self {
            Source::Mysql(_) => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// The SELECT expression reading `c` as text (or bytes).
    fn read_as(&self, c: &Column) -> String {
        let q = self.quote(&c.name);
        match self {
            Source::Postgres(_) if !c.binary => format!("{q}::text"),
            Source::Mysql(_) if !c.binary => format!("CAST({q} AS CHAR)"),
            _ => q,
        }
    }

    /// Runs `sql`, whose columns are text except those `binary` marks.
    async fn fetch(&self, sql: &str, binary: &[bool]) -> anyhow::Result<Vec<Vec<Cell>>> {
        let mut out = Vec::new();
        match self {
            Source::Sqlite(c) => {
                let conn = c.lock().unwrap_or_else(|p| p.into_inner());
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    let mut row = Vec::with_capacity(binary.len());
                    for i in 0..binary.len() {
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
            }
            Source::Postgres(pool) => out = cells(sqlx::query(sql).fetch_all(pool).await?, binary)?,
            Source::Mysql(pool) => out = cells(sqlx::query(sql).fetch_all(pool).await?, binary)?,
        }
        Ok(out)
    }

    /// One text column of `sql`.
    async fn texts(&self, sql: &str) -> anyhow::Result<Vec<String>> {
        Ok(self
            .fetch(sql, &[false])
            .await?
            .into_iter()
            .filter_map(|mut r| r.pop().and_then(Cell::into_text))
            .collect())
    }

    pub async fn tables(&self) -> anyhow::Result<Vec<String>> {
        let sql = match self {
            Source::Sqlite(_) => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Source::Postgres(_) => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
            }
            Source::Mysql(_) => {
                "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1"
            }
        };
        self.texts(sql).await
    }

    async fn column_list(&self, table: &str) -> anyhow::Result<Vec<Column>> {
        let t = table.replace('\'', "''");
        let sql = match self {
            Source::Sqlite(_) => format!("SELECT name, lower(type) FROM pragma_table_info('{t}') ORDER BY cid"),
            Source::Postgres(_) => format!(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = '{t}' ORDER BY ordinal_position"
            ),
            Source::Mysql(_) => format!(
                "SELECT CAST(column_name AS CHAR), CAST(data_type AS CHAR) FROM information_schema.columns \
                 WHERE table_schema = DATABASE() AND table_name = '{t}' ORDER BY ordinal_position"
            ),
        };
        Ok(self
            .fetch(&sql, &[false, false])
            .await?
            .into_iter()
            .map(|r| {
                let mut r = r.into_iter().map(|c| c.into_text().unwrap_or_default());
                let name = r.next().unwrap_or_default();
                let kind = r.next().unwrap_or_default().to_ascii_lowercase();
                Column {
                    name,
                    binary: kind.contains("blob") || kind.contains("binary") || kind == "bytea",
                }
            })
            .collect())
    }

    pub async fn columns(&self, table: &str) -> anyhow::Result<Vec<String>> {
        Ok(self
            .column_list(table)
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect())
    }

    pub async fn count(&self, table: &str) -> anyhow::Result<u64> {
        let sql = match self {
            Source::Postgres(_) => format!("SELECT COUNT(*)::text FROM {}", self.quote(table)),
            Source::Mysql(_) => format!("SELECT CAST(COUNT(*) AS CHAR) FROM {}", self.quote(table)),
            Source::Sqlite(_) => format!("SELECT COUNT(*) FROM {}", self.quote(table)),
        };
        Ok(self
            .texts(&sql)
            .await?
            .first()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0))
    }

    /// Redmine's schema version: the newest of its own migrations (plugins' are named
    /// `N-plugin` and do not count).
    pub async fn schema_version(&self) -> anyhow::Result<Option<i64>> {
        let sql = format!(
            "SELECT {} FROM schema_migrations",
            self.read_as(&Column {
                name: "version".into(),
                binary: false
            })
        );
        Ok(self
            .texts(&sql)
            .await?
            .iter()
            .filter_map(|v| v.parse::<i64>().ok())
            .max())
    }

    /// `(issue, parent)` of every subtask.
    pub async fn issue_parents(&self) -> anyhow::Result<Vec<(i64, i64)>> {
        let col = |n: &str| {
            self.read_as(&Column {
                name: n.into(),
                binary: false,
            })
        };
        let sql = format!(
            "SELECT {}, {} FROM issues WHERE parent_id IS NOT NULL",
            col("id"),
            col("parent_id")
        );
        Ok(self
            .fetch(&sql, &[false, false])
            .await?
            .iter()
            .filter_map(|r| Some((r[0].int()?, r[1].int()?)))
            .collect())
    }

    /// `(project, parent, name)` of every project.
    pub async fn project_tree(&self) -> anyhow::Result<Vec<(i64, Option<i64>, String)>> {
        let columns = ["id", "parent_id", "name"].map(String::from);
        Ok(self
            .rows("projects", &columns, "id", None, 0)
            .await?
            .into_iter()
            .filter_map(|r| {
                let mut r = r.into_iter();
                let id = r.next()?.int()?;
                let parent = r.next()?.int();
                Some((id, parent, r.next()?.into_text().unwrap_or_default()))
            })
            .collect())
    }

    /// Rows of `table` in the order of `columns`: by id, `limit` at a time past `after`
    /// when `after` is given (tables with an id), else all of them in `order` (small link
    /// tables, projects).
    pub async fn rows(
        &self,
        table: &str,
        columns: &[String],
        order: &str,
        after: Option<i64>,
        limit: u64,
    ) -> anyhow::Result<Vec<Vec<Cell>>> {
        let known = self.column_list(table).await?;
        let picked: Vec<Column> = columns
            .iter()
            .map(|name| Column {
                name: name.clone(),
                binary: known.iter().any(|k| k.name == *name && k.binary),
            })
            .collect();
        let list = picked
            .iter()
            .map(|c| self.read_as(c))
            .collect::<Vec<_>>()
            .join(", ");
        let t = self.quote(table);
        // the table's own columns, not the text read from them (PostgreSQL would sort
        // `id::text`, named `id`, as text)
        let order = order
            .split(',')
            .map(|c| format!("src.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = match after {
            Some(id) => format!(
                "SELECT {list} FROM {t} src WHERE src.id > {id} ORDER BY src.id LIMIT {limit}"
            ),
            None => format!("SELECT {list} FROM {t} src ORDER BY {order}"),
        };
        let binary: Vec<bool> = picked.iter().map(|c| c.binary).collect();
        self.fetch(&sql, &binary).await
    }
}
