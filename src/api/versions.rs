//! `/projects/:id/versions`, `/versions/:id`.

use serde_json::Value;

use crate::api::access::{allowed, authorize, load};
use crate::api::caller;
use crate::api::custom_values as cv;
use crate::domain::projects::SHARINGS;
use crate::domain::query::valid_date;
use crate::domain::values::text;
use crate::http::{not_found, ApiError, ApiResult, Ctx, Reply};
use crate::render::{document, list, object_item, Obj, Value as V};
use crate::state::App;
use crate::store::projects::{self as projects, Project};
use crate::store::versions::{self as store, Version, VersionChanges};

/// `hours`: the estimated hours of the version's visible issues, shown with the time spent
/// where the caller may view time entries.
fn render(v: &Version, hours: Option<(f64, f64)>, custom: Vec<crate::render::Node>) -> Obj {
    render_in(v, hours, custom, true)
}

/// `owner_visible`: whether the caller sees the project owning the version; a version
/// shared out of a project the caller cannot see does not name it.
fn render_in(
    v: &Version,
    hours: Option<(f64, f64)>,
    custom: Vec<crate::render::Node>,
    owner_visible: bool,
) -> Obj {
    let mut o = Obj::new();
    o.val("id", v.id);
    if owner_visible {
        o.attrs(
            "project",
            vec![
                ("id", v.project_id.into()),
                ("name", v.project_name.clone().into()),
            ],
        );
    }
    o.val("name", v.name.clone())
        .val("description", v.description.clone())
        .val("status", v.status.clone())
        .val("due_date", v.due_date.clone())
        .val("sharing", v.sharing.clone())
        .val("wiki_page_title", v.wiki_page_title.clone());
    if let Some((estimated, spent)) = hours {
        o.val("estimated_hours", V::Float(estimated))
            .val("spent_hours", V::Float(spent));
    }
    if !custom.is_empty() {
        o.array("custom_fields", custom);
    }
    o.time("created_on", Some(v.created_on))
        .time("updated_on", Some(v.updated_on));
    o
}

/// `GET /projects/:id/versions`: `view_issues`; the project's own and shared versions.
pub async fn index(app: &App, ctx: &Ctx, project: &str) -> ApiResult {
    let p = load(app, project).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let versions = store::shared_with(&app.db, &p).await?;
    let total = versions.len() as i64;
    let owners: Vec<(i64, i64)> = versions.iter().map(|v| (v.id, v.project_id)).collect();
    let custom = cv::Shown::load(app, ctx, "VersionCustomField", "Version", &owners).await?;
    let seen: Vec<i64> = if versions.iter().any(|v| v.project_id != p.id) {
        let c = caller(ctx);
        projects::access_map(&app.db, &ctx.current.user, c.logged, c.admin)
            .await?
            .iter()
            .map(|a| a.id)
            .collect()
    } else {
        Vec::new()
    };
    let items = versions
        .iter()
        .map(|v| {
            let owner_visible = v.project_id == p.id || seen.contains(&v.project_id);
            let nodes = custom.nodes(v.id, v.project_id);
            object_item("version", render_in(v, None, nodes, owner_visible))
        })
        .collect();
    let meta = if ctx.nometa() {
        Vec::new()
    } else {
        vec![("total_count", V::Int(total))]
    };
    Ok(Reply::ok(list("versions", meta, items)))
}

async fn load_version(app: &App, id: &str) -> Result<(Version, Project), ApiError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let v = store::find(&app.db, id).await?.ok_or_else(not_found)?;
    let p = projects::find_by_id(&app.db, v.project_id)
        .await?
        .ok_or_else(not_found)?;
    Ok((v, p))
}

async fn version_document(app: &App, ctx: &Ctx, v: &Version, p: &Project) -> ApiResult {
    let hours = if allowed(app, ctx, p, &["view_time_entries"]).await? {
        let visible = crate::api::access::visible_condition(app, ctx).await?;
        let estimated = store::estimated_hours(&app.db, v.id, &visible).await?;
        // every hour logged on the version's issues, seen or not, as Redmine sums them
        let spent = crate::store::time_entries::spent_on_version(&app.db, v.id).await?;
        Some((estimated, spent))
    } else {
        None
    };
    let custom = cv::Shown::load(
        app,
        ctx,
        "VersionCustomField",
        "Version",
        &[(v.id, v.project_id)],
    )
    .await?;
    Ok(Reply::ok(document(
        "version",
        render(v, hours, custom.nodes(v.id, v.project_id)),
    )))
}

