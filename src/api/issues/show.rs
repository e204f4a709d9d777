//! `GET /issues/:id` with its includes.

use super::*;

/// `GET /issues/:id`: the answer kept from an earlier request of the same caller, when
/// nothing it shows has changed since (see `http::replies`), or a new one.
pub async fn show(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (Some(key), Some(format), Ok(issue_id)) = (kept_key(ctx, id), ctx.format, id.parse())
    else {
        return Ok(Reply::ok(answer(app, ctx, id).await?.0));
    };
    let (at, quiet) = crate::store::cache::version_seen();
    if let (Some(at), true) = (at, quiet) {
        if let Some(body) = app.replies.get_quiet(&key, at) {
            return Ok(Reply::Written(body));
        }
    }
    let [own, seen] = match crate::store::cache::stamps_observed(issue_id) {
        Some(stamps) => stamps,
        None => crate::store::issues::stamps(&app.db, issue_id).await?,
    };
    let under = [app.db.cache.generation(&app.db).await?, own, seen];
    if let Some(body) = app.replies.get(&key, &under, at) {
        return Ok(Reply::Written(body));
    }
    let (node, keep) = answer(app, ctx, id).await?;
    if !keep {
        return Ok(Reply::ok(node));
    }
    let body = axum::body::Bytes::from(crate::http::write_document(format, &node));
    app.replies.put(key, under, body.clone(), at);
    Ok(Reply::Written(body))
}

/// What a kept answer is kept under: the issue, the caller, the format, the includes and
/// the host (attachment URLs name it). Not kept: answers to an OAuth token (its scopes
/// narrow them) and those with `allowed_statuses` (which other issues' states decide).
fn kept_key(ctx: &Ctx, id: &str) -> Option<String> {
    if ctx.current.oauth.is_some() || ctx.includes("allowed_statuses") {
        return None;
    }
    let includes: String = [
        "journals",
        "children",
        "attachments",
        "relations",
        "changesets",
        "watchers",
    ]
    .iter()
    .map(|i| if ctx.includes(i) { '1' } else { '0' })
    .collect();
    Some(format!(
        "{id} {} {} {:?} {includes} {}",
        ctx.current.user.id, ctx.current.logged, ctx.format?, ctx.base_url
    ))
}

/// The issue's document with `include=journals,allowed_statuses` (others follow their
/// issues), and whether it may be kept: not when the issue has subtasks, whose changes
/// its totals and children follow.
async fn answer(app: &App, ctx: &Ctx, id: &str) -> Result<(Node, bool), ApiError> {
    let (issue, p, roles) = load_issue(app, ctx, id).await?;
    let spent = if allowed(app, ctx, &p, &["view_time_entries"]).await? {
        let visible = crate::api::access::visible_time_entries(app, ctx)
            .await?
            .condition();
        let sums =
            crate::store::time_entries::spent_on_issues(&app.db, &[issue.id], &visible).await?;
        Some(sums.first().map_or((0.0, 0.0), |(_, s, t)| (*s, *t)))
    } else {
        None
    };
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
        Some(crate::store::journals::journals(&app.db, issue.id).await?)
    } else {
        None
    };
    // the references of the answer: what the caller does not see is left out
    // (the caller's scope costs a few statements: it is loaded only when something
    // the answer names may be hidden)
    let names_objects = journals.as_ref().is_some_and(|js| {
        js.iter()
            .flat_map(|j| j.details.iter())
            .any(crate::api::references::names_object)
    });
    let needs_scope = issue.parent_id.is_some()
        || names_objects
        || ctx.includes("children")
        || (issue.has_children && !caller(ctx).admin);
    let scope = match needs_scope {
        true => Some(Scope::load(app, ctx).await?),
        false => None,
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
        let files = crate::store::attachments::of(&app.db, "Issue", &[issue.id]).await?;
        let items = files
            .iter()
            .map(|a| {
                crate::render::object_item("attachment", crate::api::attachments::render(ctx, a))
            })
            .collect();
        o.array("attachments", items);
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
    if let Some(journals) = journals {
        let may_private = allowed(app, ctx, &p, &["view_private_notes"]).await?;
        // a detail naming an issue, project, version or category the caller cannot see
        // is not shown in the history either
        let seen = match &scope {
            Some(scope) if names_objects => {
                let details = journals.iter().flat_map(|j| j.details.iter());
                Seen::of_details(app, scope, details).await?
            }
            _ => Seen::default(),
        };
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
    Ok((document("issue", o), !issue.has_children))
}

/// The subtask tree under an issue, `{id, tracker, subject, children?}` in tree order,
/// from its visible descendants.
pub(crate) fn children_tree(of: i64, all: &[crate::store::references::Child]) -> Vec<Node> {
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
