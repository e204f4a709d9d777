//! Issues and their journals.

use super::sql::Sql;
use super::{now, Arg, Db, FromRow, Result, Row};

#[derive(Debug, Clone)]
pub struct Issue {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub tracker_id: i64,
    pub tracker_name: String,
    pub status_id: i64,
    pub status_name: String,
    pub status_closed: bool,
    pub priority_id: i64,
    pub priority_name: String,
    pub author_id: i64,
    pub author_name: String,
    pub assigned_to: Option<(i64, String)>,
    pub category: Option<(i64, String)>,
    pub fixed_version: Option<(i64, String)>,
    pub parent_id: Option<i64>,
    pub subject: String,
    pub description: Option<String>,
    pub start_date: Option<String>,
    pub due_date: Option<String>,
    pub done_ratio: i64,
    pub is_private: bool,
    pub estimated_hours: Option<f64>,
    pub created_on: i64,
    pub updated_on: i64,
    pub closed_on: Option<i64>,
}

fn principal_name(kind: &str, first: String, last: String) -> String {
    if kind == "User" {
        format!("{first} {last}")
    } else {
        last
    }
}

impl FromRow for Issue {
    fn from_row(r: &Row) -> Self {
        let pair = |id: &str, name: &str| r.opt_i64(id).zip(r.opt_str(name));
        Issue {
            id: r.i64("id"),
            project_id: r.i64("project_id"),
            project_name: r.str("project_name"),
            tracker_id: r.i64("tracker_id"),
            tracker_name: r.str("tracker_name"),
            status_id: r.i64("status_id"),
            status_name: r.str("status_name"),
            status_closed: r.bool("status_closed"),
            priority_id: r.i64("priority_id"),
            priority_name: r.str("priority_name"),
            author_id: r.i64("author_id"),
            author_name: principal_name(&r.str("au_type"), r.str("au_first"), r.str("au_last")),
            assigned_to: r.opt_i64("as_id").map(|id| {
                (
                    id,
                    principal_name(&r.str("as_type"), r.str("as_first"), r.str("as_last")),
                )
            }),
            category: pair("category_id", "category_name"),
            fixed_version: pair("fixed_version_id", "version_name"),
            parent_id: r.opt_i64("parent_id"),
            subject: r.str("subject"),
            description: r.opt_str("description"),
            start_date: r.opt_str("start_date"),
            due_date: r.opt_str("due_date"),
            done_ratio: r.i64("done_ratio"),
            is_private: r.bool("is_private"),
            estimated_hours: r.opt_f64("estimated_hours"),
            created_on: r.i64("created_on"),
            updated_on: r.i64("updated_on"),
            closed_on: r.opt_i64("closed_on"),
        }
    }
}

pub const SELECT: &str = "SELECT i.id, i.project_id, p.name AS project_name, i.tracker_id, \
    t.name AS tracker_name, i.status_id, s.name AS status_name, s.is_closed AS status_closed, \
    i.priority_id, e.name AS priority_name, i.author_id, au.type AS au_type, \
    au.firstname AS au_first, au.lastname AS au_last, asg.id AS as_id, asg.type AS as_type, \
    asg.firstname AS as_first, asg.lastname AS as_last, i.category_id, c.name AS category_name, \
    i.fixed_version_id, v.name AS version_name, i.parent_id, i.subject, i.description, \
    i.start_date, i.due_date, i.done_ratio, i.is_private, i.estimated_hours, i.lock_version, \
    i.created_on, i.updated_on, i.closed_on \
    FROM issues i JOIN projects p ON p.id = i.project_id \
    JOIN trackers t ON t.id = i.tracker_id JOIN issue_statuses s ON s.id = i.status_id \
    LEFT JOIN enumerations e ON e.id = i.priority_id \
    LEFT JOIN users au ON au.id = i.author_id LEFT JOIN users asg ON asg.id = i.assigned_to_id \
    LEFT JOIN issue_categories c ON c.id = i.category_id \
    LEFT JOIN versions v ON v.id = i.fixed_version_id ";

pub async fn find(db: &Db, id: i64) -> Result<Option<Issue>> {
    db.opt(&format!("{SELECT} WHERE i.id = $1"), &[id.into()])
        .await
}

