//! Time entries: reading, the list with its filters and sorts, writing, and the sums shown
//! on issues and versions.

use super::issue_query::{self as q, append, in_list};
use super::sql::Sql;
use super::{now, Arg, Db, FromRow, Result, Row};
use crate::domain::issue_query::Filter;
use crate::domain::users::principal_name;

#[derive(Debug, Clone)]
pub struct TimeEntry {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub issue_id: Option<i64>,
    pub user_id: i64,
    pub user_name: String,
    pub author_id: i64,
    pub activity_id: i64,
    pub activity_name: String,
    pub hours: f64,
    pub comments: Option<String>,
    pub spent_on: String,
    pub created_on: i64,
    pub updated_on: i64,
}

impl FromRow for TimeEntry {
    fn from_row(r: &Row) -> Self {
        TimeEntry {
            id: r.i64("id"),
            project_id: r.i64("project_id"),
            project_name: r.str("project_name"),
            issue_id: r.opt_i64("issue_id"),
            user_id: r.i64("user_id"),
            user_name: principal_name(
                &r.opt_str("u_type").unwrap_or_default(),
                &r.opt_str("u_first").unwrap_or_default(),
                &r.opt_str("u_last").unwrap_or_default(),
            ),
            author_id: r.i64("author_id"),
            activity_id: r.i64("activity_id"),
            activity_name: r.opt_str("activity_name").unwrap_or_default(),
            hours: r.f64("hours"),
            comments: r.opt_str("comments"),
            spent_on: r.str("spent_on"),
            created_on: r.i64("created_on"),
            updated_on: r.i64("updated_on"),
        }
    }
}

const SELECT: &str = "SELECT te.id, te.project_id, p.name AS project_name, te.issue_id, \
    te.user_id, u.type AS u_type, u.firstname AS u_first, u.lastname AS u_last, te.author_id, \
    te.activity_id, a.name AS activity_name, te.hours, te.comments, te.spent_on, \
    te.created_on, te.updated_on \
    FROM time_entries te JOIN projects p ON p.id = te.project_id \
    LEFT JOIN users u ON u.id = te.user_id LEFT JOIN enumerations a ON a.id = te.activity_id ";

pub async fn find(db: &Db, id: i64) -> Result<Option<TimeEntry>> {
    db.opt(&format!("{SELECT} WHERE te.id = $1"), &[id.into()])
        .await
}

pub async fn find_many(db: &Db, ids: &[i64]) -> Result<Vec<TimeEntry>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE ");
    in_list(&mut sql, "te.id", ids);
    db.all(&sql.text, &sql.args).await
}

/// Who sees which entries: every entry of the `all` projects, the caller's own entries of
/// the `own` ones (time-entries.md §3.2).
#[derive(Debug, Default, Clone)]
pub struct Visible {
    pub all: Vec<i64>,
    pub own: Vec<i64>,
    pub user: i64,
    /// Every project id, when known (`sql::in_set`).
    pub universe: Option<std::sync::Arc<Vec<i64>>>,
}

impl Visible {
    /// The condition on `time_entries te`.
    pub fn condition(&self) -> Sql {
        self.condition_on("te.project_id")
    }

    /// `col`: the project column as written (`+te.project_id` keeps SQLite off the
    /// project index, see `list`).
    fn condition_on(&self, col: &str) -> Sql {
        let universe = self.universe.as_deref().map(Vec::as_slice);
        let mut sql = Sql::new("(");
        crate::store::sql::in_set(&mut sql, col, &self.all, universe);
        if !self.own.is_empty() {
            sql.push(" OR (te.user_id = ").bind(self.user).push(" AND ");
            crate::store::sql::in_set(&mut sql, col, &self.own, universe);
            sql.push(")");
        }
        sql.push(")");
        sql
    }

    pub fn sees(&self, e: &TimeEntry) -> bool {
        self.all.contains(&e.project_id)
            || (self.own.contains(&e.project_id) && e.user_id == self.user)
    }
}

/// What the list's filters need besides the filters: the issue query's environment
/// (caller, today, the query project, the custom fields one may filter on, the caller's
/// issue visibility as a condition on `issues i`), and the projects the caller is a member
/// of (`mine`).
pub struct Env {
    pub base: q::Env,
    pub mine: Vec<i64>,
}

/// The list's query: visible entries, in the query project's scope, filtered.
pub struct Query<'a> {
    pub visible: &'a Visible,
    pub filters: &'a [Filter],
    pub env: &'a Env,
}

