//! Groups: principals of type Group (and the two builtin groups) with their users.

use super::{members, now, Db, FromRow, Result, Row};

#[derive(Debug, Clone)]
pub struct Group {
    pub id: i64,
    pub kind: String,
    pub name: String,
}

impl FromRow for Group {
    fn from_row(r: &Row) -> Self {
        Group {
            id: r.i64("id"),
            kind: r.str("type"),
            name: r.str("lastname"),
        }
    }
}

const GROUP_TYPES: &str = "('Group', 'GroupAnonymous', 'GroupNonMember')";

/// Regular groups by name (byte order), then, with `builtin`, Anonymous and Non member.
pub async fn list(db: &Db, builtin: bool) -> Result<Vec<Group>> {
    let types = if builtin { GROUP_TYPES } else { "('Group')" };
    db.all(
        &format!("SELECT id, type, lastname FROM users WHERE type IN {types} ORDER BY type, lastname, id"),
        &[],
    )
    .await
}

pub async fn find(db: &Db, id: i64) -> Result<Option<Group>> {
    db.opt(
        &format!("SELECT id, type, lastname FROM users WHERE id = $1 AND type IN {GROUP_TYPES}"),
        &[id.into()],
    )
    .await
}

/// Whether another group (builtin ones included) has this name, case-insensitively.
pub async fn name_taken(db: &Db, name: &str, except: Option<i64>) -> Result<bool> {
    Ok(db
        .int(
            &format!(
                "SELECT COUNT(*) FROM users WHERE type IN {GROUP_TYPES} AND LOWER(lastname) = LOWER($1) AND id <> $2"
            ),
            &[name.into(), except.unwrap_or(0).into()],
        )
        .await?
        > 0)
}

/// `(id, first name, last name)` of the group's users, by id.
pub async fn users(db: &Db, group_id: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(db
        .rows(
            "SELECT u.id, u.firstname, u.lastname FROM groups_users gu JOIN users u ON u.id = gu.user_id \
             WHERE gu.group_id = $1 ORDER BY u.id",
            &[group_id.into()],
        )
        .await?
        .iter()
        .map(|r| (r.i64("id"), r.str("firstname"), r.str("lastname")))
        .collect())
}

/// Which of these ids are users (any status, not the anonymous user).
pub async fn existing_users(db: &Db, ids: &[i64]) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for id in ids {
        let n = db
            .int(
                "SELECT COUNT(*) FROM users WHERE id = $1 AND type = 'User'",
                &[(*id).into()],
            )
            .await?;
        if n > 0 && !out.contains(id) {
            out.push(*id);
        }
    }
    Ok(out)
}

pub async fn create(
    db: &Db,
    name: &str,
    user_ids: &[i64],
    custom: &[(i64, Vec<String>)],
) -> Result<i64> {
    let t = now();
    let mut tx = db.begin().await?;
    let id = tx
        .int(
            "INSERT INTO users (type, lastname, status, created_on, updated_on) \
             VALUES ('Group', $1, 1, $2, $2) RETURNING id",
            &[name.into(), t.into()],
        )
        .await?;
    for u in user_ids {
        tx.exec(
            "INSERT INTO groups_users (group_id, user_id) VALUES ($1, $2)",
            &[id.into(), (*u).into()],
        )
        .await?;
    }
    super::custom_values::set(&mut tx, "Principal", id, custom).await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames and/or replaces the users, moving the roles the users hold through the group.
pub async fn update(
    db: &Db,
    id: i64,
    name: Option<&str>,
    user_ids: Option<&[i64]>,
    custom: &[(i64, Vec<String>)],
) -> Result<()> {
    let mut tx = db.begin().await?;
    super::custom_values::set(&mut tx, "Principal", id, custom).await?;
    if let Some(name) = name {
        tx.exec(
            "UPDATE users SET lastname = $1, updated_on = $2 WHERE id = $3",
            &[name.into(), now().into(), id.into()],
        )
        .await?;
    }
    if let Some(wanted) = user_ids {
        let current: Vec<i64> = tx
            .rows(
                "SELECT user_id FROM groups_users WHERE group_id = $1",
                &[id.into()],
            )
            .await?
            .iter()
            .map(|r| r.i64("user_id"))
            .collect();
        for u in current.iter().filter(|u| !wanted.contains(u)) {
            tx.exec(
                "DELETE FROM groups_users WHERE group_id = $1 AND user_id = $2",
                &[id.into(), (*u).into()],
            )
            .await?;
            members::user_removed_from_group(&mut tx, id, *u).await?;
        }
        for u in wanted.iter().filter(|u| !current.contains(u)) {
            tx.exec(
                "INSERT INTO groups_users (group_id, user_id) VALUES ($1, $2)",
                &[id.into(), (*u).into()],
            )
            .await?;
            members::user_added_to_group(&mut tx, id, *u).await?;
        }
    }
    tx.commit().await
}

pub async fn add_users(db: &Db, id: i64, user_ids: &[i64]) -> Result<()> {
    let mut tx = db.begin().await?;
    for u in user_ids {
        tx.exec(
            "INSERT INTO groups_users (group_id, user_id) VALUES ($1, $2)",
            &[id.into(), (*u).into()],
        )
        .await?;
        members::user_added_to_group(&mut tx, id, *u).await?;
    }
    tx.commit().await
}

pub async fn remove_user(db: &Db, id: i64, user_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = tx
        .exec(
            "DELETE FROM groups_users WHERE group_id = $1 AND user_id = $2",
            &[id.into(), user_id.into()],
        )
        .await?;
    if n > 0 {
        members::user_removed_from_group(&mut tx, id, user_id).await?;
    }
    tx.commit().await
}

/// Deletes a group with its memberships (and the roles its users had through them).
/// Deletes a group with its memberships and custom values; returns the files of its
/// attachment values, to remove from the store.
pub async fn delete(db: &Db, id: i64) -> Result<Vec<(String, String)>> {
    let mut tx = db.begin().await?;
    let files = super::custom_values::delete_of(&mut tx, "Principal", &[id]).await?;
    let mids = tx
        .rows("SELECT id FROM members WHERE user_id = $1", &[id.into()])
        .await?;
    for m in mids {
        members::destroy_member(&mut tx, m.i64("id")).await?;
    }
    tx.exec(
        "UPDATE issue_categories SET assigned_to_id = NULL WHERE assigned_to_id = $1",
        &[id.into()],
    )
    .await?;
    tx.exec(
        "UPDATE projects SET default_assigned_to_id = NULL WHERE default_assigned_to_id = $1",
        &[id.into()],
    )
    .await?;
    tx.exec(
        "DELETE FROM users WHERE id = $1 AND type = 'Group'",
        &[id.into()],
    )
    .await?;
    tx.commit().await?;
    Ok(files)
}
