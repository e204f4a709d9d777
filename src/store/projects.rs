//! Projects: the tree, modules, trackers, and the roles a principal holds in a project.

use super::members;
use super::reference::{Role, ROLE_COLUMNS};
use super::sql::Sql;
use super::users::User;
use super::{now, Arg, Db, FromRow, Result, Row, Tx};
use crate::domain::access::{ProjectState, STATUS_ARCHIVED};

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

const SELECT: &str = "SELECT p.id, p.name, p.description, p.homepage, p.is_public, p.parent_id, \
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
async fn one_with_modules(db: &Db, condition: &str, arg: super::Arg) -> Result<Option<Project>> {
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
        one_with_modules(db, "p.identifier = $1", param.into()).await
    }
}

pub async fn find_by_id(db: &Db, id: i64) -> Result<Option<Project>> {
    one_with_modules(db, "p.id = $1", id.into()).await
}

async fn pairs(db: &Db, sql: &str, id: i64) -> Result<Vec<(i64, String)>> {
    Ok(db
        .rows(sql, &[id.into()])
        .await?
        .iter()
        .map(|r| (r.i64("id"), r.str("name")))
        .collect())
}

/// Active time entry activities available in the project.
pub async fn activities(db: &Db, project_id: i64) -> Result<Vec<(i64, String)>> {
    pairs(
        db,
        "SELECT id, name FROM enumerations WHERE type = 'TimeEntryActivity' AND active = TRUE \
         AND (project_id IS NULL OR project_id = $1) \
         AND id NOT IN (SELECT parent_id FROM enumerations WHERE project_id = $1 AND parent_id IS NOT NULL) \
         ORDER BY position, id",
        project_id,
    )
    .await
}

/// The builtin group whose project roles a caller without membership gets: Non member
/// users when logged in, Anonymous users otherwise.
fn builtin_group_type(logged: bool) -> &'static str {
    if logged {
        "GroupNonMember"
    } else {
        "GroupAnonymous"
    }
}

async fn builtin_group(db: &Db, logged: bool) -> Result<Option<i64>> {
    let rows = db
        .rows(
            "SELECT id FROM users WHERE type = $1",
            &[builtin_group_type(logged).into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.i64("id")))
}

/// The roles of the caller in the project (permissions.md §5.1): none in an archived
/// project; its membership's roles if it has one; on a public project, the roles of the
/// matching builtin group's membership, else its builtin role.
pub async fn roles_for(db: &Db, user: &User, logged: bool, project: &Project) -> Result<Vec<Role>> {
    if project.status == STATUS_ARCHIVED {
        return Ok(Vec::new());
    }
    let member_roles = |principal: i64| {
        let sql = format!(
            "SELECT {cols} FROM roles WHERE id IN (SELECT mr.role_id FROM member_roles mr \
             JOIN members m ON m.id = mr.member_id WHERE m.user_id = $1 AND m.project_id = $2) \
             ORDER BY position, id",
            cols = ROLE_COLUMNS
        );
        async move {
            db.all::<Role>(&sql, &[principal.into(), project.id.into()])
                .await
        }
    };
    if logged {
        // a member's roles come first; only without any does membership need asking
        let roles = member_roles(user.id).await?;
        if !roles.is_empty() {
            return Ok(roles);
        }
        let is_member = db
            .int(
                "SELECT COUNT(*) FROM members WHERE user_id = $1 AND project_id = $2",
                &[user.id.into(), project.id.into()],
            )
            .await?;
        if is_member > 0 {
            return Ok(roles);
        }
    }
    if !project.is_public {
        return Ok(Vec::new());
    }
    if let Some(g) = builtin_group(db, logged).await? {
        let roles = member_roles(g).await?;
        if !roles.is_empty() {
            return Ok(roles);
        }
    }
    let builtin = if logged { 1 } else { 2 };
    Ok(super::reference::builtin_role(db, builtin)
        .await?
        .into_iter()
        .collect())
}

