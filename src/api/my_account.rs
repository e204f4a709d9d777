//! `/my/account`: the caller's own account.

use crate::api::caller;
use crate::api::users::{prepare, user_object, user_param, write_update, UserShape, UserValues};
use crate::domain::users::{self as rules, Writer};
use crate::http::{ApiResult, Ctx, Reply};
use crate::render::document;
use crate::state::App;
use crate::store::users;

/// `GET /my/account`: the own account, mail always shown, API key created on demand.
pub async fn show(app: &App, ctx: &Ctx) -> ApiResult {
    let u = &ctx.current.user;
    let shape = UserShape {
        exposure: rules::Exposure {
            admin_flag: true,
            mail: true,
            private: false,
            status: false,
        },
        // a token does not hand out the key that would outlive it (Redmine 6.1)
        api_key: match ctx.current.oauth {
            None => Some(users::api_key(&app.db, u.id).await?),
            Some(_) => None,
        },
        account: true,
    };
    let mut o = user_object(u, &shape);
    UserValues::load(app, &[u.id]).await?.put(&mut o, u.id);
    Ok(Reply::ok(document("user", o)))
}

/// `PUT /my/account`: names, mail, notifications, language and preferences; login,
/// admin and status only for administrators; 204 or 422.
pub async fn update(app: &App, ctx: &Ctx) -> ApiResult {
    let c = caller(ctx);
    // an application may not change its user's account (Redmine 6.1.3)
    if ctx.current.oauth.is_some() {
        return Err(c.deny().into());
    }
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
