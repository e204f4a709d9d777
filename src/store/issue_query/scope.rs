//! Which issues a caller sees, as SQL, and how each sortable column orders.

use super::*;

/// The ORDER BY expressions of a sortable column of the issue list, as Redmine orders it:
/// people by their displayed name (first name, last name), versions by date with the
/// undated last, creation in creation order.
pub fn sort_expressions(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "id" => &["i.id"],
        "project" => &["p.name"],
        "tracker" => &["t.position"],
        "status" => &["s.position"],
        "priority" => &["e.position"],
        "subject" => &["i.subject"],
        "author" => &["au.firstname", "au.lastname", "au.id"],
        "assigned_to" => &["asg.firstname", "asg.lastname", "asg.id"],
        "updated_on" => &["i.updated_on"],
        "created_on" => &["i.created_on", "i.id"],
        "start_date" => &["i.start_date"],
        "due_date" => &["i.due_date"],
        "done_ratio" => &["i.done_ratio"],
        "estimated_hours" => &["i.estimated_hours"],
        "total_estimated_hours" => &["COALESCE((SELECT SUM(x.estimated_hours) FROM issues x \
             WHERE (x.id_path >= i.id_path AND x.id_path < i.id_path || ':')), 0)"],
        "closed_on" => &["i.closed_on"],
        "category" => &["c.name"],
        "fixed_version" => &[
            "(CASE WHEN v.effective_date IS NULL THEN 1 ELSE 0 END)",
            "v.effective_date",
            "v.name",
            "v.id",
        ],
        "parent" => &["i.id_path"],
        "is_private" => &["i.is_private"],
        _ => return None,
    })
}

/// Who sees which issues, decided by the rules (`api::access`): every issue of `all`, the
/// non-private ones (and the caller's own) of `default`, only the caller's own in `own`.
#[derive(Debug, Default, Clone)]
pub struct IssueScope {
    /// Projects whose issues can be listed at all (issue tracking on, not archived), in the
    /// list's project and its subprojects when it has one.
    pub listable: Vec<i64>,
    pub admin: bool,
    pub logged: bool,
    pub user: i64,
    /// The caller and its groups, for "assigned to me".
    pub me: Vec<i64>,
    pub all: Vec<i64>,
    pub default: Vec<i64>,
    pub own: Vec<i64>,
    /// Every project id, when known: the lists above may then be written as the
    /// projects they leave out (`sql::in_set`).
    pub universe: Option<std::sync::Arc<Vec<i64>>>,
}

/// The issues a scope sees, as a condition on `issues i`. The listable projects come as a
/// list of ids: counting then reads the issues' index alone.
pub fn visibility_condition(v: &IssueScope) -> Sql {
    let mut cond = listable(v);
    if v.admin {
        return cond;
    }
    cond.push(" AND ((");
    project_in(v, &mut cond, &v.all);
    cond.push(") OR (");
    project_in(v, &mut cond, &v.default);
    cond.push(" AND (i.is_private = FALSE");
    if v.logged {
        cond.push(" OR ");
        mine(v, &mut cond);
    }
    cond.push(")) OR (");
    project_in(v, &mut cond, &v.own);
    if v.logged {
        cond.push(" AND ");
        mine(v, &mut cond);
    } else {
        cond.push(" AND 1 = 0");
    }
    cond.push("))");
    cond
}

/// The issues a non-administrator sees, in two disjoint parts whose counts add up (each
/// project is in one of `all`, `default` and `own`): the ones seen whoever wrote or holds
/// them (every issue of `all`, the public ones of `default`), which reads only columns
/// `issue_counts` keeps, and the ones seen as their author or assignee, which the author
/// and assignee indexes find. None for an administrator, whose condition counts as it is.
pub fn visibility_parts(v: &IssueScope) -> Option<(Sql, Sql)> {
    if v.admin {
        return None;
    }
    // (`all`, `default` and `own` are drawn from the listable projects: the parts need
    // no listable term, one project probe less per row counted)
    let mut seen = Sql::new("((");
    project_in(v, &mut seen, &v.all);
    seen.push(") OR (");
    project_in(v, &mut seen, &v.default);
    seen.push(" AND i.is_private = FALSE))");
    // the caller's own issues are few: the project terms are written so that no index
    // serves them (`+ 0`), or PostgreSQL, misjudging a subtree's share, read its every
    // issue to find them (66,666 rows, 41 ms, for the 8 of perf-1)
    let unindexed = "(i.project_id + 0)";
    let mut theirs = Sql::default();
    if v.logged {
        mine(v, &mut theirs);
        theirs.push(" AND ((");
        project_in_column(v, &mut theirs, unindexed, &v.default);
        theirs.push(" AND i.is_private = TRUE) OR (");
        project_in_column(v, &mut theirs, unindexed, &v.own);
        theirs.push("))");
    } else {
        theirs.push("1 = 0");
    }
    Some((seen, theirs))
}

/// The projects whose issues can be listed.
fn listable(v: &IssueScope) -> Sql {
    let mut cond = Sql::default();
    project_in(v, &mut cond, &v.listable);
    cond
}

fn project_in(v: &IssueScope, sql: &mut Sql, ids: &[i64]) {
    project_in_column(v, sql, "i.project_id", ids);
}

fn project_in_column(v: &IssueScope, sql: &mut Sql, column: &str, ids: &[i64]) {
    let universe = v.universe.as_deref().map(Vec::as_slice);
    crate::store::sql::in_set(sql, column, ids, universe);
}

/// Written by the caller or assigned to it or one of its groups.
fn mine(v: &IssueScope, sql: &mut Sql) {
    sql.push("(i.author_id = ").bind(v.user).push(" OR ");
    in_list(sql, "i.assigned_to_id", &v.me);
    sql.push(")");
}