/// `GET /versions/:id`: `view_issues` in the version's own project.
pub async fn show(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (v, p) = load_version(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    version_document(app, ctx, &v, &p).await
}

/// The sharing values the caller may set (versions.md §3): the current one, `none` and
/// `descendants`, `hierarchy`/`tree` with `manage_versions` on the root, `system` for admins.
async fn allowed_sharings(
    app: &App,
    ctx: &Ctx,
    p: &Project,
    current: &str,
) -> Result<Vec<String>, ApiError> {
    let mut out = vec![current.to_owned(), "none".into(), "descendants".into()];
    let root_ok = if caller(ctx).admin {
        true
    } else {
        let root_id = p.ancestor_ids().first().copied().unwrap_or(p.id);
        match projects::find_by_id(&app.db, root_id).await? {
            Some(root) => allowed(app, ctx, &root, &["manage_versions"]).await?,
            None => false,
        }
    };
    if root_ok {
        out.push("hierarchy".into());
        out.push("tree".into());
    }
    if caller(ctx).admin {
        out.push("system".into());
    }
    Ok(out)
}

async fn read_changes(
    app: &App,
    ctx: &Ctx,
    p: &Project,
    body: &Value,
    current: Option<&Version>,
) -> Result<VersionChanges, ApiError> {
    let get = |k: &str| body.get(k);
    let mut c = VersionChanges {
        name: get("name").map(|v| text(v).unwrap_or_default()),
        description: get("description").map(text),
        status: get("status").map(|v| text(v).unwrap_or_default()),
        due_date: get("due_date").or_else(|| get("effective_date")).map(text),
        wiki_page_title: get("wiki_page_title").map(text),
        default_project_version: get("default_project_version")
            .and_then(crate::domain::users::cast_bool)
            .unwrap_or(false),
        ..Default::default()
    };
    if let Some(s) = get("sharing").and_then(text) {
        let cur = current.map(|v| v.sharing.as_str()).unwrap_or("none");
        if SHARINGS.contains(&s.as_str()) && allowed_sharings(app, ctx, p, cur).await?.contains(&s)
        {
            c.sharing = Some(s);
        }
    }
    Ok(c)
}

/// The custom values a create or update writes: only fields the caller sees are taken.
async fn version_custom(
    app: &App,
    ctx: &Ctx,
    p: &Project,
    body: &Value,
    current: Option<&Version>,
) -> Result<cv::Outcome, ApiError> {
    let fields = crate::store::custom_values::fields_of(&app.db, "VersionCustomField").await?;
    if fields.fields.is_empty() {
        return Ok(cv::Outcome::default());
    }
    let admin = caller(ctx).admin;
    let rids: Vec<i64> = if admin {
        Vec::new()
    } else {
        crate::api::access::roles(app, ctx, p)
            .await?
            .iter()
            .map(|r| r.id)
            .collect()
    };
    cv::object_apply(app, &fields, body, "Version", current.map(|v| v.id), |f| {
        cv::visible(&fields, f, admin, &rids)
    })
    .await
}

/// Validation in Redmine's order (versions.md §6), after the custom values' messages.
async fn validate(
    app: &App,
    p: &Project,
    c: &VersionChanges,
    current: Option<&Version>,
    custom_errors: Vec<String>,
) -> Result<(), ApiError> {
    let name = c
        .name
        .clone()
        .or_else(|| current.map(|v| v.name.clone()))
        .unwrap_or_default();
    let mut e = custom_errors;
    if name.trim().is_empty() {
        e.push("Name cannot be blank".to_owned());
    } else if store::name_taken(&app.db, p.id, &name, current.map(|v| v.id)).await? {
        e.push("Name has already been taken".to_owned());
    }
    if name.chars().count() > 60 {
        e.push("Name is too long (maximum is 60 characters)".to_owned());
    }
    if let Some(Some(d)) = &c.description {
        if d.chars().count() > 255 {
            e.push("Description is too long (maximum is 255 characters)".to_owned());
        }
    }
    if let Some(Some(w)) = &c.wiki_page_title {
        if w.chars().count() > 255 {
            e.push("Wiki page title is too long (maximum is 255 characters)".to_owned());
        }
    }
    if let Some(Some(d)) = &c.due_date {
        if !d.is_empty() && !valid_date(d) {
            e.push("Due date is not a valid date".to_owned());
        }
    }
    if let Some(s) = &c.status {
        if !["open", "locked", "closed"].contains(&s.as_str()) {
            e.push("Status is not included in the list".to_owned());
        }
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(e))
    }
}

