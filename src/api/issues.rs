//! `/issues`: show, create, update (with journals), delete, list.

use serde_json::Value;

use crate::api::access::{
    access_to, allowed, load, load_issue, me, roles, sees, visible, visible_ids, visible_projects,
};
use crate::api::caller;
use crate::api::custom_values as cv;
use crate::api::references::{Scope, Seen};
use crate::app::App;
use crate::domain::access;
use crate::domain::issue_query::{self, Filter, Kind, QueryError};
use crate::domain::issues::{self as rules, Candidate};
use crate::domain::trackers::enabled_standard_fields;
use crate::domain::users::cast_bool;
use crate::domain::values::text;
use crate::http::{not_found, ruby_to_i, ApiError, ApiResult, Ctx, Reply};
use crate::render::{
    attrs_item, document, list, object_item, page_meta, ruby_float, Node, Obj, Value as V,
};
use crate::store::issue_query::{self as issue_query_sql, Env};
use crate::store::issues::{self as store, Columns, Issue, NewJournal, UpdateError};
use crate::store::projects::{self as projects, Project};
use crate::store::reference::{self, Role};
use crate::store::versions;

fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

fn hours(h: Option<f64>) -> V {
    h.map_or(V::Null, V::Float)
}

fn render(i: &Issue, spent: bool, custom: Vec<Node>) -> Obj {
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
    if spent {
        // time tracking arrives with its own issue: nothing can be spent yet
        o.val("spent_hours", V::Float(0.0))
            .val("total_spent_hours", V::Float(0.0));
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
    let rows = app
        .db
        .rows(
            "SELECT DISTINCT j.journalized_id, i.project_id FROM journals j \
             JOIN issues i ON i.id = j.journalized_id \
             WHERE j.journalized_type = 'Issue' AND j.user_id = $1 AND j.created_on >= $2 \
             AND NOT EXISTS (SELECT 1 FROM watchers w WHERE w.watchable_type = 'Issue' \
                             AND w.watchable_id = j.journalized_id AND w.user_id = $1)",
            &[user.into(), since.into()],
        )
        .await?;
    let mut decided: Vec<(i64, bool)> = Vec::new();
    for r in rows {
        let pid = r.i64("project_id");
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
            crate::store::watchers::add(&app.db, "Issue", r.i64("journalized_id"), &[user]).await?;
        }
    }
    Ok(())
}

fn role_ids(ctx: &Ctx, roles: &[Role], all: &[Role]) -> Vec<i64> {
    if caller(ctx).admin {
        all.iter().map(|r| r.id).collect()
    } else {
        roles.iter().map(|r| r.id).collect()
    }
}

/// `GET /issues/:id` with `include=journals,allowed_statuses` (others follow their issues).
pub async fn show(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (issue, p, roles) = load_issue(app, ctx, id).await?;
    let spent = allowed(app, ctx, &p, &["view_time_entries"]).await?;
    let all_fields = crate::store::custom_values::issue_fields(&app.db).await?;
    let admin = caller(ctx).admin;
    let rids: Vec<i64> = roles.iter().map(|r| r.id).collect();
    let fields = cv::visible_on_issue(&all_fields, p.id, issue.tracker_id, admin, &rids);
    let values = if fields.is_empty() {
        cv::Values::new()
    } else {
        crate::store::custom_values::values_of(&app.db, "Issue", &[issue.id]).await?
    };
    let journals = if ctx.includes("journals") {
        Some(store::journals(&app.db, issue.id).await?)
    } else {
        None
    };
    // the references of the answer: what the caller does not see is left out
    let needs_scope = issue.parent_id.is_some() || journals.is_some() || ctx.includes("children");
    let scope = match needs_scope {
        true => Some(Scope::load(app, ctx).await?),
        false => None,
    };
    let needs_scope = needs_scope || (issue.has_children && !caller(ctx).admin);
    let scope = match (needs_scope, scope) {
        (true, None) => Some(Scope::load(app, ctx).await?),
        (_, s) => s,
    };
    let mut shown = issue.clone();
    if let (Some(parent), Some(scope)) = (issue.parent_id, &scope) {
        if scope.visible_issues(app, &[parent]).await?.is_empty() {
            shown.parent_id = None;
        }
    }
    // the total counts only the subtasks the caller sees
    if let (true, Some(scope)) = (issue.has_children, &scope) {
        let totals =
            crate::store::references::visible_totals(&app.db, &scope.visible, &[issue.id]).await?;
        shown.total_estimated = totals.first().and_then(|t| t.1);
    }
    let mut o = render(&shown, spent, cv::nodes(&fields, &values, issue.id));
    if let (true, Some(scope)) = (ctx.includes("children"), &scope) {
        let children = children_tree(
            issue.id,
            &crate::store::references::visible_descendants(&app.db, &scope.visible, issue.id)
                .await?,
        );
        if !children.is_empty() {
            o.array("children", children);
        }
    }
    // no attachment or repository can exist yet: these lists are truthfully empty
    if ctx.includes("attachments") {
        o.array("attachments", Vec::new());
    }
    if ctx.includes("relations") {
        let relations = crate::api::relations::of_issue(app, ctx, issue.id).await?;
        if !relations.is_empty() {
            o.array("relations", relations);
        }
    }
    if ctx.includes("changesets") {
        o.array("changesets", Vec::new());
    }
    if let (Some(journals), Some(scope)) = (journals, &scope) {
        let may_private = allowed(app, ctx, &p, &["view_private_notes"]).await?;
        // a detail naming an issue, project, version or category the caller cannot see
        // is not shown in the history either
        let seen =
            Seen::of_details(app, scope, journals.iter().flat_map(|j| j.details.iter())).await?;
        let items: Vec<Node> = journals
            .into_iter()
            .filter(|j| {
                !j.private_notes
                    || may_private
                    || j.user
                        .as_ref()
                        .is_some_and(|(u, _)| *u == ctx.current.user.id)
            })
            .map(|mut j| {
                // changes of fields hidden from the caller are hidden too
                j.details.retain(|d| match d.0.as_str() {
                    "cf" => all_fields.fields.iter().any(|(f, _, _)| {
                        f.id.to_string() == d.1 && cv::visible(&all_fields, f, admin, &rids)
                    }),
                    _ => seen.shows(d),
                });
                j
            })
            .filter(|j| j.notes.as_deref().is_some_and(|n| !n.is_empty()) || !j.details.is_empty())
            .map(|j| {
                let mut jo = Obj::new();
                if let Some((uid, name)) = &j.user {
                    jo.attrs(
                        "user",
                        vec![("id", (*uid).into()), ("name", name.clone().into())],
                    );
                }
                jo.val("notes", j.notes.clone())
                    .time("created_on", Some(j.created_on))
                    .val("private_notes", j.private_notes);
                let details = j
                    .details
                    .iter()
                    .map(|(prop, name, old, new)| {
                        let mut d = Obj::new();
                        d.val("old_value", old.clone())
                            .val("new_value", new.clone());
                        Node {
                            name: "detail",
                            body: crate::render::Body::Object(
                                vec![
                                    ("property", prop.clone().into()),
                                    ("name", name.clone().into()),
                                ],
                                d.0,
                            ),
                        }
                    })
                    .collect();
                jo.array("details", details);
                Node {
                    name: "journal",
                    body: crate::render::Body::Object(vec![("id", j.id.into())], jo.0),
                }
            })
            .collect();
        o.array("journals", items);
    }
    if ctx.includes("watchers") && allowed(app, ctx, &p, &["view_issue_watchers"]).await? {
        let watchers = crate::store::watchers::of(&app.db, "Issue", issue.id)
            .await?
            .into_iter()
            .map(|(id, name)| attrs_item("user", vec![("id", id.into()), ("name", name.into())]))
            .collect();
        o.array("watchers", watchers);
    }
    if ctx.includes("allowed_statuses") {
        let statuses = statuses_for(app, ctx, &p, &roles, &issue).await?;
        o.array("allowed_statuses", statuses);
    }
    Ok(Reply::ok(document("issue", o)))
}

/// The subtask tree under an issue, `{id, tracker, subject, children?}` in tree order,
/// from its visible descendants.
fn children_tree(of: i64, all: &[crate::store::references::Child]) -> Vec<Node> {
    all.iter()
        .filter(|c| c.parent_id == of)
        .map(|c| {
            let mut o = Obj::new();
            o.attrs(
                "tracker",
                vec![
                    ("id", c.tracker.0.into()),
                    ("name", c.tracker.1.clone().into()),
                ],
            )
            .val("subject", c.subject.clone());
            let grand = children_tree(c.id, all);
            if !grand.is_empty() {
                o.array("children", grand);
            }
            Node {
                name: "issue",
                body: crate::render::Body::Object(vec![("id", c.id.into())], o.0),
            }
        })
        .collect()
}

