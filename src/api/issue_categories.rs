//! `/projects/:id/issue_categories`, `/issue_categories/:id`.

use serde_json::Value;

use crate::api::access::{authorize, load};
use crate::domain::projects::id_list;
use crate::domain::values::text;
use crate::http::{not_found, ApiError, ApiResult, Ctx, Reply};
use crate::render::{document, list, object_item, Obj, Value as V};
use crate::state::App;
use crate::store::projects::{self as projects, Project};
use crate::store::versions::{self as store, Category};

fn render_category(c: &Category) -> Obj {
    let mut o = Obj::new();
    o.val("id", c.id)
        .attrs(
            "project",
            vec![
                ("id", c.project_id.into()),
                ("name", c.project_name.clone().into()),
            ],
        )
        .val("name", c.name.clone());
    if let Some((id, name)) = &c.assigned_to {
        o.attrs(
            "assigned_to",
            vec![("id", (*id).into()), ("name", name.clone().into())],
        );
    }
    o
}

/// `GET /projects/:id/issue_categories`: `manage_categories` (5.0.4 needs it even to read).
pub async fn index(app: &App, ctx: &Ctx, project: &str) -> ApiResult {
    let p = load(app, project).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let cats = store::categories(&app.db, p.id).await?;
    let total = cats.len() as i64;
    let items = cats
        .iter()
        .map(|c| object_item("issue_category", render_category(c)))
        .collect();
    let meta = if ctx.nometa() {
        Vec::new()
    } else {
        vec![("total_count", V::Int(total))]
    };
    Ok(Reply::ok(list("issue_categories", meta, items)))
}

async fn load_category(app: &App, id: &str) -> Result<(Category, Project), ApiError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let c = store::category(&app.db, id).await?.ok_or_else(not_found)?;
    let p = projects::find_by_id(&app.db, c.project_id)
        .await?
        .ok_or_else(not_found)?;
    Ok((c, p))
}

pub async fn show(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (c, p) = load_category(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    Ok(Reply::ok(document("issue_category", render_category(&c))))
}

async fn validate_category(
    app: &App,
    p: &Project,
    name: &str,
    except: Option<i64>,
) -> Result<(), ApiError> {
    let mut e = Vec::new();
    if name.trim().is_empty() {
        e.push("Name cannot be blank".to_owned());
    } else if store::category_name_taken(&app.db, p.id, name, except).await? {
        e.push("Name has already been taken".to_owned());
    }
    if name.chars().count() > 60 {
        e.push("Name is too long (maximum is 60 characters)".to_owned());
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(e))
    }
}

fn assignee(body: &Value) -> Option<Option<i64>> {
    body.get("assigned_to_id")
        .map(|v| id_list(v).first().copied().filter(|id| *id > 0))
}

/// `POST /projects/:id/issue_categories`: 201 with a relative `Location`, as Redmine sends.
pub async fn create(app: &App, ctx: &Ctx, project: &str) -> ApiResult {
    let p = load(app, project).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let body = ctx.param("issue_category").cloned().unwrap_or(Value::Null);
    let name = body.get("name").and_then(text).unwrap_or_default();
    validate_category(app, &p, &name, None).await?;
    let id = store::create_category(&app.db, p.id, &name, assignee(&body).flatten()).await?;
    let c = store::category(&app.db, id)
        .await?
        .ok_or(ApiError::Internal)?;
    Ok(Reply::Created(
        document("issue_category", render_category(&c)),
        format!("/issue_categories/{id}"),
    ))
}

pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (c, p) = load_category(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let Some(body) = ctx.param("issue_category").filter(|b| b.is_object()) else {
        return Ok(Reply::NoContent);
    };
    let name = body.get("name").map(|v| text(v).unwrap_or_default());
    if let Some(n) = &name {
        validate_category(app, &p, n, Some(c.id)).await?;
    }
    store::update_category(&app.db, c.id, name.as_deref(), assignee(body)).await?;
    Ok(Reply::NoContent)
}

/// `DELETE /issue_categories/:id`: always deleted for the API; its issues move to
/// `reassign_to_id` (another category of the project, unless `todo=nullify`) or lose it.
pub async fn destroy(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (c, p) = load_category(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let todo = ctx.param_str("todo").unwrap_or_default();
    let target = match ctx.param_str("reassign_to_id") {
        Some(t) if matches!(todo.trim(), "" | "reassign") => match t.trim().parse::<i64>() {
            Ok(tid) if tid != c.id => store::category(&app.db, tid)
                .await?
                .filter(|other| other.project_id == p.id)
                .map(|other| other.id),
            _ => None,
        },
        _ => None,
    };
    store::delete_category(&app.db, c.id, target).await?;
    Ok(Reply::NoContent)
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(
            &["GET"],
            "/projects/{project_id}/issue_categories",
            Permission(&["manage_categories"]),
            |a, c, p| Box::pin(index(a, c, &p[0])),
        ),
        route(
            &["POST"],
            "/projects/{project_id}/issue_categories",
            Permission(&["manage_categories"]),
            |a, c, p| Box::pin(create(a, c, &p[0])),
        ),
        route(
            &["GET"],
            "/issue_categories/{id}",
            Permission(&["manage_categories"]),
            |a, c, p| Box::pin(show(a, c, &p[0])),
        ),
        route(
            &["PUT", "PATCH"],
            "/issue_categories/{id}",
            Permission(&["manage_categories"]),
            |a, c, p| Box::pin(update(a, c, &p[0])),
        ),
        route(
            &["DELETE"],
            "/issue_categories/{id}",
            Permission(&["manage_categories"]),
            |a, c, p| Box::pin(destroy(a, c, &p[0])),
        ),
    ]
}
