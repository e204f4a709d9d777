//! `/projects/:id/wiki…`: the page index, the start page, a page and its old versions,
//! create or update with `PUT` (201 or 204, 409 on a stale version), delete.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

use crate::api::access::{allowed, authorize, load};
use crate::api::caller;
use crate::domain::values::{ruby_to_i, text};
use crate::domain::wiki::{self as rules, Children, ContentChange};
use crate::http::{not_found, ApiError, ApiResult, Ctx, Reply};
use crate::render::{document, list, object_item, Obj};
use crate::state::App;
use crate::store::projects::Project;
use crate::store::wiki::{self as store, Page, Wiki};

/// What Rails leaves unescaped in a path segment: unreserved and sub-delimiter
/// characters, `:` and `@`.
pub(crate) const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

fn page_path(identifier: &str, title: &str) -> String {
    format!(
        "/projects/{identifier}/wiki/{}",
        utf8_percent_encode(title, SEGMENT)
    )
}

/// The title a URL names, normalised.
fn url_title(raw: &str) -> String {
    rules::titleize(&percent_decode_str(raw).decode_utf8_lossy())
}

/// The project (404), its wiki (404 when it never had one), then the permission.
async fn wiki_of(
    app: &App,
    ctx: &Ctx,
    project: &str,
    perms: &[&str],
) -> Result<(Project, Wiki), ApiError> {
    let p = load(app, project).await?;
    let w = store::of_project(&app.db, p.id)
        .await?
        .ok_or_else(not_found)?;
    authorize(app, ctx, &p, perms).await?;
    Ok((p, w))
}

/// The page of a title, or the page of this wiki an old title redirects to (writes and
/// parents follow redirects without answering 302).
async fn page_or_redirected(app: &App, wiki: &Wiki, title: &str) -> Result<Option<Page>, ApiError> {
    if let Some(p) = store::find_page(&app.db, wiki.id, title).await? {
        return Ok(Some(p));
    }
    Ok(match store::redirect(&app.db, wiki.id, title).await? {
        Some((to, _)) => store::find_page(&app.db, wiki.id, &to).await?,
        None => None,
    })
}

/// A title found as a page, or as an old title redirecting elsewhere.
enum Found {
    Page(Page),
    Moved(String),
    Missing,
}

async fn find(app: &App, ctx: &Ctx, wiki: &Wiki, title: &str) -> Result<Found, ApiError> {
    if let Some(p) = store::find_page(&app.db, wiki.id, title).await? {
        return Ok(Found::Page(p));
    }
    Ok(match store::redirect(&app.db, wiki.id, title).await? {
        Some((to, identifier)) => Found::Moved(ctx.location(&page_path(&identifier, &to))),
        None => Found::Missing,
    })
}

/// What the unsaved content of a page saved without text says: its author and comment.
type Draft = (Option<(i64, String)>, Option<String>);

/// A page as shown: with a version of its text, or, for a page just saved without text,
/// with what its unsaved content would say (`draft`: author and comment).
fn render_page(page: &Page, content: Option<&store::Content>, draft: Option<Draft>) -> Obj {
    let mut o = Obj::new();
    o.val("title", page.title.clone());
    if let Some(parent) = &page.parent_title {
        o.attrs("parent", vec![("title", parent.clone().into())]);
    }
    let (author, comments) = match (content, draft) {
        (Some(c), _) => (c.author.clone(), c.comments.clone()),
        (None, Some(d)) => d,
        (None, None) => (None, None),
    };
    o.val("text", content.and_then(|c| c.text.clone()))
        .val("version", content.map_or(1, |c| c.version));
    if let Some((id, name)) = author {
        o.attrs("author", vec![("id", id.into()), ("name", name.into())]);
    }
    o.val("comments", comments)
        .time("created_on", Some(page.created_on))
        .time("updated_on", content.map(|c| c.updated_on));
    o
}

/// `GET /projects/:id/wiki/index`: every page, by title.
pub async fn index(app: &App, ctx: &Ctx, project: &str) -> ApiResult {
    let (_, wiki) = wiki_of(app, ctx, project, ctx.required).await?;
    let items = store::pages(&app.db, wiki.id)
        .await?
        .iter()
        .map(|p| {
            let mut o = Obj::new();
            o.val("title", p.title.clone());
            if let Some(parent) = &p.parent_title {
                o.attrs("parent", vec![("title", parent.clone().into())]);
            }
            o.val("version", p.version)
                .time("created_on", Some(p.created_on))
                .time("updated_on", p.updated_on);
            object_item("wiki_page", o)
        })
        .collect();
    Ok(Reply::ok(list("wiki_pages", Vec::new(), items)))
}

