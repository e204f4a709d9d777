//! What an import of a Redmine database needs from carmine's own: the shape of its
//! tables, and the bookkeeping after rows arrive with their ids.

use super::{Arg, Db, Result, Tx};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Int,
    Real,
    Bool,
    Text,
}

/// One column of a carmine table.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
    pub not_null: bool,
    /// What an absent value becomes in a NOT NULL column.
    pub default: Option<Arg>,
}

fn kind_of(declared: &str) -> Kind {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        Kind::Int
    } else if t.contains("real") || t.contains("double") || t.contains("float") {
        Kind::Real
    } else if t.contains("bool") {
        Kind::Bool
    } else {
        Kind::Text
    }
}

/// A column default as both databases print it (`FALSE`, `0`, `''`, `'x'::text`).
fn default_of(text: Option<String>, kind: Kind) -> Option<Arg> {
    let t = text?;
    let t = t.split("::").next().unwrap_or("").trim();
    Some(match kind {
        Kind::Bool => Arg::Bool(t.eq_ignore_ascii_case("true") || t == "1"),
        Kind::Int => Arg::I64(t.parse().ok()?),
        Kind::Real => Arg::F64(t.parse().ok()?),
        Kind::Text => Arg::Str(t.strip_prefix('\'')?.strip_suffix('\'')?.replace("''", "'")),
    })
}

/// The columns of `table`, in order.
pub async fn columns(db: &Db, table: &str) -> Result<Vec<Column>> {
    let rows = if db.is_postgres() {
        db.rows(
            "SELECT column_name AS name, data_type AS type, \
             CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null, \
             column_default AS dflt FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            &[table.into()],
        )
        .await?
    } else {
        db.rows(
            "SELECT name, type, \"notnull\" OR pk AS not_null, dflt_value AS dflt \
             FROM pragma_table_info($1) ORDER BY cid",
            &[table.into()],
        )
        .await?
    };
    Ok(rows
        .iter()
        .map(|r| {
            let kind = kind_of(&r.str("type"));
            Column {
                name: r.str("name"),
                kind,
                not_null: r.opt_i64("not_null").unwrap_or(0) != 0,
                default: default_of(r.opt_str("dflt"), kind),
            }
        })
        .collect())
}

/// `(column, referenced table)` for each foreign key of `table`.
pub async fn foreign_keys(db: &Db, table: &str) -> Result<Vec<(String, String)>> {
    let rows = if db.is_postgres() {
        db.rows(
            "SELECT a.attname::text AS col, c.confrelid::regclass::text AS target \
             FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.contype = 'f' AND c.conrelid = $1::regclass",
            &[table.into()],
        )
        .await?
    } else {
        db.rows(
            "SELECT \"from\" AS col, \"table\" AS target FROM pragma_foreign_key_list($1)",
            &[table.into()],
        )
        .await?
    };
    Ok(rows
        .iter()
        .map(|r| (r.str("col"), r.str("target")))
        .collect())
}

/// Whether the database holds anything a person made: an import goes into an empty one.
pub async fn is_empty(db: &Db) -> Result<bool> {
    Ok(db.int("SELECT COUNT(*) FROM users", &[]).await? == 0)
}

/// Empties `tables`, last first: rows the migrations wrote (the default queries) give
/// way to Redmine's.
pub async fn clear(tx: &mut Tx<'_>, tables: &[&str]) -> Result<()> {
    for table in tables.iter().rev() {
        tx.exec(&format!("DELETE FROM {table}"), &[]).await?;
    }
    Ok(())
}

/// Sets triggers aside for the copy, in its transaction: the issue stamps' (migration 27:
/// no answer is kept for issues not there yet, and stamping every journal and detail as
/// it came made an import half again as long) and, on PostgreSQL, the deferred ones that
/// keep the totals over every project (each would queue an event per row until the
/// end; `restore` counts those tables once instead). Returns what puts them back.
pub async fn set_triggers_aside(tx: &mut Tx<'_>, postgres: bool) -> Result<Vec<String>> {
    let mut restore = Vec::new();
    if postgres {
        let rows = tx
            .rows(
                "SELECT CAST(t.tgrelid::regclass AS TEXT) AS tbl, t.tgname AS name \
                 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                 WHERE NOT t.tgisinternal \
                 AND c.relnamespace = CAST(current_schema() AS regnamespace) \
                 AND (t.tgname LIKE '%\\_stamped' ESCAPE '\\' OR t.tgname IN \
                 ('issue_totals_counted', 'issue_blocks_counted', 'issue_value_totals_counted', \
                 'issue_project_counts_counted', 'issue_word_totals_counted'))",
                &[],
            )
            .await?;
        for r in rows {
            let (table, name) = (r.str("tbl"), r.str("name"));
            tx.exec(&format!("ALTER TABLE {table} DISABLE TRIGGER {name}"), &[])
                .await?;
            restore.push(format!("ALTER TABLE {table} ENABLE TRIGGER {name}"));
        }
    } else {
        let rows = tx
            .rows(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' \
                 AND name LIKE '%\\_stamped' ESCAPE '\\'",
                &[],
            )
            .await?;
        for r in rows {
            tx.exec(&format!("DROP TRIGGER {}", r.str("name")), &[])
                .await?;
            restore.push(r.str("sql"));
        }
    }
    Ok(restore)
}

