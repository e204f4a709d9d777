//! Who is asking: API key (parameter or header), HTTP Basic (password, or the key as user
//! name), the admin's `X-Redmine-Switch-User`, or nobody (the anonymous user).

use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use serde_json::Value;

use super::{ApiError, Current};
use crate::domain::password;
use crate::state::App;
use crate::store::users::{self, User};

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
}

pub async fn authenticate(
    app: &App,
    headers: &HeaderMap,
    params: &Value,
) -> Result<Current, ApiError> {
    let mut found: Option<User> = None;
    let mut oauth = None;
    if app.settings.rest_api_enabled {
        let key_param = params
            .get("key")
            .and_then(super::scalar_text)
            .filter(|k| !k.trim().is_empty());
        if let Some(key) =
            key_param.or_else(|| header(headers, "x-redmine-api-key").map(str::to_owned))
        {
            // a supplied key settles it: Basic is not tried even when the key is wrong
            found = users::find_by_api_key(&app.db, &key).await?;
        } else if let Some(token) = bearer(headers) {
            // after the key, before Basic, as Redmine 6.1: an expired or revoked token is
            // refused outright; one never issued leaves the request anonymous, as there
            if let Some(known) = crate::store::oauth::token_user(&app.db, &token).await? {
                let (user, scopes) = known.map_err(ApiError::InvalidToken)?;
                found = Some(user);
                oauth = Some(std::sync::Arc::new(scopes));
            }
        } else if let Some((login, pass)) = basic_credentials(headers) {
            found = basic_login(app, &login, &pass).await?;
        }
        if let Some(user) = &found {
            // under OAuth, only a token with the admin scope acts as an administrator
            let admin_scope = oauth
                .as_ref()
                .is_none_or(|s: &std::sync::Arc<Vec<String>>| {
                    s.iter().any(|x| x == crate::domain::oauth::ADMIN_SCOPE)
                });
            if user.admin && admin_scope {
                if let Some(login) = header(headers, "x-redmine-switch-user") {
                    match users::find_by_login(&app.db, login).await? {
                        Some(target) if target.is_active() => found = Some(target),
                        _ => return Err(ApiError::Status(StatusCode::PRECONDITION_FAILED)),
                    }
                }
            }
        }
    }
    match found {
        Some(user) => Ok(Current {
            user,
            logged: true,
            oauth,
        }),
        None if app.settings.login_required => Err(ApiError::LoginRequired),
        None => {
            let user = users::anonymous(&app.db).await?.ok_or(ApiError::Internal)?;
            Ok(Current {
                user,
                logged: false,
                oauth: None,
            })
        }
    }
}

/// `Authorization: Bearer <token>`.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (login, pass) = decoded.split_once(':').unwrap_or((&decoded, ""));
    Some((login.to_owned(), pass.to_owned()))
}

/// Login and password first; if they fail, the user name is tried as an API key.
async fn basic_login(app: &App, login: &str, pass: &str) -> Result<Option<User>, ApiError> {
    if let Some(user) = users::find_by_login(&app.db, login).await? {
        let (hash, salt) = (user.hashed_password.clone(), user.salt.clone());
        let pass_owned = pass.to_owned();
        // argon2 is deliberately slow: keep it off the async workers
        let ok = tokio::task::spawn_blocking(move || {
            password::verify(&pass_owned, &hash, salt.as_deref())
        })
        .await
        .unwrap_or(false);
        if ok && user.is_active() {
            // the login succeeded (and is recorded) before the password change is asked for
            users::touch_last_login(&app.db, user.id).await?;
            if user.must_change_passwd {
                return Err(ApiError::Status(StatusCode::FORBIDDEN));
            }
            return Ok(users::find(&app.db, user.id).await?);
        }
    }
    Ok(users::find_by_api_key(&app.db, login).await?)
}
