//! `copy_from`: the source of a copy, its body, its link and its copied subtasks.

use super::*;

/// `POST /issues`, `POST /projects/:id/issues`: 201 with the issue.
/// The source of `copy_from`: visible (else 404) and `copy_issues` in its project.
pub(crate) async fn copy_source(app: &App, ctx: &Ctx) -> Result<Option<Issue>, ApiError> {
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
pub(crate) async fn link_copy(app: &App, ctx: &Ctx, from: i64, to: i64) -> Result<(), ApiError> {
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

/// What a copied subtask brings along: its watchers, a link to its source, its files.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Along {
    pub watchers: bool,
    pub link: bool,
    pub attachments: bool,
}

/// Copies the visible subtasks of `src` under its copy `copy`, in tree order, each linked
/// to its source right after it is created when `link`.
pub(crate) async fn copy_subtasks(
    app: &App,
    ctx: &Ctx,
    src: &Issue,
    copy: i64,
    p: &Project,
    with: Along,
) -> Result<(), ApiError> {
    let mut copied = vec![(src.id, copy)];
    let below: Vec<i64> = crate::store::references::descendants(&app.db, src.id, &src.id_path)
        .await?
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    let trackers = reference::trackers(&app.db).await?;
    let open_versions: Vec<i64> = versions::shared_with(&app.db, p)
        .await?
        .iter()
        .filter(|v| v.status == "open")
        .map(|v| v.id)
        .collect();
    let priority = default_priority(app).await?;
    let user = caller(ctx).user_id;
    for id in below {
        let Some(child) = store::find(&app.db, id).await? else {
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
            let active = crate::store::users::principal_kind(&app.db, *a)
                .await?
                .is_some_and(|(_, status)| status == 1);
            if active {
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
        if with.watchers {
            let watchers =
                crate::store::watchers::active_users_of(&app.db, "Issue", child.id).await?;
            crate::store::watchers::add(&app.db, "Issue", new_id, &watchers).await?;
        }
        if with.link {
            link_copy(app, ctx, child.id, new_id).await?;
        }
        copied.push((child.id, new_id));
        if with.attachments {
            crate::store::attachments::copy_all(&app.db, ("Issue", child.id), ("Issue", new_id))
                .await?;
        }
    }
    Ok(())
}

/// The request body of a copy: the source's attributes, custom values and watchers under
/// what the client sent (status and timestamps are not copied).
pub(crate) fn copy_body(
    src: &Issue,
    values: &[(i64, Vec<String>)],
    watchers: &[i64],
    body: &Value,
) -> Value {
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
