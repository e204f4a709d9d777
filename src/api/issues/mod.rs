//! `/issues`: list, show, create (and copy), update with journals, delete. One file per
//! action; this module holds what they share: the rendered issue, the workflow (allowed
//! statuses, field rules), the parameters read from a body and the changes an update
//! collects.

mod copy;
mod create;
mod delete;
mod index;
mod show;
mod update;

use serde_json::Value;

use crate::api::access::Scope;
use crate::api::access::{allowed, load, load_issue, me, roles, sees, visible, visible_ids};
use crate::api::caller;
use crate::api::custom_values as cv;
use crate::api::references::Seen;
use crate::domain::access;
use crate::domain::issue_changes::Wanted;
use crate::domain::issue_query::{self, Filter, Kind, QueryError};
use crate::domain::issues as rules;
use crate::domain::trackers::enabled_standard_fields;
use crate::domain::values::text;
use crate::http::{not_found, ApiError, ApiResult, Ctx, Reply};
use crate::render::{attrs_item, document, list, object_item, page_meta, Node, Obj, Value as V};
use crate::state::App;
use crate::store::issue_query::{self as issue_query_sql, Env};
use crate::store::issues::{self as store, Columns, Issue, UpdateError};
use crate::store::projects::{self as projects, Project};
use crate::store::reference::{self, Role};
use crate::store::versions;

pub(crate) use copy::*;
pub(crate) use create::*;
pub(crate) use delete::*;
pub(crate) use index::*;
pub(crate) use show::*;
pub(crate) use update::*;

pub(crate) fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

pub(crate) fn hours(h: Option<f64>) -> V {
    h.map_or(V::Null, V::Float)
}

/// `spent`: the visible hours on the issue and on it with its subtasks, shown where the
/// caller may view time entries.
pub(crate) fn render(i: &Issue, spent: Option<(f64, f64)>, custom: Vec<Node>) -> Obj {
    let mut o = Obj::new();
    let pair =
        |(id, name): &(i64, String)| vec![("id", (*id).into()), ("name", name.clone().into())];
    o.val("id", i.id)
        .attrs("project", pair(&(i.project_id, i.project_name.clone())))
        .attrs("tracker", pair(&(i.tracker_id, i.tracker_name.clone())))
        .attrs(
            "status",
            vec![
                ("id", i.status_id.into()),
                ("name", i.status_name.clone().into()),
                ("is_closed", i.status_closed.into()),
            ],
        )
        .attrs("priority", pair(&(i.priority_id, i.priority_name.clone())))
        .attrs("author", pair(&(i.author_id, i.author_name.clone())));
    if let Some(a) = &i.assigned_to {
        o.attrs("assigned_to", pair(a));
    }
    if let Some(c) = &i.category {
        o.attrs("category", pair(c));
    }
    if let Some(v) = &i.fixed_version {
        o.attrs("fixed_version", pair(v));
    }
    if let Some(p) = i.parent_id {
        o.attrs("parent", vec![("id", p.into())]);
    }
    o.val("subject", i.subject.clone())
        .val("description", i.description.clone())
        .val("start_date", i.start_date.clone())
        .val("due_date", i.due_date.clone())
        .val("done_ratio", i.done_ratio)
        .val("is_private", i.is_private)
        .val("estimated_hours", hours(i.estimated_hours))
        .val(
            "total_estimated_hours",
            if i.has_children {
                hours(i.total_estimated.or(Some(0.0)))
            } else {
                hours(i.estimated_hours)
            },
        );
    if let Some((spent, total)) = spent {
        o.val("spent_hours", V::Float(spent))
            .val("total_spent_hours", V::Float(total));
    }
    if !custom.is_empty() {
        o.array("custom_fields", custom);
    }
    o.time("created_on", Some(i.created_on))
        .time("updated_on", Some(i.updated_on))
        .time("closed_on", i.closed_on);
    o
}

