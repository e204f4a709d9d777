//! Versions (a project's milestones, possibly shared with other projects) and issue
//! categories.

use super::projects::Project;
use super::{now, Arg, Db, FromRow, Result, Row};

#[derive(Debug, Clone)]
pub struct Version {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub name: String,
    pub description: Option<String>,
    pub status: String,
    pub due_date: Option<String>,
    pub sharing: String,
    pub wiki_page_title: Option<String>,
    pub created_on: i64,
    pub updated_on: i64,
}

impl FromRow for Version {
    fn from_row(r: &Row) -> Self {
        Version {
            id: r.i64("id"),
            project_id: r.i64("project_id"),
            project_name: r.str("project_name"),
            name: r.str("name"),
            description: r.opt_str("description"),
            status: r.str("status"),
            due_date: r.opt_str("effective_date"),
            sharing: r.str("sharing"),
            wiki_page_title: r.opt_str("wiki_page_title"),
            created_on: r.i64("created_on"),
            updated_on: r.i64("updated_on"),
        }
    }
}

const SELECT: &str = "SELECT v.id, v.project_id, q.name AS project_name, v.name, v.description, \
    v.status, v.effective_date, v.sharing, v.wiki_page_title, v.created_on, v.updated_on \
    FROM versions v JOIN projects q ON q.id = v.project_id ";

pub async fn find(db: &Db, id: i64) -> Result<Option<Version>> {
    db.opt(&format!("{SELECT} WHERE v.id = $1"), &[id.into()])
        .await
}

/// The versions usable in the project: its own, and those other non-archived projects
/// share with it (versions.md §2.3).
pub async fn shared_with(db: &Db, p: &Project) -> Result<Vec<Version>> {
    let root = p
        .id_path
        .split('/')
        .find(|s| !s.is_empty())
        .map(|r| format!("/{r}/"))
        .unwrap_or_default();
    let sql = format!(
        "{SELECT} WHERE v.project_id = $1 OR (q.status <> 9 AND (\
         v.sharing = 'system' \
         OR (v.sharing = 'tree' AND substr(q.id_path, 1, CAST($2 AS INTEGER)) = $3) \
         OR (v.sharing IN ('hierarchy', 'descendants') AND substr($4, 1, length(q.id_path)) = q.id_path) \
         OR (v.sharing = 'hierarchy' AND substr(q.id_path, 1, CAST($5 AS INTEGER)) = $4))) \
         ORDER BY v.id"
    );
    db.all(
        &sql,
        &[
            p.id.into(),
            (root.chars().count() as i64).into(),
            root.into(),
            p.id_path.clone().into(),
            (p.id_path.chars().count() as i64).into(),
        ],
    )
    .await
}

/// Versions shared with every project, of projects an administrator sees issues of (not
/// archived, issue tracking on): what a version field offers outside any project, in
/// Redmine's version order.
pub async fn system_wide(db: &Db) -> Result<Vec<crate::domain::attachments::FileVersion>> {
    let mut versions: Vec<_> = db
        .rows(
            "SELECT v.id, v.name, v.effective_date FROM versions v JOIN projects p ON p.id = v.project_id \
             WHERE v.sharing = 'system' AND p.status <> 9 AND EXISTS (SELECT 1 FROM enabled_modules m \
             WHERE m.project_id = p.id AND m.name = 'issue_tracking')",
            &[],
        )
        .await?
        .iter()
        .map(|r| crate::domain::attachments::FileVersion {
            id: r.i64("id"),
            name: r.str("name"),
            due_date: r.opt_str("effective_date"),
        })
        .collect();
    versions.sort_by(crate::domain::files::version_order);
    Ok(versions)
}

pub async fn name_taken(db: &Db, project_id: i64, name: &str, except: Option<i64>) -> Result<bool> {
    Ok(db
        .int(
            "SELECT COUNT(*) FROM versions WHERE project_id = $1 AND name = $2 AND id <> $3",
            &[project_id.into(), name.into(), except.unwrap_or(0).into()],
        )
        .await?
        > 0)
}

/// Attributes of a create or update; `None` leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct VersionChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub status: Option<String>,
    pub due_date: Option<Option<String>>,
    pub sharing: Option<String>,
    pub wiki_page_title: Option<Option<String>>,
    pub default_project_version: bool,
    /// Custom field values to store, by field.
    pub custom: Vec<(i64, Vec<String>)>,
}

