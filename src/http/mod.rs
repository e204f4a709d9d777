//! The REST conventions every resource shares: formats, parameters, pagination, errors.

pub mod auth;
pub mod formats;
pub mod params;
pub mod pipeline;
pub mod replies;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

use crate::domain::Denial;
use crate::render::{self, Node};
use crate::store::users::User;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
        }
    }
}

/// Who is asking: a logged-in user, or the anonymous user.
#[derive(Debug, Clone)]
pub struct Current {
    pub user: User,
    pub logged: bool,
    /// Authenticated by an OAuth token: its scopes.
    pub oauth: Option<std::sync::Arc<Vec<String>>>,
}

impl Current {
    /// An administrator, and under OAuth only with the `admin` scope.
    pub fn is_admin(&self) -> bool {
        self.logged
            && self.user.admin
            && self
                .oauth
                .as_ref()
                .is_none_or(|s| s.iter().any(|x| x == crate::domain::oauth::ADMIN_SCOPE))
    }

    /// The caller as the rules see it.
    pub fn caller(&self) -> crate::domain::Caller {
        crate::domain::Caller {
            user_id: self.user.id,
            logged: self.logged,
            admin: self.is_admin(),
            scopes: self
                .oauth
                .as_ref()
                .map(|s| crate::domain::permissions::scope_bits(s)),
        }
    }
}

/// Everything a resource handler needs to know about the request.
pub struct Ctx {
    pub params: Value,
    pub current: Current,
    pub headers: HeaderMap,
    /// `http://host:port`, for `Location` headers and URLs in bodies.
    pub base_url: String,
    /// The caller's roles per project, looked up once per request. Writes inside the
    /// request never change the caller's own roles before the answer.
    pub roles: std::sync::Mutex<std::collections::HashMap<i64, Vec<crate::store::reference::Role>>>,
    /// The permissions the route's guard names, checked by the handler where it applies.
    pub required: &'static [&'static str],
    /// The unread body of a file upload (`POST /uploads` with `application/octet-stream`).
    pub upload: std::sync::Mutex<Option<axum::body::Body>>,
    /// The request's path and query, as sent.
    pub target: axum::http::Uri,
    /// The answer's format, when the request is one of the API's.
    pub format: Option<Format>,
}

impl Ctx {
    pub fn param(&self, name: &str) -> Option<&Value> {
        self.params.get(name)
    }

    /// A scalar parameter as text (numbers included), or None.
    pub fn param_str(&self, name: &str) -> Option<String> {
        scalar_text(self.params.get(name)?)
    }

    /// `offset`/`limit`/`page` as Redmine's `api_offset_and_limit` reads them.
    pub fn offset_and_limit(&self) -> (i64, i64) {
        let int = |v: Option<String>| v.map(|s| ruby_to_i(&s));
        let mut limit = int(self.param_str("limit")).unwrap_or(0);
        if limit < 1 {
            limit = 25;
        } else if limit > 100 {
            limit = 100;
        }
        let offset = match self.param_str("offset").filter(|s| !s.trim().is_empty()) {
            Some(o) => ruby_to_i(&o).max(0),
            None => {
                let page = int(self.param_str("page")).unwrap_or(0);
                if page > 0 {
                    (page - 1).saturating_mul(limit).max(0)
                } else {
                    0
                }
            }
        };
        (offset, limit)
    }

    /// `nometa` parameter (any non-blank value) or `X-Redmine-Nometa` header (any value).
    pub fn nometa(&self) -> bool {
        self.headers.contains_key("x-redmine-nometa")
            || self
                .param_str("nometa")
                .is_some_and(|v| !v.trim().is_empty())
    }

