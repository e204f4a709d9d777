//! The routing table of the REST API and the one handler that serves every request:
//! format, body, authentication, then the resource.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use futures_util::FutureExt;
use serde_json::{Map, Value};

use crate::api;
use crate::api::admin::AdminRoute;
use crate::http::formats::{self, bare, Requested};
use crate::http::params::{self, Malformed};
use crate::http::{
    auth, error_response, framework_response, reply_response, ApiError, ApiResult, Ctx, Format,
};
use crate::state::App;

/// Every API route carmine answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    UsersIndex,
    UsersCreate,
    UsersShow(String),
    UsersUpdate(String),
    UsersDestroy(String),
    MyAccount,
    MyAccountUpdate,
    Trackers,
    IssueStatuses,
    Enumerations(String),
    Roles,
    Role(String),
    CustomFields,
    ProjectsIndex,
    ProjectsCreate,
    ProjectsShow(String),
    ProjectsUpdate(String),
    ProjectsDestroy(String),
    ProjectStatus(String, &'static str),
    GroupsIndex,
    GroupsCreate,
    GroupShow(String),
    GroupUpdate(String),
    GroupDestroy(String),
    GroupAddUsers(String),
    GroupRemoveUser(String, String),
    JournalUpdate(String),
    RelationsIndex(String),
    RelationsCreate(String),
    RelationShow(String),
    RelationDestroy(String),
    WatchersAdd(String),
    WatcherRemove(String, String),
    Queries,
    IssuesIndex(Option<String>),
    IssuesCreate(Option<String>),
    IssueShow(String),
    IssueUpdate(String),
    IssueDestroy(String),
    IssuesDestroy,
    VersionsIndex(String),
    VersionsCreate(String),
    VersionShow(String),
    VersionUpdate(String),
    VersionDestroy(String),
    CategoriesIndex(String),
    CategoriesCreate(String),
    CategoryShow(String),
    CategoryUpdate(String),
    CategoryDestroy(String),
    MembershipsIndex(String),
    MembershipsCreate(String),
    MembershipShow(String),
    MembershipUpdate(String),
    MembershipDestroy(String),
    /// Routes Redmine has only for its admin web UI: 403 there, carmine's administration
    /// extension when `admin_api_enabled` is on.
    Admin(api::admin::AdminRoute),
}

