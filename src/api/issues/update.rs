//! `PUT /issues/:id`: attribute changes, notes, journals, moves and their consequences.

use super::*;

/// `PUT /issues/:id`: attributes with edit rights, notes with `add_issue_notes`; 204.
pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let since = crate::store::now();
    let (issue, p, roles) = load_issue(app, ctx, id).await?;
    crate::api::access::authorize(app, ctx, &p, ctx.required).await?;
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
        use crate::domain::issue_changes::{self as changes, TrackerChoice};
        let requested = w.id("tracker_id").flatten();
        match changes::tracker_after(requested, issue.tracker_id, &dest_trackers) {
            TrackerChoice::Set(t) => ch.set("tracker_id", issue.tracker_id.into(), t.into()),
            TrackerChoice::Missing => cand.tracker_not_in_project = true,
            TrackerChoice::Keep => {}
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
            let offered: Vec<(i64, &str)> =
                cats.iter().map(|(_, id, n)| (*id, n.as_str())).collect();
            let current = issue.category.as_ref().map(|(id, n)| (*id, n.as_str()));
            let moving = target_project.is_some();
            let (value, invalid) =
                changes::category_after(w.id("category_id"), current, moving, &offered);
            cand.category_invalid = invalid;
            if let Some(value) = value {
                ch.set("category_id", current.map(|c| c.0).into(), value.into());
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
        if on("fixed_version_id") {
            let requested = w.id("fixed_version_id");
            let current = issue.fixed_version.as_ref().map(|x| x.0);
            let moving = target_project.is_some();
            if requested.is_some() || (moving && current.is_some()) {
                let shared: Vec<(i64, bool)> = versions::shared_with(&app.db, dest)
                    .await?
                    .iter()
                    .map(|v| (v.id, v.status == "open"))
                    .collect();
                let (value, invalid) = changes::version_after(requested, current, moving, &shared);
                cand.version_invalid = invalid;
                if let Some(value) = value {
                    ch.set("fixed_version_id", current.into(), value.into());
                }
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
                match changes::estimated_hours(h.as_deref()) {
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
        let derived = crate::domain::issue_changes::DERIVED_FROM_SUBTASKS;
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
        let moving: Vec<(i64, i64)> =
            crate::store::references::descendants(&app.db, issue.id, &issue.id_path)
                .await?
                .into_iter()
                .filter(|(_, _, project)| *project == issue.project_id)
                .map(|(id, tracker, _)| (id, tracker))
                .collect();
        let blocked = crate::domain::issue_changes::subtask_blocking_move(&moving, &t_trackers);
        if let Some(id) = blocked {
            return Err(ApiError::Validation(vec![format!(
                "Subtask #{id} could not be moved to the new project: Tracker is not included in the list"
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
            let soonest =
                crate::store::relations::soonest_start_now(&app.db, &path, &app.settings.calendar)
                    .await?;
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
        let (has_categories, has_versions) = project_offers(app, &p).await?;
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
    let shared_at_destination: Vec<i64> = match &target_project {
        Some(t) => versions::shared_with(&app.db, t)
            .await?
            .iter()
            .map(|v| v.id)
            .collect(),
        None => Vec::new(),
    };
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
            shared_versions: &shared_at_destination,
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
