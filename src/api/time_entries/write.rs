//! Logging time (`POST`), changing (`PUT`/`PATCH`) and deleting entries.

use serde_json::Value;

use super::*;
use crate::api::custom_values as cv;
use crate::domain::time_entries::{Candidate, Hours, SpentOn};
use crate::domain::values::{ruby_to_i, text};
use crate::store::issues::Issue;
use crate::store::projects::Project;

/// What the URL names for a new entry.
pub enum Target<'a> {
    None,
    Project(&'a str),
    Issue(&'a str),
}

/// An entry's attributes while a request is applied to them.
#[derive(Debug, Clone)]
struct Draft {
    project: Option<Project>,
    /// `project_id` was given but names no project.
    project_unknown: bool,
    issue_id: Option<i64>,
    issue: Option<Issue>,
    user_id: Option<i64>,
    activity_id: Option<i64>,
    hours: Hours,
    comments: Option<String>,
    spent_on: SpentOn,
}

/// An id as Rails casts it: blank is none, text is Ruby's `to_i`.
fn id_of(v: &Value) -> Option<i64> {
    text(v)
        .filter(|t| !t.trim().is_empty())
        .map(|t| ruby_to_i(&t))
}

/// Applies the request's attributes to the draft (Redmine's `safe_attributes=`); returns
/// whether the issue the entry names is unusable by the caller.
async fn assign(
    app: &App,
    ctx: &Ctx,
    d: &mut Draft,
    body: &Value,
    new_record: bool,
) -> Result<bool, ApiError> {
    let old_issue = d.issue_id;
    if let Some(v) = body.get("project_id") {
        d.project = None;
        d.project_unknown = false;
        if let Some(id) = id_of(v) {
            d.project = projects::find_by_id(&app.db, id).await?;
            d.project_unknown = d.project.is_none();
        }
    }
    if let Some(v) = body.get("issue_id") {
        d.issue_id = id_of(v);
        d.issue = match d.issue_id {
            Some(id) => crate::store::issues::find(&app.db, id).await?,
            None => None,
        };
    }
    if let Some(v) = body.get("user_id") {
        d.user_id = id_of(v);
    }
    if let Some(v) = body.get("activity_id") {
        d.activity_id = id_of(v);
    }
    if let Some(v) = body.get("hours") {
        d.hours = Hours::read(v);
    }
    if let Some(v) = body.get("comments") {
        d.comments = text(v);
    }
    if let Some(v) = body.get("spent_on") {
        d.spent_on = SpentOn::read(v);
    }
    let mut issue_unusable = false;
    if new_record || d.issue_id != old_issue {
        if let Some(issue) = d.issue.clone() {
            let issue_project = projects::find_by_id(&app.db, issue.project_id).await?;
            let usable = match &issue_project {
                Some(ip) => {
                    crate::api::access::sees(app, ctx, &issue).await?
                        && allowed(app, ctx, ip, &["log_time"]).await?
                }
                None => false,
            };
            if usable {
                let project_given = body
                    .get("project_id")
                    .and_then(text)
                    .is_some_and(|t| !t.trim().is_empty());
                if !project_given && d.project.as_ref().map(|p| p.id) != Some(issue.project_id) {
                    d.project = issue_project;
                    d.project_unknown = false;
                }
            } else {
                issue_unusable = true;
            }
        }
    }
    // an entry without a project takes its issue's
    if d.project.is_none() && !d.project_unknown {
        if let Some(issue) = &d.issue {
            d.project = projects::find_by_id(&app.db, issue.project_id).await?;
        }
    }
    Ok(issue_unusable)
}

/// The rules that need the database, then Redmine's messages.
#[allow(clippy::too_many_arguments)]
async fn check(
    app: &App,
    ctx: &Ctx,
    d: &Draft,
    before: Option<&TimeEntry>,
    author: i64,
    issue_unusable: bool,
    custom_errors: Vec<String>,
) -> Result<Vec<String>, ApiError> {
    let c = caller(ctx);
    let settings = &app.settings.timelog;
    let hours_changed = match (before, d.hours) {
        (Some(e), Hours::Value(h)) => h != e.hours,
        (None, Hours::Value(_)) => true,
        _ => false,
    };
    let spent_changed = before.is_none_or(|e| d.spent_on.date() != Some(e.spent_on.as_str()));
    let user_changed = before.map_or(d.user_id.is_some(), |e| d.user_id != Some(e.user_id));
    let activity_changed = before.map_or(d.activity_id.is_some(), |e| {
        d.activity_id != Some(e.activity_id)
    });
    let mut cand = Candidate {
        user_blank: d.user_id.is_none(),
        activity_blank: d.activity_id.is_none(),
        project_blank: d.project.is_none() && !d.project_unknown,
        hours: Some(d.hours),
        spent_on: Some(d.spent_on.clone()),
        issue_blank: d.issue_id.is_none(),
        comments: d.comments.clone(),
        hours_changed,
        project_missing: d.project.is_none(),
        issue_invalid: issue_unusable
            || (d.issue_id.is_some() && d.issue.is_none())
            || matches!((&d.issue, &d.project), (Some(i), Some(p)) if i.project_id != p.id),
        ..Default::default()
    };
    if let (Hours::Value(h), Some(user), Some(day)) = (d.hours, d.user_id, d.spent_on.date()) {
        if hours_changed && settings.max_hours_per_day > 0.0 && h >= 0.0 {
            let except = before.map_or(0, |e| e.id);
            cand.logged_that_day = store::other_hours(&app.db, user, day, except).await?;
        }
    }
    if let (Some(user), Some(p)) = (d.user_id, &d.project) {
        if user_changed && user != author {
            let may = allowed(app, ctx, p, &["log_time_for_other_users"]).await?;
            cand.user_invalid = !may || !may_log_time(app, p, user, &c).await?;
        }
    }
    if let (true, Some(p), Some(a)) = (activity_changed, &d.project, d.activity_id) {
        let offered = projects::activities(&app.db, p.id).await?;
        cand.activity_not_included = !offered.iter().any(|x| x.id == a);
    }
    if spent_changed {
        let today = crate::store::issue_query::iso(crate::store::issue_query::today());
        cand.future = d.spent_on.date().is_some_and(|s| s > today.as_str());
    }
    let mut errors = custom_errors;
    errors.extend(rules::validate(&cand, settings));
    Ok(errors)
}

/// Whether time may be logged for `user` in the project: an active member whose roles
/// allow `log_time`, or the caller itself.
async fn may_log_time(
    app: &App,
    p: &Project,
    user: i64,
    c: &crate::domain::Caller,
) -> Result<bool, ApiError> {
    if c.logged && user == c.user_id {
        return Ok(true);
    }
    let state = p.state();
    if !access::project_allows(&state, &["log_time"]) {
        return Ok(false);
    }
    let members = store::active_members(&app.db, p.id).await?;
    Ok(members.iter().any(|(id, admin, perms)| {
        *id == user && (*admin || perms.lines().any(|l| l.trim() == "log_time"))
    }))
}

/// The custom values a write takes: only fields the caller sees in the entry's project.
async fn custom_values(
    app: &App,
    ctx: &Ctx,
    d: &Draft,
    body: &Value,
    current: Option<i64>,
) -> Result<cv::Outcome, ApiError> {
    let fields = crate::store::custom_values::fields_of(&app.db, "TimeEntryCustomField").await?;
    if fields.fields.is_empty() {
        return Ok(cv::Outcome::default());
    }
    let admin = caller(ctx).admin;
    let rids: Vec<i64> = match (&d.project, admin) {
        (Some(p), false) => crate::api::access::roles(app, ctx, p)
            .await?
            .iter()
            .map(|r| r.id)
            .collect(),
        _ => Vec::new(),
    };
    cv::object_apply(app, &fields, body, "TimeEntry", current, |f| {
        cv::visible(&fields, f, admin, &rids)
    })
    .await
}

fn values(d: &Draft) -> Option<store::Values> {
    Some(store::Values {
        project_id: d.project.as_ref()?.id,
        issue_id: d.issue_id,
        user_id: d.user_id?,
        activity_id: d.activity_id?,
        hours: match d.hours {
            Hours::Value(h) => h,
            _ => return None,
        },
        comments: d.comments.clone(),
        spent_on: d.spent_on.date()?.to_owned(),
    })
}

/// `POST /time_entries`, `/projects/:id/time_entries`, `/issues/:id/time_entries`: 201.
pub async fn create(app: &App, ctx: &Ctx, target: Target<'_>) -> ApiResult {
    let c = caller(ctx);
    let (project, issue) = match target {
        Target::Issue(id) => {
            let id: i64 = id.parse().map_err(|_| not_found())?;
            // an unknown issue is Rails' own 404 (Redmine does not rescue it)
            let issue = crate::store::issues::find(&app.db, id)
                .await?
                .ok_or(ApiError::Framework(axum::http::StatusCode::NOT_FOUND))?;
            let p = projects::find_by_id(&app.db, issue.project_id)
                .await?
                .ok_or_else(not_found)?;
            authorize(app, ctx, &p, ctx.required).await?;
            (Some(p), Some(issue))
        }
        Target::Project(pid) => {
            let p = crate::api::access::query_project(app, ctx, Some(pid), ctx.required).await?;
            (p, None)
        }
        Target::None => {
            let p = crate::api::access::query_project(app, ctx, None, ctx.required).await?;
            if p.is_none() {
                let anywhere =
                    projects::roles_anywhere(&app.db, &ctx.current.user, c.logged).await?;
                if !c.admin && !access::allowed_globally(&c, ctx.required, &anywhere) {
                    return Err(c.deny().into());
                }
            }
            (p, None)
        }
    };
    let activity = default_activity(app, project.as_ref()).await?;
    let today = crate::store::issue_query::today();
    let mut d = Draft {
        project,
        project_unknown: false,
        issue_id: issue.as_ref().map(|i| i.id),
        issue,
        user_id: Some(c.user_id),
        activity_id: activity,
        hours: Hours::Blank,
        comments: None,
        spent_on: SpentOn::Date(crate::store::issue_query::iso(today)),
    };
    let body = ctx
        .param("time_entry")
        .filter(|b| b.is_object())
        .cloned()
        .unwrap_or(Value::Null);
    let issue_unusable = assign(app, ctx, &mut d, &body, true).await?;
    if let Some(p) = &d.project {
        authorize(app, ctx, p, &["log_time"]).await?;
    }
    let custom = custom_values(app, ctx, &d, &body, None).await?;
    let errors = check(app, ctx, &d, None, c.user_id, issue_unusable, custom.errors).await?;
    let Some(v) = values(&d).filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let id = store::create(&app.db, &v, c.user_id, &custom.values).await?;
    let e = store::find(&app.db, id).await?.ok_or(ApiError::Internal)?;
    Ok(Reply::Created(
        document("time_entry", rendered(app, ctx, &[e]).await?.remove(0)),
        ctx.location(&format!("/time_entries/{id}")),
    ))
}

/// An entry to log with an issue update, with its custom values; `Err`: it is invalid.
pub(crate) type Logged = Result<(store::Values, Vec<(i64, Vec<String>)>), ()>;

/// Time logged with an issue update (`time_entry` beside `issue` in `PUT /issues/:id`):
/// `None` when nothing is to be logged (no hours nor comments, or no `log_time`), else the
/// entry to create or whether it is invalid.
pub(crate) async fn with_issue_update(
    app: &App,
    ctx: &Ctx,
    issue: &Issue,
    p: &Project,
) -> Result<Option<Logged>, ApiError> {
    let Some(body) = ctx.param("time_entry").filter(|b| b.is_object()) else {
        return Ok(None);
    };
    let given = |k: &str| {
        body.get(k)
            .and_then(text)
            .is_some_and(|t| !t.trim().is_empty())
    };
    if !(given("hours") || given("comments")) || !allowed(app, ctx, p, &["log_time"]).await? {
        return Ok(None);
    }
    let c = caller(ctx);
    let today = crate::store::issue_query::today();
    // the issue as it will be: in the project it may be moving to
    let mut issue = issue.clone();
    issue.project_id = p.id;
    let mut d = Draft {
        project: Some(p.clone()),
        project_unknown: false,
        issue_id: Some(issue.id),
        issue: Some(issue),
        user_id: Some(c.user_id),
        activity_id: default_activity(app, Some(p)).await?,
        hours: Hours::Blank,
        comments: None,
        spent_on: SpentOn::Date(crate::store::issue_query::iso(today)),
    };
    let unusable = assign(app, ctx, &mut d, body, true).await?;
    let custom = custom_values(app, ctx, &d, body, None).await?;
    let errors = check(app, ctx, &d, None, c.user_id, unusable, custom.errors).await?;
    let Some(entry) = values(&d).filter(|_| errors.is_empty()) else {
        return Ok(Some(Err(())));
    };
    Ok(Some(Ok((entry, custom.values))))
}

/// The default activity: the shared default, or the project's own override of it.
async fn default_activity(app: &App, project: Option<&Project>) -> Result<Option<i64>, ApiError> {
    let mut activity = store::default_activity(&app.db).await?;
    if let (Some(default), Some(p)) = (activity, project) {
        let offered = projects::activities(&app.db, p.id).await?;
        if let Some(child) = offered.iter().find(|a| a.parent_id == Some(default)) {
            activity = Some(child.id);
        }
    }
    Ok(activity)
}

/// `PUT /time_entries/:id`: 204; the entry must be editable by the caller.
pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (e, p) = load_entry(app, id).await?;
    if !editable(app, ctx, &e, &p).await? {
        return Err(caller(ctx).deny().into());
    }
    let Some(body) = ctx.param("time_entry").filter(|b| b.is_object()) else {
        return Ok(Reply::NoContent);
    };
    let issue = match e.issue_id {
        Some(i) => crate::store::issues::find(&app.db, i).await?,
        None => None,
    };
    let mut d = Draft {
        project: Some(p.clone()),
        project_unknown: false,
        issue_id: e.issue_id,
        issue,
        user_id: Some(e.user_id),
        activity_id: Some(e.activity_id),
        hours: Hours::Value(e.hours),
        comments: e.comments.clone(),
        spent_on: SpentOn::Date(e.spent_on.clone()),
    };
    let issue_unusable = assign(app, ctx, &mut d, body, false).await?;
    // moving an entry needs the right to log time where it goes (Redmine 5.0.4 lets it
    // move anywhere)
    if let Some(np) = d.project.as_ref().filter(|np| np.id != p.id) {
        authorize(app, ctx, np, &["log_time"]).await?;
    }
    let custom = custom_values(app, ctx, &d, body, Some(e.id)).await?;
    let author = e.author_id;
    let errors = check(
        app,
        ctx,
        &d,
        Some(&e),
        author,
        issue_unusable,
        custom.errors,
    )
    .await?;
    let Some(v) = values(&d).filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    store::update(&app.db, e.id, &v, &custom.values).await?;
    cv::remove_files(app, &custom.replaced).await;
    Ok(Reply::NoContent)
}

