//! `POST /uploads` (the file streamed into the store), `/attachments/:id` (metadata, change,
//! delete) and the downloads. Attaching uploads to issues and wiki pages is done by their
//! writes with `uploads` (see `attach_uploads`).

use axum::http::{header, HeaderValue, StatusCode};
use serde_json::Value;

use crate::api::access::{attachment_rights, AttachmentRights};
use crate::api::caller;
use crate::domain::attachments as rules;
use crate::domain::thumbnails as thumbs;
use crate::domain::values::text;
use crate::http::{not_found, ApiError, ApiResult, Ctx, Reply};
use crate::render::{document, Obj};
use crate::state::App;
use crate::store::attachments::{self as store, Attach, Attachment};
use crate::store::files::{PutError, THUMBNAILS};

/// The attachment object of Redmine's API (attachments.md §4).
pub(crate) fn render(ctx: &Ctx, a: &Attachment) -> Obj {
    let mut o = Obj::new();
    let url = format!(
        "/attachments/download/{}/{}",
        a.id,
        percent_encoding::utf8_percent_encode(&a.filename, crate::api::wiki::SEGMENT)
    );
    o.val("id", a.id)
        .val("filename", a.filename.clone())
        .val("filesize", a.filesize)
        .val("content_type", a.content_type.clone())
        .val("description", a.description.clone())
        .val("content_url", ctx.location(&url));
    if thumbs::thumbnailable(&a.filename) {
        o.val(
            "thumbnail_url",
            ctx.location(&format!("/attachments/thumbnail/{}", a.id)),
        );
    }
    if let Some(name) = &a.author_name {
        o.attrs(
            "author",
            vec![("id", a.author_id.into()), ("name", name.clone().into())],
        );
    }
    o.time("created_on", Some(a.created_on));
    o
}

/// `POST /uploads?filename=…`: the raw body becomes an upload; 201 with its token.
pub async fn upload(app: &App, ctx: &Ctx) -> ApiResult {
    let c = caller(ctx);
    if !c.admin {
        let anywhere = crate::api::access::roles_anywhere(
            app,
            ctx,
            &crate::store::projects::access_map(&app.db, &ctx.current.user, c.logged, false)
                .await?,
        )
        .await?;
        if !crate::domain::access::allowed_globally(&c, rules::UPLOAD_PERMISSIONS, &anywhere) {
            return Err(c.deny().into());
        }
    }
    // only a raw octet-stream body is a file
    let body = ctx.upload.lock().ok().and_then(|mut b| b.take());
    let Some(body) = body else {
        return Err(ApiError::Status(StatusCode::NOT_ACCEPTABLE));
    };
    let filename = ctx
        .param_str("filename")
        .map(|f| rules::sanitize_filename(&f))
        .filter(|f| !f.trim().is_empty())
        .unwrap_or_else(|| format!("{:032x}", rand::random::<u128>()));
    let content_type = match ctx.param_str("content_type") {
        Some(t) if !t.is_empty() => Some(t).filter(|t| t.chars().count() <= 255),
        _ => rules::content_type_of(&filename).map(str::to_owned),
    };
    let limit = app.settings.attachment_max_size.saturating_mul(1024);
    let stored = match app.files.put(body, limit, app.upload_idle).await {
        Ok(s) => s,
        Err(PutError::TooLarge) => {
            let max = app.settings.attachment_max_size;
            return Err(ApiError::Validation(vec![rules::too_big(max)]));
        }
        Err(PutError::Body) => return Err(ApiError::Status(StatusCode::BAD_REQUEST)),
        Err(PutError::Timeout) => return Err(ApiError::Status(StatusCode::REQUEST_TIMEOUT)),
        Err(PutError::Io(e)) => {
            tracing::error!(error = %e, "could not store an upload");
            return Err(ApiError::Internal);
        }
    };
    let refused = rules::extension_error(
        &filename,
        &app.settings.attachment_extensions_allowed,
        &app.settings.attachment_extensions_denied,
    );
    if let Some(message) = refused {
        app.files.delete(&stored.directory, &stored.filename).await;
        return Err(ApiError::Validation(vec![message]));
    }
    let new = store::NewUpload {
        filename,
        disk_directory: stored.directory,
        disk_filename: stored.filename,
        filesize: stored.size as i64,
        content_type,
        digest: stored.digest.clone(),
        author_id: c.user_id,
    };
    let id = store::create_upload(&app.db, &new).await?;
    let mut o = Obj::new();
    o.val("id", id)
        .val("token", format!("{id}.{}", stored.digest));
    Ok(Reply::Doc(StatusCode::CREATED, document("upload", o)))
}

