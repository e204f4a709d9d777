//! `/issues/:id/relations` and `/relations/:id` (issues.md §8).

use serde_json::Value;

use crate::api::access::{allowed, authorize};
use crate::api::access::{sees, visible_ids};
use crate::api::caller;
use crate::api::issues::{default_priority, watch_contributions};
use crate::domain::relations::{Delay, Facts};
use crate::http::{not_found, scalar_text, ApiError, ApiResult, Ctx, Reply};
use crate::render::{attrs_item, document, list, object_item, Node, Obj, Value as V};
use crate::state::App;
use crate::store::issues::{self as issues_store, Issue};
use crate::store::projects;
use crate::store::relations::{self as store, Relation};

fn fields(r: &Relation) -> Vec<(&'static str, V)> {
    vec![
        ("id", r.id.into()),
        ("issue_id", r.issue_from_id.into()),
        ("issue_to_id", r.issue_to_id.into()),
        ("relation_type", r.relation_type.clone().into()),
        ("delay", r.delay.map_or(V::Null, V::from)),
    ]
}

/// A relation as the relation endpoints render it: child elements.
fn object(r: &Relation) -> Obj {
    let mut o = Obj::new();
    for (name, v) in fields(r) {
        o.val(name, v);
    }
    o
}

/// A relation inside an issue: attributes only.
pub fn attrs_node(r: &Relation) -> Node {
    attrs_item("relation", fields(r))
}

/// The relations of `issue` whose other issue is in `visible`, in Redmine's order.
pub fn visible_of(all: &[Relation], issue: i64, visible: &[i64]) -> Vec<Relation> {
    store::sorted_for(all, issue)
        .into_iter()
        .filter(|r| visible.contains(&r.other(issue)))
        .collect()
}

/// The issue of `/issues/:id/relations`: 404 when unknown; `manage_issue_relations` in
/// its project, and (unlike Redmine 5.0.4, which skips it) the issue must be visible.
async fn managed_issue(app: &App, ctx: &Ctx, id: &str) -> Result<Issue, ApiError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let issue = issues_store::find(&app.db, id)
        .await?
        .ok_or_else(not_found)?;
    let p = projects::find_by_id(&app.db, issue.project_id)
        .await?
        .ok_or_else(not_found)?;
    authorize(app, ctx, &p, ctx.required).await?;
    if !sees(app, ctx, &issue).await? {
        return Err(caller(ctx).deny().into());
    }
    Ok(issue)
}

/// `GET /issues/:id/relations`: only relations whose other issue the caller sees (Redmine
/// 5.0.4 also lists the others; see the README's compatibility notes).
pub async fn index(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let issue = managed_issue(app, ctx, id).await?;
    let all = store::of_issues(&app.db, &[issue.id]).await?;
    let others: Vec<i64> = all.iter().map(|r| r.other(issue.id)).collect();
    let visible = visible_ids(app, ctx, &others).await?;
    let items = visible_of(&all, issue.id, &visible)
        .iter()
        .map(|r| object_item("relation", object(r)))
        .collect();
    Ok(Reply::ok(list("relations", Vec::new(), items)))
}

/// The targets of a new relation: a comma-separated string, a number or an array; a
/// missing or blank value is one blank target, so that it fails validation.
fn targets(v: Option<&Value>) -> Vec<String> {
    let out: Vec<String> = match v {
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| scalar_text(i).unwrap_or_default())
            .collect(),
        Some(Value::String(s)) => s
            .split(',')
            .filter(|t| !t.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        Some(other) => scalar_text(other).into_iter().collect(),
        None => Vec::new(),
    };
    if out.is_empty() {
        vec![String::new()]
    } else {
        out
    }
}

