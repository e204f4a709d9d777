//! `GET /search` and `GET /projects/:id/search` (search.md): the question's tokens looked
//! up in issues, news, wiki pages and projects the caller sees, newest first.

use std::collections::HashMap;

use percent_encoding::utf8_percent_encode;

use crate::api::access::{authorize, load, me};
use crate::api::caller;
use crate::domain::search::{self as rules, flag, merge, Attachments, Kind, Options};
use crate::http::{ApiError, ApiResult, Ctx, Reply};
use crate::render::{list, object_item, Obj, Value as V};
use crate::state::App;
use crate::store::projects::{access_map, Access, Project};
use crate::store::search::{self as store, FieldScope, Reach, Shown};

/// How far into the results pages reach.
const DEEPEST: i64 = 100_000;

/// The projects a search covers, from `scope` and the URL's project.
enum Target {
    All,
    One(i64),
    Some(Vec<i64>),
}

async fn target(
    app: &App,
    ctx: &Ctx,
    project: Option<Project>,
    map: &[Access],
) -> Result<Target, ApiError> {
    Ok(match ctx.param_str("scope").as_deref() {
        Some("all") => Target::All,
        Some("my_projects") => {
            // the caller's memberships; the anonymous user has none
            let c = caller(ctx);
            Target::Some(if c.logged {
                map.iter().filter(|a| a.member).map(|a| a.id).collect()
            } else {
                Vec::new()
            })
        }
        Some("subprojects") => match project {
            Some(p) => {
                Target::Some(crate::store::references::project_subtree(&app.db, &p.id_path).await?)
            }
            None => Target::All,
        },
        _ => match project {
            Some(p) => Target::One(p.id),
            None => Target::All,
        },
    })
}

/// The options of the request (search.md §2).
fn options(ctx: &Ctx) -> Options {
    let question = ctx.param_str("q").unwrap_or_default();
    let p = |name: &str| ctx.param_str(name);
    Options {
        tokens: rules::tokenize(question.trim()),
        all_words: flag(p("all_words").as_deref(), true),
        titles_only: flag(p("titles_only").as_deref(), false),
        open_issues: flag(p("open_issues").as_deref(), false),
        attachments: Attachments::from_param(p("attachments").as_deref()),
    }
}

/// Where each searchable custom field of a type may be searched by the caller.
async fn field_scopes(
    app: &App,
    ctx: &Ctx,
    kind: &str,
    map: &[Access],
) -> Result<Vec<FieldScope>, ApiError> {
    let c = caller(ctx);
    let fields = crate::store::custom_values::fields_of(&app.db, kind).await?;
    let mut out = Vec::new();
    for (f, _, _) in fields.fields.iter().filter(|(f, _, _)| f.searchable) {
        if c.admin || f.visible {
            out.push(FieldScope {
                field: f.id,
                projects: None,
            });
        } else if c.logged {
            // seen through a membership role the field names
            let roles = fields.roles.get(&f.id).cloned().unwrap_or_default();
            let projects = map
                .iter()
                .filter(|a| {
                    a.roles
                        .iter()
                        .any(|r| r.builtin == 0 && roles.contains(&r.id))
                })
                .map(|a| a.id)
                .collect();
            out.push(FieldScope {
                field: f.id,
                projects: Some(projects),
            });
        }
    }
    Ok(out)
}

