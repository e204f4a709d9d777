//! `GET /time_entries`, `GET /projects/:id/time_entries`: visible entries, filtered,
//! sorted, a page at a time, in a fixed number of statements.

use super::*;
use crate::domain::issue_query::{self, Filter, Kind};
use crate::render::{list, object_item, page_meta};

pub async fn index(app: &App, ctx: &Ctx, url_project: Option<&str>) -> ApiResult {
    let c = caller(ctx);
    let project = crate::api::access::query_project(app, ctx, url_project, ctx.required).await?;
    let access_map = projects::access_map(&app.db, &ctx.current.user, c.logged, c.admin).await?;
    if project.is_none() {
        let anywhere = crate::api::access::roles_anywhere(app, ctx, &access_map).await?;
        if !access::allowed_globally(&c, ctx.required, &anywhere) {
            return Err(c.deny().into());
        }
    }
    let visible = crate::api::access::visible_entries_kept(app, ctx, &access_map).await?;
    let has_subprojects = match &project {
        Some(p) => projects::has_children(&app.db, p.id).await?,
        None => false,
    };
    let mut defs = rules::filters(project.is_some(), has_subprojects);
    let own = crate::store::custom_values::fields_of(&app.db, "TimeEntryCustomField").await?;
    let (issue_fields, chained) =
        crate::store::custom_values::issue_and_chained_fields(&app.db).await?;
    let (custom_defs, custom) = crate::api::custom_values::time_entry_filters(
        &own,
        &issue_fields,
        &chained,
        &access_map,
        c.admin,
    );
    defs.extend(custom_defs);
    let filters = filters(ctx, &defs);
    let me = crate::api::access::me(app, ctx).await?;
    let issues_visible = crate::api::access::visible_everywhere(app, ctx, &access_map, &me).await?;
    let env = store::Env {
        base: crate::store::issue_query::Env {
            user_id: c.user_id,
            logged: c.logged,
            visible: issues_visible,
            me,
            today: crate::store::issue_query::today(),
            scope: project.as_ref().map(|p| (p.id, p.id_path.clone())),
            private_notes: false,
            custom,
            watcher_projects: None,
            postgres: app.db.is_postgres(),
        },
        mine: access_map
            .iter()
            .filter(|a| a.roles.iter().any(|r| r.builtin == 0))
            .map(|a| a.id)
            .collect(),
    };
    let query = store::Query {
        visible: &visible,
        filters: &filters,
        env: &env,
    };
    let sorts = custom_sorts(ctx, &own, &chained, &access_map);
    let order = order(ctx, &sorts);
    let (offset, limit) = ctx.offset_and_limit();
    let (total, entries) = store::list(&app.db, &query, &order, offset, limit).await?;
    let items = rendered(app, ctx, &entries)
        .await?
        .into_iter()
        .map(|o| object_item("time_entry", o))
        .collect();
    Ok(Reply::ok(list(
        "time_entries",
        page_meta(total, offset, limit, ctx.nometa()),
        items,
    )))
}

/// The request's filters, `from`/`to` replacing `spent_on`. Any invalid filter disables
/// them all, as in Redmine (the list never answers 422).
fn filters(ctx: &Ctx, defs: &[issue_query::Def]) -> Vec<Filter> {
    let Ok(parsed) = issue_query::parse(&ctx.params, defs) else {
        return Vec::new();
    };
    let mut filters = parsed.unwrap_or_default();
    if let Some((op, values)) = rules::from_to(ctx.param_str("from"), ctx.param_str("to")) {
        if !values.iter().all(|v| issue_query::valid_date_value(v)) {
            return Vec::new();
        }
        filters.retain(|f| f.name != "spent_on");
        filters.push(Filter {
            name: "spent_on".into(),
            kind: Kind::DatePast,
            op,
            values,
        });
    }
    filters
}

/// The sort: the request's keys; without a `sort`, newest `spent_on` first. A `group_by`
/// column comes first, in the sort's direction for it or its own.
fn order(ctx: &Ctx, custom: &[(String, String)]) -> String {
    let criteria = match ctx.param_str("sort").filter(|s| !s.trim().is_empty()) {
        Some(_) => ctx.sort_criteria(),
        None => vec![("spent_on".to_owned(), true)],
    };
    let group = ctx
        .param_str("group_by")
        .filter(|g| store::GROUPABLE.contains(&g.as_str()));
    let group = group.as_deref().map(|g| {
        let desc = criteria
            .iter()
            .find(|(c, _)| c == g)
            .map_or(store::GROUPED_DESC.contains(&g), |(_, d)| *d);
        (g, desc)
    });
    store::order(group, &criteria, custom)
}

/// The custom field keys the request sorts by (`cf_<id>` of entries, `project.cf_<id>`),
/// with their expressions. An issue's fields are not offered: a hidden issue's values
/// would show through the order.
fn custom_sorts(
    ctx: &Ctx,
    own: &crate::store::custom_values::IssueFields,
    chained: &crate::store::custom_values::IssueFields,
    access: &[projects::Access],
) -> Vec<(String, String)> {
    let admin = caller(ctx).admin;
    ctx.sort_criteria()
        .into_iter()
        .filter_map(|(key, _)| {
            let (all, kind, holder, id) = if let Some(id) = key.strip_prefix("project.cf_") {
                (
                    chained,
                    "ProjectCustomField",
                    ("Project", "te.project_id"),
                    id,
                )
            } else {
                let id = key.strip_prefix("cf_")?;
                (own, "TimeEntryCustomField", ("TimeEntry", "te.id"), id)
            };
            let id: i64 = id.parse().ok()?;
            if !all
                .fields
                .iter()
                .any(|(f, _, _)| f.id == id && f.kind == kind)
            {
                return None;
            }
            let expr = crate::api::custom_values::field_sort_expr(
                all,
                id,
                admin,
                access,
                holder,
                "te.project_id",
            )?;
            Some((key, expr))
        })
        .collect()
}