/// Every role the caller holds anywhere, for the global check (permissions.md §4.3): its
/// memberships' roles in non-archived projects (or, without any, the builtin group's on
/// public projects), plus its builtin role.
pub async fn roles_anywhere(db: &Db, user: &User, logged: bool) -> Result<Vec<Role>> {
    let principal_roles = |principal: i64, public_only: bool| {
        let sql = format!(
            "SELECT {cols} FROM roles WHERE id IN (SELECT mr.role_id FROM member_roles mr \
             JOIN members m ON m.id = mr.member_id JOIN projects p ON p.id = m.project_id \
             WHERE m.user_id = $1 AND p.status <> 9 {public})",
            cols = ROLE_COLUMNS,
            public = if public_only {
                "AND p.is_public = TRUE"
            } else {
                ""
            }
        );
        async move { db.all::<Role>(&sql, &[principal.into()]).await }
    };
    let mut roles = if logged {
        principal_roles(user.id, false).await?
    } else {
        Vec::new()
    };
    if roles.is_empty() {
        if let Some(g) = builtin_group(db, logged).await? {
            roles = principal_roles(g, true).await?;
        }
    }
    let builtin = if logged { 1 } else { 2 };
    roles.extend(super::reference::builtin_role(db, builtin).await?);
    Ok(roles)
}

/// Which projects a caller sees in lists (permissions.md §6).
#[derive(Debug, Clone, Copy)]
pub enum Visibility {
    Admin,
    User(i64),
    Anonymous,
}

pub fn visibility_sql(v: Visibility, sql: &mut Sql) {
    sql.push(" p.status <> 9");
    match v {
        Visibility::Admin => {}
        Visibility::User(uid) => {
            sql.push(
                " AND (p.is_public = TRUE OR p.id IN (SELECT m.project_id FROM members m \
                 JOIN member_roles mr ON mr.member_id = m.id WHERE m.user_id = ",
            )
            .bind(uid)
            .push("))");
        }
        Visibility::Anonymous => {
            sql.push(" AND p.is_public = TRUE");
        }
    }
}

/// A list filter: SQL appended after the visibility condition.
#[derive(Debug, Default, Clone)]
pub struct ListQuery {
    pub conditions: Sql,
    /// `ORDER BY` terms before the tree order.
    pub order: Vec<String>,
}

pub async fn list(
    db: &Db,
    v: Visibility,
    q: &ListQuery,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Project>)> {
    let mut count = Sql::new("SELECT COUNT(*) FROM projects p WHERE");
    visibility_sql(v, &mut count);
    append(&mut count, &q.conditions);
    let mut page = Sql::new(SELECT);
    page.push(" WHERE");
    visibility_sql(v, &mut page);
    append(&mut page, &q.conditions);
    let mut order = q.order.clone();
    order.push("p.tree_path".into());
    page.push(" ORDER BY ").push(&order.join(", "));
    page.push(" LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let total = db.int(&count.text, &count.args).await?;
    let projects = db.all(&page.text, &page.args).await?;
    Ok((total, projects))
}

/// Appends a condition written with its own `$1…` numbering, renumbering the placeholders.
fn append(sql: &mut Sql, extra: &Sql) {
    if extra.text.is_empty() {
        return;
    }
    let base = sql.args.len();
    let mut text = String::with_capacity(extra.text.len());
    let mut chars = extra.text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            let mut n = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(*d);
                chars.next();
            }
            text.push('$');
            text.push_str(&(n.parse::<usize>().unwrap_or(0) + base).to_string());
        } else {
            text.push(c);
        }
    }
    sql.push(&text);
    sql.args.extend(extra.args.iter().cloned());
}

pub async fn identifier_taken(db: &Db, identifier: &str) -> Result<bool> {
    Ok(db
        .int(
            "SELECT COUNT(*) FROM projects WHERE identifier = $1",
            &[identifier.into()],
        )
        .await?
        > 0)
}

/// The sort key of one tree level: siblings sort by name, and among equal names the newer
/// project first, as Redmine's nested set inserts before equal names.
fn tree_key(name: &str, id: i64) -> String {
    format!("{name}\u{1}{:012}\u{1}", 999_999_999_999 - id)
}

/// The id and name paths a child of `parent` extends (the root's for no parent).
async fn parent_paths(tx: &mut Tx<'_>, parent: Option<i64>) -> Result<(String, String)> {
    let Some(pid) = parent else {
        return Ok(("/".to_owned(), String::new()));
    };
    let rows = tx
        .rows(
            "SELECT id_path, tree_path FROM projects WHERE id = $1",
            &[pid.into()],
        )
        .await?;
    Ok(match rows.first() {
        Some(r) => (r.str("id_path"), r.str("tree_path")),
        None => ("/".to_owned(), String::new()),
    })
}

