//! `POST /issues`, `POST /projects/:id/issues`.

use super::*;

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
                let Some((kind, status)) =
                    crate::store::users::principal_kind(&app.db, wid).await?
                else {
                    return Err(ApiError::Framework(axum::http::StatusCode::NOT_FOUND));
                };
                // active users and groups may watch; each watches once
                let may_watch = (kind == "User" && status == 1)
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
        let (has_categories, has_versions) = project_offers(app, &p).await?;
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
