//! `POST /oauth/token` (authorization code and refresh token grants), `POST /oauth/revoke`
//! (RFC 7009) and `GET /oauth/token/info`, answered in JSON as doorkeeper does (RFC 6749
//! §5.1, §5.2).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;
use serde_json::{json, Value};

use crate::domain::oauth::{self as rules, pkce_matches};
use crate::state::App;
use crate::store::oauth::{self as store, Application};

fn answer(status: StatusCode, body: &Value) -> Response {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// An RFC 6749 §5.2 error: 401 for the client's authentication, else 400.
fn error(code: &'static str) -> Response {
    let description = match code {
        "invalid_client" => {
            "Client authentication failed due to unknown client, no client authentication \
             included, or unsupported authentication method."
        }
        "invalid_grant" => {
            "The provided authorization grant is invalid, expired, revoked, does not match \
             the redirection URI used in the authorization request, or was issued to another \
             client."
        }
        "unsupported_grant_type" => {
            "The authorization grant type is not supported by the authorization server."
        }
        "invalid_scope" => "The requested scope is invalid, unknown, or malformed.",
        _ => {
            "The request is missing a required parameter, includes an unsupported parameter \
             value, or is otherwise malformed."
        }
    };
    let status = if code == "invalid_client" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut r = answer(
        status,
        &json!({"error": code, "error_description": description}),
    );
    let challenge = format!("Bearer realm=\"Redmine\", error=\"{code}\"");
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

fn missing(parameter: &str) -> Response {
    let mut r = error("invalid_request");
    let body = json!({
        "error": "invalid_request",
        "error_description": format!("Missing required parameter: {parameter}."),
    });
    *r.body_mut() = Body::from(body.to_string());
    r
}

fn internal(e: crate::store::Error) -> Response {
    tracing::error!(error = %e, "oauth token");
    answer(
        StatusCode::INTERNAL_SERVER_ERROR,
        &json!({"error": "server_error"}),
    )
}

/// The form (or JSON) parameters of a request, at most 64 KiB.
async fn params(req: Request) -> (HeaderMap, Value) {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    let mut p = if json {
        crate::http::params::parse_json(&bytes).unwrap_or(Value::Null)
    } else {
        crate::http::params::parse_form(&bytes).unwrap_or(Value::Null)
    };
    if !p.is_object() {
        p = Value::Object(Default::default());
    }
    (parts.headers, p)
}

fn param(p: &Value, k: &str) -> Option<String> {
    p.get(k)
        .and_then(crate::domain::values::scalar_text)
        .filter(|v| !v.is_empty())
}

/// The client a request authenticates as: HTTP Basic, else `client_id` (and
/// `client_secret`) in the body. A confidential client must give its secret.
async fn client(
    app: &App,
    headers: &HeaderMap,
    p: &Value,
) -> Result<Option<Application>, Response> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, b)| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .map(|s| match s.split_once(':') {
            Some((id, secret)) => (id.to_owned(), Some(secret.to_owned())),
            None => (s, None),
        });
    let (id, secret) = match basic {
        Some(b) => b,
        None => match param(p, "client_id") {
            Some(id) => (id, param(p, "client_secret")),
            None => return Ok(None),
        },
    };
    let Some(a) = store::application_by_uid(&app.db, &id)
        .await
        .map_err(internal)?
    else {
        return Err(error("invalid_client"));
    };
    let secret = secret.filter(|s| !s.is_empty() || a.confidential);
    if a.confidential || secret.is_some() {
        let Some(secret) = secret else {
            return Err(error("invalid_client"));
        };
        let hash = a.secret_hash.clone();
        let ok = tokio::task::spawn_blocking(move || {
            crate::domain::password::verify(&secret, &hash, None)
        })
        .await
        .unwrap_or(false);
        if !ok {
            return Err(error("invalid_client"));
        }
    }
    Ok(Some(a))
}

fn issued(i: &store::Issued) -> Response {
    answer(
        StatusCode::OK,
        &json!({
            "access_token": i.access_token,
            "token_type": "Bearer",
            "expires_in": rules::ACCESS_TOKEN_TTL,
            "refresh_token": i.refresh_token,
            "scope": i.scopes,
            "created_at": i.created_at,
        }),
    )
}

/// `POST /oauth/token`.
pub async fn token(State(app): State<Arc<App>>, req: Request) -> Response {
    if !app.settings.rest_api_enabled {
        return error("unauthorized_client");
    }
    let (headers, p) = params(req).await;
    let Some(grant_type) = param(&p, "grant_type") else {
        return missing("grant_type");
    };
    if grant_type != "authorization_code" && grant_type != "refresh_token" {
        return error("unsupported_grant_type");
    }
    let client = match client(&app, &headers, &p).await {
        Ok(Some(c)) => c,
        Ok(None) => return error("invalid_client"),
        Err(r) => return r,
    };
    match grant_type.as_str() {
        "authorization_code" => exchange(&app, &client, &p).await,
        _ => refresh(&app, &client, &p).await,
    }
}