/// Everything a create writes.
#[derive(Debug, Clone, Default)]
pub struct NewProject {
    pub name: String,
    pub identifier: String,
    pub description: Option<String>,
    pub homepage: String,
    pub is_public: bool,
    pub parent_id: Option<i64>,
    pub inherit_members: bool,
    pub tracker_ids: Vec<i64>,
    pub module_names: Vec<String>,
    pub issue_custom_field_ids: Vec<i64>,
    pub default_version_id: Option<i64>,
    pub default_assigned_to_id: Option<i64>,
    /// A non-admin creator becomes a member with this role.
    pub creator_membership: Option<(i64, i64)>,
    /// Custom field values, by field.
    pub custom: Vec<(i64, Vec<String>)>,
}

pub async fn create(db: &Db, n: &NewProject) -> Result<i64> {
    let t = now();
    let mut tx = db.begin().await?;
    let id = tx
        .int(
            "INSERT INTO projects (name, description, homepage, is_public, parent_id, identifier, status, \
             inherit_members, default_version_id, default_assigned_to_id, created_on, updated_on) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10, $10) RETURNING id",
            &[
                n.name.clone().into(),
                n.description.clone().into(),
                n.homepage.clone().into(),
                n.is_public.into(),
                n.parent_id.into(),
                n.identifier.clone().into(),
                n.inherit_members.into(),
                n.default_version_id.into(),
                n.default_assigned_to_id.into(),
                t.into(),
            ],
        )
        .await?;
    let (parent_ids, parent_tree) = parent_paths(&mut tx, n.parent_id).await?;
    tx.exec(
        "UPDATE projects SET id_path = $1, tree_path = $2 WHERE id = $3",
        &[
            format!("{parent_ids}{id}/").into(),
            format!("{parent_tree}{}", tree_key(&n.name, id)).into(),
            id.into(),
        ],
    )
    .await?;
    for name in &n.module_names {
        tx.exec(
            "INSERT INTO enabled_modules (project_id, name) VALUES ($1, $2)",
            &[id.into(), name.into()],
        )
        .await?;
    }
    set_links(&mut tx, id, &n.tracker_ids, &n.issue_custom_field_ids).await?;
    super::custom_values::set(&mut tx, "Project", id, &n.custom).await?;
    if let Some((user_id, role_id)) = n.creator_membership {
        let m = members::ensure_member(&mut tx, user_id, id).await?;
        members::add_role(&mut tx, m, role_id, None).await?;
    }
    if n.inherit_members && n.parent_id.is_some() {
        members::refresh_inherited(&mut tx, id).await?;
    }
    tx.commit().await?;
    Ok(id)
}

async fn set_links(tx: &mut Tx<'_>, id: i64, trackers: &[i64], fields: &[i64]) -> Result<()> {
    for t in trackers {
        tx.exec(
            "INSERT INTO projects_trackers (project_id, tracker_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[id.into(), (*t).into()],
        )
        .await?;
    }
    for f in fields {
        tx.exec(
            "INSERT INTO custom_fields_projects (custom_field_id, project_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[(*f).into(), id.into()],
        )
        .await?;
    }
    Ok(())
}

/// Which of these ids name existing rows of the table.
pub async fn existing_ids(db: &Db, table: &str, ids: &[i64]) -> Result<Vec<i64>> {
    let mut found = Vec::new();
    for id in ids {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE id = $1");
        if db.int(&sql, &[(*id).into()]).await? > 0 {
            found.push(*id);
        }
    }
    Ok(found)
}

/// Changes of an update; `None` leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub homepage: Option<String>,
    pub is_public: Option<bool>,
    /// `Some(None)`: becomes a root.
    pub parent_id: Option<Option<i64>>,
    pub inherit_members: Option<bool>,
    pub tracker_ids: Option<Vec<i64>>,
    pub module_names: Option<Vec<String>>,
    pub issue_custom_field_ids: Option<Vec<i64>>,
    pub default_version_id: Option<Option<i64>>,
    pub default_assigned_to_id: Option<Option<i64>>,
    /// Custom field values to replace, by field.
    pub custom: Vec<(i64, Vec<String>)>,
}