fn admin_kind(s: &str) -> &'static str {
    match s {
        "trackers" => "trackers",
        "issue_statuses" => "issue_statuses",
        "roles" => "roles",
        "custom_fields" => "custom_fields",
        _ => "enumerations",
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_update(m: &Method) -> bool {
    m == Method::PUT || m == Method::PATCH
}

pub fn resolve(method: &Method, segments: &[String]) -> Option<Route> {
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    let get = method == Method::GET;
    let post = method == Method::POST;
    let delete = method == Method::DELETE;
    let route = match seg.as_slice() {
        ["users"] if get => Route::UsersIndex,
        ["users"] if post => Route::UsersCreate,
        ["users", id] if get => Route::UsersShow((*id).to_owned()),
        ["users", id] if is_update(method) => Route::UsersUpdate((*id).to_owned()),
        ["users", id] if delete => Route::UsersDestroy((*id).to_owned()),
        ["my", "account"] if get => Route::MyAccount,
        ["my", "account"] if method == Method::PUT => Route::MyAccountUpdate,
        ["trackers"] if get => Route::Trackers,
        ["issue_statuses"] if get => Route::IssueStatuses,
        ["enumerations", kind] if get => Route::Enumerations((*kind).to_owned()),
        ["roles"] if get => Route::Roles,
        ["roles", id] if get => Route::Role((*id).to_owned()),
        ["custom_fields"] if get => Route::CustomFields,
        ["groups"] if get => Route::GroupsIndex,
        ["groups"] if post => Route::GroupsCreate,
        ["groups", id] if get => Route::GroupShow((*id).to_owned()),
        ["groups", id] if is_update(method) => Route::GroupUpdate((*id).to_owned()),
        ["groups", id] if delete => Route::GroupDestroy((*id).to_owned()),
        ["groups", id, "users"] if post && digits(id) => Route::GroupAddUsers((*id).to_owned()),
        ["groups", id, "users", user] if delete && digits(id) => {
            Route::GroupRemoveUser((*id).to_owned(), (*user).to_owned())
        }
        ["queries"] if get => Route::Queries,
        ["issues", id, "watchers"] if post => Route::WatchersAdd((*id).to_owned()),
        ["issues", id, "watchers", user] if delete => {
            Route::WatcherRemove((*id).to_owned(), (*user).to_owned())
        }
        ["journals", id] if is_update(method) => Route::JournalUpdate((*id).to_owned()),
        ["issues", id, "relations"] if get => Route::RelationsIndex((*id).to_owned()),
        ["issues", id, "relations"] if post => Route::RelationsCreate((*id).to_owned()),
        ["relations", id] if get => Route::RelationShow((*id).to_owned()),
        ["relations", id] if delete => Route::RelationDestroy((*id).to_owned()),
        ["issues"] if get => Route::IssuesIndex(None),
        ["issues"] if post => Route::IssuesCreate(None),
        ["issues"] if delete => Route::IssuesDestroy,
        ["projects", id, "issues"] if get => Route::IssuesIndex(Some((*id).to_owned())),
        ["projects", id, "issues"] if post => Route::IssuesCreate(Some((*id).to_owned())),
        ["issues", id] if get => Route::IssueShow((*id).to_owned()),
        ["issues", id] if is_update(method) => Route::IssueUpdate((*id).to_owned()),
        ["issues", id] if delete => Route::IssueDestroy((*id).to_owned()),
        ["projects", id, "versions"] if get => Route::VersionsIndex((*id).to_owned()),
        ["projects", id, "versions"] if post => Route::VersionsCreate((*id).to_owned()),
        ["versions", id] if get => Route::VersionShow((*id).to_owned()),
        ["versions", id] if is_update(method) => Route::VersionUpdate((*id).to_owned()),
        ["versions", id] if delete => Route::VersionDestroy((*id).to_owned()),
        ["projects", id, "issue_categories"] if get => Route::CategoriesIndex((*id).to_owned()),
        ["projects", id, "issue_categories"] if post => Route::CategoriesCreate((*id).to_owned()),
        ["issue_categories", id] if get => Route::CategoryShow((*id).to_owned()),
        ["issue_categories", id] if is_update(method) => Route::CategoryUpdate((*id).to_owned()),
        ["issue_categories", id] if delete => Route::CategoryDestroy((*id).to_owned()),
        ["projects", id, "memberships"] if get => Route::MembershipsIndex((*id).to_owned()),
        ["projects", id, "memberships"] if post => Route::MembershipsCreate((*id).to_owned()),
        ["memberships", id] if get => Route::MembershipShow((*id).to_owned()),
        ["memberships", id] if is_update(method) => Route::MembershipUpdate((*id).to_owned()),
        ["memberships", id] if delete => Route::MembershipDestroy((*id).to_owned()),
        ["projects"] if get => Route::ProjectsIndex,
        ["projects"] if post => Route::ProjectsCreate,
        ["projects", id] if get => Route::ProjectsShow((*id).to_owned()),
        ["projects", id] if is_update(method) => Route::ProjectsUpdate((*id).to_owned()),
        ["projects", id] if delete => Route::ProjectsDestroy((*id).to_owned()),
        ["projects", id, action @ ("archive" | "unarchive" | "close" | "reopen")]
            if post || method == Method::PUT =>
        {
            let action: &'static str = match *action {
                "archive" => "archive",
                "unarchive" => "unarchive",
                "close" => "close",
                _ => "reopen",
            };
            Route::ProjectStatus((*id).to_owned(), action)
        }
        ["trackers" | "issue_statuses" | "roles" | "custom_fields" | "enumerations"] if post => {
            Route::Admin(AdminRoute::Create(admin_kind(seg[0])))
        }
        ["enumerations", kind] if post => {
            Route::Admin(AdminRoute::EnumerationCreate((*kind).to_owned()))
        }
        ["trackers" | "issue_statuses" | "roles" | "custom_fields" | "enumerations", id]
            if is_update(method) =>
        {
            Route::Admin(AdminRoute::Update(admin_kind(seg[0]), (*id).to_owned()))
        }
        ["trackers" | "issue_statuses" | "roles" | "custom_fields" | "enumerations", id]
            if delete =>
        {
            Route::Admin(AdminRoute::Destroy(admin_kind(seg[0]), (*id).to_owned()))
        }
        ["workflows"] if get => Route::Admin(AdminRoute::Workflows),
        ["workflows"] if is_update(method) => Route::Admin(AdminRoute::WorkflowsUpdate),
        _ => return None,
    };
    Some(route)
}