/// The attachment of the URL, or 404.
async fn find(app: &App, id: &str) -> Result<Attachment, ApiError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    store::find(&app.db, id).await?.ok_or_else(not_found)
}

/// The caller's rights on an attachment whose file is in the store (404 when it is gone).
async fn rights_on_file(
    app: &App,
    ctx: &Ctx,
    a: &Attachment,
) -> Result<AttachmentRights, ApiError> {
    if !app.files.exists(&a.disk_directory, &a.disk_filename).await {
        return Err(not_found());
    }
    attachment_rights(app, ctx, a).await
}

/// The attachment of the URL, whose file is in the store, and the caller's rights on it.
async fn load(app: &App, ctx: &Ctx, id: &str) -> Result<(Attachment, AttachmentRights), ApiError> {
    let a = find(app, id).await?;
    let rights = rights_on_file(app, ctx, &a).await?;
    Ok((a, rights))
}

fn deny(ctx: &Ctx) -> ApiError {
    caller(ctx).deny().into()
}

/// A refused download or thumbnail. These are Redmine's web actions, so the refusal is
/// theirs: a page with 403 to someone signed in; to anyone else a redirect to the sign-in
/// page, or 401 to a client that asks for JSON or XML.
fn refuse_file(ctx: &Ctx) -> ApiResult {
    if caller(ctx).logged {
        return Ok(Reply::Raw(crate::http::framework_response(
            None,
            StatusCode::FORBIDDEN,
        )));
    }
    let accept = crate::http::pipeline::media_type(&ctx.headers, header::ACCEPT);
    if matches!(
        accept.as_deref(),
        Some("application/json" | "application/xml" | "text/xml")
    ) {
        return Err(deny(ctx));
    }
    // the page to come back to, without a key the request carried (unused, or refused)
    let path = ctx.target.path();
    let kept: Vec<&str> = ctx
        .target
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("key="))
        .collect();
    let target = if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    };
    let back: String = form_urlencoded::byte_serialize(ctx.location(&target).as_bytes()).collect();
    Ok(Reply::Found(
        ctx.location(&format!("/login?back_url={back}")),
    ))
}

/// `GET /attachments/:id`.
pub async fn show(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (a, rights) = load(app, ctx, id).await?;
    if !rights.visible {
        return Err(deny(ctx));
    }
    Ok(Reply::ok(document("attachment", render(ctx, &a))))
}

/// A bare 404 in the media type Redmine answers missing files with (outside the API).
fn missing(result: ApiResult, media: &'static str) -> ApiResult {
    match result {
        Err(ApiError::Status(StatusCode::NOT_FOUND)) => {
            let mut r = axum::response::Response::new(axum::body::Body::empty());
            *r.status_mut() = StatusCode::NOT_FOUND;
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
            Ok(Reply::Raw(r))
        }
        other => other,
    }
}

/// `GET /attachments/download/:id(/:filename)`: the bytes, streamed.
pub async fn download(app: &App, ctx: &Ctx, id: &str, name: Option<&str>) -> ApiResult {
    missing(download_file(app, ctx, id, name).await, "text/plain")
}