pub async fn update(db: &Db, p: &Project, c: &ProjectChanges) -> Result<()> {
    let t = now();
    let mut set = Sql::new("UPDATE projects SET updated_on = ");
    set.bind(t);
    let mut col = |name: &str, arg: Arg| {
        set.push(", ").push(name).push(" = ").bind(arg);
    };
    if let Some(v) = &c.name {
        col("name", v.into());
    }
    if let Some(v) = &c.description {
        col("description", v.clone().into());
    }
    if let Some(v) = &c.homepage {
        col("homepage", v.into());
    }
    if let Some(v) = c.is_public {
        col("is_public", v.into());
    }
    if let Some(v) = c.inherit_members {
        col("inherit_members", v.into());
    }
    if let Some(v) = c.default_version_id {
        col("default_version_id", v.into());
    }
    if let Some(v) = c.default_assigned_to_id {
        col("default_assigned_to_id", v.into());
    }
    if let Some(v) = c.parent_id {
        col("parent_id", v.into());
    }
    set.push(" WHERE id = ").bind(p.id);

    let mut tx = db.begin().await?;
    tx.exec(&set.text, &set.args).await?;
    super::custom_values::set(&mut tx, "Project", p.id, &c.custom).await?;
    let new_name = c.name.clone().unwrap_or_else(|| p.name.clone());
    let parent_changed = c.parent_id.is_some_and(|np| np != p.parent_id);
    if parent_changed || new_name != p.name {
        let new_parent = c.parent_id.unwrap_or(p.parent_id);
        let (parent_ids, parent_tree) = parent_paths(&mut tx, new_parent).await?;
        let new_ids = format!("{parent_ids}{}/", p.id);
        let new_tree = format!("{parent_tree}{}", tree_key(&new_name, p.id));
        // the whole subtree moves with its root
        tx.exec(
            "UPDATE projects SET id_path = $1 || substr(id_path, CAST($2 AS INTEGER)), \
             tree_path = $3 || substr(tree_path, CAST($4 AS INTEGER)) \
             WHERE substr(id_path, 1, CAST($5 AS INTEGER)) = $6",
            &[
                new_ids.into(),
                (p.id_path.chars().count() as i64 + 1).into(),
                new_tree.into(),
                (p.tree_path.chars().count() as i64 + 1).into(),
                (p.id_path.chars().count() as i64).into(),
                p.id_path.clone().into(),
            ],
        )
        .await?;
    }
    if let Some(names) = &c.module_names {
        let current: Vec<String> = p.modules.clone();
        let (keep, add) = crate::domain::projects::module_plan(&current, names);
        for old in current.iter().filter(|m| !keep.contains(m)) {
            tx.exec(
                "DELETE FROM enabled_modules WHERE project_id = $1 AND name = $2",
                &[p.id.into(), old.into()],
            )
            .await?;
        }
        for name in add {
            tx.exec(
                "INSERT INTO enabled_modules (project_id, name) VALUES ($1, $2)",
                &[p.id.into(), name.into()],
            )
            .await?;
        }
    }
    if let Some(ids) = &c.tracker_ids {
        tx.exec(
            "DELETE FROM projects_trackers WHERE project_id = $1",
            &[p.id.into()],
        )
        .await?;
        set_links(&mut tx, p.id, ids, &[]).await?;
    }
    if let Some(ids) = &c.issue_custom_field_ids {
        tx.exec(
            "DELETE FROM custom_fields_projects WHERE project_id = $1",
            &[p.id.into()],
        )
        .await?;
        set_links(&mut tx, p.id, &[], ids).await?;
    }
    let inherit_changed = c.inherit_members.is_some_and(|i| i != p.inherit_members);
    if parent_changed || inherit_changed {
        members::refresh_inherited(&mut tx, p.id).await?;
    }
    tx.commit().await
}

/// Sets `to` on the project and its descendants whose status is one of `from`.
pub async fn set_status_subtree(db: &Db, p: &Project, from: &[i64], to: i64) -> Result<()> {
    let mut sql = Sql::new("UPDATE projects SET status = ");
    sql.bind(to)
        .push(" WHERE substr(id_path, 1, CAST(")
        .bind(p.id_path.chars().count() as i64)
        .push(" AS INTEGER)) = ")
        .bind(p.id_path.clone())
        .push(" AND status IN (");
    for (i, s) in from.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*s);
    }
    sql.push(")");
    db.exec(&sql.text, &sql.args).await.map(|_| ())
}

