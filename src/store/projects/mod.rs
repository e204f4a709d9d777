//! Projects: reading them (with their modules), their includes; the tree, modules and
//! trackers are written in `write`, lists in `list`, a principal's roles in `roles`.

mod list;
mod roles;
mod write;

use crate::domain::access::{ProjectState, STATUS_ARCHIVED};
use crate::store::members;
use crate::store::reference::{Role, ROLE_COLUMNS};
use crate::store::sql::Sql;
use crate::store::users::User;
use crate::store::{now, Arg, Db, FromRow, Result, Row, Tx};
/// Every project id, archived ones too, in order (kept in the cache).
pub async fn all_ids(db: &Db) -> Result<std::sync::Arc<Vec<i64>>> {
    let load = async {
        Ok(db
            .rows("SELECT id FROM projects ORDER BY id", &[])
            .await?
            .iter()
            .map(|r| r.i64("id"))
            .collect::<Vec<i64>>())
    };
    db.cache.get(db, "project_ids".into(), load).await
}

pub use list::*;
pub use roles::*;
pub use write::*;

#[derive(Debug, Clone)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub homepage: String,
    pub is_public: bool,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    pub parent_status: Option<i64>,
    pub parent_is_public: Option<bool>,
    pub id_path: String,
    pub tree_path: String,
    pub identifier: String,
    pub status: i64,
    pub inherit_members: bool,
    pub default_version_id: Option<i64>,
    pub default_version_name: Option<String>,
    pub default_assigned_to_id: Option<i64>,
    pub default_assignee: Option<(String, String, String)>,
    pub created_on: i64,
    pub updated_on: i64,
    /// Names of the enabled modules, for permission checks.
    pub modules: Vec<String>,
}

impl Project {
    pub fn state(&self) -> ProjectState<'_> {
        ProjectState {
            status: self.status,
            is_public: self.is_public,
            modules: &self.modules,
        }
    }
    /// Ids of the ancestors, root first.
    pub fn ancestor_ids(&self) -> Vec<i64> {
        self.id_path
            .split('/')
            .filter_map(|s| s.parse().ok())
            .filter(|id| *id != self.id)
            .collect()
    }
}

impl FromRow for Project {
    fn from_row(r: &Row) -> Self {
        let assignee = r
            .opt_str("da_type")
            .map(|t| (t, r.str("da_firstname"), r.str("da_lastname")));
        Project {
            id: r.i64("id"),
            name: r.str("name"),
            description: r.opt_str("description"),
            homepage: r.str("homepage"),
            is_public: r.bool("is_public"),
            parent_id: r.opt_i64("parent_id"),
            parent_name: r.opt_str("parent_name"),
            parent_status: r.opt_i64("parent_status"),
            parent_is_public: r.opt_i64("parent_is_public").map(|v| v != 0),
            id_path: r.str("id_path"),
            tree_path: r.str("tree_path"),
            identifier: r.str("identifier"),
            status: r.i64("status"),
            inherit_members: r.bool("inherit_members"),
            default_version_id: r.opt_i64("default_version_id"),
            default_version_name: r.opt_str("default_version_name"),
            default_assigned_to_id: r.opt_i64("default_assigned_to_id"),
            default_assignee: assignee,
            created_on: r.i64("created_on"),
            updated_on: r.i64("updated_on"),
            modules: Vec::new(),
        }
    }
}

pub(crate) const SELECT: &str =
    "SELECT p.id, p.name, p.description, p.homepage, p.is_public, p.parent_id, \
    pp.name AS parent_name, pp.status AS parent_status, \
    CASE WHEN pp.is_public THEN 1 WHEN pp.id IS NULL THEN NULL ELSE 0 END AS parent_is_public, \
    p.id_path, p.tree_path, p.identifier, p.status, p.inherit_members, \
    p.default_version_id, v.name AS default_version_name, p.default_assigned_to_id, \
    da.type AS da_type, da.firstname AS da_firstname, da.lastname AS da_lastname, \
    p.created_on, p.updated_on \
    FROM projects p LEFT JOIN projects pp ON pp.id = p.parent_id \
    LEFT JOIN versions v ON v.id = p.default_version_id \
    LEFT JOIN users da ON da.id = p.default_assigned_to_id ";

/// One project with its enabled modules, in one statement: the project's row repeats once
/// per module.
pub(crate) async fn one_with_modules(
    db: &Db,
    condition: &str,
    arg: crate::store::Arg,
) -> Result<Option<Project>> {
    let sql = format!(
        "SELECT x.*, em.name AS module_name FROM ({SELECT} WHERE {condition}) x \
         LEFT JOIN enabled_modules em ON em.project_id = x.id ORDER BY em.id"
    );
    let rows = db.rows(&sql, &[arg]).await?;
    Ok(rows.first().map(|first| {
        let mut p = <Project as FromRow>::from_row(first);
        p.modules = rows
            .iter()
            .filter_map(|r| r.opt_str("module_name"))
            .collect();
        p
    }))
}