async fn download_file(app: &App, ctx: &Ctx, id: &str, name: Option<&str>) -> ApiResult {
    // a name that is not the file's is 404 before anything else
    let a = find(app, id).await?;
    if let Some(name) = name {
        let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
        if name != a.filename {
            return Err(not_found());
        }
    }
    let rights = rights_on_file(app, ctx, &a).await?;
    if !rights.visible {
        return refuse_file(ctx);
    }
    // only project files count their downloads, a conditional one too
    if matches!(&a.container, Some((kind, _)) if kind == "Project" || kind == "Version") {
        store::count_download(&app.db, a.id).await?;
    }
    let content_type = rules::served_type(a.content_type.as_deref(), &a.filename);
    let body = async {
        app.files
            .open(&a.disk_directory, &a.disk_filename)
            .await
            .ok_or_else(not_found)
    };
    file_reply(
        ctx,
        &format!("W/\"{}\"", a.digest),
        &content_type,
        &disposition(&a.filename),
        body,
    )
    .await
}

/// A file's answer: 304 when the client's copy (`If-None-Match`) is current, else the
/// body, fetched only then, with its length; the type, disposition, ETag and the
/// no-sniffing headers either way.
async fn file_reply(
    ctx: &Ctx,
    etag: &str,
    content_type: &str,
    disposition: &str,
    body: impl std::future::Future<Output = Result<(axum::body::Body, u64), ApiError>>,
) -> ApiResult {
    let fresh = ctx
        .headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        let mut r = axum::response::Response::new(axum::body::Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let (body, size) = body.await?;
        let mut r = axum::response::Response::new(body);
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(size));
        r
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_DISPOSITION, disposition),
        (header::ETAG, etag),
    ] {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    }
    no_sniffing(headers);
    Ok(Reply::Raw(response))
}

/// A stored file is never read as the server's own page: not sniffed, and sandboxed
/// without scripts should a browser render it (as Redmine 5.1 sends).
fn no_sniffing(headers: &mut axum::http::HeaderMap) {
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
}

/// `attachment` (inline for PDFs) with the name quoted safely and in RFC 5987 form.
fn disposition(filename: &str) -> String {
    let kind = if filename.to_ascii_lowercase().ends_with(".pdf") {
        "inline"
    } else {
        "attachment"
    };
    // only printable ASCII in the plain form; quotes and backslashes escaped
    let plain: String = filename
        .chars()
        .map(|c| match c {
            '"' | '\\' => '_',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '_',
        })
        .collect();
    let encoded =
        percent_encoding::utf8_percent_encode(filename, percent_encoding::NON_ALPHANUMERIC);
    format!("{kind}; filename=\"{plain}\"; filename*=UTF-8''{encoded}")
}

/// `GET /attachments/thumbnail/:id(/:size)`: an image shrunk to fit the size, made once
/// and kept in the store; 404 (empty) for what is not a BMP, GIF, JPEG or PNG image.
pub async fn thumbnail(app: &App, ctx: &Ctx, id: &str, size: Option<&str>) -> ApiResult {
    let made = async {
        let (a, rights) = load(app, ctx, id).await?;
        if !rights.visible {
            return refuse_file(ctx);
        }
        if !thumbs::thumbnailable(&a.filename) {
            return Err(not_found());
        }
        let size = thumbs::size(size, app.settings.thumbnails_size);
        let kept = format!("{}_{}_{size}.thumb", a.digest, a.filesize);
        let etag = format!("W/\"{}-{size}\"", a.digest);
        let bytes = match app
            .files
            .read(THUMBNAILS, &kept, thumbs::MAX_THUMBNAIL)
            .await
        {
            Some(b) => b,
            None => {
                let thumb = make_thumbnail(app, &a, size).await.ok_or_else(not_found)?;
                app.files.write_whole(THUMBNAILS, &kept, &thumb).await;
                thumb
            }
        };
        // the type of what was made, never the uploader's word for it
        let made_type = thumbs::media_type(&bytes);
        let disposition = disposition(&a.filename).replacen("attachment", "inline", 1);
        let len = bytes.len() as u64;
        let body = async move { Ok((axum::body::Body::from(bytes), len)) };
        file_reply(ctx, &etag, made_type, &disposition, body).await
    };
    missing(made.await, "text/html")
}