/// Whether an issue of a project outside this one's subtree uses a version of the subtree.
pub async fn versions_used_outside(db: &Db, p: &Project) -> Result<bool> {
    let len = p.id_path.chars().count() as i64;
    let n = db
        .int(
            "SELECT COUNT(*) FROM issues i JOIN projects ip ON ip.id = i.project_id \
             JOIN versions v ON v.id = i.fixed_version_id JOIN projects vp ON vp.id = v.project_id \
             WHERE substr(vp.id_path, 1, CAST($1 AS INTEGER)) = $2 \
             AND substr(ip.id_path, 1, CAST($1 AS INTEGER)) <> $2",
            &[len.into(), p.id_path.clone().into()],
        )
        .await?;
    Ok(n > 0)
}

/// Unarchive: the project and its archived ancestors become active, or closed when an
/// ancestor is closed.
pub async fn unarchive(db: &Db, p: &Project) -> Result<()> {
    let ancestors = p.ancestor_ids();
    let mut tx = db.begin().await?;
    let mut closed_above = false;
    for a in &ancestors {
        closed_above |= tx
            .int(
                "SELECT COUNT(*) FROM projects WHERE id = $1 AND status = 5",
                &[(*a).into()],
            )
            .await?
            > 0;
    }
    let status: i64 = if closed_above { 5 } else { 1 };
    for id in ancestors.iter().chain(std::iter::once(&p.id)) {
        tx.exec(
            "UPDATE projects SET status = $1 WHERE id = $2 AND status = 9",
            &[status.into(), (*id).into()],
        )
        .await?;
    }
    tx.commit().await
}

pub async fn has_children(db: &Db, id: i64) -> Result<bool> {
    Ok(db
        .int(
            "SELECT COUNT(*) FROM projects WHERE parent_id = $1",
            &[id.into()],
        )
        .await?
        > 0)
}

/// Deletes the project and all its descendants with what belongs to them.
pub async fn delete_subtree(db: &Db, p: &Project) -> Result<()> {
    let mut tx = db.begin().await?;
    let ids: Vec<i64> = tx
        .rows(
            "SELECT id FROM projects WHERE substr(id_path, 1, CAST($1 AS INTEGER)) = $2 \
             ORDER BY tree_path DESC",
            &[
                (p.id_path.chars().count() as i64).into(),
                p.id_path.clone().into(),
            ],
        )
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect();
    for id in ids {
        let mids = tx
            .rows("SELECT id FROM members WHERE project_id = $1", &[id.into()])
            .await?;
        for m in mids {
            members::destroy_member(&mut tx, m.i64("id")).await?;
        }
        tx.exec(
            "UPDATE projects SET default_version_id = NULL WHERE default_version_id IN (SELECT id FROM versions WHERE project_id = $1)",
            &[id.into()],
        )
        .await?;
        // what hangs on the project's objects by type and id has no foreign key to go with
        // them
        for sql in [
            "DELETE FROM custom_values WHERE customized_type = 'Project' AND customized_id = $1",
            "DELETE FROM custom_values WHERE customized_type = 'Version' \
             AND customized_id IN (SELECT id FROM versions WHERE project_id = $1)",
            "DELETE FROM custom_values WHERE customized_type = 'Issue' \
             AND customized_id IN (SELECT id FROM issues WHERE project_id = $1)",
            "DELETE FROM journals WHERE journalized_type = 'Issue' \
             AND journalized_id IN (SELECT id FROM issues WHERE project_id = $1)",
            "DELETE FROM watchers WHERE watchable_type = 'Issue' \
             AND watchable_id IN (SELECT id FROM issues WHERE project_id = $1)",
        ] {
            tx.exec(sql, &[id.into()]).await?;
        }
        tx.exec("DELETE FROM projects WHERE id = $1", &[id.into()])
            .await?;
    }
    tx.commit().await
}

/// SQL for the list filters (projects.md §4.3), appended after the visibility condition.
/// `(SELECT p.id FROM projects p WHERE <visibility>)`.
fn visible_projects(sql: &mut Sql, v: Visibility) {
    let mut sub = Sql::new("(SELECT p.id FROM projects p WHERE");
    visibility_sql(v, &mut sub);
    sub.push(")");
    super::issue_query::append(sql, &sub);
}

