//! `GET /issues`, `GET /projects/:id/issues`: filters, sorts, grouping, pages.

use super::*;
use crate::store::sql::Sql;

/// The default filter of a new query: open issues.
pub(crate) fn open_filter() -> Filter {
    Filter {
        name: "status_id".into(),
        kind: Kind::ListStatus,
        op: "o".into(),
        values: Vec::new(),
    }
}

/// Columns a list can be grouped by, and those whose groups come newest first.
pub(crate) const GROUPABLE: &[&str] = &[
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
pub(crate) const GROUPED_DESC: &[&str] = &["priority", "created_on", "updated_on", "closed_on"];

/// `GET /issues`, `GET /projects/:id/issues`: visible issues, open ones by default.
pub async fn index(app: &App, ctx: &Ctx, url_project: Option<&str>) -> ApiResult {
    let c = caller(ctx);
    let project =
        crate::api::access::query_project(app, ctx, url_project, &["view_issues"]).await?;
    let access_map = projects::access_map(&app.db, &ctx.current.user, c.logged, c.admin).await?;
    // (the builtin role counts even where no project exists: Redmine answers an empty list)
    let anywhere = crate::api::access::roles_anywhere(app, ctx, &access_map).await?;
    if project.is_none() && !access::allowed_globally(&c, &["view_issues"], &anywhere) {
        return Err(c.deny().into());
    }
    let me = me(app, ctx).await?;
    let visible = crate::api::access::visible_everywhere(app, ctx, &access_map, &me).await?;
    let mut cond = match &project {
        Some(p) => crate::api::access::visible_in(app, ctx, p, &access_map, &me).await?,
        None => visible.clone(),
    };
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
    if access::allowed_globally(&c, &["view_time_entries"], &anywhere) {
        defs.push(issue_query::spent_time());
    }
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
            match found {
                Some(q) => Some(q),
                // Redmine: someone else's query is refused, one that never was is not found
                None if crate::store::queries::exists(&app.db, qid, "IssueQuery").await? => {
                    return Err(c.deny().into())
                }
                None => return Err(not_found()),
            }
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
        postgres: app.db.is_postgres(),
        visible,
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
    let counted = Counted {
        values: issue_query_sql::value_counted_sql_for(&filters, &env),
        words: word_sums(app, &filters, &env).await?,
    };
    let sums = totals(
        app,
        ctx,
        project.as_ref(),
        &access_map,
        (&cond, &extra),
        counted,
        &env.me,
    )
    .await?;
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
    // group_by (a saved query's own) goes first, in the sort's direction for that column
    // or the column's own
    let group = match &saved {
        Some(q) => q.group_by.clone(),
        None => ctx.param_str("group_by"),
    }
    .filter(|g| GROUPABLE.contains(&g.as_str()) || g.starts_with("cf_"));
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
            None => match issue_query_sql::sort_expressions(&col) {
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
    let (total, issues) =
        store::list(&app.db, &cond, &sums, &order.join(", "), offset, limit).await?;
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
    // spent time shows where the caller may view time entries, in one statement a page
    let with_spent: Vec<i64> = issues
        .iter()
        .filter(|i| projects::allowed_in(&access_map, &c, i.project_id, &["view_time_entries"]))
        .map(|i| i.id)
        .collect();
    let entries = crate::api::access::visible_entries_kept(app, ctx, &access_map)
        .await?
        .condition();
    let sums = crate::store::time_entries::spent_on_issues(&app.db, &with_spent, &entries).await?;
    let files = if ctx.includes("attachments") {
        let ids: Vec<i64> = issues.iter().map(|i| i.id).collect();
        crate::store::attachments::of(&app.db, "Issue", &ids).await?
    } else {
        Vec::new()
    };
    let mut items = Vec::with_capacity(issues.len());
    for i in &issues {
        let mut i = i.clone();
        i.parent_id = i.parent_id.filter(|p| visible_parents.contains(p));
        if let Some((_, total)) = totals.iter().find(|(id, _)| *id == i.id) {
            i.total_estimated = *total;
        }
        let i = &i;
        let spent = with_spent.contains(&i.id).then(|| {
            sums.iter()
                .find(|(id, _, _)| *id == i.id)
                .map_or((0.0, 0.0), |(_, s, t)| (*s, *t))
        });
        let rids: Vec<i64> = access_map
            .iter()
            .find(|a| a.id == i.project_id)
            .map(|a| a.roles.iter().map(|r| r.id).collect())
            .unwrap_or_default();
        let fields = cv::visible_on_issue(&all_fields, i.project_id, i.tracker_id, c.admin, &rids);
        let mut o = render(i, spent, cv::nodes(&fields, &values, i.id));
        if ctx.includes("attachments") {
            let items = files
                .iter()
                .filter(|a| a.container.as_ref().is_some_and(|c| c.1 == i.id))
                .map(|a| object_item("attachment", crate::api::attachments::render(ctx, a)))
                .collect();
            o.array("attachments", items);
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

/// The list's conditions as rows of a counts table, when one of its filters is counted
/// there: a custom value (`issue_value_counts`), or a word of the subject
/// (`issue_word_counts`, with the issues the rows leave out, `subject_words::walked`).
struct Counted {
    values: Option<Sql>,
    words: Option<(Sql, Option<Sql>)>,
}

/// How a `subject~word` list sums its total, when it can (one statement finds the words).
async fn word_sums(
    app: &App,
    filters: &[Filter],
    env: &issue_query_sql::Env,
) -> Result<Option<(Sql, Option<Sql>)>, ApiError> {
    use crate::store::subject_words;
    let Some(text) = issue_query::subject_word(filters) else {
        return Ok(None);
    };
    let (found, long) = subject_words::containing(&app.db, &text).await?;
    Ok(issue_query::word_sum(&text, &found, long).map(|sum| {
        (
            subject_words::counted(filters, env, &sum),
            subject_words::walked(filters, env, &sum),
        )
    }))
}

/// How the list's total may be summed from the counts tables (`store::Sum`), best first:
/// with one custom value filter from `issue_value_counts` (or one word of the subject
/// from `issue_word_counts`), else from `issue_project_counts` or `issue_counts`. A
/// member's visibility comes in two parts (`access::visible_parts`): the issues it sees
/// whoever holds them are summed, its own counted beside.
async fn totals(
    app: &App,
    ctx: &Ctx,
    project: Option<&Project>,
    access_map: &[projects::Access],
    (visible, extra): (&Sql, &Sql),
    counted: Counted,
    me: &[i64],
) -> Result<Vec<store::Sum>, ApiError> {
    let with = |base: &Sql, more: &Sql| {
        let mut s = base.clone();
        issue_query_sql::append(&mut s, more);
        s
    };
    let parts = crate::api::access::visible_parts(app, ctx, project, access_map, me).await?;
    let (summable, beside) = match &parts {
        Some((seen, theirs)) => (seen, Some(with(theirs, extra))),
        None => (visible, None),
    };
    use crate::store::issue_query::{every_project, summed_total, Counted as Table};
    // nearly every project: the totals over all of them, less the others
    let terms = crate::api::access::total_terms(app, ctx, project, access_map, me).await?;
    let mut sums = Vec::new();
    let by_field = match (counted.values, counted.words) {
        (Some(values), _) => Some((Table::Values, values, None)),
        (None, Some((words, walked))) => Some((Table::Words, words, walked)),
        (None, None) => None,
    };
    if let Some((counted, field_extra, walked)) = by_field {
        let walked = walked.map(|w| with(summable, &w));
        if let Some(whole) = summed_total(&terms, &field_extra, counted) {
            sums.push(store::Sum {
                counted,
                summed: field_extra.clone(),
                beside: beside.clone(),
                expression: Some(whole),
                skippable: false,
                walked: walked.clone(),
            });
        }
        sums.push(store::Sum {
            counted,
            summed: with(summable, &field_extra),
            beside: beside.clone(),
            expression: None,
            skippable: false,
            walked,
        });
    }
    // without a tracker condition the counts per project and status are a third as many
    for counted in [Table::Statuses, Table::Issues] {
        if let Some(whole) = summed_total(&terms, extra, counted) {
            sums.push(store::Sum {
                counted,
                summed: extra.clone(),
                beside: beside.clone(),
                expression: Some(whole),
                skippable: every_project(&terms) && beside.is_none(),
                walked: None,
            });
        }
    }
    for counted in [Table::Statuses, Table::Issues] {
        sums.push(store::Sum {
            counted,
            summed: with(summable, extra),
            beside: beside.clone(),
            expression: None,
            skippable: false,
            walked: None,
        });
    }
    Ok(sums)
}
