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

/// One part of the issues a caller sees, for totals: the issues of some projects, or only
/// their public ones.
#[derive(Debug, Clone)]
pub struct Term {
    pub projects: Projects,
    pub public_only: bool,
}

/// A set of projects, as listed or as every project but some (nearly all of them).
#[derive(Debug, Clone)]
pub enum Projects {
    These(Vec<i64>),
    AllBut { max: i64, others: Vec<i64> },
}

/// The parts of what the caller sees that the counts tables total: for an administrator
/// every listable project, for a member the projects where it sees every issue and the
/// public issues of those where it sees them (its own come beside, `visibility_parts`).
pub fn total_terms(v: &IssueScope) -> Vec<Term> {
    let projects = |ids: &[i64]| match v
        .universe
        .as_deref()
        .and_then(|all| crate::store::sql::complement(ids, all))
    {
        Some((max, others)) => Projects::AllBut { max, others },
        None => Projects::These(ids.to_vec()),
    };
    if v.admin {
        return vec![Term {
            projects: projects(&v.listable),
            public_only: false,
        }];
    }
    vec![
        Term {
            projects: projects(&v.all),
            public_only: false,
        },
        Term {
            projects: projects(&v.default),
            public_only: true,
        },
    ]
}

/// Whether the terms are every project, whole (an administrator's list with every
/// project listable): then `issue_blocks`, kept over every project, counts it too.
pub fn every_project(terms: &[Term]) -> bool {
    matches!(terms, [Term {
        projects: Projects::AllBut { others, .. },
        public_only: false,
    }] if others.is_empty())
}

/// Which counts a total reads: issues per project, tracker, status and privacy, the same
/// without the tracker, or per custom value or per word of the subject as well.
#[derive(Debug, Clone, Copy)]
pub enum Counted {
    Issues,
    Statuses,
    Values,
    Words,
}

impl Counted {
    /// The counts per project.
    pub fn per_project(self) -> &'static str {
        self.tables().1
    }

    /// Whether conditions on `i` read no column but those the counts per project keep
    /// (the project's and the others both tables keep).
    pub fn countable(self, conditions: &str) -> bool {
        let kept = [self.tables().2, &["project_id"]].concat();
        crate::store::sql::reads_only(conditions, "i", &kept)
    }

    /// The table over every project, the table per project, the columns both keep.
    fn tables(self) -> (&'static str, &'static str, &'static [&'static str]) {
        match self {
            Counted::Issues => (
                "issue_totals",
                "issue_counts",
                &["tracker_id", "status_id", "is_private"],
            ),
            Counted::Statuses => (
                "issue_totals",
                "issue_project_counts",
                &["status_id", "is_private"],
            ),
            Counted::Values => (
                "issue_value_totals",
                "issue_value_counts",
                &[
                    "tracker_id",
                    "status_id",
                    "is_private",
                    "custom_field_id",
                    "value",
                ],
            ),
            Counted::Words => (
                "issue_word_totals",
                "issue_word_counts",
                &["tracker_id", "status_id", "is_private", "word"],
            ),
        }
    }
}

/// The total of the issues the terms name that match `extra`, as one expression: a part
/// over nearly every project is the totals over every project (`issue_totals`,
/// `issue_value_totals`) less the counts of the others. None when `extra` reads a column
/// the totals do not keep, or no part is over nearly every project (the plain sum is as
/// good).
pub fn summed_total(terms: &[Term], extra: &Sql, counted: Counted) -> Option<Sql> {
    let (totals, counts, kept) = counted.tables();
    let gains = terms
        .iter()
        .any(|t| matches!(t.projects, Projects::AllBut { .. }));
    if !gains || !crate::store::sql::reads_only(&extra.text, "i", kept) {
        return None;
    }
    let mut sql = Sql::new("(0");
    for term in terms {
        // `extra` is a run of ` AND …` terms, as the list's conditions are
        let filter = |sql: &mut Sql| {
            sql.push("(1 = 1");
            crate::store::sql::append(sql, extra);
            sql.push(")");
            if term.public_only {
                sql.push(" AND i.is_private = FALSE");
            }
        };
        match &term.projects {
            Projects::These(ids) if ids.is_empty() => {}
            Projects::These(ids) => {
                sql.push(&format!(
                    " + COALESCE((SELECT SUM(i.n) FROM {counts} i WHERE "
                ))
                .in_literal_ids("i.project_id", ids)
                .push(" AND ");
                filter(&mut sql);
                sql.push("), 0)");
            }
            Projects::AllBut { max, others } => {
                sql.push(&format!(
                    " + COALESCE((SELECT SUM(i.n) FROM {totals} i WHERE "
                ));
                filter(&mut sql);
                // less the others, and any project made since the universe was read
                sql.push(&format!(
                    "), 0) - COALESCE((SELECT SUM(i.n) FROM {counts} i WHERE (i.project_id > "
                ))
                .push(&max.to_string());
                if !others.is_empty() {
                    sql.push(" OR ").in_literal_ids("i.project_id", others);
                }
                sql.push(") AND ");
                filter(&mut sql);
                sql.push("), 0)");
            }
        }
    }
    sql.push(")");
    Some(sql)
}