pub async fn create(db: &Db, project_id: i64, c: &VersionChanges) -> Result<i64> {
    let t = now();
    let mut tx = db.begin().await?;
    let id = tx
        .int(
            "INSERT INTO versions (project_id, name, description, status, effective_date, sharing, \
             wiki_page_title, created_on, updated_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            &[
                project_id.into(),
                c.name.clone().unwrap_or_default().into(),
                c.description.clone().unwrap_or(Some(String::new())).into(),
                c.status.clone().unwrap_or_else(|| "open".into()).into(),
                c.due_date.clone().flatten().into(),
                c.sharing.clone().unwrap_or_else(|| "none".into()).into(),
                c.wiki_page_title.clone().flatten().into(),
                t.into(),
            ],
        )
        .await?;
    if c.default_project_version {
        tx.exec(
            "UPDATE projects SET default_version_id = $1 WHERE id = $2",
            &[id.into(), project_id.into()],
        )
        .await?;
    }
    super::custom_values::set(&mut tx, "Version", id, &c.custom).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update(db: &Db, v: &Version, c: &VersionChanges) -> Result<()> {
    let mut sql = super::sql::Sql::new("UPDATE versions SET updated_on = ");
    sql.bind(now());
    let mut col = |name: &str, arg: Arg| {
        sql.push(", ").push(name).push(" = ").bind(arg);
    };
    if let Some(x) = &c.name {
        col("name", x.into());
    }
    if let Some(x) = &c.description {
        col("description", x.clone().into());
    }
    if let Some(x) = &c.status {
        col("status", x.into());
    }
    if let Some(x) = &c.due_date {
        col("effective_date", x.clone().into());
    }
    if let Some(x) = &c.sharing {
        col("sharing", x.into());
    }
    if let Some(x) = &c.wiki_page_title {
        col("wiki_page_title", x.clone().into());
    }
    sql.push(" WHERE id = ").bind(v.id);
    let mut tx = db.begin().await?;
    tx.exec(&sql.text, &sql.args).await?;
    if c.default_project_version {
        tx.exec(
            "UPDATE projects SET default_version_id = $1 WHERE id = $2",
            &[v.id.into(), v.project_id.into()],
        )
        .await?;
    }
    super::custom_values::set(&mut tx, "Version", v.id, &c.custom).await?;
    tx.commit().await
}

/// Deletes a version with its files; the project forgets it as its default. Returns the
/// files to remove from the store.
pub async fn delete(db: &Db, v: &Version) -> Result<Vec<(String, String)>> {
    let mut tx = db.begin().await?;
    let attached = super::attachments::ids_of(&mut tx, "Version", &[v.id]).await?;
    let files = super::attachments::delete(&mut tx, &attached).await?;
    tx.exec(
        "UPDATE projects SET default_version_id = NULL WHERE default_version_id = $1",
        &[v.id.into()],
    )
    .await?;
    let mut files = files;
    files.extend(super::custom_values::delete_of(&mut tx, "Version", &[v.id]).await?);
    tx.exec("DELETE FROM versions WHERE id = $1", &[v.id.into()])
        .await?;
    tx.commit().await?;
    Ok(files)
}

#[derive(Debug, Clone)]
pub struct Category {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub name: String,
    pub assigned_to: Option<(i64, String)>,
}

impl FromRow for Category {
    fn from_row(r: &Row) -> Self {
        let assigned_to = r.opt_i64("a_id").map(|id| {
            let name = match r.str("a_type").as_str() {
                "User" => format!("{} {}", r.str("a_first"), r.str("a_last")),
                _ => r.str("a_last"),
            };
            (id, name)
        });
        Category {
            id: r.i64("id"),
            project_id: r.i64("project_id"),
            project_name: r.str("project_name"),
            name: r.str("name"),
            assigned_to,
        }
    }
}

const CATEGORY: &str = "SELECT c.id, c.project_id, p.name AS project_name, c.name, \
    a.id AS a_id, a.type AS a_type, a.firstname AS a_first, a.lastname AS a_last \
    FROM issue_categories c JOIN projects p ON p.id = c.project_id \
    LEFT JOIN users a ON a.id = c.assigned_to_id ";

pub async fn categories(db: &Db, project_id: i64) -> Result<Vec<Category>> {
    db.all(
        &format!("{CATEGORY} WHERE c.project_id = $1 ORDER BY c.name, c.id"),
        &[project_id.into()],
    )
    .await
}

pub async fn category(db: &Db, id: i64) -> Result<Option<Category>> {
    db.opt(&format!("{CATEGORY} WHERE c.id = $1"), &[id.into()])
        .await
}

