//! Watchers of issues (and, later, of other objects).

use super::{Db, Result};

/// `(principal id, name)` of an object's watchers, in the order they were added.
pub async fn of(db: &Db, kind: &str, id: i64) -> Result<Vec<(i64, String)>> {
    Ok(db
        .rows(
            "SELECT u.id, u.type, u.firstname, u.lastname FROM watchers w JOIN users u ON u.id = w.user_id \
             WHERE w.watchable_type = $1 AND w.watchable_id = $2 ORDER BY w.id",
            &[kind.into(), id.into()],
        )
        .await?
        .iter()
        .map(|r| {
            let name = if r.str("type") == "User" {
                format!("{} {}", r.str("firstname"), r.str("lastname"))
            } else {
                r.str("lastname")
            };
            (r.i64("id"), name)
        })
        .collect())
}

/// The active users among an object's watchers (those a copy keeps), in the order added.
pub async fn active_users_of(db: &Db, kind: &str, id: i64) -> Result<Vec<i64>> {
    Ok(db
        .rows(
            "SELECT w.user_id FROM watchers w JOIN users u ON u.id = w.user_id \
             WHERE w.watchable_type = $1 AND w.watchable_id = $2 \
             AND u.type = 'User' AND u.status = 1 ORDER BY w.id",
            &[kind.into(), id.into()],
        )
        .await?
        .iter()
        .map(|r| r.i64("user_id"))
        .collect())
}

/// Adds watchers that are active users or groups; others and repeats are skipped (also
/// when a concurrent request adds the same watcher).
pub async fn add(db: &Db, kind: &str, id: i64, principals: &[i64]) -> Result<()> {
    for p in principals {
        db.exec(
            "INSERT INTO watchers (watchable_type, watchable_id, user_id) \
             SELECT $1, $2, u.id FROM users u WHERE u.id = $3 \
             AND ((u.type = 'User' AND u.status = 1) OR u.type = 'Group') \
             ON CONFLICT (watchable_type, watchable_id, user_id) DO NOTHING",
            &[kind.into(), id.into(), (*p).into()],
        )
        .await?;
    }
    Ok(())
}

pub async fn remove(db: &Db, kind: &str, id: i64, principal: i64) -> Result<()> {
    db.exec(
        "DELETE FROM watchers WHERE watchable_type = $1 AND watchable_id = $2 AND user_id = $3",
        &[kind.into(), id.into(), principal.into()],
    )
    .await
    .map(|_| ())
}

/// Whether a user or group with this id exists.
pub async fn principal_exists(db: &Db, id: i64) -> Result<bool> {
    Ok(db
        .int(
            "SELECT COUNT(*) FROM users WHERE id = $1 AND type IN ('User', 'Group', 'GroupAnonymous', 'GroupNonMember', 'AnonymousUser')",
            &[id.into()],
        )
        .await?
        > 0)
}