/// Redmine makes whoever writes a journal on an issue a watcher of it where they may add
/// watchers (the "issues I contributed to" preference, on by default and not settable
/// here): every issue the caller journaled since `since` gets them as a watcher.
pub(crate) async fn watch_contributions(app: &App, ctx: &Ctx, since: i64) -> Result<(), ApiError> {
    if !ctx.current.logged {
        return Ok(());
    }
    let user = ctx.current.user.id;
    let rows = crate::store::journals::unwatched_contributions(&app.db, user, since).await?;
    let mut decided: Vec<(i64, bool)> = Vec::new();
    for (issue, pid) in rows {
        let may = match decided.iter().find(|(p, _)| *p == pid) {
            Some((_, may)) => *may,
            None => {
                let may = match projects::find_by_id(&app.db, pid).await? {
                    Some(p) => allowed(app, ctx, &p, &["add_issue_watchers"]).await?,
                    None => false,
                };
                decided.push((pid, may));
                may
            }
        };
        if may {
            crate::store::watchers::add(&app.db, "Issue", issue, &[user]).await?;
        }
    }
    Ok(())
}

/// The roles whose workflow applies: every role for an administrator, else the caller's
/// roles that may add or edit issues.
pub(crate) async fn workflow_roles(
    app: &App,
    ctx: &Ctx,
    roles: &[Role],
) -> Result<Vec<i64>, ApiError> {
    if caller(ctx).admin {
        return Ok(reference::roles(&app.db)
            .await?
            .iter()
            .map(|r| r.id)
            .collect());
    }
    Ok(roles
        .iter()
        .filter(|r| access::role_allows(r, &["add_issues", "edit_issues"]))
        .map(|r| r.id)
        .collect())
}

/// Whether a project offers categories and open versions (for required-field rules).
pub(crate) async fn project_offers(app: &App, p: &Project) -> Result<(bool, bool), ApiError> {
    let has_categories = !projects::include_rows(&app.db, "issue_categories", &[p.id])
        .await?
        .is_empty();
    let has_versions = versions::shared_with(&app.db, p)
        .await?
        .iter()
        .any(|v| v.status == "open");
    Ok((has_categories, has_versions))
}

pub(crate) async fn allowed_status_ids(
    app: &App,
    ctx: &Ctx,
    roles: &[Role],
    tracker_id: i64,
    current: Option<i64>,
    author_id: i64,
    assigned: Option<i64>,
) -> Result<Vec<i64>, ApiError> {
    let ids = workflow_roles(app, ctx, roles).await?;
    let transitions = store::transitions(&app.db, tracker_id, &ids).await?;
    let default_status = reference::trackers(&app.db)
        .await?
        .into_iter()
        .find(|t| t.id == tracker_id)
        .and_then(|t| t.default_status_id);
    let me = me(app, ctx).await?;
    let is_author = ctx.current.logged && author_id == ctx.current.user.id;
    let is_assignee = ctx.current.logged && assigned.is_some_and(|a| me.contains(&a));
    Ok(rules::allowed_statuses(
        &transitions,
        &ids,
        current,
        default_status,
        is_author,
        is_assignee,
    ))
}

/// The allowed statuses of an existing issue, less those its subtasks, blockers and
/// ancestors rule out.
pub(crate) async fn closing_rules(
    app: &App,
    issue: &Issue,
    allowed: Vec<i64>,
) -> Result<Vec<i64>, ApiError> {
    if allowed.is_empty() {
        return Ok(allowed);
    }
    let (closable, reopenable) =
        crate::store::relations::closing_facts(&app.db, issue.id, &issue.id_path).await?;
    if closable && reopenable {
        return Ok(allowed);
    }
    let statuses = reference::issue_statuses(&app.db).await?;
    let is_closed = |id: i64| statuses.iter().any(|s| s.id == id && s.is_closed);
    Ok(rules::restrict_closing(
        allowed, is_closed, closable, reopenable,
    ))
}