/// One page of the issues matching `conditions`, and how many match.
pub async fn list(
    db: &Db,
    conditions: &Sql,
    order: &str,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Issue>)> {
    let count = format!(
        "SELECT COUNT(*) FROM issues i JOIN projects p ON p.id = i.project_id \
         JOIN issue_statuses s ON s.id = i.status_id WHERE {}",
        conditions.text
    );
    let total = db.int(&count, &conditions.args).await?;
    let mut page = Sql::new(&format!(
        "{SELECT} WHERE {} ORDER BY {order}",
        conditions.text
    ));
    page.args = conditions.args.clone();
    page.push(" LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let issues = db.all(&page.text, &page.args).await?;
    Ok((total, issues))
}

/// Column values of an issue being written, by column name.
pub type Columns = Vec<(&'static str, Arg)>;

/// A journal to write with an update: notes and the changed values.
#[derive(Debug, Clone, Default)]
pub struct NewJournal {
    pub notes: Option<String>,
    pub private_notes: bool,
    /// `(property, prop_key, old, new)`
    pub details: Vec<(String, String, Option<String>, Option<String>)>,
}

pub async fn create(db: &Db, cols: &Columns, parent_path: Option<String>) -> Result<i64> {
    let t = now();
    let mut tx = db.begin().await?;
    let mut sql = Sql::new("INSERT INTO issues (created_on, updated_on");
    for (c, _) in cols {
        sql.push(", ").push(c);
    }
    sql.push(") VALUES (").bind(t).push(", ").bind(t);
    for (_, v) in cols {
        sql.push(", ").bind(v.clone());
    }
    sql.push(") RETURNING id");
    let id = tx.int(&sql.text, &sql.args).await?;
    tx.exec(
        "UPDATE issues SET id_path = $1 WHERE id = $2",
        &[
            format!("{}{id}/", parent_path.unwrap_or_else(|| "/".into())).into(),
            id.into(),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Why an update did not happen.
#[derive(Debug)]
pub enum UpdateError {
    /// The client's `lock_version` is not the stored one.
    Stale,
    Db(super::Error),
}

impl From<super::Error> for UpdateError {
    fn from(e: super::Error) -> Self {
        UpdateError::Db(e)
    }
}

/// Saves changed columns and the journals in one transaction. Every save moves
/// `updated_on` and the lock version, as Redmine's do; with `expected_lock` a concurrent
/// change makes it fail instead.
pub async fn update(
    db: &Db,
    id: i64,
    user_id: i64,
    cols: &Columns,
    journals: &[NewJournal],
    expected_lock: Option<i64>,
) -> std::result::Result<(), UpdateError> {
    let t = now();
    let mut tx = db.begin().await?;
    let mut sql = Sql::new("UPDATE issues SET updated_on = ");
    sql.bind(t).push(", lock_version = lock_version + 1");
    for (c, v) in cols {
        sql.push(", ").push(c).push(" = ").bind(v.clone());
    }
    sql.push(" WHERE id = ").bind(id);
    if let Some(lock) = expected_lock {
        sql.push(" AND lock_version = ").bind(lock);
    }
    if tx.exec(&sql.text, &sql.args).await? == 0 {
        return Err(UpdateError::Stale);
    }
    for j in journals {
        let jid = tx
            .int(
                "INSERT INTO journals (journalized_id, journalized_type, user_id, notes, private_notes, created_on) \
                 VALUES ($1, 'Issue', $2, $3, $4, $5) RETURNING id",
                &[id.into(), user_id.into(), j.notes.clone().into(), j.private_notes.into(), t.into()],
            )
            .await?;
        for (property, key, old, new) in &j.details {
            tx.exec(
                "INSERT INTO journal_details (journal_id, property, prop_key, old_value, value) VALUES ($1, $2, $3, $4, $5)",
                &[jid.into(), property.into(), key.into(), old.clone().into(), new.clone().into()],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Journal {
    pub id: i64,
    pub user: Option<(i64, String)>,
    pub notes: Option<String>,
    pub private_notes: bool,
    pub created_on: i64,
    pub details: Vec<(String, String, Option<String>, Option<String>)>,
}

pub async fn journals(db: &Db, issue_id: i64) -> Result<Vec<Journal>> {
    let rows = db
        .rows(
            "SELECT j.id, j.user_id, u.type, u.firstname, u.lastname, j.notes, j.private_notes, j.created_on \
             FROM journals j LEFT JOIN users u ON u.id = j.user_id \
             WHERE j.journalized_type = 'Issue' AND j.journalized_id = $1 ORDER BY j.created_on, j.id",
            &[issue_id.into()],
        )
        .await?;
    let details = db
        .rows(
            "SELECT d.journal_id, d.property, d.prop_key, d.old_value, d.value FROM journal_details d \
             JOIN journals j ON j.id = d.journal_id \
             WHERE j.journalized_type = 'Issue' AND j.journalized_id = $1 ORDER BY d.id",
            &[issue_id.into()],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let id = r.i64("id");
            Journal {
                id,
                user: r.opt_str("type").map(|t| {
                    (
                        r.i64("user_id"),
                        principal_name(&t, r.str("firstname"), r.str("lastname")),
                    )
                }),
                notes: r.opt_str("notes"),
                private_notes: r.bool("private_notes"),
                created_on: r.i64("created_on"),
                details: details
                    .iter()
                    .filter(|d| d.i64("journal_id") == id)
                    .map(|d| {
                        (
                            d.str("property"),
                            d.str("prop_key"),
                            d.opt_str("old_value"),
                            d.opt_str("value"),
                        )
                    })
                    .collect(),
            }
        })
        .collect())
}

/// Deletes an issue with its subtasks and their journals.
pub async fn delete(db: &Db, issue: &Issue) -> Result<()> {
    let mut tx = db.begin().await?;
    let path = tx
        .rows(
            "SELECT id_path FROM issues WHERE id = $1",
            &[issue.id.into()],
        )
        .await?
        .first()
        .map(|r| r.str("id_path"))
        .unwrap_or_default();
    let ids: Vec<i64> = tx
        .rows(
            "SELECT id FROM issues WHERE substr(id_path, 1, CAST($1 AS INTEGER)) = $2 ORDER BY id_path DESC",
            &[(path.chars().count() as i64).into(), path.into()],
        )
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect();
    for id in ids {
        tx.exec(
            "DELETE FROM journals WHERE journalized_type = 'Issue' AND journalized_id = $1",
            &[id.into()],
        )
        .await?;
        tx.exec("DELETE FROM issues WHERE id = $1", &[id.into()])
            .await?;
    }
    tx.commit().await
}

pub async fn id_path(db: &Db, id: i64) -> Result<Option<String>> {
    Ok(db
        .rows("SELECT id_path FROM issues WHERE id = $1", &[id.into()])
        .await?
        .first()
        .map(|r| r.str("id_path")))
}

/// Workflow transitions of a tracker for some roles.
pub async fn transitions(
    db: &Db,
    tracker_id: i64,
    role_ids: &[i64],
) -> Result<Vec<crate::domain::issues::Transition>> {
    if role_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT role_id, old_status_id, new_status_id, author, assignee FROM workflows \
         WHERE type = 'WorkflowTransition' AND tracker_id = ",
    );
    sql.bind(tracker_id).push(" AND role_id IN (");
    for (i, r) in role_ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*r);
    }
    sql.push(")");
    Ok(db
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| crate::domain::issues::Transition {
            role_id: r.i64("role_id"),
            old_status_id: r.i64("old_status_id"),
            new_status_id: r.i64("new_status_id"),
            author: r.bool("author"),
            assignee: r.bool("assignee"),
        })
        .collect())
}

/// Users who may be assigned issues in the project: members with an assignable role.
pub async fn assignable_ids(db: &Db, project_id: i64) -> Result<Vec<i64>> {
    Ok(db
        .rows(
            "SELECT DISTINCT m.user_id FROM members m JOIN member_roles mr ON mr.member_id = m.id \
             JOIN roles r ON r.id = mr.role_id JOIN users u ON u.id = m.user_id \
             WHERE m.project_id = $1 AND r.assignable = TRUE AND u.type = 'User' AND u.status = 1",
            &[project_id.into()],
        )
        .await?
        .iter()
        .map(|r| r.i64("user_id"))
        .collect())
}