async fn handle(app: &App, ctx: &Ctx, route: Route) -> ApiResult {
    match route {
        Route::UsersIndex => api::users::index(app, ctx).await,
        Route::UsersCreate => api::users::create(app, ctx).await,
        Route::UsersShow(id) => api::users::show(app, ctx, &id).await,
        Route::UsersUpdate(id) => api::users::update(app, ctx, &id).await,
        Route::UsersDestroy(id) => api::users::destroy(app, ctx, &id).await,
        Route::MyAccount => api::my_account::show(app, ctx).await,
        Route::MyAccountUpdate => api::my_account::update(app, ctx).await,
        Route::Trackers => api::trackers::index(app, ctx).await,
        Route::IssueStatuses => api::issue_statuses::index(app, ctx).await,
        Route::Enumerations(kind) => api::enumerations::index(app, ctx, &kind).await,
        Route::Roles => api::roles::index(app, ctx).await,
        Route::Role(id) => api::roles::show(app, ctx, &id).await,
        Route::CustomFields => api::custom_fields::index(app, ctx).await,
        Route::ProjectsIndex => api::projects::index(app, ctx).await,
        Route::ProjectsCreate => api::projects::create(app, ctx).await,
        Route::ProjectsShow(id) => api::projects::show(app, ctx, &id).await,
        Route::ProjectsUpdate(id) => api::projects::update(app, ctx, &id).await,
        Route::ProjectsDestroy(id) => api::projects::destroy(app, ctx, &id).await,
        Route::ProjectStatus(id, action) => {
            api::projects::status_action(app, ctx, &id, action).await
        }
        Route::GroupsIndex => api::groups::index(app, ctx).await,
        Route::GroupsCreate => api::groups::create(app, ctx).await,
        Route::GroupShow(id) => api::groups::show(app, ctx, &id).await,
        Route::GroupUpdate(id) => api::groups::update(app, ctx, &id).await,
        Route::GroupDestroy(id) => api::groups::destroy(app, ctx, &id).await,
        Route::GroupAddUsers(id) => api::groups::add_users(app, ctx, &id).await,
        Route::GroupRemoveUser(id, user) => api::groups::remove_user(app, ctx, &id, &user).await,
        Route::Queries => api::queries::index(app, ctx).await,
        Route::WatchersAdd(id) => api::watchers::add_watchers(app, ctx, &id).await,
        Route::WatcherRemove(id, user) => api::watchers::remove_watcher(app, ctx, &id, &user).await,
        Route::JournalUpdate(id) => api::journals::edit_journal(app, ctx, &id).await,
        Route::RelationsIndex(id) => api::relations::index(app, ctx, &id).await,
        Route::RelationsCreate(id) => api::relations::create(app, ctx, &id).await,
        Route::RelationShow(id) => api::relations::show(app, ctx, &id).await,
        Route::RelationDestroy(id) => api::relations::destroy(app, ctx, &id).await,
        Route::IssuesIndex(p) => api::issues::index(app, ctx, p.as_deref()).await,
        Route::IssuesCreate(p) => api::issues::create(app, ctx, p.as_deref()).await,
        Route::IssueShow(id) => api::issues::show(app, ctx, &id).await,
        Route::IssueUpdate(id) => api::issues::update(app, ctx, &id).await,
        Route::IssueDestroy(id) => api::issues::destroy(app, ctx, &id).await,
        Route::IssuesDestroy => api::issues::destroy_many(app, ctx).await,
        Route::VersionsIndex(p) => api::versions::index(app, ctx, &p).await,
        Route::VersionsCreate(p) => api::versions::create(app, ctx, &p).await,
        Route::VersionShow(id) => api::versions::show(app, ctx, &id).await,
        Route::VersionUpdate(id) => api::versions::update(app, ctx, &id).await,
        Route::VersionDestroy(id) => api::versions::destroy(app, ctx, &id).await,
        Route::CategoriesIndex(p) => api::issue_categories::index(app, ctx, &p).await,
        Route::CategoriesCreate(p) => api::issue_categories::create(app, ctx, &p).await,
        Route::CategoryShow(id) => api::issue_categories::show(app, ctx, &id).await,
        Route::CategoryUpdate(id) => api::issue_categories::update(app, ctx, &id).await,
        Route::CategoryDestroy(id) => api::issue_categories::destroy(app, ctx, &id).await,
        Route::MembershipsIndex(p) => api::memberships::index(app, ctx, &p).await,
        Route::MembershipsCreate(p) => api::memberships::create(app, ctx, &p).await,
        Route::MembershipShow(id) => api::memberships::show(app, ctx, &id).await,
        Route::MembershipUpdate(id) => api::memberships::update(app, ctx, &id).await,
        Route::MembershipDestroy(id) => api::memberships::destroy(app, ctx, &id).await,
        Route::Admin(r) => api::admin::handle(app, ctx, r).await,
    }
}

