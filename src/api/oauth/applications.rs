//! `/oauth/applications` (doorkeeper's names): administrators register, list, show,
//! change and delete OAuth applications, and give one a new secret. The secret is shown
//! once, when it is made.

use serde_json::Value;

use crate::domain::oauth::{checked_application, random_token};
use crate::domain::password;
use crate::domain::users::cast_bool;
use crate::domain::values::text;
use crate::http::{not_found, ApiError, ApiResult, Ctx, Reply};
use crate::render::{document, list, object_item, Obj};
use crate::state::App;
use crate::store::oauth::{self as store, Application, NewApplication};

/// An application as the API shows it; `secret` only when it was just made.
fn render(a: &Application, secret: Option<&str>) -> Obj {
    let mut o = Obj::new();
    o.val("id", a.id)
        .val("name", a.name.clone())
        .val("uid", a.uid.clone());
    if let Some(s) = secret {
        o.val("secret", s.to_owned());
    }
    o.val("redirect_uri", a.redirect_uri.clone())
        .val("scopes", a.scopes.clone())
        .val("confidential", a.confidential)
        .time("created_at", Some(a.created_at))
        .time("updated_at", Some(a.updated_at));
    o
}

async fn hash(secret: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|_| ApiError::Internal)
}

async fn find(app: &App, id: &str) -> Result<Application, ApiError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    store::application(&app.db, id).await?.ok_or_else(not_found)
}

fn body(ctx: &Ctx) -> Option<&Value> {
    ctx.param("application").filter(|b| b.is_object())
}

/// `GET /oauth/applications`.
pub async fn index(app: &App, _ctx: &Ctx) -> ApiResult {
    let items = store::applications(&app.db)
        .await?
        .iter()
        .map(|a| object_item("application", render(a, None)))
        .collect();
    Ok(Reply::ok(list("applications", Vec::new(), items)))
}

/// `GET /oauth/applications/:id`.
pub async fn show(app: &App, _ctx: &Ctx, id: &str) -> ApiResult {
    let a = find(app, id).await?;
    Ok(Reply::ok(document("application", render(&a, None))))
}

/// `POST /oauth/applications`: 201 with the application and its secret.
pub async fn create(app: &App, ctx: &Ctx) -> ApiResult {
    let b = body(ctx);
    let get = |k: &str| b.and_then(|b| b.get(k)).and_then(text).unwrap_or_default();
    let (redirect_uri, scopes) =
        checked_application(&get("name"), &get("redirect_uri"), &get("scopes"))
            .map_err(ApiError::Validation)?;
    let confidential = b
        .and_then(|b| b.get("confidential"))
        .and_then(cast_bool)
        .unwrap_or(true);
    let secret = random_token();
    let new = NewApplication {
        name: get("name"),
        uid: random_token(),
        secret_hash: hash(secret.clone()).await?,
        redirect_uri,
        scopes,
        confidential,
    };
    let id = store::create_application(&app.db, &new).await?;
    let a = store::application(&app.db, id)
        .await?
        .ok_or(ApiError::Internal)?;
    Ok(Reply::Created(
        document("application", render(&a, Some(&secret))),
        ctx.location(&format!("/oauth/applications/{id}")),
    ))
}

/// `PUT /oauth/applications/:id`: the given attributes change; 200 with the application.
pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let a = find(app, id).await?;
    let b = body(ctx);
    let get = |k: &str, current: &str| match b.and_then(|b| b.get(k)) {
        Some(v) => text(v).unwrap_or_default(),
        None => current.to_owned(),
    };
    let name = get("name", &a.name);
    let (redirect_uri, scopes) = checked_application(
        &name,
        &get("redirect_uri", &a.redirect_uri),
        &get("scopes", &a.scopes),
    )
    .map_err(ApiError::Validation)?;
    let confidential = b
        .and_then(|b| b.get("confidential"))
        .and_then(cast_bool)
        .unwrap_or(a.confidential);
    store::update_application(&app.db, a.id, &name, &redirect_uri, &scopes, confidential).await?;
    show(app, ctx, &a.id.to_string()).await
}