/// `GET /projects/:id/wiki`: the start page.
pub async fn start_page(app: &App, ctx: &Ctx, project: &str) -> ApiResult {
    let (_, wiki) = wiki_of(app, ctx, project, ctx.required).await?;
    let title = wiki.start_page.clone();
    show_found(app, ctx, &wiki, &title, None).await
}

/// `GET /projects/:id/wiki/:title` (`?version=N`), `…/:title/:version`.
pub async fn show(
    app: &App,
    ctx: &Ctx,
    project: &str,
    title: &str,
    version: Option<&str>,
) -> ApiResult {
    let (p, wiki) = wiki_of(app, ctx, project, ctx.required).await?;
    let asked = version
        .map(str::to_owned)
        .or_else(|| ctx.param_str("version"));
    let version = match asked {
        None => None,
        Some(v) => {
            // old versions need view_wiki_edits too
            authorize(app, ctx, &p, &["view_wiki_edits"]).await?;
            match v.trim().parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => return Err(not_found()),
            }
        }
    };
    show_found(app, ctx, &wiki, &url_title(title), version).await
}

async fn show_found(
    app: &App,
    ctx: &Ctx,
    wiki: &Wiki,
    title: &str,
    version: Option<i64>,
) -> ApiResult {
    let page = match find(app, ctx, wiki, title).await? {
        Found::Page(p) => p,
        Found::Moved(location) => return Ok(Reply::Found(location)),
        Found::Missing => return Err(not_found()),
    };
    // a page saved without text answers 404 until it has some
    let content = store::content(&app.db, &page, version)
        .await?
        .ok_or_else(not_found)?;
    let mut o = render_page(&page, Some(&content), None);
    if ctx.includes("attachments") {
        // always the page's current files, even for an old version
        let files = crate::store::attachments::of(&app.db, "WikiPage", &[page.id]).await?;
        let items = files
            .iter()
            .map(|a| object_item("attachment", crate::api::attachments::render(ctx, a)))
            .collect();
        o.array("attachments", items);
    }
    Ok(Reply::ok(document("wiki_page", o)))
}

/// The text, comment and lock version of a `PUT`: from a top-level `content` object when
/// there is one, else from `wiki_page`.
fn content_change(ctx: &Ctx, page: &Value) -> ContentChange {
    let source = ctx
        .param("content")
        .filter(|c| c.is_object())
        .unwrap_or(page);
    ContentChange {
        text: source.get("text").and_then(text),
        comments: source.get("comments").and_then(text),
        version: source
            .get("version")
            .and_then(text)
            .filter(|v| !v.trim().is_empty())
            .map(|v| ruby_to_i(&v)),
    }
}

/// The parent a request names: `Some(None)` removes it; `Err` when it is no page of the
/// wiki (or the page itself or one of its descendants).
async fn requested_parent(
    app: &App,
    wiki: &Wiki,
    page: Option<&Page>,
    body: &Value,
) -> Result<Option<Option<i64>>, Option<ApiError>> {
    let parent = if let Some(t) = body.get("parent_title") {
        let t = rules::titleize(&text(t).unwrap_or_default());
        if t.is_empty() {
            return Ok(Some(None));
        }
        page_or_redirected(app, wiki, &t)
            .await
            .map_err(Some)?
            .ok_or(None)?
    } else if let Some(id) = body.get("parent_id") {
        match text(id).filter(|t| !t.trim().is_empty()) {
            None => return Ok(Some(None)),
            Some(t) => store::page_by_id(&app.db, ruby_to_i(&t))
                .await
                .map_err(|e| Some(e.into()))?
                .filter(|p| p.wiki_id == wiki.id)
                .ok_or(None)?,
        }
    } else {
        return Ok(None);
    };
    if let Some(page) = page {
        if store::in_subtree(&app.db, page.id, parent.id)
            .await
            .map_err(|e| Some(e.into()))?
        {
            return Err(None);
        }
    }
    Ok(Some(Some(parent.id)))
}

