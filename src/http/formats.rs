//! What a request asks for by its extension, and the answers Rails gives before and
//! around the API: unknown methods, write requests in a non-API format (the CSRF check),
//! errors in a non-API format.

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;

use super::Format;

/// The format an extension names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested {
    /// `.json`, `.xml`: the API.
    Api(Format),
    /// Another extension: the media type Rails answers it with.
    Other(&'static str),
    /// No extension: the web UI's HTML, which carmine does not serve.
    Page,
}

impl Requested {
    pub fn of(ext: Option<&str>) -> Requested {
        match ext {
            None => Requested::Page,
            Some("json") => Requested::Api(Format::Json),
            Some("xml") => Requested::Api(Format::Xml),
            Some(other) => Requested::Other(media_of(other)),
        }
    }
}

/// Rails' media type for an extension it knows; `text/html` for any other.
fn media_of(ext: &str) -> &'static str {
    match ext {
        "text" | "txt" => "text/plain",
        "js" => "text/javascript",
        "css" => "text/css",
        "ics" => "text/calendar",
        "csv" => "text/csv",
        "vcf" => "text/vcard",
        "vtt" => "text/vtt",
        "png" => "image/png",
        "jpeg" | "jpg" => "image/jpeg",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "tiff" | "tif" => "image/tiff",
        "svg" => "image/svg+xml",
        "mpeg" | "mpg" => "video/mpeg",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "m4a" => "audio/aac",
        "webm" => "video/webm",
        "mp4" => "video/mp4",
        "otf" => "font/otf",
        "ttf" => "font/ttf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "rss" => "application/rss+xml",
        "atom" => "application/atom+xml",
        "yaml" => "application/x-yaml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gzip" | "gz" => "application/gzip",
        _ => "text/html",
    }
}

/// The methods Rails accepts at all (HTTP, WebDAV and its extensions, PATCH); any other
/// is answered 405 before routing.
pub fn known_method(m: &Method) -> bool {
    const KNOWN: [&str; 31] = [
        "OPTIONS",
        "GET",
        "HEAD",
        "POST",
        "PUT",
        "DELETE",
        "TRACE",
        "CONNECT",
        "PROPFIND",
        "PROPPATCH",
        "MKCOL",
        "COPY",
        "MOVE",
        "LOCK",
        "UNLOCK",
        "VERSION-CONTROL",
        "REPORT",
        "CHECKOUT",
        "CHECKIN",
        "UNCHECKOUT",
        "MKWORKSPACE",
        "UPDATE",
        "LABEL",
        "MERGE",
        "BASELINE-CONTROL",
        "MKACTIVITY",
        "ORDERPATCH",
        "ACL",
        "SEARCH",
        "MKCALENDAR",
        "PATCH",
    ];
    KNOWN.contains(&m.as_str())
}

/// Whether a method changes something (and so meets Rails' CSRF check outside the API).
pub fn is_write(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD)
}

/// An empty answer of this status and media type.
pub fn bare(status: StatusCode, media: &'static str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    r
}
