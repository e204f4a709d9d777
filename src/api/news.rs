//! `/news` and `/projects/:id/news`: the list (all visible projects or one), show with
//! comments and attachments, create (204, no body), update and delete (news.md).

use serde_json::Value;

use crate::api::access::{authorize, load, projects_allowing};
use crate::api::attachments::{named_uploads, render as render_attachment};
use crate::api::caller;
use crate::domain::attachments::not_saved;
use crate::domain::news::{errors, News};
use crate::domain::values::{ruby_to_i, text};
use crate::http::{not_found, ApiError, ApiResult, Ctx, Reply};
use crate::render::{document, list, object_item, page_meta, Body, Node, Obj};
use crate::state::App;
use crate::store::attachments::Attach;
use crate::store::news::{self as store, Fields};
use crate::store::projects::Project;

/// The fields both views share, in order; the list always shows `summary`, the show only
/// when it is not blank.
fn render(n: &News, always_summary: bool) -> Obj {
    let mut o = Obj::new();
    o.val("id", n.id).attrs(
        "project",
        vec![
            ("id", n.project_id.into()),
            ("name", n.project_name.clone().into()),
        ],
    );
    if let Some(name) = &n.author_name {
        o.attrs(
            "author",
            vec![("id", n.author_id.into()), ("name", name.clone().into())],
        );
    }
    o.val("title", n.title.clone());
    if always_summary || n.summary.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        o.val("summary", n.summary.clone());
    }
    o.val("description", n.description.clone())
        .time("created_on", Some(n.created_on));
    o
}

/// `GET /news` (every project where the caller may view news, or the `project_id` one)
/// and `GET /projects/:id/news` (that project only, not its subprojects).
pub async fn index(app: &App, ctx: &Ctx, project: Option<&str>) -> ApiResult {
    let project = match project
        .map(str::to_owned)
        .or_else(|| ctx.param_str("project_id"))
    {
        Some(p) => Some(load(app, &p).await?),
        None => None,
    };
    let projects = match &project {
        Some(p) => {
            authorize(app, ctx, p, &["view_news"]).await?;
            vec![p.id]
        }
        None => {
            let c = caller(ctx);
            let projects = projects_allowing(app, ctx, "view_news").await?;
            // Redmine's global check: the permission somewhere
            if projects.is_empty() && !c.admin {
                return Err(c.deny().into());
            }
            projects
        }
    };
    let (offset, limit) = ctx.offset_and_limit();
    let (total, page) = store::list(&app.db, &projects, offset, limit).await?;
    let items = page
        .iter()
        .map(|n| object_item("news", render(n, true)))
        .collect();
    Ok(Reply::ok(list(
        "news",
        page_meta(total, offset, limit, ctx.nometa()),
        items,
    )))
}

/// The news item of the URL and its project, or 404.
async fn find(app: &App, id: &str) -> Result<(News, Project), ApiError> {
    let n = store::find(&app.db, ruby_to_i(id))
        .await?
        .ok_or_else(not_found)?;
    let p = load(app, &n.project_id.to_string()).await?;
    Ok((n, p))
}

