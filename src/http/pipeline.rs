//! The pipeline every request goes through, in Rails' order. Before routing (`prepare`):
//! the method (405 for one Rails does not know), the format the extension names, the
//! body (413 when too large; parsed, a malformed one answered only once a route matches),
//! a method override; the path loses its extension and the router matches it. After
//! routing (`respond`, or `unrouted` when nothing matched): the answers of non-API
//! formats, authentication, the route's guard, the handler, then JSONP and HEAD.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use serde_json::{Map, Value};

use super::formats::{self, bare, Requested};
use super::params::{self, Malformed};
use super::{
    auth, error_response, framework_response, reply_response, ApiError, ApiResult, Ctx, Current,
    Format,
};
use crate::state::App;

/// A resource's action: the state, the request, the path's parameters in order.
pub type Handler = for<'a> fn(&'a App, &'a Ctx, &'a [String]) -> BoxFuture<'a, ApiResult>;

/// Who may call an endpoint, declared beside it.
#[derive(Debug, Clone, Copy)]
pub enum Guard {
    /// Anyone, the anonymous user included; what the handler loads decides.
    Anyone,
    /// A logged-in user: 401 otherwise (Redmine's `require_login`).
    Login,
    /// An administrator: 401 for the anonymous user, 403 for others (`require_admin`).
    Admin,
    /// carmine's administration extension: 403 while `admin_api_enabled` is off (what
    /// Redmine answers, these actions being in its web UI only), then `Admin`.
    AdminExtension,
    /// An administrator, checked by the handler once it has found the record (Redmine
    /// looks it up first: an unknown one is 404 to everybody).
    AdminAfterLookup,
    /// Any of these permissions in the project the request names or the object it loads;
    /// the handler checks them there (`ctx.required`), after the lookup Redmine does first.
    Permission(&'static [&'static str]),
}

impl Guard {
    pub fn permissions(self) -> &'static [&'static str] {
        match self {
            Guard::Permission(p) => p,
            _ => &[],
        }
    }

    /// The checks that need only the caller.
    fn check(self, app: &App, current: &Current) -> Result<(), ApiError> {
        let caller = current.caller();
        match self {
            Guard::Login => caller.require_login().map_err(Into::into),
            Guard::Admin => caller.require_admin().map_err(Into::into),
            Guard::AdminExtension if !app.settings.admin_api_enabled => {
                Err(ApiError::Status(StatusCode::FORBIDDEN))
            }
            Guard::AdminExtension => caller.require_admin().map_err(Into::into),
            Guard::Anyone | Guard::AdminAfterLookup | Guard::Permission(_) => Ok(()),
        }
    }
}

/// A matched route: its guard, its handler and the path's parameters.
pub struct Endpoint {
    pub guard: Guard,
    pub handler: Handler,
    pub params: Vec<String>,
}

/// What `prepare` learned of a request, for the routed handler or the fallback.
#[derive(Clone)]
pub struct Prepared {
    original: Method,
    method: Method,
    requested: Requested,
    format: Option<Format>,
    headers: HeaderMap,
    query: Result<Value, Malformed>,
    body: Result<Value, Malformed>,
    /// The raw body of a file upload, left unread for the handler to stream.
    upload: Option<Arc<std::sync::Mutex<Option<Body>>>>,
    /// The request's path and query, as sent.
    target: axum::http::Uri,
}

