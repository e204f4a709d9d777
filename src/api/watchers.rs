//! `POST /issues/:id/watchers`, `DELETE /issues/:id/watchers/:user_id`.

use crate::api::access::access_to;
use crate::api::caller;
use crate::http::{not_found, ApiError, ApiResult, Ctx, Reply};
use crate::state::App;
use crate::store::issues::{self as store, Issue};

/// The issue for a watcher action: an unknown or invisible issue is refused like a
/// missing permission (Redmine checks against an empty set of projects).
pub(crate) async fn watched_issue(
    app: &App,
    ctx: &Ctx,
    id: &str,
    perms: &[&str],
) -> Result<Issue, ApiError> {
    let c = caller(ctx);
    let found = match id.parse::<i64>() {
        Ok(id) => store::find(&app.db, id).await?,
        Err(_) => None,
    };
    let Some(issue) = found else {
        return Err(c.deny().into());
    };
    let Some((p, _)) = access_to(app, ctx, &issue).await? else {
        return Err(c.deny().into());
    };
    crate::api::access::authorize(app, ctx, &p, perms).await?;
    Ok(issue)
}

/// `POST /issues/:id/watchers`: `user_id` (or `watcher[user_id]`, `watcher[user_ids][]`);
/// unknown, inactive and repeated principals are skipped; always 204.
pub async fn add_watchers(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let issue = watched_issue(app, ctx, id, ctx.required).await?;
    let mut ids = ctx
        .param("user_id")
        .map(crate::domain::projects::id_list)
        .unwrap_or_default();
    if let Some(w) = ctx.param("watcher") {
        ids.extend(
            w.get("user_id")
                .map(crate::domain::projects::id_list)
                .unwrap_or_default(),
        );
        ids.extend(
            w.get("user_ids")
                .map(crate::domain::projects::id_list)
                .unwrap_or_default(),
        );
    }
    // Redmine loads the principals by id, so they are added once each, in id order; only
    // those the caller sees may be made watchers (an invisible one is skipped like an
    // unknown one)
    let known = crate::store::users::statuses_of(&app.db, &ids).await?;
    let ids = crate::api::access::visible_principals(app, ctx, &known).await?;
    crate::store::watchers::add(&app.db, "Issue", issue.id, &ids).await?;
    Ok(Reply::NoContent)
}

/// `DELETE /issues/:id/watchers/:user_id`: 404 for an unknown principal; 204.
pub async fn remove_watcher(app: &App, ctx: &Ctx, id: &str, user: &str) -> ApiResult {
    let issue = watched_issue(app, ctx, id, ctx.required).await?;
    let uid: i64 = user.parse().map_err(|_| not_found())?;
    if !crate::store::watchers::principal_exists(&app.db, uid).await? {
        return Err(not_found());
    }
    crate::store::watchers::remove(&app.db, "Issue", issue.id, uid).await?;
    Ok(Reply::NoContent)
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(
            &["POST"],
            "/issues/{id}/watchers",
            Permission(&[
                "add_issue_watchers",
                "add_wiki_page_watchers",
                "add_message_watchers",
            ]),
            |a, c, p| Box::pin(add_watchers(a, c, &p[0])),
        ),
        route(
            &["DELETE"],
            "/issues/{id}/watchers/{user_id}",
            Permission(&[
                "delete_issue_watchers",
                "delete_wiki_page_watchers",
                "delete_message_watchers",
            ]),
            |a, c, p| Box::pin(remove_watcher(a, c, &p[0], &p[1])),
        ),
    ]
}