/// The list's condition. `wide`: the project terms are written so that no index serves
/// them (`+te.project_id`), for scopes matching so many entries that reading an index in
/// the sort's order and skipping the others is faster than collecting them all.
fn condition(q: &Query, wide: bool) -> Sql {
    let (filters, env) = (q.filters, &q.env.base);
    let col = if wide {
        "+te.project_id"
    } else {
        "te.project_id"
    };
    let mut sql = q.visible.condition_on(col);
    let subprojects = filters.iter().find(|f| f.name == "subproject_id");
    if let Some((id, path)) = &env.scope {
        sql.push(" AND (").push(col).push(" = ").bind(*id);
        let descendants = format!("{col} IN (SELECT sp.id FROM projects sp WHERE sp.id_path LIKE ");
        let descendants = descendants.as_str();
        match subprojects.map(|f| (f.op.as_str(), ints(&f.values))) {
            Some(("!*", _)) => {}
            Some(("=", ids)) => {
                sql.push(" OR ");
                in_list(&mut sql, "te.project_id", &ids);
            }
            Some(("!", ids)) => {
                sql.push(" OR (")
                    .push(descendants)
                    .bind(format!("{path}%"))
                    .push(") AND NOT ");
                in_list(&mut sql, "te.project_id", &ids);
                sql.push(")");
            }
            _ => {
                sql.push(" OR ")
                    .push(descendants)
                    .bind(format!("{path}%"))
                    .push(")");
            }
        }
        sql.push(")");
    }
    for f in filters {
        filter(&mut sql, f, q.env);
    }
    sql
}