async fn exchange(app: &App, client: &Application, p: &Value) -> Response {
    let Some(code) = param(p, "code") else {
        return missing("code");
    };
    // the redirect URI of the authorization, as it was matched there (RFC 6749 §4.1.3)
    let Some(redirect_uri) = param(p, "redirect_uri") else {
        return missing("redirect_uri");
    };
    let grant = match store::take_grant(&app.db, client.id, &code).await {
        Ok(Some(g)) => g,
        Ok(None) => {
            // used before: what it gave is revoked too, as it may be in the wrong hands
            if let Err(e) = store::revoke_reused(&app.db, client.id, &code).await {
                return internal(e);
            }
            return error("invalid_grant");
        }
        Err(e) => return internal(e),
    };
    if grant.expires_at <= crate::store::now() {
        return error("invalid_grant");
    }
    let redirect_uri = url::Url::parse(&redirect_uri)
        .map(String::from)
        .unwrap_or(redirect_uri);
    if redirect_uri != grant.redirect_uri {
        return error("invalid_grant");
    }
    match (&grant.code_challenge, param(p, "code_verifier")) {
        (Some(_), None) => return missing("code_verifier"),
        (Some(challenge), Some(verifier))
            if !rules::valid_verifier(&verifier) || !pkce_matches(challenge, &verifier) =>
        {
            return error("invalid_grant")
        }
        (None, Some(_)) => return error("invalid_grant"),
        // a client made public since cannot use a code taken without PKCE
        (None, None) if !client.confidential => return error("invalid_grant"),
        _ => {}
    }
    match store::create_token(
        &app.db,
        (client.id, Some(grant.id)),
        grant.user_id,
        &grant.scopes,
    )
    .await
    {
        Ok(i) => issued(&i),
        Err(e) => internal(e),
    }
}

async fn refresh(app: &App, client: &Application, p: &Value) -> Response {
    let Some(refresh_token) = param(p, "refresh_token") else {
        return missing("refresh_token");
    };
    let (user, scopes, grant) =
        match store::use_refresh_token(&app.db, client.id, &refresh_token).await {
            Ok(Some(x)) => x,
            Ok(None) => return error("invalid_grant"),
            Err(e) => return internal(e),
        };
    match crate::store::users::find(&app.db, user).await {
        Ok(Some(u)) if u.is_active() => {}
        Ok(_) => return error("invalid_grant"),
        Err(e) => return internal(e),
    }
    // a narrower scope may be asked for, never a wider one, nor one the application lost
    let allowed = rules::parse_scopes(&client.scopes);
    let held: Vec<String> = rules::parse_scopes(&scopes)
        .into_iter()
        .filter(|s| allowed.contains(s))
        .collect();
    let scopes = match param(p, "scope") {
        Some(asked) => {
            let asked = rules::parse_scopes(&asked);
            if asked.iter().any(|s| !held.contains(s)) {
                return error("invalid_scope");
            }
            asked.join(" ")
        }
        None => held.join(" "),
    };
    match store::create_token(&app.db, (client.id, grant), user, &scopes).await {
        Ok(i) => issued(&i),
        Err(e) => internal(e),
    }
}

/// `POST /oauth/revoke` (RFC 7009): 200 `{}`, also for a token that is unknown; the client
/// must authenticate.
pub async fn revoke(State(app): State<Arc<App>>, req: Request) -> Response {
    let (headers, p) = params(req).await;
    let client = match client(&app, &headers, &p).await {
        Ok(Some(c)) => c,
        Ok(None) | Err(_) => {
            return answer(
                StatusCode::FORBIDDEN,
                &json!({"error": "unauthorized_client",
                    "error_description": "You are not authorized to revoke this token"}),
            )
        }
    };
    let Some(token) = param(&p, "token") else {
        return missing("token");
    };
    match store::revoke(&app.db, client.id, &token).await {
        Ok(()) => answer(StatusCode::OK, &json!({})),
        Err(e) => internal(e),
    }
}

/// `GET /oauth/token/info`: what the caller's own token is.
pub async fn info(State(app): State<Arc<App>>, req: Request) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned());
    let found = match token {
        Some(t) => store::token_info(&app.db, &t).await,
        None => Ok(None),
    };
    match found {
        Ok(Some((user, scopes, expires_in, uid, created_at))) => answer(
            StatusCode::OK,
            &json!({
                "resource_owner_id": user,
                "scope": rules::parse_scopes(&scopes),
                "expires_in": expires_in,
                "application": {"uid": uid},
                "created_at": created_at,
            }),
        ),
        Ok(None) => {
            let mut r = answer(
                StatusCode::UNAUTHORIZED,
                &json!({"error": "invalid_token", "error_description": "The access token is invalid"}),
            );
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"Redmine\", error=\"invalid_token\""),
            );
            r
        }
        Err(e) => internal(e),
    }
}
