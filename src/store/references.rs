//! Reads behind the references an answer names (parents, subtasks, journal details):
//! which of the issues, versions and categories they point to exist and are visible.

use super::sql::Sql;
use super::{Db, Result};

/// Which of `ids` satisfy a visibility condition on `issues i`, in one statement.
pub async fn visible_among(db: &Db, visible: &Sql, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT i.id FROM issues i WHERE (");
    super::issue_query::append(&mut sql, visible);
    sql.push(") AND ");
    super::issue_query::in_list(&mut sql, "i.id", ids);
    id_column(db, &sql).await
}

/// Which of `ids` exist, each with whether it satisfies a visibility condition on
/// `issues i`, in one statement.
pub async fn issues_seen(db: &Db, visible: &Sql, ids: &[i64]) -> Result<Vec<(i64, bool)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new("SELECT i.id, CASE WHEN (");
    super::issue_query::append(&mut sql, visible);
    sql.push(") THEN 1 ELSE 0 END AS seen FROM issues i WHERE ");
    super::issue_query::in_list(&mut sql, "i.id", ids);
    Ok(db
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| (r.i64("id"), r.i64("seen") == 1))
        .collect())
}

/// Which of these ids exist in `table` (a table of carmine's, named in the code), in one
/// statement.
pub async fn existing(db: &Db, table: &'static str, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("SELECT id FROM {table} WHERE "));
    super::issue_query::in_list(&mut sql, "id", ids);
    id_column(db, &sql).await
}

/// The `id` column of a statement's rows.
async fn id_column(db: &Db, sql: &Sql) -> Result<Vec<i64>> {
    Ok(db
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect())
}

/// A subtask as `include=children` shows it.
pub struct Child {
    pub id: i64,
    pub parent_id: i64,
    pub tracker: (i64, String),
    pub subject: String,
}

/// The visible subtasks under `of`, level by level (one statement per level, through the
/// parent index); a hidden subtask hides its own subtree too.
pub async fn visible_descendants(db: &Db, visible: &Sql, of: i64) -> Result<Vec<Child>> {
    let mut out: Vec<Child> = Vec::new();
    let mut level = vec![of];
    while !level.is_empty() {
        let mut sql = Sql::new(
            "SELECT i.id, i.parent_id, t.id AS tracker_id, t.name AS tracker_name, i.subject \
             FROM issues i JOIN trackers t ON t.id = i.tracker_id WHERE (",
        );
        super::issue_query::append(&mut sql, visible);
        sql.push(") AND ");
        super::issue_query::in_list(&mut sql, "i.parent_id", &level);
        sql.push(" ORDER BY i.id");
        let rows = db.rows(&sql.text, &sql.args).await?;
        level = rows.iter().map(|r| r.i64("id")).collect();
        out.extend(rows.iter().map(|r| Child {
            id: r.i64("id"),
            parent_id: r.i64("parent_id"),
            tracker: (r.i64("tracker_id"), r.str("tracker_name")),
            subject: r.str("subject"),
        }));
    }
    Ok(out)
}

/// The projects of these versions and categories: `(kind, id, project_id)` rows, where
/// kind is `version` or `category`.
pub async fn owners_of(
    db: &Db,
    versions: &[i64],
    categories: &[i64],
) -> Result<Vec<(&'static str, i64, i64)>> {
    let mut out = Vec::new();
    for (kind, table, ids) in [
        ("version", "versions", versions),
        ("category", "issue_categories", categories),
    ] {
        if ids.is_empty() {
            continue;
        }
        let mut sql = Sql::new(&format!("SELECT id, project_id FROM {table} WHERE "));
        super::issue_query::in_list(&mut sql, "id", ids);
        for r in db.rows(&sql.text, &sql.args).await? {
            out.push((kind, r.i64("id"), r.i64("project_id")));
        }
    }
    Ok(out)
}

/// The estimated hours of each of these issues with its descendants the caller sees,
/// in one statement: `(id, total)`.
pub async fn visible_totals(
    db: &Db,
    visible: &Sql,
    ids: &[i64],
) -> Result<Vec<(i64, Option<f64>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT p.id AS id, SUM(i.estimated_hours) AS total FROM issues p \
         JOIN issues i ON (i.id_path >= p.id_path AND i.id_path < p.id_path || ':') WHERE ",
    );
    super::issue_query::in_list(&mut sql, "p.id", ids);
    // The visibility condition is written for the alias `i`, so the descendants take
    // it: as `IN (SELECT …)` SQLite listed every visible issue first (0.7 s at 1,000,000).
    sql.push(" AND (");
    super::issue_query::append(&mut sql, visible);
    sql.push(") GROUP BY p.id");
    Ok(db
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| (r.i64("id"), r.opt_f64("total")))
        .collect())
}

/// An issue's descendants in tree order: `(id, tracker_id, project_id)`.
pub async fn descendants(db: &Db, id: i64, id_path: &str) -> Result<Vec<(i64, i64, i64)>> {
    Ok(db
        .rows(
            "SELECT id, tracker_id, project_id FROM issues \
             WHERE id_path >= $1 AND id_path < $1 || ':' AND id <> $2 ORDER BY id_path",
            &[id_path.into(), id.into()],
        )
        .await?
        .iter()
        .map(|r| (r.i64("id"), r.i64("tracker_id"), r.i64("project_id")))
        .collect())
}

/// The ids of a project and its descendants.
pub async fn project_subtree(db: &Db, id_path: &str) -> Result<Vec<i64>> {
    Ok(db
        .rows(
            "SELECT id FROM projects WHERE substr(id_path, 1, CAST($1 AS INTEGER)) = $2",
            &[(id_path.chars().count() as i64).into(), id_path.into()],
        )
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect())
}