/// Splits `/users/5.json` into `["users", "5"]` and the extension `json`.
fn split_path(path: &str) -> (Vec<String>, Option<String>) {
    let mut segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let mut ext = None;
    if let Some(last) = segments.last_mut() {
        if let Some(dot) = last.rfind('.') {
            if dot > 0 {
                ext = Some(last[dot + 1..].to_owned());
                last.truncate(dot);
            }
        }
    }
    (segments, ext)
}

fn percent_decode(s: &str) -> String {
    let bytes: Vec<u8> = form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned().into_bytes())
        .unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

fn media_type(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let v = headers.get(name)?.to_str().ok()?;
    Some(v.split(';').next()?.trim().to_ascii_lowercase())
}

fn empty(status: StatusCode, content_type: &'static str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A request without `.json`/`.xml` is not an API request; Redmine answers those that
/// ask for JSON or XML with a 406 explaining the extension.
fn not_api(headers: &HeaderMap, routed: bool) -> Response {
    let accept = media_type(headers, header::ACCEPT);
    let ct = match accept.as_deref() {
        Some("application/json") => Some("application/json; charset=utf-8"),
        Some("application/xml") | Some("text/xml") => Some("application/xml; charset=utf-8"),
        _ => None,
    };
    match ct {
        Some(ct) => {
            let mut r = Response::new(Body::from(crate::http::NOT_ACCEPTABLE_TEXT));
            *r.status_mut() = StatusCode::NOT_ACCEPTABLE;
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            r
        }
        None if routed => empty(StatusCode::NOT_ACCEPTABLE, "text/html; charset=utf-8"),
        None => framework_response(None, StatusCode::NOT_FOUND),
    }
}

/// Reads the body by its content type, as Rails does: JSON, XML, forms; a POST without a
/// content type is a form; other methods ignore bodies of other types.
fn parse_body(headers: &HeaderMap, original: &Method, bytes: &[u8]) -> Result<Value, Malformed> {
    let ct = media_type(headers, header::CONTENT_TYPE);
    match ct.as_deref() {
        Some("application/json" | "text/x-json" | "application/jsonrequest") => {
            params::parse_json(bytes)
        }
        Some("application/xml" | "text/xml" | "application/x-xml") => params::parse_xml(bytes),
        Some("application/x-www-form-urlencoded") => params::parse_form(bytes),
        None if original == Method::POST => params::parse_form(bytes),
        _ => Ok(Value::Object(Map::new())),
    }
}

/// The JSONP callback (`callback`, else `jsonp`), when the setting allows it: letters,
/// digits, `_` and `.` only.
fn jsonp_callback(app: &App, format: Format, params: &Value) -> Option<String> {
    if !app.settings.jsonp_enabled || format != Format::Json {
        return None;
    }
    let raw = params
        .get("callback")
        .or_else(|| params.get("jsonp"))
        .and_then(crate::http::scalar_text)?;
    let name: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Wraps a JSON body in `callback(...)`; empty bodies stay as they are.
async fn with_jsonp(response: Response, callback: Option<String>) -> Response {
    let Some(callback) = callback else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    if bytes.is_empty() {
        return Response::from_parts(parts, Body::empty());
    }
    let mut wrapped = Vec::with_capacity(bytes.len() + callback.len() + 2);
    wrapped.extend_from_slice(callback.as_bytes());
    wrapped.push(b'(');
    wrapped.extend_from_slice(&bytes);
    wrapped.push(b')');
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/javascript; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(wrapped))
}

pub async fn dispatch(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let original = parts.method.clone();
    let headers = parts.headers;
    let (segments, ext) = split_path(parts.uri.path());
    let query = params::parse_form(parts.uri.query().unwrap_or("").as_bytes());
    let format_param = query
        .as_ref()
        .ok()
        .and_then(|q| q.get("format"))
        .and_then(Value::as_str);

    let requested = Requested::of(ext.as_deref());
    if !formats::known_method(&original) {
        return match requested {
            Requested::Api(f) => framework_response(Some(f), StatusCode::METHOD_NOT_ALLOWED),
            _ => bare(StatusCode::METHOD_NOT_ALLOWED, "text/html; charset=utf-8"),
        };
    }
    let format = match requested {
        Requested::Api(f) => Some(f),
        Requested::Other(_) => None,
        Requested::Page => match format_param {
            Some("json") => Some(Format::Json),
            Some("xml") => Some(Format::Xml),
            _ => None,
        },
    };

    let bytes = match to_bytes(body, app.max_body).await {
        Ok(b) => b,
        Err(_) => {
            let fmt = format.unwrap_or(Format::Json);
            let mut r = empty(StatusCode::PAYLOAD_TOO_LARGE, fmt.media_type());
            // the rest of the body is never read: the connection cannot be reused
            r.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return r;
        }
    };
    let body_params = parse_body(&headers, &original, &bytes);

    let mut method = if original == Method::HEAD {
        Method::GET
    } else {
        original.clone()
    };
    if original == Method::POST {
        let override_to = headers
            .get("x-http-method-override")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| {
                let form = matches!(
                    media_type(&headers, header::CONTENT_TYPE).as_deref(),
                    Some("application/x-www-form-urlencoded") | None
                );
                match &body_params {
                    Ok(p) if form => p.get("_method").and_then(Value::as_str).map(str::to_owned),
                    _ => None,
                }
            });
        // Rack's MethodOverride takes only these
        if let Some(m) = override_to
            .map(|m| m.trim().to_ascii_uppercase())
            .filter(|m| {
                [
                    "GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH", "LINK", "UNLINK",
                ]
                .contains(&m.as_str())
            })
            .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
        {
            method = m;
        }
    }

    let route = resolve(&method, &segments);
    if let Requested::Other(media) = requested {
        let query = query.unwrap_or_else(|_| Value::Object(Map::new()));
        let response = other_format(&app, headers, query, route, &method, media).await;
        return head_stripped(response, &original);
    }
    let Some(format) = format else {
        if route.is_some() && media_type(&headers, header::ACCEPT).is_none() {
            // outside the API a write meets Rails' CSRF check first
            if formats::is_write(&method) {
                return bare(StatusCode::UNPROCESSABLE_ENTITY, "text/html; charset=utf-8");
            }
            if headers.contains_key("x-redmine-switch-user") {
                let query = query.unwrap_or_else(|_| Value::Object(Map::new()));
                if let Err(e) = auth::authenticate(&app, &headers, &query).await {
                    if status_of(&e, true) == StatusCode::PRECONDITION_FAILED {
                        return framework_response(None, StatusCode::PRECONDITION_FAILED);
                    }
                }
            }
        }
        return not_api(&headers, route.is_some());
    };
    let Some(route) = route else {
        let wants_html =
            media_type(&headers, header::ACCEPT).is_some_and(|a| a == "*/*" || a == "text/html");
        let fmt = if wants_html { None } else { Some(format) };
        return framework_response(fmt, StatusCode::NOT_FOUND);
    };
    let (mut query, body_params) = match (query, body_params) {
        (Ok(q), Ok(p)) => (q, p),
        _ => return framework_response(Some(format), StatusCode::BAD_REQUEST),
    };
    params::merge(&mut query, body_params);
    let params = query;

    let rest = app.settings.rest_api_enabled;
    let current = match auth::authenticate(&app, &headers, &params).await {
        Ok(c) => c,
        Err(e) => return error_response(format, rest, e),
    };
    let ctx = context(params, current, headers);
    let jsonp = jsonp_callback(&app, format, &ctx.params);
    let counted = crate::store::QUERIES.scope(std::cell::Cell::new(0), async {
        let outcome = AssertUnwindSafe(handle(&app, &ctx, route))
            .catch_unwind()
            .await;
        (outcome, crate::store::QUERIES.with(|c| c.get()))
    });
    let (outcome, queries) = counted.await;
    let mut response = match outcome {
        Ok(Ok(reply)) => with_jsonp(reply_response(format, reply), jsonp).await,
        Ok(Err(e @ ApiError::Validation(_))) => {
            with_jsonp(error_response(format, rest, e), jsonp).await
        }
        Ok(Err(e)) => error_response(format, rest, e),
        Err(_) => {
            tracing::error!(path = ?segments, "handler panicked");
            error_response(format, rest, ApiError::Internal)
        }
    };
    response = head_stripped(response, &original);
    if app.count_queries {
        // diagnostics for tests and benchmarks: statements the handler ran
        if let Ok(v) = HeaderValue::from_str(&queries.to_string()) {
            response.headers_mut().insert("x-carmine-queries", v);
        }
    }
    response
}

