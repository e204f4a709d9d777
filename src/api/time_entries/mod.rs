//! `/time_entries` (also under `/projects/:id/` and, for logging, `/issues/:id/`): the list
//! with its filters, show, log, update, delete. One file per kind of action; this module
//! holds the routes, the rendered entry and who sees which entries.

mod index;
mod write;

pub(crate) use write::with_issue_update;

use crate::api::access::{allowed, authorize, visible_time_entries as visible};
use crate::api::caller;
use crate::domain::access;
use crate::domain::time_entries::{self as rules, shown_hours};
use crate::http::{not_found, ApiError, ApiResult, Ctx, Reply};
use crate::render::{document, Obj, Value as V};
use crate::state::App;
use crate::store::projects;
use crate::store::time_entries::{self as store, TimeEntry};

pub(crate) fn render(e: &TimeEntry) -> Obj {
    let mut o = Obj::new();
    o.val("id", e.id).attrs(
        "project",
        vec![
            ("id", e.project_id.into()),
            ("name", e.project_name.clone().into()),
        ],
    );
    if let Some(i) = e.issue_id {
        o.attrs("issue", vec![("id", i.into())]);
    }
    o.attrs(
        "user",
        vec![
            ("id", e.user_id.into()),
            ("name", e.user_name.clone().into()),
        ],
    )
    .attrs(
        "activity",
        vec![
            ("id", e.activity_id.into()),
            ("name", e.activity_name.clone().into()),
        ],
    )
    .val("hours", V::Float(shown_hours(e.hours)))
    .val("comments", e.comments.clone())
    .val("spent_on", e.spent_on.clone())
    .time("created_on", Some(e.created_on))
    .time("updated_on", Some(e.updated_on));
    o
}

/// Entries rendered with the custom values the caller sees (one statement for the
/// values, one for the roles when a field is hidden from some).
pub(crate) async fn rendered(
    app: &App,
    ctx: &Ctx,
    entries: &[TimeEntry],
) -> Result<Vec<Obj>, ApiError> {
    let owners: Vec<(i64, i64)> = entries.iter().map(|e| (e.id, e.project_id)).collect();
    let custom = crate::api::custom_values::Shown::load(
        app,
        ctx,
        "TimeEntryCustomField",
        "TimeEntry",
        &owners,
    )
    .await?;
    Ok(entries
        .iter()
        .map(|e| {
            let mut o = render(e);
            let nodes = custom.nodes(e.id, e.project_id);
            if !nodes.is_empty() {
                o.array("custom_fields", nodes);
            }
            o
        })
        .collect())
}

/// The entry of the URL and its project, or 404.
async fn load_entry(app: &App, id: &str) -> Result<(TimeEntry, projects::Project), ApiError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let e = store::find(&app.db, id).await?.ok_or_else(not_found)?;
    let p = projects::find_by_id(&app.db, e.project_id)
        .await?
        .ok_or_else(not_found)?;
    Ok((e, p))
}

/// `GET /time_entries/:id`: `view_time_entries` on its project, and the entry itself must
/// be visible (an `own` role shows only one's own entries; Redmine 5.0.4 shows any).
pub async fn show(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (e, p) = load_entry(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    if !visible(app, ctx).await?.sees(&e) {
        return Err(caller(ctx).deny().into());
    }
    let shown = rendered(app, ctx, std::slice::from_ref(&e))
        .await?
        .remove(0);
    Ok(Reply::ok(document("time_entry", shown)))
}

/// Whether the caller may change or delete the entry (Redmine's `editable_by?`).
async fn editable(
    app: &App,
    ctx: &Ctx,
    e: &TimeEntry,
    p: &projects::Project,
) -> Result<bool, ApiError> {
    let c = caller(ctx);
    if !visible(app, ctx).await?.sees(e) {
        return Ok(false);
    }
    let own = c.logged
        && e.user_id == c.user_id
        && allowed(app, ctx, p, &["edit_own_time_entries"]).await?;
    Ok(own || allowed(app, ctx, p, &["edit_time_entries"]).await?)
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    const VIEW: &[&str] = &["view_time_entries"];
    const LOG: &[&str] = &["log_time"];
    const EDIT: &[&str] = &["edit_time_entries", "edit_own_time_entries"];
    vec![
        route(&["GET"], "/time_entries", Permission(VIEW), |a, c, _| {
            Box::pin(index::index(a, c, None))
        }),
        route(
            &["GET"],
            "/projects/{project_id}/time_entries",
            Permission(VIEW),
            |a, c, p| Box::pin(index::index(a, c, Some(&p[0]))),
        ),
        route(&["POST"], "/time_entries", Permission(LOG), |a, c, _| {
            Box::pin(write::create(a, c, write::Target::None))
        }),
        route(
            &["POST"],
            "/projects/{project_id}/time_entries",
            Permission(LOG),
            |a, c, p| Box::pin(write::create(a, c, write::Target::Project(&p[0]))),
        ),
        route(
            &["POST"],
            "/issues/{issue_id}/time_entries",
            Permission(LOG),
            |a, c, p| Box::pin(write::create(a, c, write::Target::Issue(&p[0]))),
        )
        .numeric(),
        route(
            &["DELETE"],
            "/time_entries/destroy",
            Permission(EDIT),
            |a, c, _| Box::pin(write::destroy_many(a, c)),
        ),
        route(
            &["GET"],
            "/time_entries/{id}",
            Permission(VIEW),
            |a, c, p| Box::pin(show(a, c, &p[0])),
        )
        .numeric(),
        route(
            &["PUT", "PATCH"],
            "/time_entries/{id}",
            Permission(EDIT),
            |a, c, p| Box::pin(write::update(a, c, &p[0])),
        )
        .numeric(),
        route(
            &["DELETE"],
            "/time_entries/{id}",
            Permission(EDIT),
            |a, c, p| Box::pin(write::destroy(a, c, &p[0])),
        )
        .numeric(),
    ]
}