pub fn filter_sql(filters: &[crate::domain::query::Filter], user_id: i64, v: Visibility) -> Sql {
    let mut sql = Sql::default();
    for f in filters {
        let values: Vec<String> = f.values.iter().filter(|v| !v.is_empty()).cloned().collect();
        let ids = |values: &[String]| -> Vec<i64> {
            values
                .iter()
                .filter_map(|v| match v.as_str() {
                    "mine" => None,
                    other => other.trim().parse().ok(),
                })
                .collect()
        };
        let in_list = |sql: &mut Sql, col: &str, neg: bool, nums: Vec<i64>, mine: bool| {
            sql.push(" AND ");
            if neg {
                sql.push("NOT ");
            }
            sql.push("(").push(col).push(" IN (");
            if nums.is_empty() {
                sql.push("NULL");
            }
            sql.ids(&nums);
            sql.push(")");
            if mine {
                sql.push(" OR ")
                    .push(col)
                    .push(" IN (SELECT project_id FROM members WHERE user_id = ")
                    .bind(user_id)
                    .push(")");
            }
            sql.push(")");
        };
        let neg = f.op == "!";
        match f.field.as_str() {
            "status" => in_list(&mut sql, "p.status", neg, ids(&values), false),
            "id" => {
                let mine = values.iter().any(|v| v == "mine");
                in_list(&mut sql, "p.id", neg, ids(&values), mine)
            }
            "is_public" => {
                let bools: Vec<i64> = values.iter().map(|v| (v == "1") as i64).collect();
                sql.push(" AND ");
                if neg {
                    sql.push("NOT ");
                }
                sql.push("(CASE WHEN p.is_public THEN 1 ELSE 0 END IN (");
                for (i, b) in bools.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.bind(*b);
                }
                sql.push("))");
            }
            // only a parent the caller sees counts, as only that one is shown
            "parent_id" => match f.op.as_str() {
                "*" => {
                    sql.push(" AND p.parent_id IN ");
                    visible_projects(&mut sql, v);
                }
                "!*" => {
                    sql.push(" AND (p.parent_id IS NULL OR p.parent_id NOT IN ");
                    visible_projects(&mut sql, v);
                    sql.push(")");
                }
                _ => {
                    let mine = values.iter().any(|v| v == "mine");
                    in_list(&mut sql, "p.parent_id", neg, ids(&values), mine);
                    if !neg {
                        sql.push(" AND p.parent_id IN ");
                        visible_projects(&mut sql, v);
                    }
                }
            },
            "name" | "description" => {
                let col = format!("p.{}", f.field);
                super::issue_query::text(&mut sql, &col, &f.op, &values);
            }
            "created_on" => date_condition(&mut sql, "p.created_on", &f.op, &values),
            _ => {}
        }
    }
    sql
}

