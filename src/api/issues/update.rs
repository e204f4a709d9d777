//! `PUT /issues/:id`: attribute changes, notes, journals, moves and their consequences.

use super::*;
use crate::domain::issue_changes::{ParentAsk, ParentFound};
use crate::domain::issue_update as plan;

/// `PUT /issues/:id`: attributes with edit rights, notes with `add_issue_notes`; 204.
/// Loads the facts the request needs, lets `domain::issue_update` decide, and writes.
pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let since = crate::store::now();
    let (issue, p, roles) = load_issue(app, ctx, id).await?;
    crate::api::access::authorize(app, ctx, &p, ctx.required).await?;
    let c = caller(ctx);
    let mut body = ctx.param("issue").cloned().unwrap_or(Value::Null);
    plan::blank_none(&mut body);
    let is_author = c.logged && issue.author_id == c.user_id;
    let may = |perms: &'static [&'static str]| allowed(app, ctx, &p, perms);
    let rights = plan::Rights {
        edit: may(&["edit_issues"]).await? || (is_author && may(&["edit_own_issues"]).await?),
        add_notes: may(&["add_issue_notes"]).await?,
        set_private: may(&["set_issues_private"]).await?
            || (is_author && may(&["set_own_issues_private"]).await?),
        manage_subtasks: may(&["manage_subtasks"]).await?,
        set_notes_private: may(&["set_notes_private"]).await?,
    };
    // the statuses the issue may move to, read once for the field rules and the change
    let transitions = if rights.edit && body.get("status_id").is_some() {
        let assignee = issue.assigned_to.as_ref().map(|(id, _)| *id);
        let (tracker, status) = (issue.tracker_id, Some(issue.status_id));
        let allowed =
            allowed_status_ids(app, ctx, &roles, tracker, status, issue.author_id, assignee)
                .await?;
        closing_rules(app, &issue, allowed).await?
    } else {
        Vec::new()
    };
    // the workflow's field rules are those of the status the issue will have
    let status_after = match plan::requested_status(&body) {
        Some(st) if rights.edit && transitions.contains(&st) => st,
        _ => issue.status_id,
    };
    let (read_only, required) =
        workflow_fields(app, ctx, &roles, issue.tracker_id, status_after).await?;
    let w = Wanted {
        body: &body,
        read_only,
    };
    let mut f = plan::Facts {
        issue: &issue,
        caller: c.user_id,
        rights,
        transitions,
        required,
        enabled: Vec::new(),
        target: None,
        trackers: Vec::new(),
        categories: Vec::new(),
        versions: Vec::new(),
        assignable: Vec::new(),
        offers: (false, false),
        closed_versions: Vec::new(),
        priorities: Vec::new(),
        closed_statuses: reference::issue_statuses(&app.db)
            .await?
            .iter()
            .filter(|s| s.is_closed)
            .map(|s| s.id)
            .collect(),
        parent: None,
        moving_subtasks: Vec::new(),
        soonest_start: None,
        now: crate::store::now(),
    };
    let mut target = None;
    if rights.edit {
        load_edit_facts(app, ctx, &mut f, &w, &p, &mut target).await?;
    }
    let draft = plan::plan(&f, &w).map_err(ApiError::Validation)?;
    let custom = custom_values(
        app,
        ctx,
        &f,
        &w,
        &draft,
        &roles,
        target.as_ref().unwrap_or(&p),
    )
    .await?;
    let notes = plan::notes(&f, &w, ctx.param("issue"));
    let outcome = plan::CustomOutcome {
        errors: custom.errors,
        details: custom.details,
    };
    // time logged with the update is validated with it and written after it
    let logged_in = target.as_ref().unwrap_or(&p);
    let logged = crate::api::time_entries::with_issue_update(app, ctx, &issue, logged_in).await?;
    let plan = match (plan::finish(&f, draft, outcome, &notes), &logged) {
        (Ok(plan), None | Some(Ok(_))) => plan,
        (result, _) => {
            let mut errors = Vec::new();
            if matches!(logged, Some(Err(()))) {
                errors.push("Time entries is invalid".to_owned());
            }
            errors.extend(result.err().unwrap_or_default());
            return Err(ApiError::Validation(errors));
        }
    };
    // files attached with the update are journaled with it
    let uploads =
        match crate::api::attachments::requested_uploads(app, ctx, ctx.param("issue")).await? {
            Ok(u) => u,
            Err(bad) => return Err(crate::api::attachments::not_saved(bad)),
        };
    let mut plan = plan;
    if !uploads.is_empty() {
        let details = uploads.iter().map(|(a, name)| {
            let name = a.filename.clone().unwrap_or_else(|| name.clone());
            ("attachment".to_owned(), a.id.to_string(), None, Some(name))
        });
        match plan.journals.first_mut() {
            Some(j) => j.details.extend(details),
            None => plan
                .journals
                .push(crate::domain::issue_changes::NewJournal {
                    notes: Some(String::new()),
                    private_notes: false,
                    details: details.collect(),
                }),
        }
    }
    let close_duplicates = plan
        .closing
        .filter(|_| app.settings.close_duplicate_issues)
        .map(|s| (s, notes.notes.clone(), notes.private));
    let priority = default_priority(app).await?;
    let shared_at_destination: Vec<i64> = match target {
        Some(_) => f.versions.iter().map(|(id, _)| *id).collect(),
        None => Vec::new(),
    };
    match store::update(
        &app.db,
        &issue,
        c.user_id,
        &plan.cols,
        &plan.journals,
        notes.lock_version,
        plan.parent,
        priority,
        f.target,
        &custom.values,
        &crate::store::issues::Consequences {
            calendar: &app.settings.calendar,
            drop_relations: !app.settings.cross_project_issue_relations,
            close_duplicates,
            shared_versions: &shared_at_destination,
        },
    )
    .await
    {
        Ok(()) => {
            cv::remove_files(app, &custom.replaced).await;
            let files: Vec<_> = uploads.into_iter().map(|(a, _)| a).collect();
            crate::store::attachments::attach_all(&app.db, ("Issue", issue.id), &files).await?;
            if let Some(Ok((entry, custom))) = &logged {
                crate::store::time_entries::create(&app.db, entry, c.user_id, custom).await?;
            }
            watch_contributions(app, ctx, since).await?;
            Ok(Reply::NoContent)
        }
        Err(UpdateError::Stale) => Err(ApiError::Validation(Vec::new())),
        Err(UpdateError::Db(e)) => Err(e.into()),
    }
}

