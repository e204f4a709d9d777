//! Memberships and their roles, with Redmine's propagation: a group's roles are copied to
//! its users, and a project's roles to subprojects that inherit members. Copies point at
//! their source (`inherited_from`) and disappear with it.

use super::{now, Db, FromRow, Result, Row, Tx};

#[derive(Debug, Clone)]
pub struct Membership {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub principal_id: i64,
    pub principal_type: String,
    pub principal_firstname: String,
    pub principal_lastname: String,
}

impl FromRow for Membership {
    fn from_row(r: &Row) -> Self {
        Membership {
            id: r.i64("id"),
            project_id: r.i64("project_id"),
            project_name: r.str("project_name"),
            principal_id: r.i64("user_id"),
            principal_type: r.str("type"),
            principal_firstname: r.str("firstname"),
            principal_lastname: r.str("lastname"),
        }
    }
}

/// One role of a membership, as rendered.
#[derive(Debug, Clone)]
pub struct MemberRole {
    pub id: i64,
    pub member_id: i64,
    pub role_id: i64,
    pub role_name: String,
    pub inherited_from: Option<i64>,
}

impl FromRow for MemberRole {
    fn from_row(r: &Row) -> Self {
        MemberRole {
            id: r.i64("id"),
            member_id: r.i64("member_id"),
            role_id: r.i64("role_id"),
            role_name: r.str("name"),
            inherited_from: r.opt_i64("inherited_from"),
        }
    }
}

pub const SELECT: &str = "SELECT m.id, m.project_id, p.name AS project_name, m.user_id, \
    u.type, u.firstname, u.lastname \
    FROM members m JOIN projects p ON p.id = m.project_id JOIN users u ON u.id = m.user_id ";

/// The member row of a principal in a project, created when missing.
pub async fn ensure_member(tx: &mut Tx<'_>, user_id: i64, project_id: i64) -> Result<i64> {
    let found = tx
        .rows(
            "SELECT id FROM members WHERE user_id = $1 AND project_id = $2",
            &[user_id.into(), project_id.into()],
        )
        .await?;
    if let Some(r) = found.first() {
        return Ok(r.i64("id"));
    }
    tx.int(
        "INSERT INTO members (user_id, project_id, mail_notification, created_on) \
         VALUES ($1, $2, FALSE, $3) RETURNING id",
        &[user_id.into(), project_id.into(), now().into()],
    )
    .await
}

/// Adds a role to a membership and propagates it as Redmine's `MemberRole` callbacks do,
/// depth first and in their order: a direct role of a group goes to each of its users, then
/// every role goes to subprojects that inherit members; each copy propagates in turn.
pub async fn add_role(
    tx: &mut Tx<'_>,
    member_id: i64,
    role_id: i64,
    inherited_from: Option<i64>,
) -> Result<i64> {
    let id = insert_role(tx, member_id, role_id, inherited_from).await?;
    propagate(tx, id, member_id, role_id, inherited_from.is_some()).await?;
    Ok(id)
}

fn propagate<'a, 'b>(
    tx: &'a mut Tx<'b>,
    mr_id: i64,
    member: i64,
    role_id: i64,
    inherited: bool,
) -> futures_util::future::BoxFuture<'a, Result<()>>
where
    'b: 'a,
{
    Box::pin(async move {
        let m = tx
            .rows(
                "SELECT m.user_id, m.project_id, u.type FROM members m \
                 JOIN users u ON u.id = m.user_id WHERE m.id = $1",
                &[member.into()],
            )
            .await?;
        let Some(m) = m.first() else { return Ok(()) };
        let (principal, project, kind) = (m.i64("user_id"), m.i64("project_id"), m.str("type"));
        if kind == "Group" && !inherited {
            let users = tx
                .rows(
                    "SELECT user_id FROM groups_users WHERE group_id = $1 ORDER BY user_id",
                    &[principal.into()],
                )
                .await?;
            for u in users {
                let um = ensure_member(tx, u.i64("user_id"), project).await?;
                let id = insert_role(tx, um, role_id, Some(mr_id)).await?;
                propagate(tx, id, um, role_id, true).await?;
            }
        }
        let children = tx
            .rows(
                "SELECT id FROM projects WHERE parent_id = $1 AND inherit_members = TRUE ORDER BY id",
                &[project.into()],
            )
            .await?;
        for c in children {
            let cm = ensure_member(tx, principal, c.i64("id")).await?;
            let id = insert_role(tx, cm, role_id, Some(mr_id)).await?;
            propagate(tx, id, cm, role_id, true).await?;
        }
        Ok(())
    })
}