/// Date operators on an epoch-seconds column, days in UTC.
pub fn date_condition(sql: &mut Sql, col: &str, op: &str, values: &[String]) {
    let day = |s: &str| -> Option<i64> {
        let d = time::Date::parse(
            s,
            &time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()?;
        Some(d.midnight().assume_utc().unix_timestamp())
    };
    let from = values.first().and_then(|v| day(v));
    let to = values.get(1).and_then(|v| day(v));
    match (op, from) {
        ("*", _) => {
            sql.push(" AND ").push(col).push(" IS NOT NULL");
        }
        ("!*", _) => {
            sql.push(" AND ").push(col).push(" IS NULL");
        }
        ("=", Some(d)) => {
            sql.push(" AND ").push(col).push(" >= ").bind(d);
            sql.push(" AND ").push(col).push(" < ").bind(d + 86_400);
        }
        (">=", Some(d)) => {
            sql.push(" AND ").push(col).push(" >= ").bind(d);
        }
        ("<=", Some(d)) => {
            sql.push(" AND ").push(col).push(" < ").bind(d + 86_400);
        }
        ("><", Some(d)) => {
            sql.push(" AND ").push(col).push(" >= ").bind(d);
            if let Some(e) = to {
                sql.push(" AND ").push(col).push(" < ").bind(e + 86_400);
            }
        }
        _ => {
            sql.push(" AND 1 = 0");
        }
    }
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

/// Ids of the projects where the principal has a membership with roles.
pub async fn member_project_ids(db: &Db, user_id: i64) -> Result<Vec<i64>> {
    Ok(db
        .rows(
            "SELECT DISTINCT m.project_id FROM members m JOIN member_roles mr ON mr.member_id = m.id \
             WHERE m.user_id = $1",
            &[user_id.into()],
        )
        .await?
        .iter()
        .map(|r| r.i64("project_id"))
        .collect())
}

/// A project as the caller's permissions see it, for list endpoints.
#[derive(Debug, Clone)]
pub struct Access {
    pub id: i64,
    /// The caller's builtin role (the same on every entry), for the global check.
    pub builtin: Option<Role>,
    pub status: i64,
    pub is_public: bool,
    pub modules: Vec<String>,
    pub roles: Vec<Role>,
}

impl Access {
    /// Whether the caller holds one of `names` here.
    pub fn allows(&self, caller: &crate::domain::Caller, names: &[&str]) -> bool {
        crate::domain::access::allowed(
            caller,
            names,
            &ProjectState {
                status: self.status,
                is_public: self.is_public,
                modules: &self.modules,
            },
            &self.roles,
        )
    }
}

/// Whether the caller holds one of `names` in a project of the map, without a statement.
pub fn allowed_in(
    map: &[Access],
    caller: &crate::domain::Caller,
    project: i64,
    names: &[&str],
) -> bool {
    map.iter()
        .any(|a| a.id == project && a.allows(caller, names))
}

/// Every non-archived project the caller can see, with its roles there, in a fixed
/// number of queries whatever the number of projects (the rules of `roles_for`).
pub async fn access_map(db: &Db, user: &User, logged: bool, admin: bool) -> Result<Vec<Access>> {
    let mut vis = Sql::new("SELECT p.id, p.status, p.is_public FROM projects p WHERE");
    let v = match (admin, logged) {
        (true, _) => Visibility::Admin,
        (false, true) => Visibility::User(user.id),
        (false, false) => Visibility::Anonymous,
    };
    visibility_sql(v, &mut vis);
    let projects = db.rows(&vis.text, &vis.args).await?;
    let modules = db
        .rows(
            "SELECT project_id, name FROM enabled_modules ORDER BY id",
            &[],
        )
        .await?;
    let role_rows = |principal: i64| {
        let sql = format!(
            "SELECT m.project_id AS member_project, r.{} FROM members m \
             JOIN member_roles mr ON mr.member_id = m.id JOIN roles r ON r.id = mr.role_id \
             WHERE m.user_id = $1 ORDER BY r.position, r.id",
            ROLE_COLUMNS.replace(", ", ", r.")
        );
        async move { db.rows(&sql, &[principal.into()]).await }
    };
    let (member_rows, member_of) = if logged {
        let rows = role_rows(user.id).await?;
        let member_of: Vec<i64> = db
            .rows(
                "SELECT project_id FROM members WHERE user_id = $1",
                &[user.id.into()],
            )
            .await?
            .iter()
            .map(|r| r.i64("project_id"))
            .collect();
        (rows, member_of)
    } else {
        (Vec::new(), Vec::new())
    };
    let group_type = builtin_group_type(logged);
    let group_rows = db
        .rows(
            &format!(
                "SELECT m.project_id AS member_project, r.{} FROM members m \
                 JOIN users g ON g.id = m.user_id AND g.type = $1 \
                 JOIN member_roles mr ON mr.member_id = m.id JOIN roles r ON r.id = mr.role_id \
                 ORDER BY r.position, r.id",
                ROLE_COLUMNS.replace(", ", ", r.")
            ),
            &[group_type.into()],
        )
        .await?;
    let builtin = super::reference::builtin_role(db, if logged { 1 } else { 2 }).await?;
    let roles_in = |rows: &[Row], pid: i64| -> Vec<Role> {
        let mut out: Vec<Role> = Vec::new();
        for r in rows.iter().filter(|r| r.i64("member_project") == pid) {
            let role = Role::from_row(r);
            if !out.iter().any(|x| x.id == role.id) {
                out.push(role);
            }
        }
        out
    };
    Ok(projects
        .iter()
        .map(|r| {
            let id = r.i64("id");
            let is_public = r.bool("is_public");
            let roles = if member_of.contains(&id) {
                roles_in(&member_rows, id)
            } else if is_public {
                let g = roles_in(&group_rows, id);
                if g.is_empty() {
                    builtin.clone().into_iter().collect()
                } else {
                    g
                }
            } else {
                Vec::new()
            };
            Access {
                id,
                builtin: builtin.clone(),
                status: r.i64("status"),
                is_public,
                modules: modules
                    .iter()
                    .filter(|m| m.i64("project_id") == id)
                    .map(|m| m.str("name"))
                    .collect(),
                roles,
            }
        })
        .collect())
}
