//! Issues: reading, listing, creating, updating (moves, subtasks, relations' effects)
//! and deleting them.

use super::journals::{add_journal, child_journal};
use super::rollup::recalculate_ancestors;
use super::sql::Sql;
use super::{now, Db, FromRow, Result, Row};
use crate::domain::users::principal_name;

pub use crate::domain::issues::Issue;

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
            author_name: principal_name(&r.str("au_type"), &r.str("au_first"), &r.str("au_last")),
            assigned_to: r.opt_i64("as_id").map(|id| {
                (
                    id,
                    principal_name(&r.str("as_type"), &r.str("as_first"), &r.str("as_last")),
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
            id_path: r.str("id_path"),
            has_children: r.bool("has_children"),
            total_estimated: r.opt_f64("total_estimated"),
        }
    }
}

/// The tables an issue's names come from, by alias, each as a join from `issues i`
/// (every issue has its project, tracker and status; the others may be unset). An
/// issue's row joins them all; a page's ids join those its order reads.
pub const NAME_JOINS: &[(&str, &str)] = &[
    ("p", " JOIN projects p ON p.id = i.project_id"),
    ("t", " JOIN trackers t ON t.id = i.tracker_id"),
    ("s", " JOIN issue_statuses s ON s.id = i.status_id"),
    ("e", " LEFT JOIN enumerations e ON e.id = i.priority_id"),
    ("au", " LEFT JOIN users au ON au.id = i.author_id"),
    ("asg", " LEFT JOIN users asg ON asg.id = i.assigned_to_id"),
    ("c", " LEFT JOIN issue_categories c ON c.id = i.category_id"),
    ("v", " LEFT JOIN versions v ON v.id = i.fixed_version_id"),
];

/// The names an issue's row shows beside its ids: the column and its value, read from
/// one of `NAME_JOINS` by its alias.
#[rustfmt::skip]
const NAMES: &[(&str, &str)] = &[
    ("project_name", "p.name"),
    ("tracker_name", "t.name"),
    ("status_name", "s.name"),
    ("status_closed", "s.is_closed"),
    ("priority_name", "e.name"),
    ("au_type", "au.type"),
    ("au_first", "au.firstname"),
    ("au_last", "au.lastname"),
    ("as_id", "asg.id"),
    ("as_type", "asg.type"),
    ("as_first", "asg.firstname"),
    ("as_last", "asg.lastname"),
    ("category_name", "c.name"),
    ("version_name", "v.name"),
];

/// A name's value looked up by itself: `(SELECT value FROM table WHERE key)`, from the
/// join its alias names.
fn looked_up(value: &str) -> String {
    let alias = value.split('.').next().unwrap_or_default();
    let (_, join) = NAME_JOINS
        .iter()
        .find(|(a, _)| *a == alias)
        .expect("every name's alias has its join");
    let (_, on) = join.split_once(" JOIN ").expect("a join");
    let (table, key) = on.split_once(" ON ").expect("a join's key");
    format!("(SELECT {value} FROM {table} WHERE {key})")
}