/// `PUT /projects/:id/wiki/:title`: creates the page (201) or updates it (204).
pub async fn update(app: &App, ctx: &Ctx, project: &str, title: &str) -> ApiResult {
    let (p, wiki) = wiki_of(app, ctx, project, ctx.required).await?;
    let title = url_title(title);
    // an update through an old title goes to the page it names
    let page = page_or_redirected(app, &wiki, &title).await?;
    let protected = page
        .as_ref()
        .map_or(rules::created_protected(&title), |pg| pg.protected);
    if protected {
        authorize(app, ctx, &p, &["protect_wiki_pages"]).await?;
    }
    let body = ctx
        .param("wiki_page")
        .filter(|b| b.is_object())
        .cloned()
        .unwrap_or(Value::Null);
    let change = content_change(ctx, &body);
    let has_content = page.as_ref().is_some_and(|pg| pg.version.is_some());
    let errors = rules::content_errors(&change, has_content);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // a new page takes any attribute; an existing one needs rename_wiki_pages for these
    let may_rename = page.is_none() || allowed(app, ctx, &p, &["rename_wiki_pages"]).await?;
    let mut save = store::Save {
        wiki_id: wiki.id,
        page: page.as_ref().map(|pg| pg.id),
        title: page.as_ref().map_or(title.clone(), |pg| pg.title.clone()),
        protected,
        redirect: true,
        ..Default::default()
    };
    // page-level failures answer an empty list, as Redmine reports only the content's
    let invalid = || ApiError::Validation(Vec::new());
    if !rules::title_valid(&save.title) {
        return Err(invalid());
    }
    if may_rename {
        save.parent = match requested_parent(app, &wiki, page.as_ref(), &body).await {
            Ok(parent) => parent,
            Err(Some(e)) => return Err(e),
            Err(None) => return Err(invalid()),
        };
        if let (Some(existing), Some(new_title)) = (&page, body.get("title").and_then(text)) {
            let new_title = rules::titleize(&new_title);
            if new_title != existing.title {
                if !rules::title_valid(&new_title) {
                    return Err(invalid());
                }
                let taken = store::find_page(&app.db, wiki.id, &new_title)
                    .await?
                    .is_some_and(|other| other.id != existing.id);
                if taken {
                    return Err(invalid());
                }
                save.renamed_from = Some(existing.title.clone());
                save.title = new_title;
                save.redirect = body
                    .get("redirect_existing_links")
                    .and_then(text)
                    .is_none_or(|v| v != "0");
            }
        }
    }
    let start = body
        .get("is_start_page")
        .and_then(crate::domain::users::cast_bool)
        .unwrap_or(false);
    save.start_page = start && allowed(app, ctx, &p, &["manage_wiki"]).await?;
    let current = match &page {
        Some(pg) => store::content(&app.db, pg, None).await?,
        None => None,
    };
    // `section`: the text replaces only that section of the current text (Textile
    // headings), checked against the `section_hash` the client read; `version` is ignored
    let mut change = change;
    if let Some(section) = ctx.param_str("section").filter(|s| !s.trim().is_empty()) {
        let base = current
            .as_ref()
            .and_then(|c| c.text.clone())
            .unwrap_or_default();
        let hash = ctx.param_str("section_hash");
        let index = usize::try_from(ruby_to_i(&section)).unwrap_or(0);
        let md5 = |s: &str| hex::encode(<md5::Md5 as md5::Digest>::digest(s.as_bytes()));
        let update = change.text.clone().unwrap_or_default();
        match rules::update_section(&base, index, &update, hash.as_deref(), md5) {
            Ok(text) => change.text = Some(text),
            Err(()) => return Err(ApiError::Status(axum::http::StatusCode::CONFLICT)),
        }
        change.version = None;
    }
    // only a changed text makes a new version (and stores the comment)
    if let Some(text) = &change.text {
        if current.as_ref().and_then(|c| c.text.as_ref()) != Some(text) {
            let next = page.as_ref().and_then(|pg| pg.version).unwrap_or(0) + 1;
            let author = caller(ctx).user_id;
            save.version = Some((next, text.clone(), change.comments.clone(), author));
        }
    }
    // the lock: the version the client based its edit on must still be current
    let expected = change.version.filter(|_| current.is_some());
    let saved = store::save_checked(&app.db, &save, expected).await;
    let id = match saved {
        Ok(Some(id)) => id,
        Ok(None) => return Err(ApiError::Status(axum::http::StatusCode::CONFLICT)),
        Err(e) if e.unique_violation().is_some() => {
            return Err(ApiError::Status(axum::http::StatusCode::CONFLICT))
        }
        Err(e) => return Err(e.into()),
    };
    // files attached with the write; tokens naming no free upload are ignored, as Redmine
    // ignores them for wiki pages
    let (files, _) = crate::api::attachments::named_uploads(app, ctx, Some(&body)).await?;
    let files: Vec<_> = files.into_iter().map(|(a, _)| a).collect();
    crate::store::attachments::attach_all(&app.db, ("WikiPage", id), &files).await?;
    if page.is_some() {
        return Ok(Reply::NoContent);
    }
    let created = store::page_by_id(&app.db, id)
        .await?
        .ok_or(ApiError::Internal)?;
    let content = store::content(&app.db, &created, None).await?;
    let me = (
        ctx.current.user.id,
        crate::domain::users::principal_name(
            "User",
            &ctx.current.user.firstname,
            &ctx.current.user.lastname,
        ),
    );
    Ok(Reply::Created(
        document(
            "wiki_page",
            render_page(
                &created,
                content.as_ref(),
                Some((Some(me), change.comments.clone())),
            ),
        ),
        page_path(&p.identifier, &created.title),
    ))
}