pub async fn category_name_taken(
    db: &Db,
    project_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool> {
    Ok(db
        .int(
            "SELECT COUNT(*) FROM issue_categories WHERE project_id = $1 AND name = $2 AND id <> $3",
            &[project_id.into(), name.into(), except.unwrap_or(0).into()],
        )
        .await?
        > 0)
}

pub async fn create_category(
    db: &Db,
    project_id: i64,
    name: &str,
    assigned_to: Option<i64>,
) -> Result<i64> {
    db.int(
        "INSERT INTO issue_categories (project_id, name, assigned_to_id) VALUES ($1, $2, $3) RETURNING id",
        &[project_id.into(), name.into(), assigned_to.into()],
    )
    .await
}

pub async fn update_category(
    db: &Db,
    id: i64,
    name: Option<&str>,
    assigned_to: Option<Option<i64>>,
) -> Result<()> {
    if let Some(n) = name {
        db.exec(
            "UPDATE issue_categories SET name = $1 WHERE id = $2",
            &[n.into(), id.into()],
        )
        .await?;
    }
    if let Some(a) = assigned_to {
        db.exec(
            "UPDATE issue_categories SET assigned_to_id = $1 WHERE id = $2",
            &[a.into(), id.into()],
        )
        .await?;
    }
    Ok(())
}

/// Deletes a category; its issues move to `reassign_to`, or lose their category (a bulk
/// update without journals, as Redmine's).
pub async fn delete_category(db: &Db, id: i64, reassign_to: Option<i64>) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.exec(
        "UPDATE issues SET category_id = $1 WHERE category_id = $2",
        &[reassign_to.into(), id.into()],
    )
    .await?;
    tx.exec("DELETE FROM issue_categories WHERE id = $1", &[id.into()])
        .await?;
    tx.commit().await
}

/// The estimated hours of the version's issues matching `visible` (a condition on
/// `issues i`).
pub async fn estimated_hours(db: &Db, version: i64, visible: &super::sql::Sql) -> Result<f64> {
    let mut sql = super::sql::Sql::new(
        "SELECT SUM(i.estimated_hours) AS total FROM issues i WHERE i.fixed_version_id = ",
    );
    sql.bind(version).push(" AND ");
    super::issue_query::append(&mut sql, visible);
    Ok(db
        .rows(&sql.text, &sql.args)
        .await?
        .first()
        .and_then(|r| r.opt_f64("total"))
        .unwrap_or(0.0))
}

/// Whether something still uses the version: an issue, or a value of a version field.
pub async fn in_use(db: &Db, version: i64) -> Result<bool> {
    Ok(db
        .int(
            "SELECT (SELECT COUNT(*) FROM issues WHERE fixed_version_id = $1) + \
             (SELECT COUNT(*) FROM custom_values cv JOIN custom_fields f ON f.id = cv.custom_field_id \
              WHERE f.field_format = 'version' AND cv.value = $2) + \
             (SELECT COUNT(*) FROM attachments WHERE container_type = 'Version' \
              AND container_id = $1)",
            &[version.into(), version.to_string().into()],
        )
        .await?
        > 0)
}

/// After a version's sharing narrowed: the issues of other projects that can no longer
/// use it lose it, each with a journal by `user` (Redmine's `update_versions`).
pub async fn detach_unshared(db: &Db, version: &Version, user: i64) -> Result<()> {
    let rows = db
        .rows(
            "SELECT id, project_id FROM issues WHERE fixed_version_id = $1 AND project_id <> $2",
            &[version.id.into(), version.project_id.into()],
        )
        .await?;
    let mut keep: Vec<(i64, bool)> = Vec::new();
    let mut detached = Vec::new();
    for r in &rows {
        let project = r.i64("project_id");
        let shares = match keep.iter().find(|(p, _)| *p == project) {
            Some((_, s)) => *s,
            None => {
                let s = match super::projects::find_by_id(db, project).await? {
                    Some(p) => shared_with(db, &p)
                        .await?
                        .iter()
                        .any(|v| v.id == version.id),
                    None => true,
                };
                keep.push((project, s));
                s
            }
        };
        if !shares {
            detached.push(r.i64("id"));
        }
    }
    if detached.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for id in detached {
        tx.exec(
            "UPDATE issues SET fixed_version_id = NULL, updated_on = $1, \
             lock_version = lock_version + 1 WHERE id = $2",
            &[now().into(), id.into()],
        )
        .await?;
        let detail = (
            "attr".to_owned(),
            "fixed_version_id".to_owned(),
            Some(version.id.to_string()),
            None,
        );
        super::journals::add_journal(&mut tx, id, user, Some(String::new()), false, &[detail])
            .await?;
    }
    tx.commit().await
}

/// After a project moved in the tree: the versions used across the boundary of its
/// subtree (by its issues from outside, or from it by others), each to be re-checked.
pub async fn crossing_subtree(db: &Db, id_path: &str) -> Result<Vec<Version>> {
    let len = id_path.chars().count() as i64;
    let ids: Vec<i64> = db
        .rows(
            "SELECT DISTINCT v.id FROM issues i JOIN versions v ON v.id = i.fixed_version_id \
             JOIN projects ip ON ip.id = i.project_id JOIN projects vp ON vp.id = v.project_id \
             WHERE i.project_id <> v.project_id \
             AND (substr(ip.id_path, 1, CAST($1 AS INTEGER)) = $2 \
                  OR substr(vp.id_path, 1, CAST($1 AS INTEGER)) = $2)",
            &[len.into(), id_path.into()],
        )
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect();
    let mut out = Vec::new();
    for id in ids {
        if let Some(v) = find(db, id).await? {
            out.push(v);
        }
    }
    Ok(out)
}