pub(crate) async fn statuses_for(
    app: &App,
    ctx: &Ctx,
    _p: &Project,
    roles: &[Role],
    issue: &Issue,
) -> Result<Vec<Node>, ApiError> {
    let ids = allowed_status_ids(
        app,
        ctx,
        roles,
        issue.tracker_id,
        Some(issue.status_id),
        issue.author_id,
        issue.assigned_to.as_ref().map(|(id, _)| *id),
    )
    .await?;
    let ids = closing_rules(app, issue, ids).await?;
    Ok(reference::issue_statuses(&app.db)
        .await?
        .into_iter()
        .filter(|s| ids.contains(&s.id))
        .map(|s| {
            attrs_item(
                "status",
                vec![
                    ("id", s.id.into()),
                    ("name", s.name.into()),
                    ("is_closed", s.is_closed.into()),
                ],
            )
        })
        .collect())
}

pub(crate) async fn default_priority(app: &App) -> Result<i64, ApiError> {
    Ok(reference::enumerations(&app.db, "IssuePriority")
        .await?
        .iter()
        .find(|e| e.is_default)
        .map(|e| e.id)
        .unwrap_or(0))
}

/// Whether `parent` may hold the issue (issues.md §7): visible, in the same project tree
/// (Redmine's default cross-project rule), and not the issue itself or below it.
pub(crate) async fn parent_allowed(
    app: &App,
    ctx: &Ctx,
    parent: &Issue,
    project: &Project,
    moving: Option<&Issue>,
) -> Result<bool, ApiError> {
    if let Some(m) = moving {
        if parent.id_path.starts_with(&m.id_path) {
            return Ok(false);
        }
    }
    let parent_project = match projects::find_by_id(&app.db, parent.project_id).await? {
        Some(pp) => pp,
        None => return Ok(false),
    };
    let root = |path: &str| path.split('/').find(|x| !x.is_empty()).map(str::to_owned);
    if root(&parent_project.id_path) != root(&project.id_path) {
        return Ok(false);
    }
    let roles = roles(app, ctx, &parent_project).await?;
    let me = me(app, ctx).await?;
    Ok(visible(ctx, &parent_project, &roles, parent, &me))
}

/// The workflow's read-only and required fields for the caller, a tracker and a status.
pub(crate) async fn workflow_fields(
    app: &App,
    ctx: &Ctx,
    roles: &[Role],
    tracker_id: i64,
    status_id: i64,
) -> Result<(Vec<String>, Vec<String>), ApiError> {
    let ids = workflow_roles(app, ctx, roles).await?;
    let rules = store::field_rules(&app.db, tracker_id, status_id, &ids).await?;
    Ok(rules::field_rules(&rules, &ids))
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(
            &["GET"],
            "/issues",
            Permission(&["view_issues"]),
            |a, c, _| Box::pin(index(a, c, None)),
        ),
        route(
            &["POST"],
            "/issues",
            Permission(&["add_issues"]),
            |a, c, _| Box::pin(create(a, c, None)),
        ),
        route(
            &["DELETE"],
            "/issues",
            Permission(&["delete_issues"]),
            |a, c, _| Box::pin(destroy_many(a, c)),
        ),
        route(
            &["GET"],
            "/projects/{project_id}/issues",
            Permission(&["view_issues"]),
            |a, c, p| Box::pin(index(a, c, Some(&p[0]))),
        ),
        route(
            &["POST"],
            "/projects/{project_id}/issues",
            Permission(&["add_issues"]),
            |a, c, p| Box::pin(create(a, c, Some(&p[0]))),
        ),
        route(
            &["GET"],
            "/issues/{id}",
            Permission(&["view_issues"]),
            |a, c, p| Box::pin(show(a, c, &p[0])),
        )
        .stamped(),
        route(
            &["PUT", "PATCH"],
            "/issues/{id}",
            Permission(&["edit_issues", "edit_own_issues", "add_issue_notes"]),
            |a, c, p| Box::pin(update(a, c, &p[0])),
        ),
        route(
            &["DELETE"],
            "/issues/{id}",
            Permission(&["delete_issues"]),
            |a, c, p| Box::pin(destroy(a, c, &p[0])),
        ),
    ]
}
