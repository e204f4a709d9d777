//! `/projects/:id/files`: the files of a project and of its versions (attachments.md §7).

use serde_json::Value;

use crate::api::access::{authorize, load};
use crate::api::attachments::{render, uploads_in};
use crate::domain::files::order;
use crate::domain::values::{ruby_to_i, text};
use crate::http::{not_found, ApiResult, Ctx, Reply};
use crate::render::{list, object_item};
use crate::state::App;
use crate::store::attachments as store;

/// `GET /projects/:id/files`: every file, no pagination.
pub async fn index(app: &App, ctx: &Ctx, project: &str) -> ApiResult {
    let p = load(app, project).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let files = order(
        store::project_files(&app.db, p.id).await?,
        ctx.param_str("sort").as_deref(),
    );
    let items = files
        .iter()
        .map(|(a, version)| {
            let mut o = render(ctx, a);
            if let Some(v) = version {
                o.attrs(
                    "version",
                    vec![("id", v.id.into()), ("name", v.name.clone().into())],
                );
            }
            o.val("digest", a.digest.clone())
                .val("downloads", a.downloads);
            object_item("file", o)
        })
        .collect();
    Ok(Reply::ok(list("files", Vec::new(), items)))
}

/// `POST /projects/:id/files`: attaches the upload of `file.token` (or the uploads of a
/// top-level `attachments`) to the project, or to one of its versions with `version_id`;
/// 204. Nothing usable to attach is 404, as Redmine answers.
pub async fn create(app: &App, ctx: &Ctx, project: &str) -> ApiResult {
    let p = load(app, project).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let file = ctx.param("file").filter(|f| f.is_object());
    // a top-level version_id wins, even blank
    let version_id = match ctx.param("version_id") {
        Some(v) => text(v),
        None => file.and_then(|f| f.get("version_id")).and_then(text),
    };
    let container = match version_id.filter(|v| !v.trim().is_empty()) {
        None => ("Project", p.id),
        Some(v) => match crate::store::versions::find(&app.db, ruby_to_i(&v)).await? {
            Some(v) if v.project_id == p.id => ("Version", v.id),
            // Redmine fails here (500); an unknown version is answered as a missing one
            _ => return Err(not_found()),
        },
    };
    let single;
    let requested = match ctx.param("attachments") {
        Some(list) => Some(list),
        None => match file {
            Some(f) if f.get("token").and_then(text).is_some() => {
                single = Value::Array(vec![f.clone()]);
                Some(&single)
            }
            _ => None,
        },
    };
    let (found, _) = uploads_in(app, requested).await?;
    let attach: Vec<store::Attach> = found.into_iter().map(|(a, _)| a).collect();
    if attach.is_empty() || !store::attach_all(&app.db, container, &attach).await? {
        return Err(not_found());
    }
    Ok(Reply::NoContent)
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(
            &["GET"],
            "/projects/{project_id}/files",
            Permission(&["view_files"]),
            |a, c, p| Box::pin(index(a, c, &p[0])),
        ),
        route(
            &["POST"],
            "/projects/{project_id}/files",
            Permission(&["manage_files"]),
            |a, c, p| Box::pin(create(a, c, &p[0])),
        ),
    ]
}