/// `POST /issues/:id/relations`: one relation per target; the answer is the last one's.
pub async fn create(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let since = crate::store::now();
    let issue = managed_issue(app, ctx, id).await?;
    let c = caller(ctx);
    let body = ctx.param("relation").cloned().unwrap_or(Value::Null);
    let relation_type = match body.get("relation_type") {
        None => Some("relates".to_owned()),
        Some(v) => scalar_text(v).filter(|t| !t.trim().is_empty()),
    };
    let delay = Delay::read(body.get("delay"));
    let priority = default_priority(app).await?;
    let settings = &app.settings;
    let mut last = Err(ApiError::Validation(Vec::new()));
    for raw in targets(body.get("issue_to_id")) {
        // an id, optionally written `#id`
        let t = raw.trim();
        let digits = t.strip_prefix('#').unwrap_or(t);
        let wanted = digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse::<i64>().ok())
            .flatten();
        let target = match wanted {
            Some(to) => match issues_store::find(&app.db, to).await? {
                Some(t) if sees(app, ctx, &t).await? => Some(t),
                _ => None,
            },
            None => None,
        };
        let facts = Facts {
            target: target.as_ref().map(|t| t.id),
            relation_type: relation_type.clone(),
            delay: Some(delay),
            same_project: target
                .as_ref()
                .is_some_and(|t| t.project_id == issue.project_id),
            cross_project_allowed: settings.cross_project_issue_relations,
            in_same_subtree: target.as_ref().is_some_and(|t| {
                t.id != issue.id
                    && (t.id_path.starts_with(&issue.id_path)
                        || issue.id_path.starts_with(&t.id_path))
            }),
            ..Default::default()
        };
        last = match store::create(
            &app.db,
            issue.id,
            facts,
            c.user_id,
            &settings.calendar,
            priority,
        )
        .await?
        {
            Ok(r) => Ok(r),
            Err(errors) => Err(ApiError::Validation(errors)),
        };
    }
    watch_contributions(app, ctx, since).await?;
    let r = last?;
    Ok(Reply::Created(
        document("relation", object(&r)),
        ctx.location(&format!("/relations/{}", r.id)),
    ))
}

/// The relation of `/relations/:id`: 404 when unknown; both issues must be visible.
async fn visible_relation(
    app: &App,
    ctx: &Ctx,
    id: &str,
) -> Result<(Relation, Vec<Issue>), ApiError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let r = store::find(&app.db, id).await?.ok_or_else(not_found)?;
    let mut ends = Vec::with_capacity(2);
    for i in [r.issue_from_id, r.issue_to_id] {
        let issue = issues_store::find(&app.db, i)
            .await?
            .ok_or_else(not_found)?;
        if !sees(app, ctx, &issue).await? {
            return Err(caller(ctx).deny().into());
        }
        ends.push(issue);
    }
    Ok((r, ends))
}

/// `GET /relations/:id`.
pub async fn show(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (r, _) = visible_relation(app, ctx, id).await?;
    Ok(Reply::ok(document("relation", object(&r))))
}

/// `DELETE /relations/:id`: `manage_issue_relations` in the project of either issue.
pub async fn destroy(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let since = crate::store::now();
    let (r, ends) = visible_relation(app, ctx, id).await?;
    let mut may = false;
    for issue in &ends {
        if let Some(p) = projects::find_by_id(&app.db, issue.project_id).await? {
            may = may || allowed(app, ctx, &p, &["manage_issue_relations"]).await?;
        }
    }
    if !may {
        return Err(caller(ctx).deny().into());
    }
    store::delete(&app.db, &r, caller(ctx).user_id).await?;
    watch_contributions(app, ctx, since).await?;
    Ok(Reply::NoContent)
}

/// `include=relations` of an issue: the visible ones, or nothing when there is none (show).
pub async fn of_issue(app: &App, ctx: &Ctx, issue: i64) -> Result<Vec<Node>, ApiError> {
    let all = store::of_issues(&app.db, &[issue]).await?;
    if all.is_empty() {
        return Ok(Vec::new());
    }
    let others: Vec<i64> = all.iter().map(|r| r.other(issue)).collect();
    let visible = visible_ids(app, ctx, &others).await?;
    Ok(visible_of(&all, issue, &visible)
        .iter()
        .map(attrs_node)
        .collect())
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(
            &["GET"],
            "/issues/{id}/relations",
            // Redmine's permission map puts the list under manage_issue_relations
            Permission(&["manage_issue_relations"]),
            |a, c, p| Box::pin(index(a, c, &p[0])),
        ),
        route(
            &["POST"],
            "/issues/{id}/relations",
            Permission(&["manage_issue_relations"]),
            |a, c, p| Box::pin(create(a, c, &p[0])),
        ),
        route(
            &["GET"],
            "/relations/{id}",
            Permission(&["view_issues"]),
            |a, c, p| Box::pin(show(a, c, &p[0])),
        ),
        route(
            &["DELETE"],
            "/relations/{id}",
            Permission(&["manage_issue_relations"]),
            |a, c, p| Box::pin(destroy(a, c, &p[0])),
        ),
    ]
}