/// `GET /search`, `GET /projects/:id/search`.
pub async fn index(app: &App, ctx: &Ctx, project: Option<&str>) -> ApiResult {
    let project = match project {
        Some(id) => {
            let p = load(app, id).await?;
            authorize(app, ctx, &p, ctx.required).await?;
            Some(p)
        }
        None => None,
    };
    let (offset, limit) = ctx.offset_and_limit();
    let o = options(ctx);
    if o.tokens.is_empty() {
        // nothing to look for: no count at all
        return Ok(Reply::ok(list(
            "results",
            meta(ctx, V::Null, offset, limit),
            Vec::new(),
        )));
    }
    let c = caller(ctx);
    let map = access_map(&app.db, &ctx.current.user, c.logged, c.admin).await?;
    let allowing = |perm: &str| crate::api::access::allowing(&map, &c, perm);
    let target = target(app, ctx, project, &map).await?;
    // inside one project: no projects, and only what the caller may view there
    let offered: Vec<Kind> = match &target {
        Target::One(p) => Kind::ALL
            .into_iter()
            .filter(|k| {
                k.view_permission().is_some_and(|perm| {
                    map.iter()
                        .find(|a| a.id == *p)
                        .is_some_and(|a| a.allows(&c, &[perm]))
                })
            })
            .collect(),
        _ => Kind::ALL.to_vec(),
    };
    let absent_offered: Vec<&str> = rules::ABSENT
        .iter()
        .filter(|(_, perm)| match &target {
            Target::One(p) => map
                .iter()
                .find(|a| a.id == *p)
                .is_some_and(|a| a.allows(&c, &[perm])),
            _ => true,
        })
        .map(|(param, _)| *param)
        .collect();
    let kinds = rules::chosen(&offered, &absent_offered, |param| {
        ctx.param_str(param).is_some_and(|v| !v.is_empty())
    });
    let mut reach = Reach {
        scope: match &target {
            Target::All => None,
            Target::One(p) => Some(vec![*p]),
            Target::Some(ids) => Some(ids.clone()),
        },
        ..Default::default()
    };
    if kinds.contains(&Kind::Issues) {
        let me = me(app, ctx).await?;
        reach.issues_visible = crate::api::access::visible_everywhere(app, ctx, &map, &me).await?;
        reach.private_notes = allowing("view_private_notes");
        if o.extra_sources() {
            reach.issue_fields = field_scopes(app, ctx, "IssueCustomField", &map).await?;
        }
    }
    reach.news = allowing("view_news");
    reach.documents = allowing("view_documents");
    reach.wiki = allowing("view_wiki_pages");
    reach.messages = allowing("view_messages");
    if kinds.contains(&Kind::Projects) {
        reach.projects = allowing("view_project");
        reach.files = allowing("view_files");
        if o.extra_sources() {
            reach.project_fields = field_scopes(app, ctx, "ProjectCustomField", &map).await?;
        }
    }
    // each type's newest hits up to the page's end are read, at most DEEPEST of them: a
    // page past that is empty (the count stays exact)
    let want = offset.max(0).saturating_add(limit.max(0)).min(DEEPEST);
    let (hits, total) = store::find(&app.db, &kinds, &o, &reach, want).await?;
    let page: Vec<rules::Hit> = merge(hits)
        .into_iter()
        .skip(offset.max(0) as usize)
        .take(limit.max(0) as usize)
        .collect();
    let shown: HashMap<(Kind, i64), Shown> = store::show(&app.db, &page)
        .await?
        .into_iter()
        .map(|s| ((s.kind, s.id), s))
        .collect();
    let items = page
        .iter()
        .filter_map(|h| shown.get(&(h.kind, h.id)))
        .map(|s| object_item("result", render(ctx, s)))
        .collect();
    Ok(Reply::ok(list(
        "results",
        meta(ctx, V::Int(total), offset, limit),
        items,
    )))
}

fn meta(ctx: &Ctx, total: V, offset: i64, limit: i64) -> Vec<(&'static str, V)> {
    if ctx.nometa() {
        return Vec::new();
    }
    vec![
        ("total_count", total),
        ("offset", V::Int(offset)),
        ("limit", V::Int(limit)),
    ]
}

/// One result: `id`, `title`, `type`, `url`, `description`, `datetime`.
fn render(ctx: &Ctx, s: &Shown) -> Obj {
    let (title, kind, path) = match s.kind {
        Kind::Issues => (
            rules::issue_title(&s.tracker, s.id, &s.status, &s.title),
            if s.closed { "issue-closed" } else { "issue" },
            format!("/issues/{}", s.id),
        ),
        Kind::News => (s.title.clone(), "news", format!("/news/{}", s.id)),
        Kind::Documents => (
            format!("Document: {}", s.title),
            "document",
            format!("/documents/{}", s.id),
        ),
        // a reply links to its topic, at the reply
        Kind::Messages => match s.parent {
            None => (
                format!("{}: {}", s.tracker, s.title),
                "message",
                format!("/boards/{}/topics/{}", s.board, s.id),
            ),
            Some(topic) => (
                format!("{}: {}", s.tracker, s.title),
                "reply",
                format!(
                    "/boards/{}/topics/{topic}?r={}#message-{}",
                    s.board, s.id, s.id
                ),
            ),
        },
        Kind::WikiPages => (
            format!("Wiki: {}", s.title),
            "wiki-page",
            format!(
                "/projects/{}/wiki/{}",
                s.identifier,
                utf8_percent_encode(&s.title, crate::api::wiki::SEGMENT)
            ),
        ),
        Kind::Projects => (
            format!("Project: {}", s.title),
            "project",
            format!("/projects/{}", s.identifier),
        ),
    };
    let mut o = Obj::new();
    o.val("id", s.id)
        .val("title", title)
        .val("type", kind)
        .val("url", ctx.location(&path))
        .val("description", s.description.clone())
        .time("datetime", Some(s.at));
    o
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(&["GET"], "/search", Anyone, |a, c, _| {
            Box::pin(index(a, c, None))
        }),
        route(
            &["GET"],
            "/projects/{project_id}/search",
            Permission(&["search_project"]),
            |a, c, p| Box::pin(index(a, c, Some(&p[0]))),
        ),
    ]
}