/// The middleware before routing: see the module's comment.
pub async fn prepare(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    // (a cheap copy: its parts are shared)
    let target = parts.uri.clone();
    let original = parts.method.clone();
    // the pipeline reads the headers from `Prepared`; the router needs none of them
    let headers = std::mem::take(&mut parts.headers);
    // downloads name a file: their path has no format extension
    let download = parts.uri.path().starts_with("/attachments/download/")
        || parts.uri.path().starts_with("/attachments/thumbnail/");
    let ext = if download {
        None
    } else {
        extension(parts.uri.path())
    };
    let query = params::parse_form(parts.uri.query().unwrap_or("").as_bytes());
    let format_param = query
        .as_ref()
        .ok()
        .and_then(|q| q.get("format"))
        .and_then(Value::as_str);
    let requested = Requested::of(ext.as_deref());
    let upload_path = original == Method::POST
        && routed_path(parts.uri.path(), ext.as_deref()) == "/uploads"
        && media_type(&headers, header::CONTENT_TYPE).as_deref()
            == Some("application/octet-stream");
    if !formats::known_method(&original) {
        return match requested {
            Requested::Api(f) => framework_response(Some(f), StatusCode::METHOD_NOT_ALLOWED),
            _ => bare(StatusCode::METHOD_NOT_ALLOWED, "text/html; charset=utf-8"),
        };
    }
    let format = match requested {
        // a download answers its errors as the API does, without a body
        Requested::Page if download => Some(Format::Json),
        Requested::Api(f) => Some(f),
        Requested::Other(_) => None,
        Requested::Page => match format_param {
            Some("json") => Some(Format::Json),
            Some("xml") => Some(Format::Xml),
            _ => None,
        },
    };
    // a file upload is streamed by its handler, past the body limit
    let (body, upload) = if upload_path {
        let kept = Arc::new(std::sync::Mutex::new(Some(body)));
        (Body::empty(), Some(kept))
    } else {
        (body, None)
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
            method = if m == Method::HEAD { Method::GET } else { m };
        }
    }
    // the router sees the path without its extension, and the method meant
    let path = routed_path(parts.uri.path(), ext.as_deref());
    parts.uri = Uri::builder()
        .path_and_query(path)
        .build()
        .unwrap_or_default();
    parts.method = method.clone();
    parts.extensions.insert(Prepared {
        original,
        method,
        requested,
        format,
        headers,
        query,
        body: body_params,
        upload,
        target,
    });
    next.run(Request::from_parts(parts, Body::empty())).await
}

/// The raw path without its extension.
fn routed_path(raw: &str, ext: Option<&str>) -> String {
    let path = match ext {
        Some(e) => raw
            .strip_suffix(e)
            .and_then(|p| p.strip_suffix('.'))
            .unwrap_or(raw),
        None => raw,
    };
    if path.is_empty() {
        "/".to_owned()
    } else {
        path.to_owned()
    }
}

/// No route matched the method and path.
pub async fn unrouted(req: Request) -> Response {
    let Some(p) = req.extensions().get::<Prepared>() else {
        return framework_response(None, StatusCode::NOT_FOUND);
    };
    match p.requested {
        Requested::Other(_) => framework_response(None, StatusCode::NOT_FOUND),
        _ => match p.format {
            None => not_api(&p.headers, false),
            Some(format) => {
                let wants_html = media_type(&p.headers, header::ACCEPT)
                    .is_some_and(|a| a == "*/*" || a == "text/html");
                let fmt = if wants_html { None } else { Some(format) };
                framework_response(fmt, StatusCode::NOT_FOUND)
            }
        },
    }
}