/// The facts an edit needs, loaded only for what the request names.
async fn load_edit_facts(
    app: &App,
    ctx: &Ctx,
    f: &mut plan::Facts<'_>,
    w: &Wanted<'_>,
    p: &Project,
    target: &mut Option<Project>,
) -> Result<(), ApiError> {
    let issue = f.issue;
    let tracker = reference::trackers(&app.db)
        .await?
        .into_iter()
        .find(|t| t.id == issue.tracker_id)
        .ok_or(ApiError::Internal)?;
    f.enabled = enabled_standard_fields(tracker.fields_bits).collect();
    // moving to another project: one where the caller may add issues
    if let Some(Some(wanted)) = w.get("project_id").map(text) {
        if let Some(t) = projects::find(&app.db, &wanted).await? {
            if t.id != p.id && allowed(app, ctx, &t, &["add_issues"]).await? {
                f.target = Some(t.id);
                *target = Some(t);
            }
        }
    }
    let dest = target.as_ref().unwrap_or(p);
    f.trackers = projects::include_rows(&app.db, "trackers", &[dest.id])
        .await?
        .into_iter()
        .map(|(_, id, _)| id)
        .collect();
    if f.enabled.contains(&"category_id") {
        f.categories = projects::include_rows(&app.db, "issue_categories", &[dest.id])
            .await?
            .into_iter()
            .map(|(_, id, name)| (id, name))
            .collect();
    }
    if target.is_some()
        || (w.get("fixed_version_id").is_some() && f.enabled.contains(&"fixed_version_id"))
    {
        f.versions = versions::shared_with(&app.db, dest)
            .await?
            .iter()
            .map(|v| (v.id, v.status == "open"))
            .collect();
    }
    if w.get("assigned_to_id").is_some() {
        f.assignable = store::assignable_ids(&app.db, p.id).await?;
    }
    if w.get("priority_id").is_some() {
        f.priorities = reference::enumerations(&app.db, "IssuePriority")
            .await?
            .iter()
            .map(|e| e.id)
            .collect();
    }
    if f.rights.manage_subtasks {
        f.parent = match crate::domain::issue_changes::parent_ask(w, issue.id) {
            None => None,
            Some(ParentAsk::Clear) => Some(ParentFound::Clear),
            Some(ParentAsk::Invalid) => Some(ParentFound::Invalid),
            Some(ParentAsk::Id(pid)) => Some(match store::find(&app.db, pid).await? {
                Some(parent) if parent_allowed(app, ctx, &parent, p, Some(issue)).await? => {
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
    if target.is_some() {
        f.moving_subtasks =
            crate::store::references::descendants(&app.db, issue.id, &issue.id_path)
                .await?
                .into_iter()
                .filter(|(_, _, project)| *project == issue.project_id)
                .map(|(id, tracker, _)| (id, tracker))
                .collect();
    }
    let new_start = w.string("start_date").map(rules::date_value);
    if !issue.has_children && new_start.is_some_and(|d| d != issue.start_date) {
        let path = plan::path_after(issue, f.parent.as_ref());
        f.soonest_start =
            crate::store::relations::soonest_start_now(&app.db, &path, &app.settings.calendar)
                .await?;
    }
    // whether a reopened issue would stay in a closed version
    if !f.transitions.is_empty() {
        let requested = w.id("fixed_version_id").flatten();
        let current = issue.fixed_version.as_ref().map(|v| v.0);
        for v in [current, requested].into_iter().flatten() {
            if versions::find(&app.db, v)
                .await?
                .is_some_and(|v| v.status == "closed")
            {
                f.closed_versions.push(v);
            }
        }
    }
    if !f.required.is_empty() {
        f.offers = project_offers(app, p).await?;
    }
    Ok(())
}

/// Custom values for the tracker and project the update chooses.
async fn custom_values(
    app: &App,
    ctx: &Ctx,
    f: &plan::Facts<'_>,
    w: &Wanted<'_>,
    draft: &plan::Draft,
    roles: &[Role],
    dest: &Project,
) -> Result<cv::Outcome, ApiError> {
    let c = caller(ctx);
    let all_fields = crate::store::custom_values::issue_fields(&app.db).await?;
    let fields = all_fields.for_issue(draft.project, draft.tracker);
    if fields.is_empty() {
        return Ok(cv::Outcome::default());
    }
    let issue = f.issue;
    let old = crate::store::custom_values::values_of(&app.db, "Issue", &[issue.id]).await?;
    let mut sent = if f.rights.edit {
        crate::domain::custom_fields::read(w.body)
    } else {
        Vec::new()
    };
    let rids: Vec<i64> = roles.iter().map(|r| r.id).collect();
    let settable = |field: &crate::store::reference::CustomField| {
        cv::visible(&all_fields, field, c.admin, &rids)
            && !w.read_only.contains(&field.id.to_string())
    };
    let files = cv::file_values(
        app,
        &fields,
        w.body,
        &mut sent,
        ("Issue", Some(issue.id)),
        settable,
    )
    .await?;
    let records = cv::Records::for_project(app, &fields, dest).await?;
    let mut outcome = cv::apply(
        &fields,
        &sent,
        Some(&old),
        issue.id,
        settable,
        |field| f.required.contains(&field.id.to_string()),
        &records,
    );
    outcome.errors.extend(files.errors);
    outcome.replaced = files.replaced;
    Ok(outcome)
}
