//! Documents and forum messages: kept from an imported Redmine (no API shows them, as in
//! Redmine 5.0), read for the rights on the files attached to them.

use super::{Db, Result};

/// The project of a document.
pub async fn project_of_document(db: &Db, id: i64) -> Result<Option<i64>> {
    let rows = db
        .rows(
            "SELECT project_id FROM documents WHERE id = $1",
            &[id.into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.i64("project_id")))
}

/// The project of a forum message, through its board.
pub async fn project_of_message(db: &Db, id: i64) -> Result<Option<i64>> {
    let rows = db
        .rows(
            "SELECT b.project_id FROM messages m JOIN boards b ON b.id = m.board_id WHERE m.id = $1",
            &[id.into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.i64("project_id")))
}