/// `POST /oauth/applications/:id/secret`: a new secret, shown once; the old one stops
/// working.
pub async fn new_secret(app: &App, _ctx: &Ctx, id: &str) -> ApiResult {
    let a = find(app, id).await?;
    let secret = random_token();
    store::set_secret(&app.db, a.id, &hash(secret.clone()).await?).await?;
    let a = find(app, id).await?;
    Ok(Reply::ok(document(
        "application",
        render(&a, Some(&secret)),
    )))
}

/// `DELETE /oauth/applications/:id`: with its codes and tokens; 204.
pub async fn destroy(app: &App, _ctx: &Ctx, id: &str) -> ApiResult {
    let a = find(app, id).await?;
    store::delete_application(&app.db, a.id).await?;
    Ok(Reply::NoContent)
}

/// One application may not see or undo the user's other authorizations: these are the
/// user's own, with a key or a password.
fn not_through_a_token(ctx: &Ctx) -> Result<(), ApiError> {
    match ctx.current.oauth {
        Some(_) => Err(ApiError::Status(axum::http::StatusCode::FORBIDDEN)),
        None => Ok(()),
    }
}

/// `GET /oauth/authorized_applications`: the applications the caller gave access to.
pub async fn authorized(app: &App, ctx: &Ctx) -> ApiResult {
    not_through_a_token(ctx)?;
    let items = store::authorized_applications(&app.db, ctx.current.user.id)
        .await?
        .iter()
        .map(|(a, since)| {
            let mut o = Obj::new();
            o.val("id", a.id).val("name", a.name.clone());
            if !a.confidential {
                o.val("uid", a.uid.clone());
            }
            o.time("created_at", Some(*since));
            object_item("application", o)
        })
        .collect();
    Ok(Reply::ok(list("applications", Vec::new(), items)))
}

/// `DELETE /oauth/authorized_applications/:id`: the caller's tokens and codes for it are
/// revoked; 204.
pub async fn deauthorize(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    not_through_a_token(ctx)?;
    let a = find(app, id).await?;
    store::revoke_authorization(&app.db, ctx.current.user.id, a.id).await?;
    Ok(Reply::NoContent)
}

/// The routes of this resource, each with its guard: administrators, through the
/// administration extension; the caller's own authorizations, for any user.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::{AdminExtension, Login};
    vec![
        route(
            &["GET"],
            "/oauth/authorized_applications",
            Login,
            |a, c, _| Box::pin(authorized(a, c)),
        ),
        route(
            &["DELETE"],
            "/oauth/authorized_applications/{id}",
            Login,
            |a, c, p| Box::pin(deauthorize(a, c, &p[0])),
        )
        .numeric(),
        route(
            &["GET"],
            "/oauth/applications",
            AdminExtension,
            |a, c, _| Box::pin(index(a, c)),
        ),
        route(
            &["POST"],
            "/oauth/applications",
            AdminExtension,
            |a, c, _| Box::pin(create(a, c)),
        ),
        route(
            &["GET"],
            "/oauth/applications/{id}",
            AdminExtension,
            |a, c, p| Box::pin(show(a, c, &p[0])),
        )
        .numeric(),
        route(
            &["PUT", "PATCH"],
            "/oauth/applications/{id}",
            AdminExtension,
            |a, c, p| Box::pin(update(a, c, &p[0])),
        )
        .numeric(),
        route(
            &["DELETE"],
            "/oauth/applications/{id}",
            AdminExtension,
            |a, c, p| Box::pin(destroy(a, c, &p[0])),
        )
        .numeric(),
        route(
            &["POST"],
            "/oauth/applications/{id}/secret",
            AdminExtension,
            |a, c, p| Box::pin(new_secret(a, c, &p[0])),
        )
        .numeric(),
    ]
}
