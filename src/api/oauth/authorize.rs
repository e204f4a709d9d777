//! `GET/POST /oauth/authorize`: the page where a user signs in and approves (or denies) an
//! application's request (RFC 6749 §4.1, PKCE RFC 7636). Plain HTML with one form, no
//! script; guarded against cross-site posts (a cookie repeated in the form) and framing,
//! and its sign-in attempts are rate-limited.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

use crate::domain::oauth::{self as rules, constant_time_eq, random_token};
use crate::state::App;
use crate::store::oauth::{self as store, Application};

/// The request of an application, as the page carries it from GET to POST.
#[derive(Debug, Clone, Default)]
struct Asked {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

impl Asked {
    fn from(params: &Value) -> Asked {
        let get = |k: &str| {
            params
                .get(k)
                .and_then(crate::domain::values::scalar_text)
                .filter(|v| !v.is_empty())
        };
        Asked {
            response_type: get("response_type").unwrap_or_default(),
            client_id: get("client_id").unwrap_or_default(),
            redirect_uri: get("redirect_uri").unwrap_or_default(),
            scope: get("scope").unwrap_or_default(),
            state: get("state"),
            code_challenge: get("code_challenge"),
            code_challenge_method: get("code_challenge_method"),
        }
    }

    fn hidden(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("response_type", self.response_type.clone()),
            ("client_id", self.client_id.clone()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("scope", self.scope.clone()),
        ];
        for (k, x) in [
            ("state", &self.state),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
        ] {
            if let Some(x) = x {
                v.push((k, x.clone()));
            }
        }
        v
    }
}

/// What is wrong with a request: shown on the page when the redirect URI cannot be
/// trusted, else sent back to it.
enum Refusal {
    Page(&'static str),
    Redirect(String, &'static str, &'static str),
}

/// A request checked: its application, redirect URI and scopes.
struct Checked {
    app: Application,
    redirect_uri: String,
    scopes: Vec<String>,
}

async fn check(app: &App, a: &Asked) -> Result<Result<Checked, Refusal>, crate::store::Error> {
    if a.client_id.is_empty() {
        return Ok(Err(Refusal::Page(
            "The request is missing the client_id parameter.",
        )));
    }
    let Some(application) = store::application_by_uid(&app.db, &a.client_id).await? else {
        return Ok(Err(Refusal::Page("The client is not known.")));
    };
    let registered: Vec<&str> = application.redirect_uri.split_whitespace().collect();
    let redirect_uri = match (a.redirect_uri.as_str(), registered.as_slice()) {
        ("", [only]) => (*only).to_owned(),
        (asked, _)
            if !asked.is_empty() && rules::redirect_matches(&application.redirect_uri, asked) =>
        {
            // sent back as parsed (what was matched), never as typed
            url::Url::parse(asked)
                .map(String::from)
                .unwrap_or_else(|_| asked.to_owned())
        }
        _ => {
            return Ok(Err(Refusal::Page(
                "The redirect URI is not one the client registered.",
            )))
        }
    };
    if a.response_type != "code" {
        return Ok(Err(Refusal::Redirect(
            redirect_uri,
            "unsupported_response_type",
            "The authorization server does not support this response type.",
        )));
    }
    // no scope asked: the default ones (the public permissions)
    let asked = if a.scope.trim().is_empty() {
        rules::default_scopes().join(" ")
    } else {
        a.scope.clone()
    };
    let scopes = rules::parse_scopes(&asked);
    let allowed = rules::parse_scopes(&application.scopes);
    if scopes.iter().any(|s| !allowed.contains(s)) {
        return Ok(Err(Refusal::Redirect(
            redirect_uri,
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed.",
        )));
    }
    // PKCE with S256; a public client cannot do without it
    match (&a.code_challenge, a.code_challenge_method.as_deref()) {
        (Some(c), Some("S256")) if rules::valid_challenge(c) => {}
        (Some(_), _) => {
            return Ok(Err(Refusal::Redirect(
                redirect_uri,
                "invalid_request",
                "The code challenge must be an S256 challenge (code_challenge_method=S256).",
            )))
        }
        (None, _) if !application.confidential => {
            return Ok(Err(Refusal::Redirect(
                redirect_uri,
                "invalid_request",
                "A public client must send a code_challenge (PKCE, S256).",
            )))
        }
        (None, _) => {}
    }
    Ok(Ok(Checked {
        app: application,
        redirect_uri,
        scopes,
    }))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Adds query parameters to a redirect URI.
fn with_params(uri: &str, params: &[(&str, &str)]) -> String {
    let mut out = uri.to_owned();
    let mut sep = if uri.contains('?') { '&' } else { '?' };
    for (k, v) in params {
        out.push(sep);
        out.push_str(k);
        out.push('=');
        out.extend(form_urlencoded::byte_serialize(v.as_bytes()));
        sep = '&';
    }
    out
}

fn html(status: StatusCode, body: String, cookie: Option<&str>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // never inside another site's frame; no script at all
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    if let Some(c) = cookie {
        let v = format!("{CSRF_COOKIE}={c}; Path=/oauth; HttpOnly; SameSite=Strict");
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(header::SET_COOKIE, v);
        }
    }
    r
}

fn redirect(to: &str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::FOUND;
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn error_page(message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Authorization error</title></head>\
         <body><h1>Authorization error</h1><p>{}</p></body></html>",
        escape(message)
    );
    html(StatusCode::BAD_REQUEST, body, None)
}

const CSRF_COOKIE: &str = "carmine_oauth";

/// The sign-in and consent page.
fn page(c: &Checked, a: &Asked, csrf: &str, problem: Option<&str>) -> String {
    let scopes: String = c
        .scopes
        .iter()
        .map(|s| format!("<li>{}</li>", escape(&s.replace('_', " "))))
        .collect();
    let hidden: String = a
        .hidden()
        .iter()
        .chain(std::iter::once(&("csrf", csrf.to_owned())))
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                escape(v)
            )
        })
        .collect();
    let problem = problem
        .map(|p| format!("<p role=\"alert\"><strong>{}</strong></p>", escape(p)))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>Authorize {name}</title></head><body>\
         <h1>Authorize {name}</h1>{problem}\
         <p><strong>{name}</strong> asks to use your account with these permissions:</p>\
         <ul>{scopes}</ul>\
         <form method=\"post\" action=\"/oauth/authorize\">{hidden}\
         <p><label for=\"login\">Login</label><br>\
         <input id=\"login\" name=\"login\" autocomplete=\"username\" required></p>\
         <p><label for=\"password\">Password</label><br>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\"></p>\
         <p><button type=\"submit\" name=\"decision\" value=\"approve\">Authorize</button> \
         <button type=\"submit\" name=\"decision\" value=\"deny\" formnovalidate>Deny</button></p>\
         </form></body></html>",
        name = escape(&c.app.name),
    )
}

