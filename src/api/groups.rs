//! `/groups`: list, show, create, update, delete, and adding/removing users.

use axum::http::StatusCode;
use serde_json::Value;

use crate::api::caller;
use crate::api::custom_values as cv;
use crate::api::users::UserValues;
use crate::domain::projects::id_list;
use crate::http::{not_found, scalar_text, ApiError, ApiResult, Ctx, Reply};
use crate::render::{attrs_item, document, list, object_item, Node, Obj};
use crate::state::App;
use crate::store::groups::{self as store, Group};
use crate::store::members;

fn render(g: &Group, custom: &UserValues) -> Obj {
    let mut o = Obj::new();
    o.val("id", g.id).val("name", g.name.clone());
    match g.kind.as_str() {
        "GroupAnonymous" => {
            o.val("builtin", "anonymous");
        }
        "GroupNonMember" => {
            o.val("builtin", "non_member");
        }
        // the built-in groups have no custom values
        _ => custom.put(&mut o, g.id),
    }
    o
}

/// `GET /groups` (admin): regular groups; `builtin=1` adds the builtin ones.
pub async fn index(app: &App, ctx: &Ctx) -> ApiResult {
    let builtin = ctx.param_str("builtin").as_deref() == Some("1");
    let groups = store::list(&app.db, builtin).await?;
    let ids: Vec<i64> = groups.iter().map(|g| g.id).collect();
    let custom = UserValues::of(app, "GroupCustomField", &ids).await?;
    let items = groups
        .iter()
        .map(|g| object_item("group", render(g, &custom)))
        .collect();
    Ok(Reply::ok(list("groups", Vec::new(), items)))
}

async fn load(app: &App, id: &str) -> Result<Group, ApiError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    store::find(&app.db, id).await?.ok_or_else(not_found)
}

/// `GET /groups/:id`: any caller who may see groups (users_visibility), 404 otherwise.
pub async fn show(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let g = load(app, id).await?;
    let c = caller(ctx);
    // groups are always active principals
    if !c.admin
        && crate::api::access::visible_principals(app, ctx, &[(g.id, 1)])
            .await?
            .is_empty()
    {
        return Err(crate::http::not_found());
    }
    let custom = UserValues::of(app, "GroupCustomField", &[g.id]).await?;
    let mut o = render(&g, &custom);
    if ctx.includes("users") && g.kind == "Group" {
        let users: Vec<Node> = store::users(&app.db, g.id)
            .await?
            .into_iter()
            .map(|(id, first, last)| {
                attrs_item(
                    "user",
                    vec![
                        ("id", id.into()),
                        ("name", format!("{first} {last}").into()),
                    ],
                )
            })
            .collect();
        o.array("users", users);
    }
    if ctx.includes("memberships") {
        o.array("memberships", principal_memberships(app, ctx, g.id).await?);
    }
    Ok(Reply::ok(document("group", o)))
}

/// `{id, project, roles}` of a principal's memberships in non-archived projects the
/// caller sees (a private project is never named to an outsider; Redmine 5.0.4 names it
/// in groups).
pub async fn principal_memberships(
    app: &App,
    ctx: &Ctx,
    principal: i64,
) -> Result<Vec<Node>, ApiError> {
    let mut ms = members::of_principal(&app.db, principal).await?;
    let c = crate::api::caller(ctx);
    if !c.admin {
        let seen =
            crate::store::projects::access_map(&app.db, &ctx.current.user, c.logged, false).await?;
        ms.retain(|m| seen.iter().any(|a| a.id == m.project_id));
    }
    let ids: Vec<i64> = ms.iter().map(|m| m.id).collect();
    let roles = members::roles_of(&app.db, &ids).await?;
    Ok(ms
        .iter()
        .map(|m| {
            object_item(
                "membership",
                crate::api::memberships::membership_object(m, &roles, false),
            )
        })
        .collect())
}

fn group_param(ctx: &Ctx) -> Option<&Value> {
    ctx.param("group")
}

/// The custom values' errors, then the name's: Redmine's Group validates its custom
/// fields first (`acts_as_customizable` comes before the name's validations).
async fn validate(
    app: &App,
    name: Option<&str>,
    except: Option<i64>,
    custom: &cv::Outcome,
) -> Result<(), ApiError> {
    let mut e = custom.errors.clone();
    if let Some(name) = name {
        if name.trim().is_empty() {
            e.push("Name cannot be blank".to_owned());
        } else if store::name_taken(&app.db, name, except).await? {
            e.push("Name has already been taken".to_owned());
        }
        if name.chars().count() > 255 {
            e.push("Name is too long (maximum is 255 characters)".to_owned());
        }
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(e))
    }
}

/// The group custom values sent (`custom_fields` / `custom_field_values`); every field
/// may be written, as a user's.
async fn custom_values(
    app: &App,
    body: &Value,
    group: Option<i64>,
) -> Result<cv::Outcome, ApiError> {
    let fields = crate::store::custom_values::fields_of(&app.db, "GroupCustomField").await?;
    cv::object_apply(app, &fields, body, "Principal", group, |_| true).await
}

