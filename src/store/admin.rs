//! Writes to the reference data: trackers, statuses, enumerations, roles, workflows and
//! custom fields (the carmine administration extension).

use super::sql::Sql;
use super::{Arg, Db, Result};

/// Whether another row of `table` (optionally restricted by `scope`) has this name.
pub async fn name_taken(
    db: &Db,
    table: &str,
    scope: Option<(&str, &str)>,
    name: &str,
    except: Option<i64>,
) -> Result<bool> {
    let mut sql = Sql::new(&format!(
        "SELECT COUNT(*) FROM {table} WHERE LOWER(name) = LOWER("
    ));
    sql.bind(name)
        .push(") AND id <> ")
        .bind(except.unwrap_or(0));
    if let Some((col, value)) = scope {
        sql.push(" AND ").push(col).push(" = ").bind(value);
    }
    Ok(db.int(&sql.text, &sql.args).await? > 0)
}

/// Inserts a row with the next position (within `scope` when given).
pub async fn insert(
    db: &Db,
    table: &str,
    cols: &[(&str, Arg)],
    scope: Option<(&str, Arg)>,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let mut pos = Sql::new(&format!(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM {table}"
    ));
    if let Some((col, value)) = scope {
        pos.push(" WHERE ")
            .push(col)
            .push(" = ")
            .bind(value.clone());
    }
    let position = tx.int(&pos.text, &pos.args).await?;
    let mut sql = Sql::new(&format!("INSERT INTO {table} (position"));
    for (c, _) in cols {
        sql.push(", ").push(c);
    }
    sql.push(") VALUES (").bind(position);
    for (_, v) in cols {
        sql.push(", ").bind(v.clone());
    }
    sql.push(") RETURNING id");
    let id = tx.int(&sql.text, &sql.args).await?;
    tx.commit().await?;
    Ok(id)
}

/// Updates the given columns of one row.
pub async fn update(db: &Db, table: &str, id: i64, cols: &[(&str, Arg)]) -> Result<()> {
    if cols.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(&format!("UPDATE {table} SET "));
    for (i, (c, v)) in cols.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push(c).push(" = ").bind(v.clone());
    }
    sql.push(" WHERE id = ").bind(id);
    db.exec(&sql.text, &sql.args).await.map(|_| ())
}

pub async fn delete(db: &Db, table: &str, id: i64) -> Result<()> {
    db.exec(&format!("DELETE FROM {table} WHERE id = $1"), &[id.into()])
        .await
        .map(|_| ())
}

/// Makes one enumeration the default of its kind.
pub async fn set_default_enumeration(db: &Db, kind: &str, id: i64) -> Result<()> {
    db.exec(
        "UPDATE enumerations SET is_default = (id = $1) WHERE type = $2 AND project_id IS NULL",
        &[id.into(), kind.into()],
    )
    .await
    .map(|_| ())
}

/// Whether a tracker has this status as its default.
pub async fn status_is_default(db: &Db, status: i64) -> Result<bool> {
    Ok(db
        .int(
            "SELECT COUNT(*) FROM trackers WHERE default_status_id = $1",
            &[status.into()],
        )
        .await?
        > 0)
}

/// Deletes a status with the workflow transitions through it.
pub async fn delete_status(db: &Db, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.exec(
        "DELETE FROM workflows WHERE old_status_id = $1 OR new_status_id = $1",
        &[id.into()],
    )
    .await?;
    tx.exec("DELETE FROM issue_statuses WHERE id = $1", &[id.into()])
        .await?;
    tx.commit().await
}

/// A global enumeration's type and name.
pub async fn enumeration(db: &Db, id: i64) -> Result<Option<(String, String)>> {
    Ok(db
        .rows(
            "SELECT type, name FROM enumerations WHERE id = $1 AND project_id IS NULL",
            &[id.into()],
        )
        .await?
        .first()
        .map(|r| (r.str("type"), r.str("name"))))
}

/// Whether a member holds this role.
pub async fn role_in_use(db: &Db, role: i64) -> Result<bool> {
    Ok(db
        .int(
            "SELECT COUNT(*) FROM member_roles WHERE role_id = $1",
            &[role.into()],
        )
        .await?
        > 0)
}