    /// Whether `include` (comma-separated or array) names this association.
    pub fn includes(&self, name: &str) -> bool {
        match self.params.get("include") {
            Some(Value::String(s)) => s.split(',').any(|i| i.trim() == name),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str())
                .any(|i| i.trim() == name),
            _ => false,
        }
    }

    /// `sort=col,col:desc`: at most three distinct non-empty columns, `desc` exact.
    pub fn sort_criteria(&self) -> Vec<(String, bool)> {
        let Some(raw) = self.param_str("sort") else {
            return Vec::new();
        };
        let mut out: Vec<(String, bool)> = Vec::new();
        for part in raw.split(',') {
            let (col, dir) = part.split_once(':').unwrap_or((part, ""));
            let col = col.trim();
            if col.is_empty() || out.iter().any(|(c, _)| c == col) {
                continue;
            }
            out.push((col.to_owned(), dir.trim() == "desc"));
        }
        out.truncate(3);
        out
    }

    pub fn location(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

pub use crate::domain::values::{ruby_to_i, scalar_text};

/// A successful answer.
pub enum Reply {
    Doc(StatusCode, Node),
    Created(Node, String),
    NoContent,
    /// 302 to this absolute URL, as Rails' `redirect_to` answers.
    Found(String),
    /// A response made by the handler (a file download).
    Raw(Response),
    /// A 200 document already written in the request's format (a kept answer).
    Written(axum::body::Bytes),
}

impl Reply {
    pub fn ok(node: Node) -> Reply {
        Reply::Doc(StatusCode::OK, node)
    }
}

/// A failed answer, rendered with Redmine's shapes.
#[derive(Debug)]
pub enum ApiError {
    /// Empty body in the requested format.
    Status(StatusCode),
    /// 401 with `WWW-Authenticate`, or 403 when the REST API is disabled.
    LoginRequired,
    Validation(Vec<String>),
    /// Rails' own answer (a small hash body), e.g. an unknown id in an id list.
    Framework(StatusCode),
    /// An OAuth token that is unknown, expired or revoked: 401 with `WWW-Authenticate:
    /// Bearer …, error="invalid_token"` and the reason.
    InvalidToken(&'static str),
    Internal,
}

pub type ApiResult = Result<Reply, ApiError>;

impl From<Denial> for ApiError {
    fn from(d: Denial) -> Self {
        match d {
            Denial::LoginRequired => ApiError::LoginRequired,
            Denial::Forbidden => ApiError::Status(StatusCode::FORBIDDEN),
        }
    }
}

impl From<crate::store::Error> for ApiError {
    fn from(e: crate::store::Error) -> Self {
        tracing::error!(error = %e, "database error");
        ApiError::Internal
    }
}

pub fn not_found() -> ApiError {
    ApiError::Status(StatusCode::NOT_FOUND)
}

fn with_type(status: StatusCode, media: &str, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(media) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

pub fn document_response(format: Format, status: StatusCode, node: &Node) -> Response {
    with_type(status, document_type(format), write_document(format, node))
}

/// A document's bytes in `format`.
pub fn write_document(format: Format, node: &Node) -> Vec<u8> {
    match format {
        Format::Json => render::write_json(node),
        Format::Xml => render::write_xml(node),
    }
}

fn document_type(format: Format) -> &'static str {
    match format {
        Format::Json => "application/json; charset=utf-8",
        Format::Xml => "application/xml; charset=utf-8",
    }
}

pub fn reply_response(format: Format, reply: Reply) -> Response {
    match reply {
        Reply::Doc(status, node) => document_response(format, status, &node),
        Reply::Created(node, location) => {
            let mut r = document_response(format, StatusCode::CREATED, &node);
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Reply::Raw(response) => response,
        Reply::Written(body) => with_type(StatusCode::OK, document_type(format), body),
        Reply::Found(location) => {
            let body = format!(
                "<html><body>You are being <a href=\"{location}\">redirected</a>.</body></html>"
            );
            let mut r = with_type(
                StatusCode::FOUND,
                "text/html; charset=utf-8",
                body.into_bytes(),
            );
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Reply::NoContent => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NO_CONTENT;
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
    }
}

pub fn error_response(format: Format, rest_api_enabled: bool, err: ApiError) -> Response {
    match err {
        ApiError::Status(status) => with_type(status, format.media_type(), Vec::new()),
        ApiError::LoginRequired if rest_api_enabled => {
            let mut r = with_type(StatusCode::UNAUTHORIZED, format.media_type(), Vec::new());
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Redmine API\""),
            );
            r
        }
        ApiError::LoginRequired => {
            with_type(StatusCode::FORBIDDEN, format.media_type(), Vec::new())
        }
        ApiError::Validation(messages) => {
            let items = messages
                .into_iter()
                .map(|m| render::item("error", m))
                .collect();
            let node = render::list("errors", Vec::new(), items);
            document_response(format, StatusCode::UNPROCESSABLE_ENTITY, &node)
        }
        ApiError::Framework(status) => framework_response(Some(format), status),
        ApiError::InvalidToken(why) => {
            let mut r = with_type(StatusCode::UNAUTHORIZED, format.media_type(), Vec::new());
            let challenge = format!(
                "Bearer realm=\"Redmine\", error=\"invalid_token\", error_description=\"{why}\""
            );
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store, no-cache"),
            );
            r
        }
        ApiError::Internal => framework_response(Some(format), StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// Rails' public-exceptions answer: a small hash in the requested format, or an HTML
/// page when the format is unknown.
pub fn framework_response(format: Option<Format>, status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    match format {
        Some(Format::Json) => with_type(
            status,
            "application/json; charset=utf-8",
            format!("{{\"status\":{},\"error\":\"{}\"}}", status.as_u16(), reason).into_bytes(),
        ),
        Some(Format::Xml) => with_type(
            status,
            "application/xml; charset=utf-8",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hash>\n  <status type=\"integer\">{}</status>\n  <error>{}</error>\n</hash>\n",
                status.as_u16(),
                reason
            )
            .into_bytes(),
        ),
        None => with_type(
            status,
            "text/html; charset=utf-8",
            if status == StatusCode::NOT_FOUND {
                NOT_FOUND_PAGE.as_bytes().to_vec()
            } else {
                format!(
                    "<!DOCTYPE html>\n<html>\n<head>\n  <meta charset=\"utf-8\" />\n  <title>{code}</title>\n</head>\n<body>\n  <h1>{reason}</h1>\n</body>\n</html>\n",
                    code = status.as_u16()
                )
                .into_bytes()
            },
        ),
    }
}

const NOT_FOUND_PAGE: &str = "<!DOCTYPE html>\n<html>\n<head>\n  <meta charset=\"utf-8\" />\n  <title>404</title>\n</head>\n<body>\n  <h1>Page not found</h1>\n  <p>The page you were trying to access doesn't exist or has been removed.</p>\n</body>\n</html>\n";

/// Redmine's answer to a request that names no API format but asks for JSON or XML.
pub const NOT_ACCEPTABLE_TEXT: &str = "We couldn't handle your request, sorry. If you were trying to access the API, make sure to append .json or .xml to your request URL.\n";