/// `DELETE /time_entries/:id`: 204.
pub async fn destroy(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (e, p) = load_entry(app, id).await?;
    if !editable(app, ctx, &e, &p).await? {
        return Err(caller(ctx).deny().into());
    }
    let files = store::delete(&app.db, &[e.id]).await?;
    cv::remove_files(app, &files).await;
    Ok(Reply::NoContent)
}

/// `DELETE /time_entries/destroy?ids[]=…`: every entry found must be editable; 404 when
/// none is found.
pub async fn destroy_many(app: &App, ctx: &Ctx) -> ApiResult {
    let raw = ctx.param("ids").or_else(|| ctx.param("id"));
    let ids = raw
        .map(crate::domain::projects::id_list)
        .unwrap_or_default();
    let entries = if ids.is_empty() {
        Vec::new()
    } else {
        store::find_many(&app.db, &ids).await?
    };
    if entries.is_empty() {
        return Err(not_found());
    }
    for e in &entries {
        let p = projects::find_by_id(&app.db, e.project_id)
            .await?
            .ok_or_else(not_found)?;
        if !editable(app, ctx, e, &p).await? {
            return Err(caller(ctx).deny().into());
        }
    }
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let files = store::delete(&app.db, &ids).await?;
    cv::remove_files(app, &files).await;
    Ok(Reply::NoContent)
}