fn ints(values: &[String]) -> Vec<i64> {
    values
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

fn people(values: &[String], env: &q::Env) -> Vec<i64> {
    values
        .iter()
        .filter_map(|v| match v.trim() {
            "me" if env.logged => Some(env.user_id),
            "me" => Some(-1),
            other => other.parse().ok(),
        })
        .collect()
}

fn filter(sql: &mut Sql, f: &Filter, te_env: &Env) {
    let env = &te_env.base;
    let op = f.op.as_str();
    match f.name.as_str() {
        "spent_on" => q::date(sql, "te.spent_on", true, op, &f.values, env.today),
        "project_id" => {
            let mut ids = Vec::new();
            for v in &f.values {
                match v.trim() {
                    "mine" => ids.extend(te_env.mine.iter().copied()),
                    other => ids.extend(other.parse::<i64>().ok()),
                }
            }
            q::list(sql, "te.project_id", op, &ids);
        }
        "issue_id" => issue(sql, op, &f.values),
        "issue.tracker_id" | "issue.status_id" | "issue.category_id" => {
            let col = format!("i.{}", &f.name["issue.".len()..]);
            visible_issue(sql, &col, op, &ints(&f.values), env);
        }
        "issue.fixed_version_id" => {
            // any issue with the version, seen or not; `!` also drops entries without issue
            let not = if op == "!" { " NOT" } else { "" };
            sql.push(" AND te.issue_id")
                .push(not)
                .push(" IN (SELECT i.id FROM issues i WHERE ");
            in_list(sql, "i.fixed_version_id", &ints(&f.values));
            sql.push(")");
        }
        "user_id" => q::list(sql, "te.user_id", op, &people(&f.values, env)),
        "author_id" => q::list(sql, "te.author_id", op, &people(&f.values, env)),
        "activity_id" => {
            // an activity stands for the project-specific activities overriding it
            let not = if op == "!" { " NOT" } else { "" };
            let ids = ints(&f.values);
            sql.push(" AND te.activity_id")
                .push(not)
                .push(" IN (SELECT ea.id FROM enumerations ea WHERE ");
            in_list(sql, "ea.id", &ids);
            sql.push(" OR ");
            in_list(sql, "ea.parent_id", &ids);
            sql.push(")");
        }
        "project.status" => {
            let not = if op == "!" { " NOT" } else { "" };
            sql.push(" AND te.project_id")
                .push(not)
                .push(" IN (SELECT ps.id FROM projects ps WHERE ");
            in_list(sql, "ps.status", &ints(&f.values));
            sql.push(")");
        }
        "comments" => q::text(sql, "te.comments", op, &f.values),
        "hours" => q::number(sql, "te.hours", op, &f.values, true),
        name => {
            if let Some(cf) = env.custom.iter().find(|c| c.name == name) {
                q::custom_filter(sql, cf, f, env);
            }
        }
    }
}

/// `issue_id`: `=` that issue, `~` it and its descendants, `*` any, `!*` none.
fn issue(sql: &mut Sql, op: &str, values: &[String]) {
    let id: i64 = values
        .first()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    match op {
        "*" => {
            sql.push(" AND te.issue_id IS NOT NULL");
        }
        "!*" => {
            sql.push(" AND te.issue_id IS NULL");
        }
        "~" => {
            sql.push(" AND te.issue_id IN (SELECT d.id FROM issues d WHERE d.id_path LIKE ")
                .push("(SELECT x.id_path FROM issues x WHERE x.id = ")
                .bind(id)
                .push(") || '%')");
        }
        _ => {
            sql.push(" AND te.issue_id = ").bind(id);
        }
    }
}

/// A filter on the entry's issue, which counts only when the caller sees the issue: an
/// entry whose issue is hidden (or without issue) never matches `=`, always `!` and `!*`.
fn visible_issue(sql: &mut Sql, col: &str, op: &str, ids: &[i64], env: &q::Env) {
    let matching = |sql: &mut Sql, cond: &dyn Fn(&mut Sql)| {
        sql.push("te.issue_id IN (SELECT i.id FROM issues i WHERE ");
        cond(sql);
        sql.push(" AND ");
        append(sql, &env.visible);
        sql.push(")");
    };
    match op {
        "=" => {
            sql.push(" AND ");
            matching(sql, &|s: &mut Sql| in_list(s, col, ids));
        }
        "*" => {
            sql.push(" AND ");
            matching(sql, &|s: &mut Sql| {
                s.push(col).push(" IS NOT NULL");
            });
        }
        "!*" => {
            sql.push(" AND (te.issue_id IS NULL OR NOT ");
            matching(sql, &|s: &mut Sql| {
                s.push(col).push(" IS NOT NULL");
            });
            sql.push(")");
        }
        _ => {
            sql.push(" AND (te.issue_id IS NULL OR NOT ");
            matching(sql, &|s: &mut Sql| in_list(s, col, ids));
            sql.push(")");
        }
    }
}

/// The sort expressions of a key (time-entries.md §3.5), each with whether it can be NULL.
fn sort_expressions(key: &str) -> Option<&'static [(&'static str, bool)]> {
    Some(match key {
        "project" => &[("p.name", false)],
        // entries created in the same second keep their order of creation (Redmine's
        // timestamps have microseconds; ids grow with time)
        "spent_on" => &[
            ("te.spent_on", false),
            ("te.created_on", false),
            ("te.id", false),
        ],
        "created_on" => &[("te.created_on", false), ("te.id", false)],
        "tweek" => &[("te.tyear", false), ("te.tweek", false)],
        "author" => &[
            ("(SELECT x.firstname FROM users x WHERE x.id = te.author_id)", true),
            ("(SELECT x.lastname FROM users x WHERE x.id = te.author_id)", true),
            ("te.author_id", false),
        ],
        "user" => &[("u.firstname", true), ("u.lastname", true), ("te.user_id", false)],
        "activity" => &[("a.position", true)],
        "issue" => &[("te.issue_id", true)],
        "issue.tracker" => &[(
            "(SELECT t.position FROM issues x JOIN trackers t ON t.id = x.tracker_id WHERE x.id = te.issue_id)",
            true,
        )],
        "issue.status" => &[(
            "(SELECT s.position FROM issues x JOIN issue_statuses s ON s.id = x.status_id WHERE x.id = te.issue_id)",
            true,
        )],
        "issue.category" => &[(
            "(SELECT c.name FROM issues x JOIN issue_categories c ON c.id = x.category_id WHERE x.id = te.issue_id)",
            true,
        )],
        "issue.fixed_version" => &[
            (
                "(SELECT v.effective_date FROM issues x JOIN versions v ON v.id = x.fixed_version_id WHERE x.id = te.issue_id)",
                true,
            ),
            (
                "(SELECT v.name FROM issues x JOIN versions v ON v.id = x.fixed_version_id WHERE x.id = te.issue_id)",
                true,
            ),
        ],
        "hours" => &[("te.hours", false)],
        _ => return None,
    })
}

/// Columns a list can be grouped by (`group_by`), and those whose groups come newest first.
pub const GROUPABLE: &[&str] = &[
    "project",
    "spent_on",
    "user",
    "activity",
    "issue",
    "issue.tracker",
    "issue.status",
    "issue.category",
    "issue.fixed_version",
];
pub const GROUPED_DESC: &[&str] = &["spent_on"];