/// One thumbnail made at a time, off the request threads: decoding is CPU and memory
/// heavy, and a burst of requests must not multiply it.
/// The turn is taken before the source is read and held by the decoding itself, so a
/// request given up midway frees it only once its work is done.
async fn make_thumbnail(app: &App, a: &Attachment, size: u32) -> Option<Vec<u8>> {
    static ONE_AT_A_TIME: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> =
        std::sync::OnceLock::new();
    let turns = ONE_AT_A_TIME.get_or_init(|| std::sync::Arc::new(tokio::sync::Semaphore::new(1)));
    let turn = turns.clone().acquire_owned().await.ok()?;
    let source = app
        .files
        .read(&a.disk_directory, &a.disk_filename, thumbs::MAX_SOURCE)
        .await?;
    let made = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        thumbs::make(&source, size)
    });
    match made.await {
        Ok(Ok(bytes)) => Some(bytes),
        Ok(Err(thumbs::Refused::Unusable(why))) => {
            tracing::info!(why, "no thumbnail for an image");
            None
        }
        _ => None,
    }
}

/// `PATCH /attachments/:id`: `filename`, `description`, `content_type`; 204.
pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let a = find(app, id).await?;
    if !attachment_rights(app, ctx, &a).await?.editable {
        return Err(deny(ctx));
    }
    let Some(body) = ctx.param("attachment").filter(|b| b.is_object()) else {
        return Ok(Reply::NoContent);
    };
    let filename = match body.get("filename") {
        Some(v) => rules::sanitize_filename(&text(v).unwrap_or_default()),
        None => a.filename.clone(),
    };
    let description = match body.get("description") {
        Some(v) => text(v),
        None => a.description.clone(),
    };
    let content_type = match body.get("content_type") {
        Some(v) => text(v),
        None => a.content_type.clone(),
    };
    let mut errors = rules::errors(&filename, description.as_deref());
    if filename != a.filename {
        errors.extend(rules::extension_error(
            &filename,
            &app.settings.attachment_extensions_allowed,
            &app.settings.attachment_extensions_denied,
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    store::update(
        &app.db,
        a.id,
        &filename,
        content_type.as_deref(),
        description.as_deref(),
    )
    .await?;
    Ok(Reply::NoContent)
}

/// `DELETE /attachments/:id`: 204; an issue's gets a journal naming the file.
pub async fn destroy(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let a = find(app, id).await?;
    if !attachment_rights(app, ctx, &a).await?.deletable {
        return Err(deny(ctx));
    }
    let journal = match &a.container {
        Some((kind, issue)) if kind == "Issue" => Some(*issue),
        _ => None,
    };
    let files =
        crate::store::issues::delete_attachment(&app.db, a.id, journal, caller(ctx).user_id)
            .await?;
    for (dir, name) in files {
        app.files.delete(&dir, &name).await;
    }
    Ok(Reply::NoContent)
}

/// The uploads an issue or a page write names (`uploads` in the object, or a top-level
/// `attachments` array or hash), in order: `Ok` with what to attach, `Err(n)` with the
/// number of tokens that name no free upload.
pub(crate) async fn requested_uploads(
    app: &App,
    ctx: &Ctx,
    object: Option<&Value>,
) -> Result<Result<Vec<(Attach, String)>, usize>, ApiError> {
    let (found, bad) = named_uploads(app, ctx, object).await?;
    Ok(if bad > 0 { Err(bad) } else { Ok(found) })
}

/// The free uploads a write names, and how many of its tokens name none.
pub(crate) async fn named_uploads(
    app: &App,
    ctx: &Ctx,
    object: Option<&Value>,
) -> Result<(Vec<(Attach, String)>, usize), ApiError> {
    // a top-level `attachments` wins, as Redmine's writes read it
    let list = ctx
        .param("attachments")
        .or_else(|| object.and_then(|o| o.get("uploads")));
    uploads_in(app, list).await
}

/// The free uploads a list (array, or hash keyed by numbers) of `{token, filename,
/// description, content_type}` names, and how many of its tokens name none.
pub(crate) async fn uploads_in(
    app: &App,
    list: Option<&Value>,
) -> Result<(Vec<(Attach, String)>, usize), ApiError> {
    let entries: Vec<Value> = match list {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Object(map)) => {
            // a hash keyed by numbers is read in numeric order
            let mut keyed: Vec<(&String, &Value)> = map.iter().collect();
            keyed.sort_by_key(|(k, _)| k.parse::<i64>().unwrap_or(i64::MAX));
            keyed.into_iter().map(|(_, v)| v.clone()).collect()
        }
        _ => Vec::new(),
    };
    let entries: Vec<&Value> = entries.iter().filter(|e| e.is_object()).collect();
    let tokens: Vec<String> = entries
        .iter()
        .map(|e| e.get("token").and_then(text).unwrap_or_default())
        .collect();
    // every named upload in one statement, however long the list
    let ids: Vec<i64> = tokens
        .iter()
        .filter_map(|t| rules::parse_token(t).map(|(id, _)| id))
        .collect();
    let known = store::find_many(&app.db, &ids).await?;
    let mut out = Vec::new();
    let mut bad = 0;
    for (e, token) in entries.into_iter().zip(&tokens) {
        let found = rules::parse_token(token).and_then(|(id, digest)| {
            known
                .iter()
                .find(|a| a.id == id && a.container.is_none() && a.digest == digest)
        });
        // a token named twice attaches its file once
        if found.is_some_and(|a| out.iter().any(|(x, _): &(Attach, String)| x.id == a.id)) {
            continue;
        }
        match found {
            Some(a) => {
                let attach = Attach {
                    id: a.id,
                    filename: e
                        .get("filename")
                        .and_then(text)
                        .map(|f| rules::sanitize_filename(&f))
                        .filter(|f| !f.trim().is_empty()),
                    content_type: e
                        .get("content_type")
                        .and_then(text)
                        .filter(|t| !t.trim().is_empty()),
                    description: e
                        .get("description")
                        .and_then(text)
                        .map(|d| d.trim().to_owned())
                        .unwrap_or_default(),
                };
                // a file renamed on the way is checked as a rename is: else not saved
                let name = attach.filename.as_deref().unwrap_or(&a.filename);
                let mut invalid = !rules::errors(name, Some(&attach.description)).is_empty();
                if name != a.filename {
                    invalid |= rules::extension_error(
                        name,
                        &app.settings.attachment_extensions_allowed,
                        &app.settings.attachment_extensions_denied,
                    )
                    .is_some();
                }
                if invalid {
                    bad += 1;
                } else {
                    out.push((attach, a.filename.clone()));
                }
            }
            None => bad += 1,
        }
    }
    Ok((out, bad))
}

/// 422: uploads that could not be attached.
pub(crate) fn not_saved(count: usize) -> ApiError {
    ApiError::Validation(vec![rules::not_saved(count)])
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(&["POST"], "/uploads", Anyone, |a, c, _| {
            Box::pin(upload(a, c))
        }),
        route(&["GET"], "/attachments/{id}", Anyone, |a, c, p| {
            Box::pin(show(a, c, &p[0]))
        })
        .numeric(),
        route(&["PUT", "PATCH"], "/attachments/{id}", Anyone, |a, c, p| {
            Box::pin(update(a, c, &p[0]))
        })
        .numeric(),
        route(&["DELETE"], "/attachments/{id}", Anyone, |a, c, p| {
            Box::pin(destroy(a, c, &p[0]))
        })
        .numeric(),
        route(&["GET"], "/attachments/download/{id}", Anyone, |a, c, p| {
            Box::pin(download(a, c, &p[0], None))
        })
        .numeric(),
        route(
            &["GET"],
            "/attachments/download/{id}/{*filename}",
            Anyone,
            |a, c, p| Box::pin(download(a, c, &p[0], Some(&p[1]))),
        )
        .numeric_first(),
        route(
            &["GET"],
            "/attachments/thumbnail/{id}",
            Anyone,
            |a, c, p| Box::pin(thumbnail(a, c, &p[0], None)),
        )
        .numeric(),
        route(
            &["GET"],
            "/attachments/thumbnail/{id}/{size}",
            Anyone,
            |a, c, p| Box::pin(thumbnail(a, c, &p[0], Some(&p[1]))),
        )
        .numeric(),
    ]
}