/// `GET /news/:id` with `include=attachments,comments`.
pub async fn show(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (n, p) = find(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let mut o = render(&n, false);
    if ctx.includes("attachments") {
        let files = crate::store::attachments::of(&app.db, "News", &[n.id]).await?;
        let items = files
            .iter()
            .map(|a| object_item("attachment", render_attachment(ctx, a)))
            .collect();
        o.array("attachments", items);
    }
    if ctx.includes("comments") {
        let items = store::comments(&app.db, n.id)
            .await?
            .into_iter()
            .map(|c| {
                let mut co = Obj::new();
                if let Some(name) = c.author_name {
                    co.attrs(
                        "author",
                        vec![("id", c.author_id.into()), ("name", name.into())],
                    );
                }
                co.val("content", c.content);
                Node {
                    name: "comment",
                    body: Body::Object(vec![("id", c.id.into())], co.0),
                }
            })
            .collect();
        o.array("comments", items);
    }
    Ok(Reply::ok(document("news", o)))
}

/// The fields a write gives (`news.title`, `news.summary`, `news.description`).
fn fields(body: Option<&Value>) -> Fields {
    let get = |k: &str| body.and_then(|b| b.get(k));
    Fields {
        title: get("title").map(|v| text(v).unwrap_or_default()),
        summary: get("summary").map(text),
        description: get("description").map(text),
    }
}

/// The uploads a write names and how many of its tokens name none.
async fn uploads(
    app: &App,
    ctx: &Ctx,
    body: Option<&Value>,
) -> Result<(Vec<Attach>, usize), ApiError> {
    let (found, bad) = named_uploads(app, ctx, body).await?;
    Ok((found.into_iter().map(|(a, _)| a).collect(), bad))
}

/// 422 with the item's errors as it would be saved, the file message last.
fn check(n: &Fields, bad: usize) -> Result<(), ApiError> {
    let mut e = errors(
        n.title.as_deref().unwrap_or_default(),
        n.summary.clone().flatten().as_deref(),
        n.description.clone().flatten().as_deref(),
    );
    if bad > 0 {
        e.push(not_saved(bad));
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(e))
    }
}

/// `POST /projects/:id/news`: 204 with no body and no Location.
pub async fn create(app: &App, ctx: &Ctx, project: &str) -> ApiResult {
    let p = load(app, project).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let body = ctx.param("news").filter(|b| b.is_object());
    let f = fields(body);
    let (files, bad) = uploads(app, ctx, body).await?;
    check(&f, bad)?;
    match store::create(&app.db, p.id, caller(ctx).user_id, &f, &files).await? {
        Some(_) => Ok(Reply::NoContent),
        None => Err(ApiError::Validation(vec![not_saved(files.len())])),
    }
}

/// `PUT /news/:id`: the given fields change; 204.
pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (n, p) = find(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let body = ctx.param("news").filter(|b| b.is_object());
    let f = fields(body);
    let (files, bad) = uploads(app, ctx, body).await?;
    let merged = Fields {
        title: Some(f.title.clone().unwrap_or_else(|| n.title.clone())),
        summary: Some(f.summary.clone().unwrap_or_else(|| n.summary.clone())),
        description: Some(
            f.description
                .clone()
                .unwrap_or_else(|| n.description.clone()),
        ),
    };
    check(&merged, bad)?;
    if !store::update(&app.db, n.id, &f, &files).await? {
        return Err(ApiError::Validation(vec![not_saved(files.len())]));
    }
    Ok(Reply::NoContent)
}

/// `DELETE /news/:id`: with its comments and files; 204.
pub async fn destroy(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (n, p) = find(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    for (dir, name) in store::delete(&app.db, n.id).await? {
        app.files.delete(&dir, &name).await;
    }
    Ok(Reply::NoContent)
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(&["GET"], "/news", Anyone, |a, c, _| {
            Box::pin(index(a, c, None))
        }),
        route(
            &["GET"],
            "/projects/{project_id}/news",
            Permission(&["view_news"]),
            |a, c, p| Box::pin(index(a, c, Some(&p[0]))),
        ),
        route(
            &["POST"],
            "/projects/{project_id}/news",
            Permission(&["manage_news"]),
            |a, c, p| Box::pin(create(a, c, &p[0])),
        ),
        route(
            &["GET"],
            "/news/{id}",
            Permission(&["view_news"]),
            |a, c, p| Box::pin(show(a, c, &p[0])),
        )
        .numeric(),
        route(
            &["PUT", "PATCH"],
            "/news/{id}",
            Permission(&["manage_news"]),
            |a, c, p| Box::pin(update(a, c, &p[0])),
        )
        .numeric(),
        route(
            &["DELETE"],
            "/news/{id}",
            Permission(&["manage_news"]),
            |a, c, p| Box::pin(destroy(a, c, &p[0])),
        )
        .numeric(),
    ]
}
