//! `POST /issues`, `POST /projects/:id/issues`.

use super::*;
use crate::domain::issue_changes::{parent_ask, ParentAsk, ParentFound};
use crate::domain::issue_create as plan;

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
    let Some(p) = project else {
        let subject = w.string("subject").flatten().unwrap_or_default();
        let errors = plan::without_project(subject, source.is_some());
        return Err(ApiError::Validation(errors));
    };
    let roles = roles(app, ctx, &p).await?;
    let trackers: Vec<i64> = crate::store::projects::include_rows(&app.db, "trackers", &[p.id])
        .await?
        .into_iter()
        .map(|(_, id, _)| id)
        .collect();
    let Some(tracker_id) = plan::tracker(w.id("tracker_id").flatten(), &trackers) else {
        return Err(ApiError::Validation(vec!["Tracker cannot be blank".into()]));
    };
    let tracker = reference::trackers(&app.db)
        .await?
        .into_iter()
        .find(|t| t.id == tracker_id)
        .ok_or(ApiError::Internal)?;
    let author = ctx.current.user.id;
    let statuses = allowed_status_ids(app, ctx, &roles, tracker_id, None, author, None).await?;
    let status_id = plan::status(
        w.id("status_id").flatten(),
        tracker.default_status_id,
        &statuses,
    );
    let (read_only, required) = match status_id {
        Some(st) => workflow_fields(app, ctx, &roles, tracker_id, st).await?,
        None => (Vec::new(), Vec::new()),
    };
    let w = Wanted {
        body: &body,
        read_only,
    };
    let mut f = plan::Facts {
        project: p.id,
        author,
        tracker: tracker_id,
        status: status_id,
        enabled: enabled_standard_fields(tracker.fields_bits).collect(),
        required,
        default_version: p.default_version_id,
        default_assignee: p.default_assigned_to_id,
        today: today(),
        now: crate::store::now(),
        ..Default::default()
    };
    load_create_facts(app, ctx, &mut f, &w, &p).await?;
    let all_fields = crate::store::custom_values::issue_fields(&app.db).await?;
    let rids: Vec<i64> = roles.iter().map(|r| r.id).collect();
    let fields = all_fields.for_issue(p.id, tracker_id);
    let records = cv::Records::for_project(app, &fields, &p).await?;
    let settable = |f: &crate::store::reference::CustomField| {
        cv::visible(&all_fields, f, c.admin, &rids) && !w.read_only.contains(&f.id.to_string())
    };
    let mut sent = crate::domain::custom_fields::read(&body);
    let files = cv::file_values(app, &fields, &body, &mut sent, ("Issue", None), settable).await?;
    let mut custom = cv::apply(
        &fields,
        &sent,
        None,
        0,
        settable,
        |field| f.required.contains(&field.id.to_string()),
        &records,
    );
    custom.errors.extend(files.errors);
    let planned = plan::plan(&f, &w, custom.errors).map_err(ApiError::Validation)?;
    let uploads =
        match crate::api::attachments::requested_uploads(app, ctx, ctx.param("issue")).await? {
            Ok(u) => u,
            Err(bad) => return Err(crate::api::attachments::not_saved(bad)),
        };
    let id = store::create(
        &app.db,
        &planned.cols,
        planned.parent,
        author,
        default_priority(app).await?,
        &custom.values,
    )
    .await?;
    crate::store::watchers::add(&app.db, "Issue", id, &planned.watchers).await?;
    let files: Vec<_> = uploads.into_iter().map(|(a, _)| a).collect();
    crate::store::attachments::attach_all(&app.db, ("Issue", id), &files).await?;
    // a copy shares the source's files when asked (`copy_attachments`)
    let copy_files = ctx
        .param_str("copy_attachments")
        .is_some_and(|s| !s.is_empty());
    if let (Some(src), true) = (&source, copy_files) {
        crate::store::attachments::copy_all(&app.db, ("Issue", src.id), ("Issue", id)).await?;
    }
    let link = match app.settings.link_copied_issue.as_str() {
        "yes" => true,
        "no" => false,
        _ => ctx.param_str("link_copy").as_deref() == Some("1"),
    };
    if let (Some(src), true) = (&source, link) {
        link_copy(app, ctx, src.id, id).await?;
        // the notes sent with the copy go to the journal of its link
        if let Some(notes) = w.string("notes").flatten().filter(|n| !n.is_empty()) {
            crate::store::journals::note_last_journal(&app.db, id, c.user_id, &notes).await?;
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
            let with = copy::Along {
                watchers: copy_watchers,
                link,
                attachments: copy_files,
            };
            copy_subtasks(app, ctx, src, id, &p, with).await?;
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
            render(
                &issue,
                spent.then_some((0.0, 0.0)),
                cv::nodes(&fields, &values, id),
            )
        }),
        ctx.location(&format!("/issues/{id}")),
    ))
}