/// By numeric id when the parameter is all digits, else by exact identifier.
pub async fn find(db: &Db, param: &str) -> Result<Option<Project>> {
    if !param.is_empty() && param.bytes().all(|b| b.is_ascii_digit()) {
        match param.parse::<i64>() {
            Ok(id) => find_by_id(db, id).await,
            Err(_) => Ok(None),
        }
    } else {
        // identifiers are bounded (100 characters) before they make a key
        if param.chars().count() > 100 {
            return Ok(None);
        }
        let load = one_with_modules(db, "p.identifier = $1", param.into());
        Ok((*db.cache.get(db, format!("project:{param}"), load).await?).clone())
    }
}

/// A project with its modules, kept in the cache: what it reads (the project, its
/// parent, modules, default version and assignee names) all bump the change counter.
pub async fn find_by_id(db: &Db, id: i64) -> Result<Option<Project>> {
    let load = one_with_modules(db, "p.id = $1", id.into());
    Ok((*db.cache.get(db, format!("project#{id}"), load).await?).clone())
}

/// A time entry activity a project offers.
#[derive(Debug, Clone)]
pub struct Activity {
    pub id: i64,
    pub name: String,
    /// The shared activity a project-specific one overrides.
    pub parent_id: Option<i64>,
}

/// Active time entry activities available in the project: the shared ones it does not
/// override, and its own (Redmine's `Project#activities`).
pub async fn activities(db: &Db, project_id: i64) -> Result<Vec<Activity>> {
    Ok(activities_of(db, &[project_id])
        .await?
        .remove(&project_id)
        .unwrap_or_default())
}

/// The time entry activities each of `projects` offers, in one statement: the shared ones,
/// each replaced by the project's own version of it where it has one (which may switch it
/// off), active ones only, by position.
pub async fn activities_of(
    db: &Db,
    projects: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<Activity>>> {
    let mut sql = Sql::new(
        "SELECT id, name, parent_id, project_id, position, active FROM enumerations \
         WHERE type = 'TimeEntryActivity' AND (project_id IS NULL OR ",
    );
    super::issue_query::in_list(&mut sql, "project_id", projects);
    sql.push(") ORDER BY position, id");
    let rows = db.rows(&sql.text, &sql.args).await?;
    let mut out = std::collections::HashMap::new();
    for &p in projects {
        let own: Vec<&Row> = rows
            .iter()
            .filter(|r| r.opt_i64("project_id") == Some(p))
            .collect();
        let offered = rows
            .iter()
            .filter(|r| match r.opt_i64("project_id") {
                None => !own
                    .iter()
                    .any(|o| o.opt_i64("parent_id") == Some(r.i64("id"))),
                Some(q) => q == p,
            })
            .filter(|r| r.bool("active"))
            .map(|r| Activity {
                id: r.i64("id"),
                name: r.str("name"),
                parent_id: r.opt_i64("parent_id"),
            })
            .collect();
        out.insert(p, offered);
    }
    Ok(out)
}

/// `(project id, (id, name))` rows of one include, for a page of projects at once.
pub async fn include_rows(db: &Db, include: &str, ids: &[i64]) -> Result<Vec<(i64, i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (head, order) = match include {
        "trackers" => (
            "SELECT pt.project_id AS pid, t.id, t.name FROM projects_trackers pt \
             JOIN trackers t ON t.id = pt.tracker_id WHERE pt.project_id IN (",
            ") ORDER BY t.position, t.id",
        ),
        "issue_categories" => (
            "SELECT project_id AS pid, id, name FROM issue_categories WHERE project_id IN (",
            ") ORDER BY name, id",
        ),
        "enabled_modules" => (
            "SELECT project_id AS pid, id, name FROM enabled_modules WHERE project_id IN (",
            ") ORDER BY id",
        ),
        "issue_custom_fields" => (
            "SELECT cp.project_id AS pid, cf.id, cf.name FROM custom_fields_projects cp \
             JOIN custom_fields cf ON cf.id = cp.custom_field_id \
             WHERE cf.type = 'IssueCustomField' AND cp.project_id IN (",
            ") ORDER BY cf.position, cf.id",
        ),
        _ => return Ok(Vec::new()),
    };
    let mut sql = Sql::new(head);
    sql.ids(ids);
    sql.push(order);
    Ok(db
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| (r.i64("pid"), r.i64("id"), r.str("name")))
        .collect())
}
