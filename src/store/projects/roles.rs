//! The roles a principal holds in a project, anywhere, and in every project it sees.

use super::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The builtin group whose project roles a caller without membership gets: Non member
/// users when logged in, Anonymous users otherwise.
pub(crate) fn builtin_group_type(logged: bool) -> &'static str {
    if logged {
        "GroupNonMember"
    } else {
        "GroupAnonymous"
    }
}

pub(crate) async fn builtin_group(db: &Db, logged: bool) -> Result<Option<i64>> {
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
    Ok(crate::store::reference::builtin_role(db, builtin)
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
    roles.extend(crate::store::reference::builtin_role(db, builtin).await?);
    Ok(roles)
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
    /// `/1/5/`: the ids from the root down, for subtrees.
    pub id_path: String,
    pub modules: Vec<String>,
    pub roles: Vec<Role>,
    /// The caller is a member (itself, or through a group), not only a visitor.
    pub member: bool,
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
pub async fn access_map(
    db: &Db,
    user: &User,
    logged: bool,
    admin: bool,
) -> Result<Arc<Vec<Access>>> {
    let key = format!("access_map:{}:{logged}:{admin}", user.id);
    db.cache
        .get(db, key, build_access_map(db, user, logged, admin))
        .await
}

async fn build_access_map(db: &Db, user: &User, logged: bool, admin: bool) -> Result<Vec<Access>> {
    let mut vis = Sql::new("SELECT p.id, p.status, p.is_public, p.id_path FROM projects p WHERE");
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
    let builtin = crate::store::reference::builtin_role(db, if logged { 1 } else { 2 }).await?;
    // grouped once by project: a scan per project would make the map quadratic
    let by_project = |rows: &[Row]| {
        let mut map: HashMap<i64, Vec<Role>> = HashMap::new();
        for r in rows {
            let role = Role::from_row(r);
            let roles = map.entry(r.i64("member_project")).or_default();
            if !roles.iter().any(|x| x.id == role.id) {
                roles.push(role);
            }
        }
        map
    };
    let mut member_roles = by_project(&member_rows);
    let mut group_roles = by_project(&group_rows);
    let member_of: HashSet<i64> = member_of.into_iter().collect();
    let mut modules_of: HashMap<i64, Vec<String>> = HashMap::new();
    for m in &modules {
        modules_of
            .entry(m.i64("project_id"))
            .or_default()
            .push(m.str("name"));
    }
    Ok(projects
        .iter()
        .map(|r| {
            let id = r.i64("id");
            let is_public = r.bool("is_public");
            let member = member_of.contains(&id);
            let roles = if member {
                member_roles.remove(&id).unwrap_or_default()
            } else if is_public {
                match group_roles.remove(&id) {
                    Some(g) if !g.is_empty() => g,
                    _ => builtin.clone().into_iter().collect(),
                }
            } else {
                Vec::new()
            };
            Access {
                id,
                builtin: builtin.clone(),
                status: r.i64("status"),
                is_public,
                id_path: r.str("id_path"),
                modules: modules_of.remove(&id).unwrap_or_default(),
                roles,
                member,
            }
        })
        .collect())
}