/// The facts a creation needs, loaded only for what the request names.
async fn load_create_facts(
    app: &App,
    ctx: &Ctx,
    f: &mut plan::Facts,
    w: &Wanted<'_>,
    p: &Project,
) -> Result<(), ApiError> {
    let may = |perms: &'static [&'static str]| allowed(app, ctx, p, perms);
    f.rights = plan::Rights {
        set_private: may(&["set_issues_private", "set_own_issues_private"]).await?,
        manage_subtasks: may(&["manage_subtasks"]).await?,
        add_watchers: may(&["add_issue_watchers"]).await?,
    };
    f.priorities = reference::enumerations(&app.db, "IssuePriority")
        .await?
        .iter()
        .map(|e| (e.id, e.is_default))
        .collect();
    f.closed_statuses = reference::issue_statuses(&app.db)
        .await?
        .iter()
        .filter(|s| s.is_closed)
        .map(|s| s.id)
        .collect();
    if let Some(cat) = plan::category(f, w) {
        f.categories = projects::include_rows(&app.db, "issue_categories", &[p.id])
            .await?
            .into_iter()
            .map(|(_, id, _)| id)
            .collect();
        if f.categories.contains(&cat) {
            f.category_assignee = versions::category(&app.db, cat)
                .await?
                .and_then(|c| c.assigned_to.map(|(id, _)| id));
        }
    }
    if f.enabled.contains(&"fixed_version_id") {
        f.versions = versions::shared_with(&app.db, p)
            .await?
            .iter()
            .map(|v| (v.id, v.status == "open"))
            .collect();
    }
    if plan::assignee(f, w).is_some() {
        f.assignable = store::assignable_ids(&app.db, p.id).await?;
    }
    if f.rights.manage_subtasks && f.enabled.contains(&"parent_issue_id") {
        f.parent = match parent_ask(w, 0) {
            None | Some(ParentAsk::Clear) => None,
            Some(ParentAsk::Invalid) => Some(ParentFound::Invalid),
            Some(ParentAsk::Id(pid)) => Some(match store::find(&app.db, pid).await? {
                Some(parent) if parent_allowed(app, ctx, &parent, p, None).await? => {
                    ParentFound::Found {
                        id: parent.id,
                        id_path: parent.id_path.clone(),
                        closed: parent.status_closed,
                    }
                }
                _ => ParentFound::Invalid,
            }),
        };
    }
    // watchers given at creation: unknown principals are Rails' 404
    if let Some(v) = w.get("watcher_user_ids").filter(|_| f.rights.add_watchers) {
        for wid in crate::domain::projects::id_list(v) {
            let Some((kind, status)) = crate::store::users::principal_kind(&app.db, wid).await?
            else {
                return Err(ApiError::Framework(axum::http::StatusCode::NOT_FOUND));
            };
            let may_watch = (kind == "User" && status == 1)
                || matches!(kind.as_str(), "Group" | "GroupAnonymous" | "GroupNonMember");
            f.watchers.push((wid, may_watch));
        }
    }
    if !f.required.is_empty() {
        f.offers = project_offers(app, p).await?;
    }
    Ok(())
}
