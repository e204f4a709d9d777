//! Journals: an issue's history of notes and changed attributes.

use super::sql::Sql;
use super::{now, Db, Result};
use crate::domain::users::principal_name;

/// One changed value of a journal: `(property, prop_key, old, new)`.
pub use crate::domain::issue_changes::Detail;

/// Writes a journal of an issue (`None` notes are NULL, as in Redmine's split journals).
pub async fn add_journal(
    tx: &mut super::Tx<'_>,
    issue: i64,
    user: i64,
    notes: Option<String>,
    private_notes: bool,
    details: &[Detail],
) -> Result<i64> {
    let jid = tx
        .int(
            "INSERT INTO journals (journalized_id, journalized_type, user_id, notes, private_notes, created_on) \
             VALUES ($1, 'Issue', $2, $3, $4, $5) RETURNING id",
            &[issue.into(), user.into(), notes.into(), private_notes.into(), now().into()],
        )
        .await?;
    add_details(tx, jid, details).await?;
    Ok(jid)
}

pub async fn add_details(tx: &mut super::Tx<'_>, journal: i64, details: &[Detail]) -> Result<()> {
    for (property, key, old, new) in details {
        tx.exec(
            "INSERT INTO journal_details (journal_id, property, prop_key, old_value, value) VALUES ($1, $2, $3, $4, $5)",
            &[journal.into(), property.into(), key.into(), old.clone().into(), new.clone().into()],
        )
        .await?;
    }
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
    // journals and their details in one statement: a journal's row repeats per detail
    let rows = db
        .rows(
            "SELECT j.id, j.user_id, u.type, u.firstname, u.lastname, j.notes, j.private_notes, \
             j.created_on, d.id AS detail_id, d.property, d.prop_key, d.old_value, d.value \
             FROM journals j LEFT JOIN users u ON u.id = j.user_id \
             LEFT JOIN journal_details d ON d.journal_id = j.id \
             WHERE j.journalized_type = 'Issue' AND j.journalized_id = $1 \
             ORDER BY j.created_on, j.id, d.id",
            &[issue_id.into()],
        )
        .await?;
    let mut out: Vec<Journal> = Vec::new();
    for r in &rows {
        let id = r.i64("id");
        if out.last().is_none_or(|j| j.id != id) {
            out.push(Journal {
                id,
                user: r.opt_str("type").map(|t| {
                    (
                        r.i64("user_id"),
                        principal_name(&t, &r.str("firstname"), &r.str("lastname")),
                    )
                }),
                notes: r.opt_str("notes"),
                private_notes: r.bool("private_notes"),
                created_on: r.i64("created_on"),
                details: Vec::new(),
            });
        }
        if r.opt_i64("detail_id").is_some() {
            if let Some(j) = out.last_mut() {
                j.details.push((
                    r.str("property"),
                    r.str("prop_key"),
                    r.opt_str("old_value"),
                    r.opt_str("value"),
                ));
            }
        }
    }
    Ok(out)
}

/// A journal's issue, author, privacy and number of details.
pub async fn journal_facts(db: &Db, id: i64) -> Result<Option<(i64, i64, bool, i64)>> {
    Ok(db
        .rows(
            "SELECT j.journalized_id, j.user_id, j.private_notes, \
             (SELECT COUNT(*) FROM journal_details d WHERE d.journal_id = j.id) AS details \
             FROM journals j WHERE j.id = $1 AND j.journalized_type = 'Issue'",
            &[id.into()],
        )
        .await?
        .first()
        .map(|r| {
            (
                r.i64("journalized_id"),
                r.i64("user_id"),
                r.bool("private_notes"),
                r.i64("details"),
            )
        }))
}

/// Edits a journal's notes; a journal left with neither notes nor details is deleted.
pub async fn edit_journal(
    db: &Db,
    id: i64,
    notes: Option<String>,
    private_notes: Option<bool>,
    by: i64,
    details: i64,
) -> Result<()> {
    if notes.as_deref().is_some_and(|n| n.trim().is_empty()) && details == 0 {
        return db
            .exec("DELETE FROM journals WHERE id = $1", &[id.into()])
            .await
            .map(|_| ());
    }
    let mut sql = Sql::new("UPDATE journals SET updated_on = ");
    sql.bind(now()).push(", updated_by_id = ").bind(by);
    if let Some(n) = notes {
        sql.push(", notes = ").bind(n);
    }
    if let Some(p) = private_notes {
        sql.push(", private_notes = ").bind(p);
    }
    sql.push(" WHERE id = ").bind(id);
    db.exec(&sql.text, &sql.args).await.map(|_| ())
}

/// A journal with one `child_id` detail on a parent, written by `user`.
pub async fn child_journal(
    tx: &mut super::Tx<'_>,
    parent: i64,
    user: i64,
    old: Option<i64>,
    new: Option<i64>,
) -> Result<()> {
    let detail: Detail = (
        "attr".into(),
        "child_id".into(),
        old.map(|o| o.to_string()),
        new.map(|n| n.to_string()),
    );
    add_journal(tx, parent, user, Some(String::new()), false, &[detail]).await?;
    Ok(())
}

/// Puts notes on the newest journal `user` wrote on an issue (the one a copy's link
/// wrote, which in Redmine carries the notes sent with the copy).
pub async fn note_last_journal(db: &Db, issue: i64, user: i64, notes: &str) -> Result<()> {
    db.exec(
        "UPDATE journals SET notes = $1 WHERE id = (SELECT MAX(id) FROM journals \
         WHERE journalized_type = 'Issue' AND journalized_id = $2 AND user_id = $3)",
        &[notes.into(), issue.into(), user.into()],
    )
    .await?;
    Ok(())
}

/// The issues `user` wrote a journal on since `since` and does not watch yet, with their
/// projects: `(issue, project)`.
pub async fn unwatched_contributions(db: &Db, user: i64, since: i64) -> Result<Vec<(i64, i64)>> {
    Ok(db
        .rows(
            "SELECT DISTINCT j.journalized_id, i.project_id FROM journals j \
             JOIN issues i ON i.id = j.journalized_id \
             WHERE j.journalized_type = 'Issue' AND j.user_id = $1 AND j.created_on >= $2 \
             AND NOT EXISTS (SELECT 1 FROM watchers w WHERE w.watchable_type = 'Issue' \
                             AND w.watchable_id = j.journalized_id AND w.user_id = $1)",
            &[user.into(), since.into()],
        )
        .await?
        .iter()
        .map(|r| (r.i64("journalized_id"), r.i64("project_id")))
        .collect())
}
