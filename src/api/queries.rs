//! `GET /queries`: the saved queries the caller may see.

use crate::api::access::{projects_allowing, visibility};
use crate::http::{not_found, ApiResult, Ctx, Reply};
use crate::render::{list, object_item, page_meta, Obj};
use crate::state::App;
use crate::store::queries;

pub async fn index(app: &App, ctx: &Ctx) -> ApiResult {
    let kind = ctx.param_str("type").unwrap_or_else(|| "IssueQuery".into());
    // Redmine crashes on other types; carmine answers as for an unknown resource
    if !["IssueQuery", "TimeEntryQuery", "ProjectQuery"].contains(&kind.as_str()) {
        return Err(not_found());
    }
    let permission = match kind.as_str() {
        "IssueQuery" => "view_issues",
        "TimeEntryQuery" => "view_time_entries",
        _ => "view_project",
    };
    let projects = projects_allowing(app, ctx, permission).await?;
    let (offset, limit) = ctx.offset_and_limit();
    let (total, page) =
        queries::list(&app.db, &kind, visibility(ctx), &projects, offset, limit).await?;
    let items = page
        .into_iter()
        .map(|q| {
            let mut o = Obj::new();
            o.val("id", q.id)
                .val("name", q.name)
                .val("is_public", q.visibility != 0)
                .val("project_id", q.project_id);
            object_item("query", o)
        })
        .collect();
    Ok(Reply::ok(list(
        "queries",
        page_meta(total, offset, limit, ctx.nometa()),
        items,
    )))
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![route(&["GET"], "/queries", Anyone, |a, c, _| {
        Box::pin(index(a, c))
    })]
}