async fn bounded_body(req: Request) -> Option<Value> {
    let bytes = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .ok()?;
    crate::http::params::parse_form(&bytes).ok()
}

fn query_of(req: &Request) -> Value {
    crate::http::params::parse_form(req.uri().query().unwrap_or("").as_bytes())
        .unwrap_or(Value::Null)
}

fn refused(app_ok: bool) -> Option<Response> {
    (!app_ok).then(|| html(StatusCode::FORBIDDEN, "REST API disabled".into(), None))
}

/// `GET /oauth/authorize`.
pub async fn show(State(app): State<Arc<App>>, req: Request) -> Response {
    if let Some(r) = refused(app.settings.rest_api_enabled) {
        return r;
    }
    let asked = Asked::from(&query_of(&req));
    match check(&app, &asked).await {
        Err(e) => internal(e),
        Ok(Err(refusal)) => refuse(&asked, refusal),
        Ok(Ok(checked)) => {
            let csrf = random_token();
            html(
                StatusCode::OK,
                page(&checked, &asked, &csrf, None),
                Some(&csrf),
            )
        }
    }
}

fn internal(e: crate::store::Error) -> Response {
    tracing::error!(error = %e, "oauth authorize");
    error_page("The server could not answer; try again.")
}

fn refuse(asked: &Asked, refusal: Refusal) -> Response {
    match refusal {
        Refusal::Page(message) => error_page(message),
        Refusal::Redirect(uri, error, description) => {
            let mut params = vec![("error", error), ("error_description", description)];
            if let Some(s) = &asked.state {
                params.push(("state", s));
            }
            redirect(&with_params(&uri, &params))
        }
    }
}