/// `SELECT` an issue's row with its names, `FROM issues i` (a `WHERE` follows). SQLite
/// joins the names' tables. PostgreSQL looks each name up by itself: it plans most runs
/// of a statement afresh, and choosing the order of nine joined tables took it 11 ms,
/// where reading a page's rows takes under 1 ms.
pub fn select(db: &Db) -> &'static str {
    static SQL: std::sync::OnceLock<[String; 2]> = std::sync::OnceLock::new();
    let [joined, separate] = SQL.get_or_init(|| {
        let sql = |names: &str, joins: &str| {
            format!(
                "SELECT i.id, i.project_id, i.tracker_id, i.status_id, i.priority_id, \
                 i.author_id, i.category_id, i.fixed_version_id, {names}, i.parent_id, \
                 i.subject, i.description, i.start_date, i.due_date, i.done_ratio, \
                 i.is_private, i.estimated_hours, i.lock_version, i.created_on, \
                 i.updated_on, i.closed_on, i.id_path, \
                 CASE WHEN EXISTS (SELECT 1 FROM issues ch WHERE ch.parent_id = i.id) \
                   THEN 1 ELSE 0 END AS has_children, \
                 CASE WHEN EXISTS (SELECT 1 FROM issues ch WHERE ch.parent_id = i.id) THEN \
                   COALESCE((SELECT SUM(x.estimated_hours) FROM issues x \
                     WHERE (x.id_path >= i.id_path AND x.id_path < i.id_path || ':')), 0) \
                   END AS total_estimated \
                 FROM issues i{joins} "
            )
        };
        let names = |each: &dyn Fn(&str) -> String| {
            NAMES
                .iter()
                .map(|(col, value)| format!("{} AS {col}", each(value)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let joins: String = NAME_JOINS.iter().map(|(_, join)| *join).collect();
        [
            sql(&names(&|value| value.to_owned()), &joins),
            sql(&names(&looked_up), ""),
        ]
    });
    if db.is_postgres() {
        separate
    } else {
        joined
    }
}

pub async fn find(db: &Db, id: i64) -> Result<Option<Issue>> {
    db.opt(&format!("{} WHERE i.id = $1", select(db)), &[id.into()])
        .await
}

/// What an issue's kept answer must still match (migration 27): the issue's own stamp and
/// the counter of changes to who may see any issue, in one statement.
pub async fn stamps(db: &Db, id: i64) -> Result<[i64; 2]> {
    let sql = format!("SELECT {}", stamp_columns("$1"));
    let rows = db.rows(&sql, &[id.into()]).await?;
    Ok(rows.first().map_or([0, 0], stamps_of))
}

/// The columns `own` and `seen` of the stamps of the issue `param` names, for a statement
/// that reads them with something else (a request's credentials).
pub fn stamp_columns(param: &str) -> String {
    format!(
        "COALESCE((SELECT n FROM issue_stamps WHERE issue_id = {param}), 0) AS own, \
         (SELECT value FROM change_counter WHERE id = 2) AS seen"
    )
}

pub fn stamps_of(r: &Row) -> [i64; 2] {
    [r.i64("own"), r.opt_i64("seen").unwrap_or(0)]
}

pub use super::issue_page::{list, Sum};

pub use crate::domain::issue_changes::{Columns, NewJournal};

/// Inserts an issue. Under a parent, the parent gets a `child_id` journal and every
/// ancestor's derived attributes are recomputed.
pub async fn create(
    db: &Db,
    cols: &Columns,
    parent: Option<(i64, String)>,
    user: i64,
    default_priority: i64,
    custom: &[(i64, Vec<String>)],
) -> Result<i64> {
    let t = now();
    let mut tx = db.begin().await?;
    // a new issue is at lock_version 1, as Redmine's second save after creation leaves it
    let mut sql = Sql::new("INSERT INTO issues (lock_version, created_on, updated_on");
    for (c, _) in cols {
        sql.push(", ").push(c);
    }
    sql.push(") VALUES (1, ").bind(t).push(", ").bind(t);
    for (_, v) in cols {
        sql.push(", ").bind(v.clone());
    }
    sql.push(") RETURNING id");
    let id = tx.int(&sql.text, &sql.args).await?;
    let base = parent
        .as_ref()
        .map(|(_, p)| p.clone())
        .unwrap_or_else(|| "/".into());
    let path = format!("{base}{id}/");
    tx.exec(
        "UPDATE issues SET id_path = $1 WHERE id = $2",
        &[path.clone().into(), id.into()],
    )
    .await?;
    super::custom_values::set(&mut tx, "Issue", id, custom).await?;
    if let Some((pid, _)) = parent {
        child_journal(&mut tx, pid, user, None, Some(id)).await?;
        recalculate_ancestors(&mut tx, &path, default_priority).await?;
    }
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
/// A new parent for an issue being updated: `None` makes it a root.
pub type NewParent = Option<(i64, String)>;

/// What an update sets off beyond the issue itself (issues.md §6.5).
pub struct Consequences<'a> {
    pub calendar: &'a crate::domain::relations::Calendar,
    /// Moved to another project while relations must stay within one.
    pub drop_relations: bool,
    /// Closed with this status: the open issues duplicating it close too, with the notes.
    pub close_duplicates: Option<(i64, Option<String>, bool)>,
    /// On a move: the versions the destination may use (subtasks moving along keep theirs
    /// only if it is one of them).
    pub shared_versions: &'a [i64],
}

#[allow(clippy::too_many_arguments)]
pub async fn update(
    db: &Db,
    issue: &Issue,
    user_id: i64,
    cols: &Columns,
    journals: &[NewJournal],
    expected_lock: Option<i64>,
    new_parent: Option<NewParent>,
    default_priority: i64,
    moved_to: Option<i64>,
    custom: &[(i64, Vec<String>)],
    then: &Consequences<'_>,
) -> std::result::Result<(), UpdateError> {
    let id = issue.id;
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
        add_journal(
            &mut tx,
            id,
            user_id,
            j.notes.clone(),
            j.private_notes,
            &j.details,
        )
        .await?;
    }
    super::custom_values::set(&mut tx, "Issue", id, custom).await?;
    if let Some(project) = moved_to {
        if then.drop_relations {
            let moving: Vec<i64> = tx
                .rows(
                    "SELECT id FROM issues WHERE (project_id = $1 OR id = $3) \
                     AND id_path >= $2 AND id_path < $2 || ':'",
                    &[
                        issue.project_id.into(),
                        issue.id_path.clone().into(),
                        issue.id.into(),
                    ],
                )
                .await?
                .iter()
                .map(|r| r.i64("id"))
                .collect();
            super::relations::drop_of(&mut tx, &moving).await?;
        }
        // subtasks in the old project move along, as Redmine moves them: a category becomes
        // the destination's of the same name (or none), a version it cannot use is dropped
        let subtree = issue.id_path.clone();
        tx.exec(
            "UPDATE issues SET category_id = (SELECT c2.id FROM issue_categories c2 \
             JOIN issue_categories c1 ON c1.name = c2.name \
             WHERE c1.id = issues.category_id AND c2.project_id = $1) \
             WHERE project_id = $2 AND id <> $3 AND category_id IS NOT NULL \
             AND id_path >= $4 AND id_path < $4 || ':'",
            &[
                project.into(),
                issue.project_id.into(),
                issue.id.into(),
                subtree.clone().into(),
            ],
        )
        .await?;
        let mut drop_versions =
            Sql::new("UPDATE issues SET fixed_version_id = NULL WHERE project_id = ");
        drop_versions
            .bind(issue.project_id)
            .push(" AND id <> ")
            .bind(issue.id)
            .push(" AND id_path >= ")
            .bind(subtree.clone())
            .push(" AND id_path < ")
            .bind(format!("{subtree}:"))
            .push(" AND fixed_version_id IS NOT NULL");
        if !then.shared_versions.is_empty() {
            drop_versions.push(" AND NOT ");
            super::sql::in_list(&mut drop_versions, "fixed_version_id", then.shared_versions);
        }
        tx.exec(&drop_versions.text, &drop_versions.args).await?;
        tx.exec(
            "UPDATE issues SET project_id = $1 WHERE project_id = $2 \
             AND id_path >= $3 AND id_path < $3 || ':'",
            &[
                project.into(),
                issue.project_id.into(),
                issue.id_path.clone().into(),
            ],
        )
        .await?;
        // the time logged on the moved issues follows them
        tx.exec(
            "UPDATE time_entries SET project_id = $1 WHERE issue_id IN (SELECT id FROM issues \
             WHERE project_id = $1 AND id_path >= $2 AND id_path < $2 || ':')",
            &[project.into(), issue.id_path.clone().into()],
        )
        .await?;
    }
    let mut paths = vec![issue.id_path.clone()];
    if let Some(parent) = new_parent {
        let base = parent
            .as_ref()
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| "/".into());
        let new_path = format!("{base}{id}/");
        // the subtree moves with the issue
        tx.exec(
            "UPDATE issues SET id_path = $1 || substr(id_path, CAST($2 AS INTEGER)) \
             WHERE id_path >= $3 AND id_path < $3 || ':'",
            &[
                new_path.clone().into(),
                (issue.id_path.chars().count() as i64 + 1).into(),
                issue.id_path.clone().into(),
            ],
        )
        .await?;
        if let Some(old) = issue.parent_id {
            child_journal(&mut tx, old, user_id, Some(id), None).await?;
        }
        if let Some((pid, _)) = parent {
            child_journal(&mut tx, pid, user_id, None, Some(id)).await?;
        }
        paths.push(new_path);
    }
    let mut moved = Vec::new();
    for path in paths {
        moved.extend(recalculate_ancestors(&mut tx, &path, default_priority).await?);
    }
    use super::relations::{followers, reschedule, JournalTo};
    let mut steps = Vec::new();
    if cols
        .iter()
        .any(|(c, _)| *c == "start_date" || *c == "due_date")
    {
        steps = followers(&mut tx, id, JournalTo::New(user_id), then.calendar).await?;
    }
    for parent in moved {
        steps.extend(followers(&mut tx, parent, JournalTo::Nothing, then.calendar).await?);
    }
    if !steps.is_empty() {
        reschedule(&mut tx, steps, then.calendar, default_priority).await?;
    }
    if let Some((status, notes, private)) = &then.close_duplicates {
        super::relations::close_duplicates(&mut tx, id, *status, user_id, notes.clone(), *private)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes an issue with its subtasks and their journals.
pub async fn delete(
    db: &Db,
    issue: &Issue,
    user: i64,
    default_priority: i64,
    calendar: &crate::domain::relations::Calendar,
) -> Result<Vec<(String, String)>> {
    let mut tx = db.begin().await?;
    let mut files = Vec::new();
    let path = tx
        .rows(
            "SELECT id_path FROM issues WHERE id = $1",
            &[issue.id.into()],
        )
        .await?
        .first()
        .map(|r| r.str("id_path"))
        .filter(|p| !p.is_empty());
    let Some(path) = path else {
        // deleted meanwhile (with an ancestor, or by a concurrent request)
        return Ok(files);
    };
    let ids: Vec<i64> = tx
        .rows(
            "SELECT id FROM issues WHERE id_path >= $1 AND id_path < $1 || ':' ORDER BY id_path DESC",
            &[path.clone().into()],
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
        // what hangs on the issue by type and id has no foreign key to go with it
        // the files of its attachment fields go with their values
        files.extend(super::custom_values::delete_of(&mut tx, "Issue", &[id]).await?);
        tx.exec(
            "DELETE FROM watchers WHERE watchable_type = 'Issue' AND watchable_id = $1",
            &[id.into()],
        )
        .await?;
        let attached = super::attachments::ids_of(&mut tx, "Issue", &[id]).await?;
        files.extend(super::attachments::delete(&mut tx, &attached).await?);
        // Redmine's API deletes the time logged on a deleted issue with it
        let entries: Vec<i64> = tx
            .rows(
                "SELECT id FROM time_entries WHERE issue_id = $1",
                &[id.into()],
            )
            .await?
            .iter()
            .map(|r| r.i64("id"))
            .collect();
        files.extend(super::custom_values::delete_of(&mut tx, "TimeEntry", &entries).await?);
        tx.exec("DELETE FROM time_entries WHERE issue_id = $1", &[id.into()])
            .await?;
        tx.exec("DELETE FROM issues WHERE id = $1", &[id.into()])
            .await?;
    }
    if let Some(parent) = issue.parent_id {
        child_journal(&mut tx, parent, user, Some(issue.id), None).await?;
        let moved = recalculate_ancestors(&mut tx, &path, default_priority).await?;
        let mut steps = Vec::new();
        for m in moved {
            steps.extend(
                super::relations::followers(
                    &mut tx,
                    m,
                    super::relations::JournalTo::Nothing,
                    calendar,
                )
                .await?,
            );
        }
        super::relations::reschedule(&mut tx, steps, calendar, default_priority).await?;
    }
    tx.commit().await?;
    Ok(files)
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

/// The active users who are members of the project (what a `user` custom field offers).
pub async fn member_ids(db: &Db, project_id: i64) -> Result<Vec<i64>> {
    Ok(db
        .rows(
            "SELECT DISTINCT m.user_id FROM members m JOIN users u ON u.id = m.user_id \
             WHERE m.project_id = $1 AND u.type = 'User' AND u.status = 1",
            &[project_id.into()],
        )
        .await?
        .iter()
        .map(|r| r.i64("user_id"))
        .collect())
}

/// The workflow field rules of a tracker and status for some roles.
pub async fn field_rules(
    db: &Db,
    tracker_id: i64,
    status_id: i64,
    role_ids: &[i64],
) -> Result<Vec<(i64, String, String)>> {
    let mut sql = Sql::new(
        "SELECT role_id, field_name, rule FROM workflows WHERE type = 'WorkflowPermission' AND tracker_id = ",
    );
    sql.bind(tracker_id)
        .push(" AND old_status_id = ")
        .bind(status_id)
        .push(" AND ");
    super::issue_query::in_list(&mut sql, "role_id", role_ids);
    Ok(db
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| (r.i64("role_id"), r.str("field_name"), r.str("rule")))
        .collect())
}

/// Whether a value written to a column is set (not null, not blank).
/// Deletes an attachment; one of an issue gets a journal by `user` naming the file. Returns
/// the files no attachment uses any more.
pub async fn delete_attachment(
    db: &Db,
    id: i64,
    issue: Option<i64>,
    user: i64,
) -> Result<Vec<(String, String)>> {
    let mut tx = db.begin().await?;
    if let Some(issue) = issue {
        let name = tx
            .rows(
                "SELECT filename FROM attachments WHERE id = $1",
                &[id.into()],
            )
            .await?
            .first()
            .map(|r| r.str("filename"));
        let detail = ("attachment".to_owned(), id.to_string(), name, None);
        add_journal(&mut tx, issue, user, Some(String::new()), false, &[detail]).await?;
    }
    let files = super::attachments::delete(&mut tx, &[id]).await?;
    tx.commit().await?;
    Ok(files)
}