/// The ORDER BY of a grouping, then of `(key, descending)` criteria (the first three known
/// keys), then the id. Columns that cannot be NULL are ordered plainly, so an index can
/// serve the order.
/// `custom`: the sort expressions of the custom field keys the caller may sort by.
pub fn order(
    group: Option<(&str, bool)>,
    criteria: &[(String, bool)],
    custom: &[(String, String)],
) -> String {
    let exprs = |key: &str| -> Option<Vec<(String, bool)>> {
        if let Some(e) = sort_expressions(key) {
            return Some(e.iter().map(|(x, n)| ((*x).to_owned(), *n)).collect());
        }
        let (_, e) = custom.iter().find(|(k, _)| k == key)?;
        Some(vec![(e.clone(), true)])
    };
    let mut order = Vec::new();
    let sorts = criteria
        .iter()
        .filter_map(|(k, desc)| exprs(k).map(|e| (e, *desc)))
        .take(3);
    let grouped = group.and_then(|(k, desc)| exprs(k).map(|e| (e, desc)));
    let known = grouped.into_iter().chain(sorts);
    for (exprs, desc) in known {
        for (expr, nullable) in exprs {
            order.push(if nullable {
                super::sql::order_term(&expr, desc)
            } else {
                format!("{expr} {}", if desc { "DESC" } else { "ASC" })
            });
        }
    }
    order.push("te.id ASC".into());
    order.join(", ")
}

/// Matches above which a page is read in the sort's order rather than through the
/// project index (SQLite would otherwise collect and sort every match).
const WIDE: i64 = 5_000;

/// A page of entries and the number of all matching ones: two statements.
pub async fn list(
    db: &Db,
    q: &Query<'_>,
    order: &str,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<TimeEntry>)> {
    let cond = condition(q, false);
    // conditions on the columns a counts table keeps are summed from it, under the same
    // alias: the project's alone (a row per project), or with the user and the activity
    let reads_only = |columns: &[&str]| super::sql::reads_only(&cond.text, "te", columns);
    let counts = if reads_only(&["project_id"]) {
        Some("time_entry_project_counts")
    } else if reads_only(&["project_id", "user_id", "activity_id"]) {
        Some("time_entry_counts")
    } else {
        None
    };
    let mut count = match counts {
        Some(table) => Sql::new(&format!(
            "SELECT CAST(COALESCE(SUM(te.n), 0) AS BIGINT) FROM {table} te WHERE "
        )),
        None => Sql::new("SELECT COUNT(*) FROM time_entries te WHERE "),
    };
    append(&mut count, &cond);
    let total = db.int(&count.text, &count.args).await?;
    if total == 0 || offset >= total {
        return Ok((total, Vec::new()));
    }
    let mut page = Sql::new(SELECT);
    page.push(" WHERE ");
    append(&mut page, &condition(q, total > WIDE));
    page.push(" ORDER BY ")
        .push(order)
        .page(db.is_postgres(), limit, offset);
    Ok((total, db.all(&page.text, &page.args).await?))
}

/// The columns of a new or changed entry.
#[derive(Debug, Clone)]
pub struct Values {
    pub project_id: i64,
    pub issue_id: Option<i64>,
    pub user_id: i64,
    pub activity_id: i64,
    pub hours: f64,
    pub comments: Option<String>,
    pub spent_on: String,
}

fn calendar(spent_on: &str) -> (i64, i64, i64) {
    match super::issue_query::day(spent_on) {
        Some(d) => (
            i64::from(d.year()),
            i64::from(d.month() as u8),
            i64::from(d.iso_week()),
        ),
        None => (0, 0, 0),
    }
}

impl Values {
    /// The written columns, with the date's year, month and week, in the order both
    /// statements below name them.
    fn args(&self) -> Vec<Arg> {
        let (y, m, w) = calendar(&self.spent_on);
        vec![
            self.project_id.into(),
            self.issue_id.into(),
            self.user_id.into(),
            self.activity_id.into(),
            self.hours.into(),
            self.comments.clone().into(),
            self.spent_on.clone().into(),
            y.into(),
            m.into(),
            w.into(),
        ]
    }
}