/// A matched route: everything after routing (see the module's comment).
pub async fn respond(app: &App, mut req: Request, endpoint: Endpoint) -> Response {
    // taken, not cloned: it holds the parsed body
    let Some(p) = req.extensions_mut().remove::<Prepared>() else {
        return framework_response(None, StatusCode::NOT_FOUND);
    };
    let Prepared {
        original,
        method,
        requested,
        format,
        headers,
        query,
        body,
        upload,
        target,
        ..
    } = p;
    if let Requested::Other(media) = requested {
        let query = query.unwrap_or_else(|_| Value::Object(Map::new()));
        let response = other_format(app, headers, query, &endpoint, &method, media).await;
        return head_stripped(response, &original);
    }
    let Some(format) = format else {
        if media_type(&headers, header::ACCEPT).is_none() {
            // outside the API a write meets Rails' CSRF check first
            if formats::is_write(&method) {
                return bare(StatusCode::UNPROCESSABLE_ENTITY, "text/html; charset=utf-8");
            }
            if headers.contains_key("x-redmine-switch-user") {
                let query = query.unwrap_or_else(|_| Value::Object(Map::new()));
                if let Err(e) = auth::authenticate(app, &headers, &query).await {
                    if status_of(&e, true) == StatusCode::PRECONDITION_FAILED {
                        return framework_response(None, StatusCode::PRECONDITION_FAILED);
                    }
                }
            }
        }
        return not_api(&headers, true);
    };
    let (mut query, body_params) = match (query, body) {
        (Ok(q), Ok(p)) => (q, p),
        _ => return framework_response(Some(format), StatusCode::BAD_REQUEST),
    };
    params::merge(&mut query, body_params);
    let params = query;

    let rest = app.settings.rest_api_enabled;
    app.db.cache.recheck();
    let identified = crate::store::QUERIES.scope(std::cell::Cell::new(0), async {
        let current = auth::authenticate(app, &headers, &params).await;
        (current, crate::store::QUERIES.with(|c| c.get()))
    });
    let (current, identifying) = identified.await;
    let current = match current {
        Ok(c) => c,
        Err(e) => return error_response(format, rest, e),
    };
    if let Err(e) = endpoint.guard.check(app, &current) {
        return head_stripped(error_response(format, rest, e), &original);
    }
    let mut ctx = context(params, current, headers, endpoint.guard);
    ctx.target = target;
    ctx.format = Some(format);
    ctx.upload = upload
        .and_then(|u| u.lock().ok().and_then(|mut b| b.take()))
        .into();
    let jsonp = jsonp_callback(app, format, &ctx.params);
    let counted = crate::store::QUERIES.scope(std::cell::Cell::new(0), async {
        let outcome = AssertUnwindSafe((endpoint.handler)(app, &ctx, &endpoint.params))
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
            tracing::error!(params = ?endpoint.params, "handler panicked");
            error_response(format, rest, ApiError::Internal)
        }
    };
    response = head_stripped(response, &original);
    // a token refused for what it may not do says so (RFC 6750 §3.1)
    if response.status() == StatusCode::FORBIDDEN && ctx.current.oauth.is_some() {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"Redmine\", error=\"insufficient_scope\""),
        );
    }
    if app.count_queries {
        // diagnostics for tests and benchmarks: statements the handler ran, and those
        // that identified the caller before it
        if let Ok(v) = HeaderValue::from_str(&queries.to_string()) {
            response.headers_mut().insert("x-carmine-queries", v);
        }
        if let Ok(v) = HeaderValue::from_str(&identifying.to_string()) {
            response.headers_mut().insert("x-carmine-auth-queries", v);
        }
    }
    response
}

/// The extension of the path's last segment (`/users/5.json` → `json`), if any.
fn extension(path: &str) -> Option<String> {
    let last = path.rsplit('/').next()?;
    let last = percent_decode(last);
    match last.rfind('.') {
        Some(dot) if dot > 0 => Some(last[dot + 1..].to_owned()),
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    let bytes: Vec<u8> = form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned().into_bytes())
        .unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

pub(crate) fn media_type(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
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
            let mut r = Response::new(Body::from(super::NOT_ACCEPTABLE_TEXT));
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
        .and_then(super::scalar_text)?;
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
    // only JSON documents are wrapped: a file download stays a stream
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !json {
        return response;
    }
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

fn context(params: Value, current: Current, headers: HeaderMap, guard: Guard) -> Ctx {
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
        required: guard.permissions(),
        upload: Default::default(),
        target: Default::default(),
        format: None,
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
        ApiError::InvalidToken(_) => StatusCode::UNAUTHORIZED,
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
    endpoint: &Endpoint,
    method: &Method,
    media: &'static str,
) -> Response {
    if formats::is_write(method) {
        return bare(StatusCode::UNPROCESSABLE_ENTITY, media);
    }
    let rest = app.settings.rest_api_enabled;
    let current = match auth::authenticate(app, &headers, &query).await {
        Ok(c) => c,
        Err(e) => return bare(status_of(&e, rest), media),
    };
    if let Err(e) = endpoint.guard.check(app, &current) {
        return bare(status_of(&e, rest), media);
    }
    let ctx = context(query, current, headers, endpoint.guard);
    let outcome = AssertUnwindSafe((endpoint.handler)(app, &ctx, &endpoint.params))
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
        assert_eq!(extension("/users/5.json").as_deref(), Some("json"));
        assert_eq!(extension("/users"), None);
        assert_eq!(extension("/trackers.JSON").as_deref(), Some("JSON"));
        assert_eq!(extension("/a%20b.xml").as_deref(), Some("xml"));
        assert_eq!(extension("/.json"), None);
        assert_eq!(routed_path("/users/5.json", Some("json")), "/users/5");
        assert_eq!(routed_path("/.json", Some("json")), "/");
    }
}