async fn insert_role(
    tx: &mut Tx<'_>,
    member_id: i64,
    role_id: i64,
    inherited_from: Option<i64>,
) -> Result<i64> {
    tx.int(
        "INSERT INTO member_roles (member_id, role_id, inherited_from) VALUES ($1, $2, $3) RETURNING id",
        &[member_id.into(), role_id.into(), inherited_from.into()],
    )
    .await
}

/// Destroys member_roles and every copy made from them, then the memberships left
/// without any role.
pub async fn destroy_roles(tx: &mut Tx<'_>, ids: Vec<i64>) -> Result<()> {
    let mut all = Vec::new();
    let mut frontier = ids;
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for id in &frontier {
            let copies = tx
                .rows(
                    "SELECT id FROM member_roles WHERE inherited_from = $1",
                    &[(*id).into()],
                )
                .await?;
            next.extend(copies.iter().map(|r| r.i64("id")));
        }
        all.extend(frontier);
        frontier = next;
    }
    let mut members = Vec::new();
    for id in &all {
        let m = tx
            .rows(
                "SELECT member_id FROM member_roles WHERE id = $1",
                &[(*id).into()],
            )
            .await?;
        members.extend(m.iter().map(|r| r.i64("member_id")));
        tx.exec("DELETE FROM member_roles WHERE id = $1", &[(*id).into()])
            .await?;
    }
    members.sort_unstable();
    members.dedup();
    for m in members {
        tx.exec(
            "DELETE FROM members WHERE id = $1 \
             AND NOT EXISTS (SELECT 1 FROM member_roles WHERE member_id = $1)",
            &[m.into()],
        )
        .await?;
    }
    Ok(())
}

/// Destroys a membership with all its roles and their copies.
pub async fn destroy_member(tx: &mut Tx<'_>, member_id: i64) -> Result<()> {
    let roles = tx
        .rows(
            "SELECT id FROM member_roles WHERE member_id = $1",
            &[member_id.into()],
        )
        .await?;
    destroy_roles(tx, roles.iter().map(|r| r.i64("id")).collect()).await?;
    tx.exec("DELETE FROM members WHERE id = $1", &[member_id.into()])
        .await?;
    Ok(())
}

/// A user joined a group: he receives a copy of each role of each of the group's memberships.
pub async fn user_added_to_group(tx: &mut Tx<'_>, group_id: i64, user_id: i64) -> Result<()> {
    let roles = tx
        .rows(
            "SELECT mr.id, mr.role_id, m.project_id FROM member_roles mr \
             JOIN members m ON m.id = mr.member_id WHERE m.user_id = $1 ORDER BY m.id, mr.id",
            &[group_id.into()],
        )
        .await?;
    for r in roles {
        let um = ensure_member(tx, user_id, r.i64("project_id")).await?;
        add_role(tx, um, r.i64("role_id"), Some(r.i64("id"))).await?;
    }
    Ok(())
}

/// A user left a group: the roles he had through it go.
pub async fn user_removed_from_group(tx: &mut Tx<'_>, group_id: i64, user_id: i64) -> Result<()> {
    let ids = tx
        .rows(
            "SELECT ur.id FROM member_roles ur JOIN members um ON um.id = ur.member_id \
             WHERE um.user_id = $1 AND ur.inherited_from IN \
             (SELECT gr.id FROM member_roles gr JOIN members gm ON gm.id = gr.member_id \
              WHERE gm.user_id = $2)",
            &[user_id.into(), group_id.into()],
        )
        .await?;
    destroy_roles(tx, ids.iter().map(|r| r.i64("id")).collect()).await
}

/// Recomputes a project's inherited roles after its parent or `inherit_members` changed:
/// copies from outside the project go, and the parent's roles are copied again when the
/// project inherits members.
pub async fn refresh_inherited(tx: &mut Tx<'_>, project_id: i64) -> Result<()> {
    let foreign = tx
        .rows(
            "SELECT mr.id FROM member_roles mr JOIN members m ON m.id = mr.member_id \
             WHERE m.project_id = $1 AND mr.inherited_from IS NOT NULL \
             AND mr.inherited_from NOT IN (SELECT r2.id FROM member_roles r2 \
                 JOIN members m2 ON m2.id = r2.member_id WHERE m2.project_id = $1)",
            &[project_id.into()],
        )
        .await?;
    destroy_roles(tx, foreign.iter().map(|r| r.i64("id")).collect()).await?;
    let p = tx
        .rows(
            "SELECT parent_id, inherit_members FROM projects WHERE id = $1",
            &[project_id.into()],
        )
        .await?;
    let Some(p) = p.first() else { return Ok(()) };
    let (Some(parent), true) = (p.opt_i64("parent_id"), p.bool("inherit_members")) else {
        return Ok(());
    };
    let roles = tx
        .rows(
            "SELECT mr.id, mr.role_id, m.user_id FROM member_roles mr \
             JOIN members m ON m.id = mr.member_id WHERE m.project_id = $1 ORDER BY m.id, mr.id",
            &[parent.into()],
        )
        .await?;
    for r in roles {
        let cm = ensure_member(tx, r.i64("user_id"), project_id).await?;
        add_role(tx, cm, r.i64("role_id"), Some(r.i64("id"))).await?;
    }
    Ok(())
}