/// `DELETE /projects/:id/wiki/:title`: 204; `todo` says what becomes of the children.
pub async fn destroy(app: &App, ctx: &Ctx, project: &str, title: &str) -> ApiResult {
    let (p, wiki) = wiki_of(app, ctx, project, ctx.required).await?;
    let page = match find(app, ctx, &wiki, &url_title(title)).await? {
        Found::Page(page) => page,
        Found::Moved(location) => return Ok(Reply::Found(location)),
        Found::Missing => return Err(not_found()),
    };
    if page.protected {
        authorize(app, ctx, &p, &["protect_wiki_pages"]).await?;
    }
    let children = match ctx.param_str("todo").as_deref() {
        Some("destroy") => Children::Destroy,
        Some("reassign") => {
            let target = match ctx.param_str("reassign_to_id") {
                Some(t) => store::page_by_id(&app.db, ruby_to_i(&t))
                    .await?
                    .filter(|t| t.wiki_id == wiki.id && t.id != page.id),
                None => None,
            };
            match target {
                Some(t) => Children::Reassign(t.id),
                None => return Err(ApiError::Framework(axum::http::StatusCode::NOT_ACCEPTABLE)),
            }
        }
        _ => Children::Nullify,
    };
    for (dir, name) in store::delete(&app.db, &page, children).await? {
        app.files.delete(&dir, &name).await;
    }
    Ok(Reply::NoContent)
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    const VIEW: &[&str] = &["view_wiki_pages"];
    const EDIT: &[&str] = &["edit_wiki_pages"];
    const DELETE: &[&str] = &["delete_wiki_pages"];
    vec![
        route(
            &["GET"],
            "/projects/{project_id}/wiki/index",
            Permission(VIEW),
            |a, c, p| Box::pin(index(a, c, &p[0])),
        ),
        // `index` is a page title for the other methods
        route(
            &["PUT", "PATCH"],
            "/projects/{project_id}/wiki/index",
            Permission(EDIT),
            |a, c, p| Box::pin(update(a, c, &p[0], "index")),
        ),
        route(
            &["DELETE"],
            "/projects/{project_id}/wiki/index",
            Permission(DELETE),
            |a, c, p| Box::pin(destroy(a, c, &p[0], "index")),
        ),
        route(
            &["GET"],
            "/projects/{project_id}/wiki",
            Permission(VIEW),
            |a, c, p| Box::pin(start_page(a, c, &p[0])),
        ),
        route(
            &["GET"],
            "/projects/{project_id}/wiki/{title}",
            Permission(VIEW),
            |a, c, p| Box::pin(show(a, c, &p[0], &p[1], None)),
        ),
        route(
            &["GET"],
            "/projects/{project_id}/wiki/{title}/{version}",
            Permission(VIEW),
            |a, c, p| Box::pin(show(a, c, &p[0], &p[1], Some(&p[2]))),
        ),
        route(
            &["PUT", "PATCH"],
            "/projects/{project_id}/wiki/{title}",
            Permission(EDIT),
            |a, c, p| Box::pin(update(a, c, &p[0], &p[1])),
        ),
        route(
            &["DELETE"],
            "/projects/{project_id}/wiki/{title}",
            Permission(DELETE),
            |a, c, p| Box::pin(destroy(a, c, &p[0], &p[1])),
        ),
    ]
}