fn context(params: Value, current: crate::http::Current, headers: HeaderMap) -> Ctx {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    Ctx {
        params,
        current,
        base_url: format!("http://{host}"),
        headers,
        roles: Default::default(),
    }
}

fn head_stripped(mut response: Response, original: &Method) -> Response {
    if original == Method::HEAD {
        *response.body_mut() = Body::empty();
    }
    response
}

/// The status an error is answered with.
fn status_of(e: &ApiError, rest_api_enabled: bool) -> StatusCode {
    match e {
        ApiError::Status(s) | ApiError::Framework(s) => *s,
        ApiError::LoginRequired if rest_api_enabled => StatusCode::UNAUTHORIZED,
        ApiError::LoginRequired => StatusCode::FORBIDDEN,
        ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A request in a format other than the API's (`.txt`, `.csv`, `.pdf`, …). Rails checks a
/// write's CSRF token first (422); a read is authenticated and looked up as usual, so a
/// missing record or a refusal is answered in that format, and only what would succeed
/// gets the 406 of a format the action does not offer.
async fn other_format(
    app: &App,
    headers: HeaderMap,
    query: Value,
    route: Option<Route>,
    method: &Method,
    media: &'static str,
) -> Response {
    let Some(route) = route else {
        return framework_response(None, StatusCode::NOT_FOUND);
    };
    if formats::is_write(method) {
        return bare(StatusCode::UNPROCESSABLE_ENTITY, media);
    }
    let rest = app.settings.rest_api_enabled;
    let current = match auth::authenticate(app, &headers, &query).await {
        Ok(c) => c,
        Err(e) => return bare(status_of(&e, rest), media),
    };
    let ctx = context(query, current, headers);
    let outcome = AssertUnwindSafe(handle(app, &ctx, route))
        .catch_unwind()
        .await;
    match outcome {
        Ok(Ok(_)) if media == "application/x-yaml" => {
            // Rails renders its 406 in the few other formats it knows
            let mut r = Response::new(Body::from("---\n:status: 406\n:error: Not Acceptable\n"));
            *r.status_mut() = StatusCode::NOT_ACCEPTABLE;
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-yaml; charset=utf-8"),
            );
            r
        }
        Ok(Ok(_)) => bare(StatusCode::NOT_ACCEPTABLE, "text/html; charset=utf-8"),
        Ok(Err(e)) => bare(status_of(&e, rest), media),
        Err(_) => bare(StatusCode::INTERNAL_SERVER_ERROR, media),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            split_path("/users/5.json"),
            (
                vec!["users".to_string(), "5".to_string()],
                Some("json".to_string())
            )
        );
        assert_eq!(split_path("/users"), (vec!["users".to_string()], None));
        assert_eq!(split_path("/trackers.JSON").1.as_deref(), Some("JSON"));
        assert_eq!(split_path("/a%20b.xml").0, vec!["a b".to_string()]);
        assert_eq!(
            resolve(&Method::PATCH, &["my".into(), "account".into()]),
            None
        );
        assert_eq!(resolve(&Method::DELETE, &["trackers".into()]), None);
        assert_eq!(
            resolve(&Method::POST, &["trackers".into()]),
            Some(Route::Admin(AdminRoute::Create("trackers")))
        );
    }
}