/// `POST /projects/:id/versions`: `manage_versions`; 201.
pub async fn create(app: &App, ctx: &Ctx, project: &str) -> ApiResult {
    let p = load(app, project).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let body = ctx.param("version").cloned().unwrap_or(Value::Null);
    let mut c = read_changes(app, ctx, &p, &body, None).await?;
    let custom = version_custom(app, ctx, &p, &body, None).await?;
    validate(app, &p, &c, None, custom.errors).await?;
    c.custom = custom.values;
    if let Some(Some(d)) = &c.due_date {
        if d.is_empty() {
            c.due_date = Some(None);
        }
    }
    let id = store::create(&app.db, p.id, &c).await?;
    let v = store::find(&app.db, id).await?.ok_or(ApiError::Internal)?;
    let Reply::Doc(_, doc) = version_document(app, ctx, &v, &p).await? else {
        return Err(ApiError::Internal);
    };
    Ok(Reply::Created(
        doc,
        ctx.location(&format!("/versions/{id}")),
    ))
}

/// `PUT /versions/:id`: `manage_versions` in its project; 204.
pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (v, p) = load_version(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let Some(body) = ctx.param("version").filter(|b| b.is_object()) else {
        return Ok(Reply::NoContent);
    };
    let mut c = read_changes(app, ctx, &p, body, Some(&v)).await?;
    let custom = version_custom(app, ctx, &p, body, Some(&v)).await?;
    validate(app, &p, &c, Some(&v), custom.errors).await?;
    c.custom = custom.values;
    if let Some(Some(d)) = &c.due_date {
        if d.is_empty() {
            c.due_date = Some(None);
        }
    }
    store::update(&app.db, &v, &c).await?;
    cv::remove_files(app, &custom.replaced).await;
    if c.sharing.as_ref().is_some_and(|s| *s != v.sharing) {
        store::detach_unshared(&app.db, &v, ctx.current.user.id).await?;
    }
    Ok(Reply::NoContent)
}

/// `DELETE /versions/:id`: `manage_versions`; 204, or 422 with an empty body while an
/// issue or a custom value still uses it.
pub async fn destroy(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (v, p) = load_version(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    if store::in_use(&app.db, v.id).await? {
        return Err(ApiError::Status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    for (dir, name) in store::delete(&app.db, &v).await? {
        app.files.delete(&dir, &name).await;
    }
    Ok(Reply::NoContent)
}

// ---------------------------------------------------------------- issue categories

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(
            &["GET"],
            "/projects/{project_id}/versions",
            Permission(&["view_issues"]),
            |a, c, p| Box::pin(index(a, c, &p[0])),
        ),
        route(
            &["POST"],
            "/projects/{project_id}/versions",
            Permission(&["manage_versions"]),
            |a, c, p| Box::pin(create(a, c, &p[0])),
        ),
        route(
            &["GET"],
            "/versions/{id}",
            Permission(&["view_issues"]),
            |a, c, p| Box::pin(show(a, c, &p[0])),
        ),
        route(
            &["PUT", "PATCH"],
            "/versions/{id}",
            Permission(&["manage_versions"]),
            |a, c, p| Box::pin(update(a, c, &p[0])),
        ),
        route(
            &["DELETE"],
            "/versions/{id}",
            Permission(&["manage_versions"]),
            |a, c, p| Box::pin(destroy(a, c, &p[0])),
        ),
    ]
}