/// Puts back what `set_triggers_aside` set aside; on PostgreSQL the totals over every
/// project are counted first from what the copy left.
pub async fn restore(tx: &mut Tx<'_>, postgres: bool, statements: &[String]) -> Result<()> {
    if postgres {
        // the counters' deferred triggers run now: PostgreSQL alters no table with some
        // still pending
        tx.exec("SET CONSTRAINTS ALL IMMEDIATE", &[]).await?;
        for sql in [
            "DELETE FROM issue_totals",
            "INSERT INTO issue_totals (tracker_id, status_id, is_private, n) \
             SELECT tracker_id, status_id, is_private, COUNT(*) FROM issues \
             GROUP BY tracker_id, status_id, is_private",
            "DELETE FROM issue_project_counts",
            "INSERT INTO issue_project_counts (project_id, status_id, is_private, n) \
             SELECT project_id, status_id, is_private, COUNT(*) FROM issues \
             GROUP BY project_id, status_id, is_private",
            "DELETE FROM issue_blocks",
            "INSERT INTO issue_blocks (block, tracker_id, status_id, is_private, n) \
             SELECT id / 4096, tracker_id, status_id, is_private, COUNT(*) FROM issues \
             GROUP BY id / 4096, tracker_id, status_id, is_private",
            "DELETE FROM issue_value_totals",
            "INSERT INTO issue_value_totals \
             (custom_field_id, value, tracker_id, status_id, is_private, n) \
             SELECT custom_field_id, value, tracker_id, status_id, is_private, SUM(n) \
             FROM issue_value_counts \
             GROUP BY custom_field_id, value, tracker_id, status_id, is_private",
            "DELETE FROM issue_word_totals",
            "INSERT INTO issue_word_totals (word, tracker_id, status_id, is_private, n) \
             SELECT word, tracker_id, status_id, is_private, SUM(n) FROM issue_word_counts \
             GROUP BY word, tracker_id, status_id, is_private",
        ] {
            tx.exec(sql, &[]).await?;
        }
    }
    for sql in statements {
        tx.exec(sql, &[]).await?;
    }
    Ok(())
}

/// Sets `column` of the rows `pairs` name (`(id, value)`): a self reference, once every
/// row is in, since a parent may come after its child.
pub async fn set_column(
    tx: &mut Tx<'_>,
    table: &str,
    column: &str,
    pairs: &[(i64, i64)],
) -> Result<()> {
    let sql = format!("UPDATE {table} SET {column} = $1 WHERE id = $2");
    for (id, value) in pairs {
        tx.exec(&sql, &[(*value).into(), (*id).into()]).await?;
    }
    Ok(())
}

/// Makes an issue, whose parent did not come, the root of its subtree: its path and its
/// descendants' start at it.
pub async fn reroot_issue(tx: &mut Tx<'_>, id: i64) -> Result<()> {
    let rows = tx
        .rows("SELECT id_path FROM issues WHERE id = $1", &[id.into()])
        .await?;
    let Some(old) = rows.first().map(|r| r.str("id_path")) else {
        return Ok(());
    };
    let own = format!("{id}/");
    if !old.ends_with(&format!("/{own}")) || old == format!("/{own}") {
        return Ok(());
    }
    // `/…/parent/id/…` → `/id/…`: the part from the issue's own id on
    let from = (old.chars().count() - own.chars().count() + 1) as i64;
    tx.exec(
        "UPDATE issues SET id_path = '/' || substr(id_path, CAST($1 AS INTEGER)) \
         WHERE id_path LIKE $2",
        &[from.into(), format!("{old}%").into()],
    )
    .await?;
    Ok(())
}

/// After rows came with their own ids: PostgreSQL's identity sequences continue past the
/// highest (SQLite's AUTOINCREMENT follows by itself).
pub async fn continue_ids(tx: &mut Tx<'_>, postgres: bool, tables: &[&str]) -> Result<()> {
    if !postgres {
        return Ok(());
    }
    for table in tables {
        tx.rows(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ),
            &[],
        )
        .await?;
    }
    Ok(())
}
