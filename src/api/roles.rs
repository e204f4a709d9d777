use crate::http::{not_found, ApiResult, Ctx, Reply};
use crate::render::{document, item, list, object_item, Node, Obj, Value};
use crate::state::App;
use crate::store::reference::{self, Role};

/// `GET /roles`: the givable roles (not the builtin ones) by position.
pub async fn index(app: &App, _ctx: &Ctx) -> ApiResult {
    let roles = reference::roles(&app.db).await?;
    let items = roles
        .into_iter()
        .filter(|r| r.builtin == 0)
        .map(|r| {
            let mut o = Obj::new();
            o.val("id", r.id).val("name", r.name);
            object_item("role", o)
        })
        .collect();
    Ok(Reply::ok(list("roles", Vec::new(), items)))
}

/// `GET /roles/:id`: any role, builtin ones included, with its stored permissions.
pub async fn show(app: &App, _ctx: &Ctx, id: &str) -> ApiResult {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let role = reference::role(&app.db, id).await?.ok_or_else(not_found)?;
    Ok(Reply::ok(document_of(&role)))
}

pub fn document_of(role: &Role) -> Node {
    let permissions = role
        .permission_names()
        .map(|p| item("permission", Value::from(p)))
        .collect();
    let mut o = Obj::new();
    o.val("id", role.id)
        .val("name", role.name.clone())
        .val("assignable", role.assignable)
        .val("issues_visibility", role.issues_visibility.clone())
        .val(
            "time_entries_visibility",
            role.time_entries_visibility.clone(),
        )
        .val("users_visibility", role.users_visibility.clone())
        .array("permissions", permissions);
    document("role", o)
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(&["GET"], "/roles", Anyone, |a, c, _| Box::pin(index(a, c))),
        route(&["GET"], "/roles/{id}", Anyone, |a, c, p| {
            Box::pin(show(a, c, &p[0]))
        }),
    ]
}