pub async fn create(
    db: &Db,
    v: &Values,
    author: i64,
    custom: &[(i64, Vec<String>)],
) -> Result<i64> {
    let mut args = v.args();
    args.extend([author.into(), now().into()]);
    let mut tx = db.begin().await?;
    let id = tx
        .int(
            "INSERT INTO time_entries (project_id, issue_id, user_id, activity_id, hours, \
             comments, spent_on, tyear, tmonth, tweek, author_id, created_on, updated_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
            &args,
        )
        .await?;
    super::custom_values::set(&mut tx, "TimeEntry", id, custom).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update(db: &Db, id: i64, v: &Values, custom: &[(i64, Vec<String>)]) -> Result<()> {
    let mut args = v.args();
    args.extend([now().into(), id.into()]);
    let mut tx = db.begin().await?;
    tx.exec(
        "UPDATE time_entries SET project_id = $1, issue_id = $2, user_id = $3, activity_id = $4, \
         hours = $5, comments = $6, spent_on = $7, tyear = $8, tmonth = $9, tweek = $10, \
         updated_on = $11 WHERE id = $12",
        &args,
    )
    .await?;
    super::custom_values::set(&mut tx, "TimeEntry", id, custom).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes entries with their custom values; returns the files of their attachment fields
/// to remove from the store.
pub async fn delete(db: &Db, ids: &[i64]) -> Result<Vec<(String, String)>> {
    let mut tx = db.begin().await?;
    let mut sql = Sql::new("DELETE FROM time_entries WHERE ");
    in_list(&mut sql, "id", ids);
    tx.exec(&sql.text, &sql.args).await?;
    let files = super::custom_values::delete_of(&mut tx, "TimeEntry", ids).await?;
    tx.commit().await?;
    Ok(files)
}

/// Hours the user logged that day on other entries (the daily maximum).
pub async fn other_hours(db: &Db, user: i64, spent_on: &str, except: i64) -> Result<f64> {
    let rows = db
        .rows(
            "SELECT COALESCE(SUM(hours), 0) AS h FROM time_entries \
             WHERE user_id = $1 AND spent_on = $2 AND id <> $3",
            &[user.into(), spent_on.into(), except.into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.f64("h")).unwrap_or(0.0))
}

/// The default shared activity, if one is flagged.
pub async fn default_activity(db: &Db) -> Result<Option<i64>> {
    Ok(db
        .rows(
            "SELECT id FROM enumerations WHERE type = 'TimeEntryActivity' AND is_default = TRUE \
             AND project_id IS NULL ORDER BY position LIMIT 1",
            &[],
        )
        .await?
        .first()
        .map(|r| r.i64("id")))
}

/// Active members of the project with, for each, whether they are an administrator and
/// the permissions of their roles (one line each).
pub async fn active_members(db: &Db, project: i64) -> Result<Vec<(i64, bool, String)>> {
    Ok(db
        .rows(
            "SELECT m.user_id, u.admin, r.permissions FROM members m \
             JOIN member_roles mr ON mr.member_id = m.id JOIN roles r ON r.id = mr.role_id \
             JOIN users u ON u.id = m.user_id \
             WHERE m.project_id = $1 AND u.type = 'User' AND u.status = 1",
            &[project.into()],
        )
        .await?
        .iter()
        .map(|r| (r.i64("user_id"), r.bool("admin"), r.str("permissions")))
        .collect())
}

/// `(issue, spent, total spent)` of these issues: the visible entries on the issue, and on
/// it and its descendants.
pub async fn spent_on_issues(db: &Db, ids: &[i64], visible: &Sql) -> Result<Vec<(i64, f64, f64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT i.id, (SELECT COALESCE(SUM(te.hours), 0) FROM time_entries te \
         WHERE te.issue_id = i.id AND ",
    );
    append(&mut sql, visible);
    // the subtree is summed only for issues that have one (most have not, and the sum
    // reads the tree); the others' total is their own spent time. Each issue of the
    // subtree sums its own entries: joined instead, PostgreSQL (which expects thousands
    // of issues in any tree-path range) hashed every entry there is, 80 ms per parent
    sql.push(
        ") AS spent, CASE WHEN EXISTS (SELECT 1 FROM issues ch WHERE ch.parent_id = i.id) \
         THEN (SELECT COALESCE(SUM((SELECT SUM(te.hours) FROM time_entries te \
         WHERE te.issue_id = d.id AND ",
    );
    append(&mut sql, visible);
    sql.push(
        ")), 0) FROM issues d WHERE d.id_path >= i.id_path AND d.id_path < i.id_path || ':') \
         ELSE (SELECT COALESCE(SUM(te.hours), 0) FROM time_entries te \
         WHERE te.issue_id = i.id AND ",
    );
    append(&mut sql, visible);
    sql.push(") END AS total FROM issues i WHERE ");
    in_list(&mut sql, "i.id", ids);
    Ok(db
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .map(|r| (r.i64("id"), r.f64("spent"), r.f64("total")))
        .collect())
}

/// All hours logged on the issues of a version, whoever sees them (as Redmine sums them).
pub async fn spent_on_version(db: &Db, version: i64) -> Result<f64> {
    let rows = db
        .rows(
            "SELECT COALESCE(SUM(te.hours), 0) AS h FROM time_entries te \
             JOIN issues i ON i.id = te.issue_id WHERE i.fixed_version_id = $1",
            &[version.into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.f64("h")).unwrap_or(0.0))
}
