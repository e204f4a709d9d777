//! `DELETE /issues/:id` and `DELETE /issues?ids[]=`.

use super::*;

/// `DELETE /issues/:id`: `delete_issues`; subtasks go too.
pub async fn destroy(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let since = crate::store::now();
    let (issue, p, _) = load_issue(app, ctx, id).await?;
    crate::api::access::authorize(app, ctx, &p, ctx.required).await?;
    let files = store::delete(
        &app.db,
        &issue,
        caller(ctx).user_id,
        default_priority(app).await?,
        &app.settings.calendar,
    )
    .await?;
    for (dir, name) in files {
        app.files.delete(&dir, &name).await;
    }
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
            crate::api::access::authorize(app, ctx, &p, ctx.required).await?;
            projects_seen.push(p.id);
        }
    }
    // ancestors first: their subtasks go with them
    issues.sort_by_key(|i| i.id_path.len());
    let priority = default_priority(app).await?;
    for issue in &issues {
        let files = store::delete(
            &app.db,
            issue,
            caller(ctx).user_id,
            priority,
            &app.settings.calendar,
        )
        .await?;
        for (dir, name) in files {
            app.files.delete(&dir, &name).await;
        }
    }
    watch_contributions(app, ctx, since).await?;
    Ok(Reply::NoContent)
}
