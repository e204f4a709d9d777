//! Saved queries (read-only through the API).

use super::projects::Visibility;
use super::sql::Sql;
use super::{Db, FromRow, Result, Row};

#[derive(Debug, Clone)]
pub struct Query {
    pub id: i64,
    pub project_id: Option<i64>,
    pub name: String,
    pub filters: String,
    pub sort_criteria: String,
    pub group_by: Option<String>,
    pub visibility: i64,
}

impl FromRow for Query {
    fn from_row(r: &Row) -> Self {
        Query {
            id: r.i64("id"),
            project_id: r.opt_i64("project_id"),
            name: r.str("name"),
            filters: r.str("filters"),
            sort_criteria: r.str("sort_criteria"),
            group_by: r.opt_str("group_by").filter(|g| !g.is_empty()),
            visibility: r.i64("visibility"),
        }
    }
}

/// The queries of one type the caller may see (queries.md §1.3): global ones, and those
/// of `projects`, where the caller holds the type's view permission.
fn visible_sql(kind: &str, v: Visibility, projects: &[i64]) -> Sql {
    let mut sql = Sql::new("q.type = ");
    sql.bind(kind).push(" AND (q.project_id IS NULL OR ");
    super::issue_query::in_list(&mut sql, "q.project_id", projects);
    sql.push(")");
    match v {
        Visibility::Admin => {
            sql.push(" AND q.visibility <> 0");
        }
        Visibility::User(uid) => {
            sql.push(" AND (q.visibility = 2 OR q.user_id = ")
                .bind(uid)
                .push(
                    " OR (q.visibility = 1 AND EXISTS (SELECT 1 FROM queries_roles qr \
                     JOIN member_roles mr ON mr.role_id = qr.role_id JOIN members m ON m.id = mr.member_id \
                     JOIN projects mp ON mp.id = m.project_id WHERE qr.query_id = q.id AND mp.status <> 9 \
                     AND (q.project_id IS NULL OR m.project_id = q.project_id) AND m.user_id = ",
                )
                .bind(uid)
                .push(")))");
        }
        Visibility::Anonymous => {
            sql.push(" AND q.visibility = 2");
        }
    }
    sql
}

pub async fn list(
    db: &Db,
    kind: &str,
    v: Visibility,
    projects: &[i64],
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Query>)> {
    let cond = visible_sql(kind, v, projects);
    let total = db
        .int(
            &format!("SELECT COUNT(*) FROM queries q WHERE {}", cond.text),
            &cond.args,
        )
        .await?;
    let mut page = Sql::new(&format!(
        "SELECT q.id, q.type, q.project_id, q.name, q.filters, q.sort_criteria, q.group_by, q.visibility \
         FROM queries q WHERE {} ORDER BY q.name, q.id",
        cond.text
    ));
    page.args = cond.args.clone();
    page.page(db.is_postgres(), limit, offset);
    Ok((total, db.all(&page.text, &page.args).await?))
}

/// A query of this type the caller may see.
/// Whether a query of `kind` with this id exists, whoever may see it.
pub async fn exists(db: &Db, id: i64, kind: &str) -> Result<bool> {
    Ok(db
        .int(
            "SELECT COUNT(*) FROM queries WHERE id = $1 AND type = $2",
            &[id.into(), kind.into()],
        )
        .await?
        > 0)
}

pub async fn find_visible(
    db: &Db,
    id: i64,
    kind: &str,
    v: Visibility,
    projects: &[i64],
) -> Result<Option<Query>> {
    let mut sql = visible_sql(kind, v, projects);
    sql.push(" AND q.id = ").bind(id);
    db.opt(
        &format!(
            "SELECT q.id, q.type, q.project_id, q.name, q.filters, q.sort_criteria, q.group_by, q.visibility \
             FROM queries q WHERE {}",
            sql.text
        ),
        &sql.args,
    )
    .await
}