/// Replaces the rows of a link table for one custom field.
pub async fn set_links(db: &Db, table: &str, col: &str, field_id: i64, ids: &[i64]) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.exec(
        &format!("DELETE FROM {table} WHERE custom_field_id = $1"),
        &[field_id.into()],
    )
    .await?;
    for id in ids {
        tx.exec(
            &format!("INSERT INTO {table} (custom_field_id, {col}) VALUES ($1, $2) ON CONFLICT DO NOTHING"),
            &[field_id.into(), (*id).into()],
        )
        .await?;
    }
    tx.commit().await
}

/// `(custom field id, id, name)` of a custom field's trackers or roles.
pub async fn links(db: &Db, kind: &str) -> Result<Vec<(i64, i64, String)>> {
    let sql = match kind {
        "trackers" => {
            "SELECT l.custom_field_id AS cf, t.id, t.name FROM custom_fields_trackers l \
             JOIN trackers t ON t.id = l.tracker_id ORDER BY t.position, t.id"
        }
        _ => {
            "SELECT l.custom_field_id AS cf, r.id, r.name FROM custom_fields_roles l \
             JOIN roles r ON r.id = l.role_id ORDER BY r.position, r.id"
        }
    };
    Ok(db
        .rows(sql, &[])
        .await?
        .iter()
        .map(|r| (r.i64("cf"), r.i64("id"), r.str("name")))
        .collect())
}

/// One workflow transition.
#[derive(Debug, Clone)]
pub struct Transition {
    pub role_id: i64,
    pub tracker_id: i64,
    pub old_status_id: i64,
    pub new_status_id: i64,
    pub author: bool,
    pub assignee: bool,
}

pub async fn transitions(
    db: &Db,
    role: Option<i64>,
    tracker: Option<i64>,
) -> Result<Vec<Transition>> {
    let mut sql = Sql::new(
        "SELECT role_id, tracker_id, old_status_id, new_status_id, author, assignee FROM workflows \
         WHERE type = 'WorkflowTransition'",
    );
    if let Some(r) = role {
        sql.push(" AND role_id = ").bind(r);
    }
    if let Some(t) = tracker {
        sql.push(" AND tracker_id = ").bind(t);
    }
    sql.push(" ORDER BY role_id, tracker_id, old_status_id, new_status_id, author, assignee");
    Ok(db
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| Transition {
            role_id: r.i64("role_id"),
            tracker_id: r.i64("tracker_id"),
            old_status_id: r.i64("old_status_id"),
            new_status_id: r.i64("new_status_id"),
            author: r.bool("author"),
            assignee: r.bool("assignee"),
        })
        .collect())
}

/// Replaces the transitions of every (role, tracker) pair given.
pub async fn replace_transitions(
    db: &Db,
    roles: &[i64],
    trackers: &[i64],
    transitions: &[(i64, i64, bool, bool)],
) -> Result<()> {
    let mut tx = db.begin().await?;
    for r in roles {
        for t in trackers {
            tx.exec(
                "DELETE FROM workflows WHERE type = 'WorkflowTransition' AND role_id = $1 AND tracker_id = $2",
                &[(*r).into(), (*t).into()],
            )
            .await?;
            for (old, new, author, assignee) in transitions {
                tx.exec(
                    "INSERT INTO workflows (type, tracker_id, role_id, old_status_id, new_status_id, author, assignee) \
                     VALUES ('WorkflowTransition', $1, $2, $3, $4, $5, $6)",
                    &[(*t).into(), (*r).into(), (*old).into(), (*new).into(), (*author).into(), (*assignee).into()],
                )
                .await?;
            }
        }
    }
    tx.commit().await
}

/// Replaces the field rules (read-only / required per status) of the given roles × trackers.
pub async fn replace_field_rules(
    db: &Db,
    roles: &[i64],
    trackers: &[i64],
    rules: &[(i64, String, String)],
) -> Result<()> {
    let mut tx = db.begin().await?;
    for r in roles {
        for t in trackers {
            tx.exec(
                "DELETE FROM workflows WHERE type = 'WorkflowPermission' AND role_id = $1 AND tracker_id = $2",
                &[(*r).into(), (*t).into()],
            )
            .await?;
            for (status, field, rule) in rules {
                tx.exec(
                    "INSERT INTO workflows (type, tracker_id, role_id, old_status_id, new_status_id, field_name, rule) \
                     VALUES ('WorkflowPermission', $1, $2, $3, 0, $4, $5)",
                    &[(*t).into(), (*r).into(), (*status).into(), field.into(), rule.into()],
                )
                .await?;
            }
        }
    }
    tx.commit().await
}