/// Memberships of a project, by id, one page, and how many there are.
pub async fn list(
    db: &Db,
    project_id: i64,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Membership>)> {
    let total = db
        .int(
            "SELECT COUNT(*) FROM members WHERE project_id = $1",
            &[project_id.into()],
        )
        .await?;
    let page = db
        .all(
            &format!("{SELECT} WHERE m.project_id = $1 ORDER BY m.id LIMIT $2 OFFSET $3"),
            &[project_id.into(), limit.into(), offset.into()],
        )
        .await?;
    Ok((total, page))
}

pub async fn find(db: &Db, id: i64) -> Result<Option<Membership>> {
    db.opt(&format!("{SELECT} WHERE m.id = $1"), &[id.into()])
        .await
}

pub async fn find_for(db: &Db, user_id: i64, project_id: i64) -> Result<Option<Membership>> {
    db.opt(
        &format!("{SELECT} WHERE m.user_id = $1 AND m.project_id = $2"),
        &[user_id.into(), project_id.into()],
    )
    .await
}

/// The roles of several memberships at once, in member_role order.
pub async fn roles_of(db: &Db, member_ids: &[i64]) -> Result<Vec<MemberRole>> {
    if member_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = super::sql::Sql::new(
        "SELECT mr.id, mr.member_id, mr.role_id, r.name, mr.inherited_from FROM member_roles mr \
         JOIN roles r ON r.id = mr.role_id WHERE mr.member_id IN (",
    );
    sql.ids(member_ids);
    sql.push(") ORDER BY mr.id");
    db.all(&sql.text, &sql.args).await
}

/// A user's memberships in non-archived projects, by project id.
pub async fn of_principal(db: &Db, user_id: i64) -> Result<Vec<Membership>> {
    db.all(
        &format!("{SELECT} WHERE m.user_id = $1 AND p.status <> 9 ORDER BY m.project_id, m.id"),
        &[user_id.into()],
    )
    .await
}

/// Creates memberships in order, stopping at the first that cannot be saved (Redmine's
/// `members <<`): each is `(principal, roles)`.
pub async fn create_many(
    db: &Db,
    project_id: i64,
    members: &[(i64, Vec<i64>)],
) -> Result<Vec<i64>> {
    let mut tx = db.begin().await?;
    let mut ids = Vec::new();
    for (principal, roles) in members {
        let m = tx
            .int(
                "INSERT INTO members (user_id, project_id, mail_notification, created_on) \
                 VALUES ($1, $2, FALSE, $3) RETURNING id",
                &[(*principal).into(), project_id.into(), now().into()],
            )
            .await?;
        for r in roles {
            add_role(&mut tx, m, *r, None).await?;
        }
        ids.push(m);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Replaces the direct roles of a membership: `remove` go (with their copies), `add` come
/// in the order given.
pub async fn change_roles(db: &Db, member_id: i64, remove: &[i64], add: &[i64]) -> Result<()> {
    let mut tx = db.begin().await?;
    // add first: removing first could leave the membership empty, which deletes it
    for r in add {
        add_role(&mut tx, member_id, *r, None).await?;
    }
    destroy_roles(&mut tx, remove.to_vec()).await?;
    tx.commit().await
}

/// Deletes a membership; the principal stops being the default assignee of the project
/// and of its categories.
pub async fn delete(db: &Db, m: &Membership) -> Result<()> {
    let mut tx = db.begin().await?;
    destroy_member(&mut tx, m.id).await?;
    tx.exec(
        "UPDATE issue_categories SET assigned_to_id = NULL WHERE project_id = $1 AND assigned_to_id = $2",
        &[m.project_id.into(), m.principal_id.into()],
    )
    .await?;
    tx.exec(
        "UPDATE projects SET default_assigned_to_id = NULL WHERE id = $1 AND default_assigned_to_id = $2",
        &[m.project_id.into(), m.principal_id.into()],
    )
    .await?;
    tx.commit().await
}
