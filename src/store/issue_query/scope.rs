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
    /// Projects whose issues can be listed at all (issue tracking on, not archived).
    pub listable: Vec<i64>,
    /// Only issues of this project tree (`id_path`).
    pub subtree: Option<String>,
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
    let mut cond = Sql::default();
    let universe = v.universe.as_deref().map(Vec::as_slice);
    crate::store::sql::in_set(&mut cond, "i.project_id", &v.listable, universe);
    if let Some(path) = &v.subtree {
        cond.push(" AND i.project_id IN (SELECT id FROM projects WHERE substr(id_path, 1, CAST(")
            .bind(path.chars().count() as i64)
            .push(" AS INTEGER)) = ")
            .bind(path.clone())
            .push(")");
    }
    if v.admin {
        return cond;
    }
    let list =
        |sql: &mut Sql, ids: &[i64]| crate::store::sql::in_set(sql, "i.project_id", ids, universe);
    let mine = |sql: &mut Sql| {
        sql.push("(i.author_id = ").bind(v.user).push(" OR ");
        in_list(sql, "i.assigned_to_id", &v.me);
        sql.push(")");
    };
    cond.push(" AND ((");
    list(&mut cond, &v.all);
    cond.push(") OR (");
    list(&mut cond, &v.default);
    cond.push(" AND (i.is_private = FALSE");
    if v.logged {
        cond.push(" OR ");
        mine(&mut cond);
    }
    cond.push(")) OR (");
    list(&mut cond, &v.own);
    if v.logged {
        cond.push(" AND ");
        mine(&mut cond);
    } else {
        cond.push(" AND 1 = 0");
    }
    cond.push("))");
    cond
}