/// The users of `user_ids`; an unknown id is Rails' 404.
async fn user_ids(app: &App, v: &Value) -> Result<Vec<i64>, ApiError> {
    let ids = id_list(v);
    let found = store::existing_users(&app.db, &ids).await?;
    if ids.iter().any(|id| !found.contains(id)) {
        return Err(ApiError::Framework(StatusCode::NOT_FOUND));
    }
    Ok(found)
}

/// `POST /groups` (admin): 201 with `{id, name}`.
pub async fn create(app: &App, ctx: &Ctx) -> ApiResult {
    let body = group_param(ctx).cloned().unwrap_or(Value::Null);
    let name = body.get("name").and_then(scalar_text).unwrap_or_default();
    let custom = custom_values(app, &body, None).await?;
    validate(app, Some(&name), None, &custom).await?;
    let users = match body.get("user_ids") {
        Some(v) => user_ids(app, v).await?,
        None => Vec::new(),
    };
    let id = store::create(&app.db, &name, &users, &custom.values).await?;
    let g = store::find(&app.db, id).await?.ok_or(ApiError::Internal)?;
    let shown = UserValues::of(app, "GroupCustomField", &[id]).await?;
    Ok(Reply::Created(
        document("group", render(&g, &shown)),
        ctx.location(&format!("/groups/{id}")),
    ))
}

/// `PUT /groups/:id` (admin): name and `user_ids`; builtin groups accept nothing (204).
pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let g = load(app, id).await?;
    let Some(body) = group_param(ctx).filter(|b| b.is_object()) else {
        return Ok(Reply::NoContent);
    };
    if g.kind != "Group" {
        return Ok(Reply::NoContent);
    }
    let name = body.get("name").map(|v| scalar_text(v).unwrap_or_default());
    let custom = custom_values(app, body, Some(g.id)).await?;
    validate(app, name.as_deref(), Some(g.id), &custom).await?;
    let users = match body.get("user_ids") {
        Some(v) => Some(user_ids(app, v).await?),
        None => None,
    };
    store::update(
        &app.db,
        g.id,
        name.as_deref(),
        users.as_deref(),
        &custom.values,
    )
    .await?;
    cv::remove_files(app, &custom.replaced).await;
    Ok(Reply::NoContent)
}

/// `DELETE /groups/:id` (admin): builtin groups are kept but the answer is still 204.
pub async fn destroy(app: &App, _ctx: &Ctx, id: &str) -> ApiResult {
    let g = load(app, id).await?;
    if g.kind == "Group" {
        let files = store::delete(&app.db, g.id).await?;
        cv::remove_files(app, &files).await;
    }
    Ok(Reply::NoContent)
}

/// `POST /groups/:id/users` (admin): `user_id` or `user_ids`; 422 when none is new.
pub async fn add_users(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let g = load(app, id).await?;
    let mut ids = ctx.param("user_id").map(id_list).unwrap_or_default();
    if ids.is_empty() {
        ids = ctx.param("user_ids").map(id_list).unwrap_or_default();
    }
    let current: Vec<i64> = store::users(&app.db, g.id)
        .await?
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    let new: Vec<i64> = store::existing_users(&app.db, &ids)
        .await?
        .into_iter()
        .filter(|u| !current.contains(u))
        .collect();
    if new.is_empty() || g.kind != "Group" {
        return Err(ApiError::Validation(vec!["User is invalid".into()]));
    }
    store::add_users(&app.db, g.id, &new).await?;
    Ok(Reply::NoContent)
}

/// `DELETE /groups/:id/users/:user_id` (admin): 204 even when the user was not in it.
pub async fn remove_user(app: &App, _ctx: &Ctx, id: &str, user_id: &str) -> ApiResult {
    let g = load(app, id).await?;
    let uid: i64 = user_id
        .parse()
        .map_err(|_| ApiError::Framework(StatusCode::NOT_FOUND))?;
    if store::existing_users(&app.db, &[uid]).await?.is_empty() {
        return Err(ApiError::Framework(StatusCode::NOT_FOUND));
    }
    store::remove_user(&app.db, g.id, uid).await?;
    Ok(Reply::NoContent)
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(&["GET"], "/groups", Admin, |a, c, _| Box::pin(index(a, c))),
        route(&["POST"], "/groups", Admin, |a, c, _| {
            Box::pin(create(a, c))
        }),
        route(&["GET"], "/groups/{id}", Anyone, |a, c, p| {
            Box::pin(show(a, c, &p[0]))
        }),
        route(&["PUT", "PATCH"], "/groups/{id}", Admin, |a, c, p| {
            Box::pin(update(a, c, &p[0]))
        }),
        route(&["DELETE"], "/groups/{id}", Admin, |a, c, p| {
            Box::pin(destroy(a, c, &p[0]))
        }),
        route(&["POST"], "/groups/{id}/users", Admin, |a, c, p| {
            Box::pin(add_users(a, c, &p[0]))
        })
        .numeric(),
        route(
            &["DELETE"],
            "/groups/{id}/users/{user_id}",
            Admin,
            |a, c, p| Box::pin(remove_user(a, c, &p[0], &p[1])),
        )
        .numeric_first(),
    ]
}
