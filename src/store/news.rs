//! News rows and their comments.

use super::attachments::{self, Attach};
use super::sql::{in_list, Sql};
use super::{now, Db, FromRow, Result, Row, Tx};
pub use crate::domain::news::{Comment, News};
use crate::domain::users::principal_name;

fn author_name(r: &Row) -> Option<String> {
    r.opt_str("a_type").map(|t| {
        principal_name(
            &t,
            &r.opt_str("a_first").unwrap_or_default(),
            &r.opt_str("a_last").unwrap_or_default(),
        )
    })
}

impl FromRow for News {
    fn from_row(r: &Row) -> Self {
        News {
            id: r.i64("id"),
            project_id: r.i64("project_id"),
            project_name: r.str("project_name"),
            author_id: r.i64("author_id"),
            author_name: author_name(r),
            title: r.str("title"),
            summary: r.opt_str("summary"),
            description: r.opt_str("description"),
            created_on: r.i64("created_on"),
        }
    }
}

const SELECT: &str = "SELECT n.id, n.project_id, p.name AS project_name, n.author_id, \
    u.type AS a_type, u.firstname AS a_first, u.lastname AS a_last, n.title, n.summary, \
    n.description, n.created_on FROM news n JOIN projects p ON p.id = n.project_id \
    LEFT JOIN users u ON u.id = n.author_id ";

/// A page of the news of some projects, newest first, and how many there are.
pub async fn list(db: &Db, projects: &[i64], offset: i64, limit: i64) -> Result<(i64, Vec<News>)> {
    let mut cond = Sql::new("");
    in_list(&mut cond, "n.project_id", projects);
    let total = db
        .int(
            &format!("SELECT COUNT(*) FROM news n WHERE {}", cond.text),
            &cond.args,
        )
        .await?;
    let mut page = Sql::new(&format!(
        "{SELECT} WHERE {} ORDER BY n.created_on DESC, n.id DESC",
        cond.text
    ));
    page.args = cond.args;
    page.page(db.is_postgres(), limit, offset);
    Ok((total, db.all(&page.text, &page.args).await?))
}

pub async fn find(db: &Db, id: i64) -> Result<Option<News>> {
    db.opt(&format!("{SELECT} WHERE n.id = $1"), &[id.into()])
        .await
}

/// The project of a news item.
pub async fn project_of(db: &Db, id: i64) -> Result<Option<i64>> {
    Ok(db
        .rows("SELECT project_id FROM news WHERE id = $1", &[id.into()])
        .await?
        .first()
        .map(|r| r.i64("project_id")))
}

/// The comments on a news item, oldest first.
pub async fn comments(db: &Db, news: i64) -> Result<Vec<Comment>> {
    Ok(db
        .rows(
            "SELECT c.id, c.author_id, c.content, u.type AS a_type, u.firstname AS a_first, \
             u.lastname AS a_last FROM comments c LEFT JOIN users u ON u.id = c.author_id \
             WHERE c.commented_type = 'News' AND c.commented_id = $1 \
             ORDER BY c.created_on, c.id",
            &[news.into()],
        )
        .await?
        .iter()
        .map(|r| Comment {
            id: r.i64("id"),
            author_id: r.i64("author_id"),
            author_name: author_name(r),
            content: r.opt_str("content"),
        })
        .collect())
}

/// What a write sets; `None` keeps the stored value (`summary: Some(None)` stores NULL).
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub title: Option<String>,
    pub summary: Option<Option<String>>,
    pub description: Option<Option<String>>,
}

/// Creates a news item with its files; `None` (nothing written) when an upload was taken
/// meanwhile.
pub async fn create(
    db: &Db,
    project: i64,
    author: i64,
    f: &Fields,
    files: &[Attach],
) -> Result<Option<i64>> {
    let mut tx = db.begin().await?;
    // a summary never given keeps the column's default
    let summary = match &f.summary {
        Some(s) => s.clone(),
        None => Some(String::new()),
    };
    let id = tx
        .int(
            "INSERT INTO news (project_id, title, summary, description, author_id, created_on) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[
                project.into(),
                f.title.clone().unwrap_or_default().into(),
                summary.into(),
                f.description.clone().flatten().into(),
                author.into(),
                now().into(),
            ],
        )
        .await?;
    if !attachments::attach(&mut tx, ("News", id), files).await? {
        return Ok(None);
    }
    tx.commit().await?;
    Ok(Some(id))
}

/// Changes a news item and attaches files; false (nothing written) when an upload was
/// taken meanwhile.
pub async fn update(db: &Db, id: i64, f: &Fields, files: &[Attach]) -> Result<bool> {
    let mut tx = db.begin().await?;
    let mut sql = Sql::new("UPDATE news SET id = id");
    if let Some(t) = &f.title {
        sql.push(", title = ").bind(t.clone());
    }
    if let Some(s) = &f.summary {
        sql.push(", summary = ").bind(s.clone());
    }
    if let Some(d) = &f.description {
        sql.push(", description = ").bind(d.clone());
    }
    sql.push(" WHERE id = ").bind(id);
    tx.exec(&sql.text, &sql.args).await?;
    if !attachments::attach(&mut tx, ("News", id), files).await? {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// Deletes a news item, its comments and its attachments; returns the files to remove.
pub async fn delete(db: &Db, id: i64) -> Result<Vec<(String, String)>> {
    let mut tx = db.begin().await?;
    let files = delete_in(&mut tx, &[id]).await?;
    tx.commit().await?;
    Ok(files)
}

/// Deletes news items with what hangs on them by type and id, inside a transaction.
pub async fn delete_in(tx: &mut Tx<'_>, ids: &[i64]) -> Result<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let attached = attachments::ids_of(tx, "News", ids).await?;
    let files = attachments::delete(tx, &attached).await?;
    let mut sql = Sql::new("DELETE FROM comments WHERE commented_type = 'News' AND ");
    in_list(&mut sql, "commented_id", ids);
    tx.exec(&sql.text, &sql.args).await?;
    let mut sql = Sql::new("DELETE FROM news WHERE ");
    in_list(&mut sql, "id", ids);
    tx.exec(&sql.text, &sql.args).await?;
    Ok(files)
}

/// The news ids of a project.
pub async fn ids_of_project(tx: &mut Tx<'_>, project: i64) -> Result<Vec<i64>> {
    Ok(tx
        .rows(
            "SELECT id FROM news WHERE project_id = $1",
            &[project.into()],
        )
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect())
}