async fn allowed_status_ids(
    app: &App,
    ctx: &Ctx,
    roles: &[Role],
    tracker_id: i64,
    current: Option<i64>,
    author_id: i64,
    assigned: Option<i64>,
) -> Result<Vec<i64>, ApiError> {
    let all_roles = reference::roles(&app.db).await?;
    let ids = role_ids(ctx, roles, &all_roles);
    // only roles that may add or edit issues take part in the workflow
    let ids: Vec<i64> = if caller(ctx).admin {
        ids
    } else {
        roles
            .iter()
            .filter(|r| access::role_allows(r, &["add_issues", "edit_issues"]))
            .map(|r| r.id)
            .collect()
    };
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
async fn closing_rules(app: &App, issue: &Issue, allowed: Vec<i64>) -> Result<Vec<i64>, ApiError> {
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

async fn statuses_for(
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
async fn parent_allowed(
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
async fn workflow_fields(
    app: &App,
    ctx: &Ctx,
    roles: &[Role],
    tracker_id: i64,
    status_id: i64,
) -> Result<(Vec<String>, Vec<String>), ApiError> {
    // admins are judged by every role; others by their roles that add or edit issues
    let ids: Vec<i64> = if caller(ctx).admin {
        reference::roles(&app.db)
            .await?
            .iter()
            .map(|r| r.id)
            .collect()
    } else {
        roles
            .iter()
            .filter(|r| access::role_allows(r, &["add_issues", "edit_issues"]))
            .map(|r| r.id)
            .collect()
    };
    let rules = store::field_rules(&app.db, tracker_id, status_id, &ids).await?;
    Ok(rules::field_rules(&rules, &ids))
}

/// "<Field> cannot be blank" for required fields left blank, except where Redmine does not
/// enforce them (no category or version to choose, fields the tracker disables).
fn required_errors(
    required: &[String],
    value: impl Fn(&str) -> bool,
    enabled: &[&str],
    has_categories: bool,
    has_versions: bool,
) -> Vec<String> {
    required
        .iter()
        .filter(|f| {
            let core_disabled = crate::domain::trackers::CORE_FIELDS.contains(&f.as_str())
                && !enabled.contains(&f.as_str());
            let unchoosable = (f.as_str() == "category_id" && !has_categories)
                || (f.as_str() == "fixed_version_id" && !has_versions);
            !(core_disabled || unchoosable || value(f))
        })
        .map(|f| format!("{} cannot be blank", rules::field_label(f)))
        .collect()
}

fn col_present(cols: &Columns, field: &str) -> bool {
    let col = if field == "parent_issue_id" {
        "parent_id"
    } else {
        field
    };
    cols.iter()
        .any(|(c, v)| *c == col && crate::store::issues::arg_present(v))
}

/// The issue attributes read from a request, before the rules apply.
struct Wanted<'a> {
    body: &'a Value,
    /// Fields the workflow makes read-only: what the request says of them is ignored.
    read_only: Vec<String>,
}

impl Wanted<'_> {
    fn get(&self, k: &str) -> Option<&Value> {
        if self.read_only.iter().any(|f| f == k) {
            return None;
        }
        self.body.get(k)
    }
    fn id(&self, k: &str) -> Option<Option<i64>> {
        self.get(k).map(|v| {
            text(v)
                .filter(|t| !t.trim().is_empty())
                .map(|t| ruby_to_i(&t))
        })
    }
    fn string(&self, k: &str) -> Option<Option<String>> {
        self.get(k).map(text)
    }
}

/// The changes to write and the journal details they make, in Redmine's column order.
struct Changes {
    cols: Columns,
    details: Vec<(String, String, Option<String>, Option<String>)>,
}

fn detail_value(a: &crate::store::Arg) -> Option<String> {
    use crate::store::Arg;
    match a {
        Arg::I64(n) => Some(n.to_string()),
        Arg::Str(s) => Some(s.clone()),
        Arg::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        Arg::F64(f) => Some(ruby_float(*f)),
        _ => None,
    }
}

impl Changes {
    /// Records a change; a blank value replacing a blank one (nil and "") is stored but
    /// not journaled, as in Redmine.
    fn set(&mut self, col: &'static str, old: crate::store::Arg, new: crate::store::Arg) {
        let (o, n) = (detail_value(&old), detail_value(&new));
        let blank = |v: &Option<String>| v.as_deref().is_none_or(str::is_empty);
        if o != n {
            if !(blank(&o) && blank(&n)) {
                self.details.push(("attr".into(), col.into(), o, n));
            }
            self.cols.push((col, new));
        }
    }
}

/// `POST /issues`, `POST /projects/:id/issues`: 201 with the issue.
/// The source of `copy_from`: visible (else 404) and `copy_issues` in its project.
async fn copy_source(app: &App, ctx: &Ctx) -> Result<Option<Issue>, ApiError> {
    let Some(raw) = ctx.param_str("copy_from").filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    let id: i64 = raw.trim().parse().map_err(|_| not_found())?;
    let src = store::find(&app.db, id).await?.ok_or_else(not_found)?;
    if !sees(app, ctx, &src).await? {
        return Err(not_found());
    }
    let p = projects::find_by_id(&app.db, src.project_id)
        .await?
        .ok_or_else(not_found)?;
    crate::api::access::authorize(app, ctx, &p, &["copy_issues"]).await?;
    Ok(Some(src))
}

/// The `copied_to` relation from a source to its copy, when relations may join them.
async fn link_copy(app: &App, ctx: &Ctx, from: i64, to: i64) -> Result<(), ApiError> {
    let (Some(src), Some(copy)) = (
        store::find(&app.db, from).await?,
        store::find(&app.db, to).await?,
    ) else {
        return Ok(());
    };
    let facts = crate::domain::relations::Facts {
        target: Some(to),
        relation_type: Some("copied_to".into()),
        same_project: src.project_id == copy.project_id,
        cross_project_allowed: app.settings.cross_project_issue_relations,
        ..Default::default()
    };
    // a refused link leaves the copy without it, as in Redmine
    let _ = crate::store::relations::create(
        &app.db,
        from,
        facts,
        caller(ctx).user_id,
        &app.settings.calendar,
        default_priority(app).await?,
    )
    .await?;
    Ok(())
}

/// Copies the visible subtasks of `src` under its copy `copy`, in tree order, each linked
/// to its source right after it is created when `link`.
async fn copy_subtasks(
    app: &App,
    ctx: &Ctx,
    src: &Issue,
    copy: i64,
    p: &Project,
    copy_watchers: bool,
    link: bool,
) -> Result<(), ApiError> {
    let mut copied = vec![(src.id, copy)];
    let below = app
        .db
        .rows(
            "SELECT id FROM issues WHERE substr(id_path, 1, CAST($1 AS INTEGER)) = $2 \
             AND id <> $3 ORDER BY id_path",
            &[
                (src.id_path.chars().count() as i64).into(),
                src.id_path.clone().into(),
                src.id.into(),
            ],
        )
        .await?;
    let trackers = reference::trackers(&app.db).await?;
    let open_versions: Vec<i64> = versions::shared_with(&app.db, p)
        .await?
        .iter()
        .filter(|v| v.status == "open")
        .map(|v| v.id)
        .collect();
    let priority = default_priority(app).await?;
    let user = caller(ctx).user_id;
    for r in below {
        let Some(child) = store::find(&app.db, r.i64("id")).await? else {
            continue;
        };
        let Some(parent) = child
            .parent_id
            .and_then(|pid| copied.iter().find(|(s, _)| *s == pid).map(|(_, c)| *c))
        else {
            continue;
        };
        if child.id == copy || !sees(app, ctx, &child).await? {
            continue;
        }
        let Some(parent_issue) = store::find(&app.db, parent).await? else {
            continue;
        };
        let status = trackers
            .iter()
            .find(|t| t.id == child.tracker_id)
            .and_then(|t| t.default_status_id)
            .unwrap_or(child.status_id);
        let mut cols: Columns = vec![
            ("project_id", p.id.into()),
            ("tracker_id", child.tracker_id.into()),
            ("subject", child.subject.clone().into()),
            ("author_id", user.into()),
            ("status_id", status.into()),
            ("priority_id", child.priority_id.into()),
            ("description", child.description.clone().into()),
            ("start_date", child.start_date.clone().into()),
            ("due_date", child.due_date.clone().into()),
            ("done_ratio", child.done_ratio.into()),
            ("estimated_hours", child.estimated_hours.into()),
            ("is_private", child.is_private.into()),
            ("parent_id", parent.into()),
        ];
        if child.project_id == p.id {
            cols.push(("category_id", child.category.as_ref().map(|c| c.0).into()));
        }
        // a closed version or a locked assignee is not carried over
        if let Some((v, _)) = child
            .fixed_version
            .filter(|(v, _)| open_versions.contains(v))
        {
            cols.push(("fixed_version_id", v.into()));
        }
        if let Some((a, _)) = &child.assigned_to {
            let active = app
                .db
                .int(
                    "SELECT COUNT(*) FROM users WHERE id = $1 AND status = 1",
                    &[(*a).into()],
                )
                .await?;
            if active > 0 {
                cols.push(("assigned_to_id", (*a).into()));
            }
        }
        let values = crate::store::custom_values::of_one(&app.db, "Issue", child.id).await?;
        let new_id = store::create(
            &app.db,
            &cols,
            Some((parent, parent_issue.id_path.clone())),
            user,
            priority,
            &values,
        )
        .await?;
        if copy_watchers {
            let watchers =
                crate::store::watchers::active_users_of(&app.db, "Issue", child.id).await?;
            crate::store::watchers::add(&app.db, "Issue", new_id, &watchers).await?;
        }
        if link {
            link_copy(app, ctx, child.id, new_id).await?;
        }
        copied.push((child.id, new_id));
    }
    Ok(())
}

/// The request body of a copy: the source's attributes, custom values and watchers under
/// what the client sent (status and timestamps are not copied).
fn copy_body(src: &Issue, values: &[(i64, Vec<String>)], watchers: &[i64], body: &Value) -> Value {
    use serde_json::json;
    let mut out = serde_json::Map::new();
    let mut put = |k: &str, v: Value| {
        out.insert(k.to_owned(), v);
    };
    put("tracker_id", json!(src.tracker_id));
    put("subject", json!(src.subject));
    put("description", json!(src.description));
    put("due_date", json!(src.due_date));
    put("category_id", json!(src.category.as_ref().map(|c| c.0)));
    put(
        "assigned_to_id",
        json!(src.assigned_to.as_ref().map(|a| a.0)),
    );
    put("priority_id", json!(src.priority_id));
    put(
        "fixed_version_id",
        json!(src.fixed_version.as_ref().map(|v| v.0)),
    );
    put("start_date", json!(src.start_date));
    put("done_ratio", json!(src.done_ratio));
    put("estimated_hours", json!(src.estimated_hours));
    put("is_private", json!(src.is_private));
    put("parent_issue_id", json!(src.parent_id));
    put("watcher_user_ids", json!(watchers));
    let mut custom: serde_json::Map<String, Value> = values
        .iter()
        .map(|(id, v)| (id.to_string(), json!(v)))
        .collect();
    for (id, v) in crate::domain::custom_fields::read(body) {
        custom.insert(id.to_string(), json!(v));
    }
    if let Value::Object(sent) = body {
        for (k, v) in sent {
            if k != "custom_fields" && k != "custom_field_values" {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out.insert("custom_field_values".into(), Value::Object(custom));
    Value::Object(out)
}

pub async fn create(app: &App, ctx: &Ctx, url_project: Option<&str>) -> ApiResult {
    let since = crate::store::now();
    let c = caller(ctx);
    // a top-level project_id names the project as the URL would
    let top_level = ctx.param_str("project_id");
    let url_project = match url_project.map(str::to_owned).or(top_level) {
        Some(p) => {
            let p = load(app, &p).await?;
            crate::api::access::authorize(app, ctx, &p, &["add_issues"]).await?;
            Some(p)
        }
        None => None,
    };
    let mut body = ctx.param("issue").cloned().unwrap_or(Value::Null);
    let source = copy_source(app, ctx).await?;
    if let Some(src) = &source {
        let values = crate::store::custom_values::of_one(&app.db, "Issue", src.id).await?;
        // only active users keep watching the copy
        // watchers are copied only into the project the URL names (Redmine checks
        // add_issue_watchers in it, and without one nobody has it)
        let watchers = if url_project.is_some() {
            crate::store::watchers::active_users_of(&app.db, "Issue", src.id).await?
        } else {
            Vec::new()
        };
        // a parent the caller cannot see is not copied (nor named in an error)
        let mut src = src.clone();
        if let Some(parent) = src.parent_id {
            if visible_ids(app, ctx, &[parent]).await?.is_empty() {
                src.parent_id = None;
            }
        }
        body = copy_body(&src, &values, &watchers, &body);
    }
    let w = Wanted {
        body: &body,
        read_only: Vec::new(),
    };
    // the project: the URL's, or a project_id where the caller may add issues
    let mut project = url_project.clone();
    if let Some(Some(pid)) = w.get("project_id").map(text) {
        if let Some(p) = projects::find(&app.db, &pid).await? {
            if allowed(app, ctx, &p, &["add_issues"]).await? {
                project = Some(p);
            }
        }
    }
    if project.is_none() && url_project.is_none() {
        let anywhere = if c.admin {
            Vec::new()
        } else {
            projects::roles_anywhere(&app.db, &ctx.current.user, c.logged).await?
        };
        if !access::allowed_globally(&c, &["add_issues", "copy_issues"], &anywhere) {
            return Err(c.deny().into());
        }
    }
    let subject = w.string("subject").flatten().unwrap_or_default();
    let Some(p) = project else {
        // a copy brings its tracker and status, but no tracker is a target without a project
        let copy = source.is_some();
        let mut cand = Candidate {
            subject,
            priority: true,
            tracker: copy,
            status: copy,
            ..Default::default()
        };
        cand.done_ratio = 0;
        let mut errors = rules::validate(&cand);
        if copy {
            errors.push("Tracker is invalid".into());
        }
        return Err(ApiError::Validation(errors));
    };
    let roles = roles(app, ctx, &p).await?;
    // tracker: one of the project's, or the first
    let trackers: Vec<i64> = crate::store::projects::include_rows(&app.db, "trackers", &[p.id])
        .await?
        .into_iter()
        .map(|(_, id, _)| id)
        .collect();
    let tracker_id = match w.id("tracker_id").flatten() {
        Some(t) if trackers.contains(&t) => Some(t),
        _ => trackers.first().copied(),
    };
    let Some(tracker_id) = tracker_id else {
        return Err(ApiError::Validation(vec!["Tracker cannot be blank".into()]));
    };
    let tracker = reference::trackers(&app.db)
        .await?
        .into_iter()
        .find(|t| t.id == tracker_id)
        .ok_or(ApiError::Internal)?;
    let enabled: Vec<&str> = enabled_standard_fields(tracker.fields_bits).collect();
    let field_on = |f: &str| enabled.contains(&f);
    let author = ctx.current.user.id;
    let statuses = allowed_status_ids(app, ctx, &roles, tracker_id, None, author, None).await?;
    let status_id = match w.id("status_id").flatten() {
        Some(s) if statuses.contains(&s) => Some(s),
        _ => tracker
            .default_status_id
            .filter(|d| statuses.contains(d))
            .or_else(|| statuses.first().copied()),
    };
    let priorities = reference::enumerations(&app.db, "IssuePriority").await?;
    let priority_id = match w.id("priority_id") {
        Some(Some(id)) => priorities.iter().find(|e| e.id == id).map(|e| e.id),
        // sent blank: no priority, which is an error
        Some(None) => None,
        None => priorities.iter().find(|e| e.is_default).map(|e| e.id),
    };
    let (read_only, required) = match status_id {
        Some(st) => workflow_fields(app, ctx, &roles, tracker_id, st).await?,
        None => (Vec::new(), Vec::new()),
    };
    let w = Wanted {
        body: &body,
        read_only,
    };
    let mut cand = Candidate {
        subject: subject.clone(),
        project: true,
        tracker: true,
        priority: priority_id.is_some(),
        status: status_id.is_some(),
        ..Default::default()
    };
    let mut cols: Columns = vec![
        ("project_id", p.id.into()),
        ("tracker_id", tracker_id.into()),
        ("subject", subject.into()),
        ("author_id", author.into()),
    ];
    if let Some(s) = status_id {
        cols.push(("status_id", s.into()));
    }
    if let Some(pr) = priority_id {
        cols.push(("priority_id", pr.into()));
    }
    if field_on("description") {
        if let Some(d) = w.string("description").flatten() {
            cols.push(("description", rules::crlf(&d).into()));
        }
    }
    cand.start_date = if field_on("start_date") {
        match w.string("start_date") {
            Some(v) => rules::date_value(v),
            None => Some(today()),
        }
    } else {
        None
    };
    cand.due_date = if field_on("due_date") {
        rules::date_value(w.string("due_date").flatten())
    } else {
        None
    };
    cols.push(("start_date", cand.start_date.clone().into()));
    cols.push(("due_date", cand.due_date.clone().into()));
    if field_on("done_ratio") {
        if let Some(d) = w.get("done_ratio") {
            cand.done_ratio = text(d).map(|t| ruby_to_i(&t)).unwrap_or(0);
            cols.push(("done_ratio", cand.done_ratio.into()));
        }
    }
    if field_on("estimated_hours") {
        if let Some(Some(h)) = w.string("estimated_hours") {
            match rules::parse_hours(&h) {
                Some(v) if v >= 0.0 => cols.push(("estimated_hours", Some(v).into())),
                _ => cand.estimated_hours_invalid = true,
            }
        }
    }
    if let Some(v) = w.get("is_private") {
        if allowed(
            app,
            ctx,
            &p,
            &["set_issues_private", "set_own_issues_private"],
        )
        .await?
        {
            cols.push(("is_private", cast_bool(v).unwrap_or(false).into()));
        }
    }
    if field_on("category_id") {
        if let Some(Some(cat)) = w.id("category_id") {
            let cats = projects::include_rows(&app.db, "issue_categories", &[p.id]).await?;
            if cats.iter().any(|(_, id, _)| *id == cat) {
                cols.push(("category_id", cat.into()));
            } else {
                cand.category_invalid = true;
            }
        }
    }
    if field_on("fixed_version_id") {
        let shared = versions::shared_with(&app.db, &p).await?;
        match w.id("fixed_version_id") {
            Some(Some(v)) => {
                if shared.iter().any(|x| x.id == v && x.status == "open") {
                    cols.push(("fixed_version_id", v.into()));
                } else {
                    cand.version_invalid = true;
                }
            }
            Some(None) => {}
            None => {
                if let Some(d) = p
                    .default_version_id
                    .filter(|d| shared.iter().any(|x| x.id == *d && x.status == "open"))
                {
                    cols.push(("fixed_version_id", d.into()));
                }
            }
        }
    }
    let wanted = if field_on("assigned_to_id") {
        match w.string("assigned_to_id").flatten().as_deref() {
            Some("me") => Some(author),
            Some(t) if !t.trim().is_empty() => Some(ruby_to_i(t)),
            _ => None,
        }
    } else {
        None
    };
    // without an assignee, the category's or else the project's default one (Redmine's
    // default_assign, on creation only), checked like one sent
    let wanted = match wanted {
        Some(a) => Some(a),
        None => {
            let category = cols.iter().find_map(|(c, v)| match v {
                crate::store::Arg::I64(id) if *c == "category_id" => Some(*id),
                _ => None,
            });
            let from_category = match category {
                Some(cid) => versions::category(&app.db, cid)
                    .await?
                    .and_then(|c| c.assigned_to.map(|(id, _)| id)),
                None => None,
            };
            from_category.or(p.default_assigned_to_id)
        }
    };
    {
        if let Some(a) = wanted {
            let assignable = store::assignable_ids(&app.db, p.id).await?;
            if assignable.contains(&a) || a == author {
                cols.push(("assigned_to_id", a.into()));
            } else {
                cand.assignee_invalid = true;
            }
        }
    }
    let mut parent_path = None;
    let mut parent_closed = false;
    if field_on("parent_issue_id") {
        if let Some(Some(raw)) = w.string("parent_issue_id") {
            let raw = raw.trim().trim_start_matches('#').to_owned();
            if allowed(app, ctx, &p, &["manage_subtasks"]).await? && !raw.is_empty() {
                let parent = match raw.parse::<i64>() {
                    Ok(pid) => store::find(&app.db, pid).await?,
                    Err(_) => None,
                };
                match parent {
                    Some(parent) if parent_allowed(app, ctx, &parent, &p, None).await? => {
                        cols.push(("parent_id", parent.id.into()));
                        parent_path = Some((parent.id, parent.id_path.clone()));
                        parent_closed = parent.status_closed;
                    }
                    _ => cand.parent_invalid = true,
                }
            }
        }
    }
    // watchers given at creation: unknown principals are Rails' 404
    let mut watchers = Vec::new();
    let mut watchers_invalid = false;
    if let Some(v) = w.get("watcher_user_ids") {
        if allowed(app, ctx, &p, &["add_issue_watchers"]).await? {
            for wid in crate::domain::projects::id_list(v) {
                let rows = app
                    .db
                    .rows(
                        "SELECT type, status FROM users WHERE id = $1",
                        &[wid.into()],
                    )
                    .await?;
                let Some(r) = rows.first() else {
                    return Err(ApiError::Framework(axum::http::StatusCode::NOT_FOUND));
                };
                // active users and groups may watch; each watches once
                let kind = r.str("type");
                let may_watch = (kind == "User" && r.i64("status") == 1)
                    || matches!(kind.as_str(), "Group" | "GroupAnonymous" | "GroupNonMember");
                if !may_watch {
                    watchers_invalid = true;
                } else if !watchers.contains(&wid) {
                    watchers.push(wid);
                }
            }
        }
    }
    let all_fields = crate::store::custom_values::issue_fields(&app.db).await?;
    let rids: Vec<i64> = roles.iter().map(|r| r.id).collect();
    let fields = all_fields.for_issue(p.id, tracker_id);
    let records = cv::Records::for_project(app, &fields, &p).await?;
    let custom = cv::apply(
        &fields,
        &crate::domain::custom_fields::read(&body),
        None,
        0,
        |f| cv::visible(&all_fields, f, c.admin, &rids) && !w.read_only.contains(&f.id.to_string()),
        |f| required.contains(&f.id.to_string()),
        &records,
    );
    if parent_closed {
        let statuses = reference::issue_statuses(&app.db).await?;
        cand.open_under_closed_parent =
            !status_id.is_some_and(|s| statuses.iter().any(|x| x.id == s && x.is_closed));
    }
    // Redmine reports custom values before the issue's own attributes
    let mut errors = custom.errors;
    errors.extend(rules::validate(&cand));
    {
        let has_categories = !projects::include_rows(&app.db, "issue_categories", &[p.id])
            .await?
            .is_empty();
        let has_versions = versions::shared_with(&app.db, &p)
            .await?
            .iter()
            .any(|v| v.status == "open");
        errors.extend(required_errors(
            &required,
            |f| col_present(&cols, f),
            &enabled,
            has_categories,
            has_versions,
        ));
    }
    if watchers_invalid {
        errors.push("Watchers is invalid".into());
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if let Some(s) = status_id {
        let closed = reference::issue_statuses(&app.db)
            .await?
            .iter()
            .any(|x| x.id == s && x.is_closed);
        if closed {
            cols.push(("closed_on", crate::store::now().into()));
        }
    }
    let id = store::create(
        &app.db,
        &cols,
        parent_path,
        author,
        default_priority(app).await?,
        &custom.values,
    )
    .await?;
    crate::store::watchers::add(&app.db, "Issue", id, &watchers).await?;
    let link = match app.settings.link_copied_issue.as_str() {
        "yes" => true,
        "no" => false,
        _ => ctx.param_str("link_copy").as_deref() == Some("1"),
    };
    if let (Some(src), true) = (&source, link) {
        link_copy(app, ctx, src.id, id).await?;
        // the notes sent with the copy go to the journal of its link
        if let Some(notes) = w.string("notes").flatten().filter(|n| !n.is_empty()) {
            store::note_last_journal(&app.db, id, c.user_id, &notes).await?;
        }
    }
    // Redmine answers with the copy as saved, before its subtasks are copied under it
    let issue = store::find(&app.db, id).await?.ok_or(ApiError::Internal)?;
    if let Some(src) = source.as_ref().filter(|s| s.has_children) {
        let subtasks = ctx
            .param_str("copy_subtasks")
            .is_some_and(|s| !s.trim().is_empty());
        let copy_watchers =
            url_project.is_some() && allowed(app, ctx, &p, &["add_issue_watchers"]).await?;
        if subtasks {
            copy_subtasks(app, ctx, src, id, &p, copy_watchers, link).await?;
        }
    }
    watch_contributions(app, ctx, since).await?;
    // Redmine shows spent time in the create answer only when the URL named the project
    let spent = match &url_project {
        Some(up) => allowed(app, ctx, up, &["view_time_entries"]).await?,
        None => false,
    };
    Ok(Reply::Created(
        document("issue", {
            let rids: Vec<i64> = roles.iter().map(|r| r.id).collect();
            let fields = cv::visible_on_issue(&all_fields, p.id, tracker_id, c.admin, &rids);
            let values = crate::store::custom_values::values_of(&app.db, "Issue", &[id]).await?;
            render(&issue, spent, cv::nodes(&fields, &values, id))
        }),
        ctx.location(&format!("/issues/{id}")),
    ))
}

/// `PUT /issues/:id`: attributes with edit rights, notes with `add_issue_notes`; 204.
pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let since = crate::store::now();
    let (issue, p, roles) = load_issue(app, ctx, id).await?;
    crate::api::access::authorize(
        app,
        ctx,
        &p,
        &["edit_issues", "edit_own_issues", "add_issue_notes"],
    )
    .await?;
    let c = caller(ctx);
    let mut body = ctx.param("issue").cloned().unwrap_or(Value::Null);
    // "none" clears a value
    if let Value::Object(m) = &mut body {
        for v in m.values_mut() {
            if v.as_str() == Some("none") {
                *v = Value::String(String::new());
            }
        }
    }
    let is_author = c.logged && issue.author_id == c.user_id;
    let may_edit = allowed(app, ctx, &p, &["edit_issues"]).await?
        || (is_author && allowed(app, ctx, &p, &["edit_own_issues"]).await?);
    // the workflow's field rules are those of the status the issue will have
    let requested_status = body
        .get("status_id")
        .and_then(text)
        .and_then(|t| t.trim().parse::<i64>().ok());
    // the statuses the issue may move to, read once for the field rules and the change
    let transitions = if may_edit && body.get("status_id").is_some() {
        let allowed = allowed_status_ids(
            app,
            ctx,
            &roles,
            issue.tracker_id,
            Some(issue.status_id),
            issue.author_id,
            issue.assigned_to.as_ref().map(|(id, _)| *id),
        )
        .await?;
        closing_rules(app, &issue, allowed).await?
    } else {
        Vec::new()
    };
    let status_after = match requested_status {
        Some(st) if may_edit && transitions.contains(&st) => st,
        _ => issue.status_id,
    };
    let (read_only, required) =
        workflow_fields(app, ctx, &roles, issue.tracker_id, status_after).await?;
    let w = Wanted {
        body: &body,
        read_only,
    };
    let may_note = allowed(app, ctx, &p, &["add_issue_notes"]).await?;
    let mut ch = Changes {
        cols: Vec::new(),
        details: Vec::new(),
    };
    let mut cand = Candidate {
        subject: issue.subject.clone(),
        project: true,
        tracker: true,
        priority: true,
        status: true,
        done_ratio: issue.done_ratio,
        start_date: issue.start_date.clone(),
        due_date: issue.due_date.clone(),
        ..Default::default()
    };
    let mut new_status = issue.status_id;
    let mut target_project: Option<Project> = None;
    if may_edit {
        let tracker = reference::trackers(&app.db)
            .await?
            .into_iter()
            .find(|t| t.id == issue.tracker_id)
            .ok_or(ApiError::Internal)?;
        let enabled: Vec<&str> = enabled_standard_fields(tracker.fields_bits).collect();
        let on = |f: &str| enabled.contains(&f);
        // moving to another project: one where the caller may add issues
        if let Some(Some(target)) = w.get("project_id").map(text) {
            if let Some(t) = projects::find(&app.db, &target).await? {
                if t.id != p.id && allowed(app, ctx, &t, &["add_issues"]).await? {
                    target_project = Some(t);
                }
            }
        }
        let dest = target_project.as_ref().unwrap_or(&p);
        let dest_trackers: Vec<i64> = projects::include_rows(&app.db, "trackers", &[dest.id])
            .await?
            .into_iter()
            .map(|(_, id, _)| id)
            .collect();
        match w.id("tracker_id") {
            Some(Some(t)) if dest_trackers.contains(&t) => {
                ch.set("tracker_id", issue.tracker_id.into(), t.into())
            }
            // a tracker the project does not offer is ignored, as Redmine ignores it
            _ if !dest_trackers.contains(&issue.tracker_id) => match dest_trackers.first() {
                // the tracker is not used there: the project's first one replaces it
                Some(first) => ch.set("tracker_id", issue.tracker_id.into(), (*first).into()),
                None => cand.tracker_not_in_project = true,
            },
            _ => {}
        }
        if let Some(t) = &target_project {
            ch.set("project_id", issue.project_id.into(), t.id.into());
        }
        if let Some(s) = w.string("subject") {
            let s = s.unwrap_or_default();
            cand.subject = s.clone();
            ch.set("subject", issue.subject.clone().into(), s.into());
        }
        if on("description") {
            if let Some(d) = w.string("description") {
                let d = d.map(|d| rules::crlf(&d));
                ch.set("description", issue.description.clone().into(), d.into());
            }
        }
        if on("due_date") {
            if let Some(d) = w.string("due_date") {
                let d = rules::date_value(d);
                cand.due_date = d.clone();
                ch.set("due_date", issue.due_date.clone().into(), d.into());
            }
        }
        if on("category_id") {
            let cats = projects::include_rows(&app.db, "issue_categories", &[dest.id]).await?;
            let current = issue.category.as_ref().map(|c| c.0);
            if let Some(cat) = w.id("category_id") {
                if let Some(cid) = cat {
                    if !cats.iter().any(|(_, id, _)| *id == cid) {
                        cand.category_invalid = true;
                    }
                }
                ch.set("category_id", current.into(), cat.into());
            } else if let (Some(_), Some((_, name))) = (&target_project, &issue.category) {
                // the new project's category of the same name, or none
                let same = cats
                    .iter()
                    .find(|(_, _, n)| n == name)
                    .map(|(_, id, _)| *id);
                ch.set("category_id", current.into(), same.into());
            }
        }
        if let Some(Some(s)) = w.id("status_id") {
            if transitions.contains(&s) {
                new_status = s;
                ch.set("status_id", issue.status_id.into(), s.into());
            }
        }
        if on("assigned_to_id") {
            if let Some(raw) = w.string("assigned_to_id") {
                let a = match raw.as_deref() {
                    Some("me") => Some(c.user_id),
                    Some(t) if !t.trim().is_empty() => Some(ruby_to_i(t)),
                    _ => None,
                };
                if let Some(a) = a {
                    let assignable = store::assignable_ids(&app.db, p.id).await?;
                    if !assignable.contains(&a) && a != issue.author_id {
                        cand.assignee_invalid = true;
                    }
                }
                ch.set(
                    "assigned_to_id",
                    issue.assigned_to.as_ref().map(|a| a.0).into(),
                    a.into(),
                );
            }
        }
        if let Some(pr) = w.id("priority_id") {
            let priorities = reference::enumerations(&app.db, "IssuePriority").await?;
            match pr.filter(|id| priorities.iter().any(|e| e.id == *id)) {
                Some(id) => ch.set("priority_id", issue.priority_id.into(), id.into()),
                None => cand.priority = false,
            }
        }
        if on("fixed_version_id") && w.id("fixed_version_id").is_none() && target_project.is_some()
        {
            if let Some((vid, _)) = &issue.fixed_version {
                let shared = versions::shared_with(&app.db, dest).await?;
                if !shared.iter().any(|x| x.id == *vid) {
                    ch.set("fixed_version_id", Some(*vid).into(), None::<i64>.into());
                }
            }
        }
        if on("fixed_version_id") {
            if let Some(v) = w.id("fixed_version_id") {
                if let Some(vid) = v {
                    let shared = versions::shared_with(&app.db, dest).await?;
                    let keep = issue.fixed_version.as_ref().is_some_and(|x| x.0 == vid);
                    if !keep && !shared.iter().any(|x| x.id == vid && x.status == "open") {
                        cand.version_invalid = true;
                    }
                }
                ch.set(
                    "fixed_version_id",
                    issue.fixed_version.as_ref().map(|x| x.0).into(),
                    v.into(),
                );
            }
        }
        if on("start_date") {
            if let Some(d) = w.string("start_date") {
                let d = rules::date_value(d);
                cand.start_date = d.clone();
                ch.set("start_date", issue.start_date.clone().into(), d.into());
            }
        }
        if on("done_ratio") {
            if let Some(d) = w.get("done_ratio") {
                let d = text(d).map(|t| ruby_to_i(&t)).unwrap_or(0);
                cand.done_ratio = d;
                ch.set("done_ratio", issue.done_ratio.into(), d.into());
            }
        }
        if on("estimated_hours") {
            if let Some(h) = w.string("estimated_hours") {
                let parsed = match h.as_deref().map(str::trim) {
                    None | Some("") => Some(None),
                    Some(s) => rules::parse_hours(s).filter(|v| *v >= 0.0).map(Some),
                };
                match parsed {
                    Some(v) => ch.set("estimated_hours", issue.estimated_hours.into(), v.into()),
                    None => cand.estimated_hours_invalid = true,
                }
            }
        }
        if let Some(v) = w.get("is_private") {
            let may = allowed(app, ctx, &p, &["set_issues_private"]).await?
                || (is_author && allowed(app, ctx, &p, &["set_own_issues_private"]).await?);
            if may {
                ch.set(
                    "is_private",
                    issue.is_private.into(),
                    cast_bool(v).unwrap_or(false).into(),
                );
            }
        }
    }
    let mut new_parent = None;
    let mut parent_closed = false;
    if may_edit {
        if let Some(raw) = w.string("parent_issue_id") {
            if allowed(app, ctx, &p, &["manage_subtasks"]).await? {
                let raw = raw
                    .unwrap_or_default()
                    .trim()
                    .trim_start_matches('#')
                    .to_owned();
                if raw.is_empty() {
                    if issue.parent_id.is_some() {
                        ch.set("parent_id", issue.parent_id.into(), None::<i64>.into());
                        new_parent = Some(None);
                    }
                } else {
                    let parent = match raw.parse::<i64>() {
                        Ok(pid) if pid != issue.id => store::find(&app.db, pid).await?,
                        _ => None,
                    };
                    match parent {
                        Some(parent)
                            if parent_allowed(app, ctx, &parent, &p, Some(&issue)).await? =>
                        {
                            parent_closed = parent.status_closed;
                            if issue.parent_id != Some(parent.id) {
                                ch.set("parent_id", issue.parent_id.into(), parent.id.into());
                                new_parent = Some(Some((parent.id, parent.id_path.clone())));
                            }
                        }
                        _ => cand.parent_invalid = true,
                    }
                }
            }
        }
    }
    if issue.has_children {
        // derived from the subtasks: what the client sent is ignored
        let derived = ["start_date", "due_date", "priority_id", "done_ratio"];
        ch.details
            .retain(|(_, name, _, _)| !derived.contains(&name.as_str()));
        ch.cols.retain(|(name, _)| !derived.contains(name));
        cand.start_date = issue.start_date.clone();
        cand.due_date = issue.due_date.clone();
        cand.done_ratio = issue.done_ratio;
    }
    if let Some(t) = &target_project {
        // subtasks follow the issue and need their tracker in the new project
        let t_trackers: Vec<i64> = projects::include_rows(&app.db, "trackers", &[t.id])
            .await?
            .into_iter()
            .map(|(_, id, _)| id)
            .collect();
        let blocked = app
            .db
            .rows(
                "SELECT id, tracker_id FROM issues WHERE id <> $1 AND project_id = $2 \
                 AND substr(id_path, 1, CAST($3 AS INTEGER)) = $4 ORDER BY id",
                &[
                    issue.id.into(),
                    issue.project_id.into(),
                    (issue.id_path.chars().count() as i64).into(),
                    issue.id_path.clone().into(),
                ],
            )
            .await?
            .into_iter()
            .find(|r| !t_trackers.contains(&r.i64("tracker_id")));
        if let Some(r) = blocked {
            return Err(ApiError::Validation(vec![format!(
                "Subtask #{} could not be moved to the new project: Tracker is not included in the list",
                r.i64("id")
            )]));
        }
    }
    let new_tracker = ch
        .cols
        .iter()
        .find_map(|(col, v)| match v {
            crate::store::Arg::I64(t) if *col == "tracker_id" => Some(*t),
            _ => None,
        })
        .unwrap_or(issue.tracker_id);
    let dest_id = target_project.as_ref().map_or(p.id, |t| t.id);
    let all_fields = crate::store::custom_values::issue_fields(&app.db).await?;
    let fields = all_fields.for_issue(dest_id, new_tracker);
    let custom = if fields.is_empty() {
        cv::Outcome::default()
    } else {
        let old = crate::store::custom_values::values_of(&app.db, "Issue", &[issue.id]).await?;
        let sent = if may_edit {
            crate::domain::custom_fields::read(&body)
        } else {
            Vec::new()
        };
        let rids: Vec<i64> = roles.iter().map(|r| r.id).collect();
        let dest = target_project.as_ref().unwrap_or(&p);
        let records = cv::Records::for_project(app, &fields, dest).await?;
        cv::apply(
            &fields,
            &sent,
            Some(&old),
            issue.id,
            |f| {
                cv::visible(&all_fields, f, c.admin, &rids)
                    && !w.read_only.contains(&f.id.to_string())
            },
            |f| required.contains(&f.id.to_string()),
            &records,
        )
    };
    if may_edit && !issue.has_children && cand.start_date != issue.start_date {
        let new_start = cand
            .start_date
            .as_deref()
            .and_then(crate::domain::relations::parse_date);
        if let Some(new_start) = new_start {
            let path = match &new_parent {
                Some(Some((_, parent_path))) => format!("{parent_path}{}/", issue.id),
                Some(None) => format!("/{}/", issue.id),
                None => issue.id_path.clone(),
            };
            let mut tx = app.db.begin().await?;
            let soonest =
                crate::store::relations::soonest_start(&mut tx, &path, &app.settings.calendar)
                    .await?;
            drop(tx);
            cand.start_before = soonest
                .filter(|s| new_start < *s)
                .map(crate::domain::relations::display_date);
        }
    }
    if parent_closed {
        let statuses = reference::issue_statuses(&app.db).await?;
        cand.open_under_closed_parent = !statuses.iter().any(|x| x.id == new_status && x.is_closed);
    }
    // an issue reopened while its version is closed stays closed
    if new_status != issue.status_id {
        let statuses = reference::issue_statuses(&app.db).await?;
        let closed = |s: i64| statuses.iter().any(|x| x.id == s && x.is_closed);
        if closed(issue.status_id) && !closed(new_status) {
            let version = match ch.cols.iter().find(|(c, _)| *c == "fixed_version_id") {
                Some((_, crate::store::Arg::I64(v))) => Some(*v),
                Some(_) => None,
                None => issue.fixed_version.as_ref().map(|v| v.0),
            };
            if let Some(v) = version {
                cand.reopen_in_closed_version = versions::find(&app.db, v)
                    .await?
                    .is_some_and(|v| v.status == "closed");
            }
        }
    }
    // Redmine reports custom values before the issue's own attributes
    let mut errors = custom.errors;
    errors.extend(rules::validate(&cand));
    if may_edit && !required.is_empty() {
        let tracker = reference::trackers(&app.db)
            .await?
            .into_iter()
            .find(|t| t.id == issue.tracker_id);
        let enabled: Vec<&str> = tracker
            .as_ref()
            .map(|t| enabled_standard_fields(t.fields_bits).collect())
            .unwrap_or_default();
        let has_categories = !projects::include_rows(&app.db, "issue_categories", &[p.id])
            .await?
            .is_empty();
        let has_versions = versions::shared_with(&app.db, &p)
            .await?
            .iter()
            .any(|v| v.status == "open");
        let current = |f: &str| -> bool {
            match f {
                "assigned_to_id" => issue.assigned_to.is_some(),
                "category_id" => issue.category.is_some(),
                "fixed_version_id" => issue.fixed_version.is_some(),
                "parent_issue_id" => issue.parent_id.is_some(),
                "start_date" => issue.start_date.is_some(),
                "due_date" => issue.due_date.is_some(),
                "estimated_hours" => issue.estimated_hours.is_some(),
                "description" => issue
                    .description
                    .as_deref()
                    .is_some_and(|d| !d.trim().is_empty()),
                _ => true,
            }
        };
        let value = |f: &str| -> bool {
            let col = if f == "parent_issue_id" {
                "parent_id"
            } else {
                f
            };
            match ch.cols.iter().find(|(c, _)| *c == col) {
                Some((_, v)) => crate::store::issues::arg_present(v),
                None => current(f),
            }
        };
        errors.extend(required_errors(
            &required,
            value,
            &enabled,
            has_categories,
            has_versions,
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let statuses = reference::issue_statuses(&app.db).await?;
    let closed = |s: i64| statuses.iter().any(|x| x.id == s && x.is_closed);
    if new_status != issue.status_id && closed(new_status) && !closed(issue.status_id) {
        ch.cols.push(("closed_on", crate::store::now().into()));
    }
    // attributes in the order of Redmine's columns, then custom values
    ch.details.sort_by_key(|d| rules::attribute_rank(&d.1));
    ch.details.extend(custom.details);
    let notes = if may_note {
        w.string("notes").flatten().filter(|n| !n.trim().is_empty())
    } else {
        None
    };
    let private = notes.is_some()
        && w.get("private_notes").and_then(cast_bool).unwrap_or(false)
        && allowed(app, ctx, &p, &["set_notes_private"]).await?;
    let closing = (new_status != issue.status_id && closed(new_status) && !closed(issue.status_id))
        .then_some(new_status);
    let close_duplicates = closing
        .filter(|_| app.settings.close_duplicate_issues)
        .map(|s| (s, notes.as_ref().map(|n| rules::crlf(n)), private));
    let mut journals = Vec::new();
    match (notes, private) {
        (Some(n), true) if !ch.details.is_empty() => {
            journals.push(NewJournal {
                notes: None,
                private_notes: false,
                details: ch.details.clone(),
            });
            journals.push(NewJournal {
                notes: Some(rules::crlf(&n)),
                private_notes: true,
                details: Vec::new(),
            });
        }
        (Some(n), private) => journals.push(NewJournal {
            notes: Some(rules::crlf(&n)),
            private_notes: private,
            details: ch.details.clone(),
        }),
        (None, _) if !ch.details.is_empty() => journals.push(NewJournal {
            notes: Some(String::new()),
            private_notes: false,
            details: ch.details.clone(),
        }),
        _ => {}
    }
    let expected = if may_edit {
        ctx.param("issue")
            .and_then(|i| i.get("lock_version"))
            .and_then(text)
            .map(|t| ruby_to_i(&t))
    } else {
        None
    };
    let priority = default_priority(app).await?;
    let moved_to = target_project.as_ref().map(|t| t.id);
    match store::update(
        &app.db,
        &issue,
        c.user_id,
        &ch.cols,
        &journals,
        expected,
        new_parent,
        priority,
        moved_to,
        &custom.values,
        &crate::store::issues::Consequences {
            calendar: &app.settings.calendar,
            drop_relations: !app.settings.cross_project_issue_relations,
            close_duplicates,
        },
    )
    .await
    {
        Ok(()) => {
            watch_contributions(app, ctx, since).await?;
            Ok(Reply::NoContent)
        }
        Err(UpdateError::Stale) => Err(ApiError::Validation(Vec::new())),
        Err(UpdateError::Db(e)) => Err(e.into()),
    }
}

/// `DELETE /issues/:id`: `delete_issues`; subtasks go too.
pub async fn destroy(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let since = crate::store::now();
    let (issue, p, _) = load_issue(app, ctx, id).await?;
    crate::api::access::authorize(app, ctx, &p, &["delete_issues"]).await?;
    store::delete(
        &app.db,
        &issue,
        caller(ctx).user_id,
        default_priority(app).await?,
        &app.settings.calendar,
    )
    .await?;
    watch_contributions(app, ctx, since).await?;
    Ok(Reply::NoContent)
}

/// `DELETE /issues?ids[]=…` (or `id`): 404 when none exists, 403/401 when one is invisible
/// or `delete_issues` is missing in one of their projects; subtasks go too.
pub async fn destroy_many(app: &App, ctx: &Ctx) -> ApiResult {
    let since = crate::store::now();
    let ids = ctx
        .param("id")
        .or_else(|| ctx.param("ids"))
        .map(crate::domain::projects::id_list)
        .unwrap_or_default();
    let mut issues = Vec::new();
    for id in ids {
        if let Some(i) = store::find(&app.db, id).await? {
            issues.push(i);
        }
    }
    if issues.is_empty() {
        return Err(not_found());
    }
    let mut projects_seen = Vec::new();
    for issue in &issues {
        if !sees(app, ctx, issue).await? {
            return Err(caller(ctx).deny().into());
        }
        if !projects_seen.contains(&issue.project_id) {
            let p = projects::find_by_id(&app.db, issue.project_id)
                .await?
                .ok_or_else(not_found)?;
            crate::api::access::authorize(app, ctx, &p, &["delete_issues"]).await?;
            projects_seen.push(p.id);
        }
    }
    // ancestors first: their subtasks go with them
    issues.sort_by_key(|i| i.id_path.len());
    let priority = default_priority(app).await?;
    for issue in &issues {
        store::delete(
            &app.db,
            issue,
            caller(ctx).user_id,
            priority,
            &app.settings.calendar,
        )
        .await?;
    }
    watch_contributions(app, ctx, since).await?;
    Ok(Reply::NoContent)
}

/// The default filter of a new query: open issues.
fn open_filter() -> Filter {
    Filter {
        name: "status_id".into(),
        kind: Kind::ListStatus,
        op: "o".into(),
        values: Vec::new(),
    }
}

/// Columns a list can be grouped by, and those whose groups come newest first.
const GROUPABLE: &[&str] = &[
    "project",
    "tracker",
    "status",
    "priority",
    "author",
    "assigned_to",
    "category",
    "fixed_version",
    "start_date",
    "due_date",
    "done_ratio",
    "created_on",
    "updated_on",
    "closed_on",
    "is_private",
];
const GROUPED_DESC: &[&str] = &["priority", "created_on", "updated_on", "closed_on"];

/// The ORDER BY expressions of a sortable column of the issue list, as Redmine orders it:
/// people by their displayed name (first name, last name), versions by date with the
/// undated last, creation in creation order.
fn sort_column(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "id" => &["i.id"],
        "project" => &["p.name"],
        "tracker" => &["t.position"],
        "status" => &["s.position"],
        "priority" => &["e.position"],
        "subject" => &["i.subject"],
        "author" => &["au.firstname", "au.lastname", "au.id"],
        "assigned_to" => &["asg.firstname", "asg.lastname", "asg.id"],
        "updated_on" => &["i.updated_on"],
        "created_on" => &["i.created_on", "i.id"],
        "start_date" => &["i.start_date"],
        "due_date" => &["i.due_date"],
        "done_ratio" => &["i.done_ratio"],
        "estimated_hours" => &["i.estimated_hours"],
        "total_estimated_hours" => &["COALESCE((SELECT SUM(x.estimated_hours) FROM issues x \
             WHERE substr(x.id_path, 1, length(i.id_path)) = i.id_path), 0)"],
        "closed_on" => &["i.closed_on"],
        "category" => &["c.name"],
        "fixed_version" => &[
            "(CASE WHEN v.effective_date IS NULL THEN 1 ELSE 0 END)",
            "v.effective_date",
            "v.name",
            "v.id",
        ],
        "parent" => &["i.id_path"],
        "is_private" => &["i.is_private"],
        _ => return None,
    })
}

/// `GET /issues`, `GET /projects/:id/issues`: visible issues, open ones by default.
pub async fn index(app: &App, ctx: &Ctx, url_project: Option<&str>) -> ApiResult {
    let c = caller(ctx);
    let project = match url_project
        .map(str::to_owned)
        .or_else(|| ctx.param_str("project_id"))
    {
        Some(pid) => {
            let p = load(app, &pid).await?;
            crate::api::access::authorize(app, ctx, &p, &["view_issues"]).await?;
            Some(p)
        }
        None => None,
    };
    let access_map = projects::access_map(&app.db, &ctx.current.user, c.logged, c.admin).await?;
    // the roles the caller holds anywhere, plus its builtin role, for the global checks;
    // the builtin role counts even where no project exists (Redmine answers an empty list)
    let builtin = match access_map.first() {
        Some(a) => a.builtin.clone(),
        None => {
            crate::store::reference::builtin_role(&app.db, if c.logged { 1 } else { 2 }).await?
        }
    };
    let anywhere: Vec<Role> = access_map
        .iter()
        .flat_map(|a| a.roles.iter().cloned())
        .chain(builtin)
        .collect();
    if project.is_none() && !access::allowed_globally(&c, &["view_issues"], &anywhere) {
        return Err(c.deny().into());
    }
    let me = me(app, ctx).await?;
    let mut cond = visible_projects(ctx, project.as_ref(), &access_map, &me);
    let has_subprojects = match &project {
        Some(p) => projects::has_children(&app.db, p.id).await?,
        None => false,
    };
    let may_set_private = access::allowed_globally(
        &c,
        &["set_issues_private", "set_own_issues_private"],
        &anywhere,
    );
    let mut defs = issue_query::available(
        project.is_some(),
        has_subprojects,
        may_set_private,
        c.logged,
    );
    let (all_fields, chained_fields) =
        crate::store::custom_values::issue_and_chained_fields(&app.db).await?;
    let (custom_defs, mut custom_filters) = cv::filters(
        app,
        &all_fields,
        &chained_fields,
        project.as_ref(),
        &access_map,
        c.admin,
    )
    .await?;
    defs.extend(custom_defs);
    let (chained_defs, chained) = cv::chained_filters(&chained_fields, &access_map, c.admin);
    defs.extend(chained_defs);
    custom_filters.extend(chained);
    let long_form = ctx.param("f").or_else(|| ctx.param("fields")).is_some();
    // a saved query replaces the request's filters (and its sort, unless one is given)
    let saved = match ctx.param_str("query_id").filter(|q| !q.trim().is_empty()) {
        Some(q) => {
            let qid: i64 = q.trim().parse().map_err(|_| not_found())?;
            let projects: Vec<i64> = access_map
                .iter()
                .filter(|a| a.allows(&c, &["view_issues"]))
                .map(|a| a.id)
                .collect();
            let found = crate::store::queries::find_visible(
                &app.db,
                qid,
                "IssueQuery",
                crate::api::access::visibility(ctx),
                &projects,
            )
            .await?;
            Some(found.ok_or_else(not_found)?)
        }
        None => None,
    };
    let parsed = match &saved {
        Some(q) => Ok(Some(issue_query::from_saved(&q.filters, &defs))),
        None => issue_query::parse(&ctx.params, &defs),
    };
    let filters = match parsed {
        Ok(Some(f)) if saved.is_some() => f,
        // the short form keeps the default "open" filter unless it names the status
        Ok(Some(mut f)) if !long_form && !f.iter().any(|x| x.name == "status_id") => {
            f.insert(0, open_filter());
            f
        }
        Ok(Some(f)) => f,
        Ok(None) => vec![open_filter()],
        Err(QueryError::UnknownOperator) => return Err(not_found()),
        Err(QueryError::Invalid(errors)) => return Err(ApiError::Validation(errors)),
    };
    let env = Env {
        visible: visible_projects(ctx, None, &access_map, &me),
        user_id: c.user_id,
        logged: c.logged,
        me,
        today: issue_query_sql::today(),
        scope: project.as_ref().map(|p| (p.id, p.id_path.clone())),
        private_notes: c.admin,
        custom: custom_filters,
        watcher_projects: (!c.admin).then(|| {
            access_map
                .iter()
                .filter(|a| a.allows(&c, &["view_issue_watchers"]))
                .map(|a| a.id)
                .collect()
        }),
    };
    let extra = issue_query_sql::sql_for(&filters, &env);
    issue_query_sql::append(&mut cond, &extra);
    let mut order = Vec::new();
    let criteria = match (&saved, ctx.param("sort")) {
        (Some(q), None) => serde_json::from_str::<Vec<(String, String)>>(&q.sort_criteria)
            .unwrap_or_default()
            .into_iter()
            .map(|(c, d)| (c, d == "desc"))
            .collect(),
        _ => ctx.sort_criteria(),
    };
    // group_by goes first, in the sort's direction for that column or the column's own
    let group = ctx
        .param_str("group_by")
        .filter(|g| saved.is_none() && (GROUPABLE.contains(&g.as_str()) || g.starts_with("cf_")));
    let grouped: Vec<(String, bool)> = group
        .iter()
        .map(|g| {
            let desc = criteria
                .iter()
                .find(|(c, _)| c == g)
                .map_or(GROUPED_DESC.contains(&g.as_str()), |(_, d)| *d);
            (g.clone(), desc)
        })
        .collect();
    let columns = grouped.into_iter().chain(criteria);
    for (col, desc) in columns {
        // the private flag is a column only for those who may set it
        if col == "is_private" && !may_set_private {
            continue;
        }
        let exprs = match cv::sort_expr(&all_fields, &col, c.admin, &access_map) {
            Some(e) => vec![e],
            None => match sort_column(&col) {
                Some(e) => e.iter().map(|x| (*x).to_owned()).collect(),
                None => continue,
            },
        };
        for expr in exprs {
            order.push(crate::store::sql::order_term(&expr, desc));
        }
    }
    order.push("i.id DESC".into());
    let (offset, limit) = ctx.offset_and_limit();
    let (total, issues) = store::list(&app.db, &cond, &order.join(", "), offset, limit).await?;
    let values = if all_fields.fields.is_empty() {
        cv::Values::new()
    } else {
        let ids: Vec<i64> = issues.iter().map(|i| i.id).collect();
        crate::store::custom_values::values_of(&app.db, "Issue", &ids).await?
    };
    let relations = if ctx.includes("relations") {
        let ids: Vec<i64> = issues.iter().map(|i| i.id).collect();
        crate::store::relations::visible_of_issues(&app.db, &ids, &env.visible).await?
    } else {
        Vec::new()
    };
    let parents: Vec<i64> = issues.iter().filter_map(|i| i.parent_id).collect();
    let visible_parents =
        crate::store::references::visible_among(&app.db, &env.visible, &parents).await?;
    // totals count only the subtasks the caller sees
    let with_children: Vec<i64> = issues
        .iter()
        .filter(|i| i.has_children)
        .map(|i| i.id)
        .collect();
    let totals = if c.admin {
        Vec::new()
    } else {
        crate::store::references::visible_totals(&app.db, &env.visible, &with_children).await?
    };
    let mut items = Vec::with_capacity(issues.len());
    for i in &issues {
        let mut i = i.clone();
        i.parent_id = i.parent_id.filter(|p| visible_parents.contains(p));
        if let Some((_, total)) = totals.iter().find(|(id, _)| *id == i.id) {
            i.total_estimated = *total;
        }
        let i = &i;
        // spent time shows where the caller may view time entries (no query per issue)
        let spent = projects::allowed_in(&access_map, &c, i.project_id, &["view_time_entries"]);
        let rids: Vec<i64> = access_map
            .iter()
            .find(|a| a.id == i.project_id)
            .map(|a| a.roles.iter().map(|r| r.id).collect())
            .unwrap_or_default();
        let fields = cv::visible_on_issue(&all_fields, i.project_id, i.tracker_id, c.admin, &rids);
        let mut o = render(i, spent, cv::nodes(&fields, &values, i.id));
        // no attachment can exist yet: this list is truthfully empty
        if ctx.includes("attachments") {
            o.array("attachments", Vec::new());
        }
        if ctx.includes("relations") {
            let mine = crate::store::relations::sorted_for(&relations, i.id);
            o.array(
                "relations",
                mine.iter().map(crate::api::relations::attrs_node).collect(),
            );
        }
        items.push(object_item("issue", o));
    }
    Ok(Reply::ok(list(
        "issues",
        page_meta(total, offset, limit, ctx.nometa()),
        items,
    )))
}

/// `PUT /journals/:id`: edit the notes of a visible journal; 204, or 404/403.
pub async fn edit_journal(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let c = caller(ctx);
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let (issue_id, author, private, details) = store::journal_facts(&app.db, id)
        .await?
        .ok_or_else(not_found)?;
    // an invisible journal is unknown
    let issue = store::find(&app.db, issue_id)
        .await?
        .ok_or_else(not_found)?;
    let p = projects::find_by_id(&app.db, issue.project_id)
        .await?
        .ok_or_else(not_found)?;
    let roles = roles(app, ctx, &p).await?;
    let me = me(app, ctx).await?;
    if !visible(ctx, &p, &roles, &issue, &me) {
        return Err(not_found());
    }
    if private
        && !(c.logged && author == c.user_id)
        && !allowed(app, ctx, &p, &["view_private_notes"]).await?
    {
        return Err(not_found());
    }
    crate::api::access::authorize(app, ctx, &p, &["edit_issue_notes", "edit_own_issue_notes"])
        .await?;
    let editable = c.logged
        && (allowed(app, ctx, &p, &["edit_issue_notes"]).await?
            || (author == c.user_id && allowed(app, ctx, &p, &["edit_own_issue_notes"]).await?));
    if !editable {
        return Err(ApiError::Status(axum::http::StatusCode::FORBIDDEN));
    }
    let body = ctx.param("journal").cloned().unwrap_or(Value::Null);
    let notes = body
        .get("notes")
        .map(|v| rules::crlf(&text(v).unwrap_or_default()));
    let private_notes = match body.get("private_notes").and_then(cast_bool) {
        Some(flag) if allowed(app, ctx, &p, &["set_notes_private"]).await? => Some(flag),
        _ => None,
    };
    store::edit_journal(&app.db, id, notes, private_notes, c.user_id, details).await?;
    Ok(Reply::NoContent)
}

/// The issue for a watcher action: an unknown or invisible issue is refused like a
/// missing permission (Redmine checks against an empty set of projects).
async fn watched_issue(app: &App, ctx: &Ctx, id: &str, perms: &[&str]) -> Result<Issue, ApiError> {
    let c = caller(ctx);
    let found = match id.parse::<i64>() {
        Ok(id) => store::find(&app.db, id).await?,
        Err(_) => None,
    };
    let Some(issue) = found else {
        return Err(c.deny().into());
    };
    let Some((p, _)) = access_to(app, ctx, &issue).await? else {
        return Err(c.deny().into());
    };
    crate::api::access::authorize(app, ctx, &p, perms).await?;
    Ok(issue)
}

/// `POST /issues/:id/watchers`: `user_id` (or `watcher[user_id]`, `watcher[user_ids][]`);
/// unknown, inactive and repeated principals are skipped; always 204.
pub async fn add_watchers(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let issue = watched_issue(
        app,
        ctx,
        id,
        &[
            "add_issue_watchers",
            "add_wiki_page_watchers",
            "add_message_watchers",
        ],
    )
    .await?;
    let mut ids = ctx
        .param("user_id")
        .map(crate::domain::projects::id_list)
        .unwrap_or_default();
    if let Some(w) = ctx.param("watcher") {
        ids.extend(
            w.get("user_id")
                .map(crate::domain::projects::id_list)
                .unwrap_or_default(),
        );
        ids.extend(
            w.get("user_ids")
                .map(crate::domain::projects::id_list)
                .unwrap_or_default(),
        );
    }
    // Redmine loads the principals by id, so they are added in id order
    ids.sort_unstable();
    ids.dedup();
    crate::store::watchers::add(&app.db, "Issue", issue.id, &ids).await?;
    Ok(Reply::NoContent)
}

/// `DELETE /issues/:id/watchers/:user_id`: 404 for an unknown principal; 204.
pub async fn remove_watcher(app: &App, ctx: &Ctx, id: &str, user: &str) -> ApiResult {
    let issue = watched_issue(
        app,
        ctx,
        id,
        &[
            "delete_issue_watchers",
            "delete_wiki_page_watchers",
            "delete_message_watchers",
        ],
    )
    .await?;
    let uid: i64 = user.parse().map_err(|_| not_found())?;
    if !crate::store::watchers::principal_exists(&app.db, uid).await? {
        return Err(not_found());
    }
    crate::store::watchers::remove(&app.db, "Issue", issue.id, uid).await?;
    Ok(Reply::NoContent)
}
