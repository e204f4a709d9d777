//! `/my/account`: the caller's own account.

use crate::api::caller;
use crate::api::users::{prepare, user_param, write_update, UserValues};
use crate::domain::users::{self as rules, Writer};
use crate::http::{ApiResult, Ctx, Reply};
use crate::render::{document, Obj};
use crate::state::App;
use crate::store::users;

/// `GET /my/account`: the own account, mail always shown, API key created on demand.
pub async fn show(app: &App, ctx: &Ctx) -> ApiResult {
    let u = &ctx.current.user;
    let mut o = Obj::new();
    o.val("id", u.id)
        .val("login", u.login.clone())
        .val("admin", u.admin)
        .val("firstname", u.firstname.clone())
        .val("lastname", u.lastname.clone())
        .val("mail", u.mail.clone())
        .time("created_on", Some(u.created_on))
        .time("last_login_on", u.last_login_on)
        .val("api_key", users::api_key(&app.db, u.id).await?);
    UserValues::load(app, &[u.id]).await?.put(&mut o, u.id);
    Ok(Reply::ok(document("user", o)))
}

/// `PUT /my/account`: names, mail, notifications, language and preferences; login,
/// admin and status only for administrators; 204 or 422.
pub async fn update(app: &App, ctx: &Ctx) -> ApiResult {
    let c = caller(ctx);
    let Some(user) = user_param(ctx) else {
        return Ok(Reply::NoContent);
    };
    let input = rules::read_input(Writer::Own { admin: c.admin }, &user, ctx.param("pref"));
    let existing = &ctx.current.user;
    let changes = prepare(app, Some(existing), input, &user).await?;
    write_update(app, existing.id, &changes).await
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(&["GET"], "/my/account", Login, |a, c, _| {
            Box::pin(show(a, c))
        }),
        route(&["PUT"], "/my/account", Login, |a, c, _| {
            Box::pin(update(a, c))
        }),
    ]
}
