//! `PUT /journals/:id`: editing the notes of a journal.

use serde_json::Value;

use crate::api::access::{allowed, me, roles, visible};
use crate::api::caller;
use crate::domain::issues::{self as rules};
use crate::domain::users::cast_bool;
use crate::domain::values::text;
use crate::http::{not_found, ApiError, ApiResult, Ctx, Reply};
use crate::state::App;
use crate::store::issues::{self as store};
use crate::store::projects::{self as projects};

/// `PUT /journals/:id`: edit the notes of a visible journal; 204, or 404/403.
pub async fn edit_journal(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let c = caller(ctx);
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let (issue_id, author, private, details) = crate::store::journals::journal_facts(&app.db, id)
        .await?
        .ok_or_else(not_found)?;
    // an invisible journal is unknown
    let issue = store::find(&app.db, issue_id)
        .await?
        .ok_or_else(not_found)?;
    let p = projects::find_by_id(&app.db, issue.project_id)
        .await?
        .ok_or_else(not_found)?;
    let roles = roles(app, ctx, &p).await?;
    let me = me(app, ctx).await?;
    if !visible(ctx, &p, &roles, &issue, &me) {
        return Err(not_found());
    }
    if private
        && !(c.logged && author == c.user_id)
        && !allowed(app, ctx, &p, &["view_private_notes"]).await?
    {
        return Err(not_found());
    }
    crate::api::access::authorize(app, ctx, &p, ctx.required).await?;
    let editable = c.logged
        && (allowed(app, ctx, &p, &["edit_issue_notes"]).await?
            || (author == c.user_id && allowed(app, ctx, &p, &["edit_own_issue_notes"]).await?));
    if !editable {
        return Err(ApiError::Status(axum::http::StatusCode::FORBIDDEN));
    }
    let body = ctx.param("journal").cloned().unwrap_or(Value::Null);
    let notes = body
        .get("notes")
        .map(|v| rules::crlf(&text(v).unwrap_or_default()));
    let private_notes = match body.get("private_notes").and_then(cast_bool) {
        Some(flag) if allowed(app, ctx, &p, &["set_notes_private"]).await? => Some(flag),
        _ => None,
    };
    crate::store::journals::edit_journal(&app.db, id, notes, private_notes, c.user_id, details)
        .await?;
    Ok(Reply::NoContent)
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![route(
        &["PUT", "PATCH"],
        "/journals/{id}",
        Permission(&["edit_issue_notes", "edit_own_issue_notes"]),
        |a, c, p| Box::pin(edit_journal(a, c, &p[0])),
    )]
}