fn cookie(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Failed sign-ins per login: at most `ATTEMPTS` in `WINDOW`, then refused until it ends.
const ATTEMPTS: u32 = 5;
const WINDOW: Duration = Duration::from_secs(300);

fn attempts() -> &'static Mutex<HashMap<String, (u32, Instant)>> {
    static MAP: std::sync::OnceLock<Mutex<HashMap<String, (u32, Instant)>>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Takes an attempt for a login (as logins compare, without case) before the password is
/// checked, so that parallel tries count too; false when its attempts are used up.
fn take_attempt(login: &str) -> bool {
    let Ok(mut map) = attempts().lock() else {
        return false;
    };
    let key = login.to_lowercase();
    if let Some((n, since)) = map.get_mut(&key) {
        if since.elapsed() >= WINDOW {
            *n = 0;
            *since = Instant::now();
        }
        if *n >= ATTEMPTS {
            return false;
        }
        *n += 1;
        return true;
    }
    // bounded: when full, the windows that ended make room, else the attempt is refused
    if map.len() >= 100_000 {
        map.retain(|_, (_, since)| since.elapsed() < WINDOW);
        if map.len() >= 100_000 {
            return false;
        }
    }
    map.insert(key, (1, Instant::now()));
    true
}

/// A successful sign-in gives the attempt back.
fn succeeded(login: &str) {
    if let Ok(mut map) = attempts().lock() {
        map.remove(&login.to_lowercase());
    }
}

enum SignIn {
    User(i64),
    Refused,
    /// The password is right but must be changed first (as Basic answers 403).
    MustChangePassword,
}

/// The user of a login and password, if active and right.
async fn sign_in(app: &App, login: &str, password: &str) -> Result<SignIn, crate::store::Error> {
    let Some(user) = crate::store::users::find_by_login(&app.db, login).await? else {
        return Ok(SignIn::Refused);
    };
    let (hash, salt, pass) = (
        user.hashed_password.clone(),
        user.salt.clone(),
        password.to_owned(),
    );
    let ok = tokio::task::spawn_blocking(move || {
        crate::domain::password::verify(&pass, &hash, salt.as_deref())
    })
    .await
    .unwrap_or(false);
    Ok(match (ok && user.is_active(), user.must_change_passwd) {
        (false, _) => SignIn::Refused,
        (true, true) => SignIn::MustChangePassword,
        (true, false) => SignIn::User(user.id),
    })
}

/// `POST /oauth/authorize`: the user's decision.
pub async fn decide(State(app): State<Arc<App>>, req: Request) -> Response {
    if let Some(r) = refused(app.settings.rest_api_enabled) {
        return r;
    }
    let expected = cookie(&req, CSRF_COOKIE);
    let Some(form) = bounded_body(req).await else {
        return error_page("The form could not be read.");
    };
    let sent = form
        .get("csrf")
        .and_then(crate::domain::values::scalar_text)
        .unwrap_or_default();
    // a post from another site carries neither our cookie nor its value
    if !expected.is_some_and(|e| !e.is_empty() && constant_time_eq(e.as_bytes(), sent.as_bytes())) {
        return html(
            StatusCode::FORBIDDEN,
            "<!DOCTYPE html><p>This form has expired; go back and load the page again.</p>".into(),
            None,
        );
    }
    let asked = Asked::from(&form);
    let checked = match check(&app, &asked).await {
        Err(e) => return internal(e),
        Ok(Err(refusal)) => return refuse(&asked, refusal),
        Ok(Ok(c)) => c,
    };
    let field = |k: &str| {
        form.get(k)
            .and_then(crate::domain::values::scalar_text)
            .unwrap_or_default()
    };
    let state: Vec<(&str, &str)> = asked.state.iter().map(|s| ("state", s.as_str())).collect();
    if field("decision") != "approve" {
        let mut params = vec![
            ("error", "access_denied"),
            (
                "error_description",
                "The resource owner or authorization server denied the request.",
            ),
        ];
        params.extend(state);
        return redirect(&with_params(&checked.redirect_uri, &params));
    }
    let login = field("login");
    let again = |problem: &str, status: StatusCode| {
        let csrf = random_token();
        html(
            status,
            page(&checked, &asked, &csrf, Some(problem)),
            Some(&csrf),
        )
    };
    if login.len() > 255 {
        return again("Invalid user or password", StatusCode::UNAUTHORIZED);
    }
    if !take_attempt(&login) {
        return again(
            "Too many failed attempts for this login; try again in a few minutes.",
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let user = match sign_in(&app, &login, &field("password")).await {
        Err(e) => return internal(e),
        Ok(SignIn::Refused) => {
            return again("Invalid user or password", StatusCode::UNAUTHORIZED);
        }
        Ok(SignIn::MustChangePassword) => {
            return again(
                "Your password has expired or the administrator requires you to change it.",
                StatusCode::FORBIDDEN,
            );
        }
        Ok(SignIn::User(u)) => {
            succeeded(&login);
            u
        }
    };
    let code = random_token();
    let saved = store::create_grant(
        &app.db,
        checked.app.id,
        user,
        &code,
        &checked.redirect_uri,
        &checked.scopes.join(" "),
        asked.code_challenge.as_deref(),
    )
    .await;
    if let Err(e) = saved {
        return internal(e);
    }
    let mut params = vec![("code", code.as_str())];
    params.extend(state);
    redirect(&with_params(&checked.redirect_uri, &params))
}
