//! Issue filters translated into SQL (the WHERE part; the visibility condition comes
//! first): operators on attributes, people, relations and the tree here; dates in
//! `dates`, custom fields in `custom`, the visibility condition and sort expressions in
//! `scope`.

mod custom;
mod dates;
mod indexed;
mod scope;

use time::{Date, Duration, Month};

pub use super::sql::{append, in_list};
use super::sql::{like_pattern, Sql};
use crate::domain::issue_query::{words, Filter, Kind};
pub(crate) use custom::*;
pub use custom::{value_counted_sql_for, value_driven, values_probed};
pub(crate) use dates::*;
use indexed::indexed_words;
pub use indexed::{fts_driven, lookups_dropped, trigram_dropped};
pub use scope::*;

/// What the filters need to know about the request.
pub struct Env {
    pub user_id: i64,
    pub logged: bool,
    /// The caller and its groups, for `me` on assignees.
    pub me: Vec<i64>,
    pub today: Date,
    /// The project of the URL (or `project_id`), with its tree path.
    pub scope: Option<(i64, String)>,
    /// Whether private notes count for the `notes` filter.
    pub private_notes: bool,
    /// The custom fields the caller may filter on.
    pub custom: Vec<CustomFilter>,
    /// Projects where the caller may see other users' watches; `None`: everywhere.
    pub watcher_projects: Option<Vec<i64>>,
    /// The caller's visibility condition on `issues i`: relation filters only count
    /// relations to issues the caller sees.
    pub visible: Sql,
    /// The statement runs on PostgreSQL (text filters use its trigram indexes through
    /// ILIKE; SQLite's go through its FTS5 tables).
    pub postgres: bool,
}

/// A custom field usable as a filter: of the issue itself (`cf_<id>`), or of its project,
/// author, assignee or target version (`project.cf_<id>` …).
pub struct CustomFilter {
    pub name: String,
    pub field: i64,
    /// Projects where the caller sees the field's values; `None`: everywhere.
    pub projects: Option<Vec<i64>>,
    /// What holds the value: `(issue column naming it, its customized type)`.
    pub holder: (&'static str, &'static str),
    /// For `cf_<x>.cf_<y>`, `cf_<x>.due_date`, `cf_<x>.status`: the issue field `x` (of format
    /// user or version) naming the object whose value, due date or status is compared.
    pub through: Option<Through>,
}

/// What a filter through an issue's user or version field compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Through {
    /// A custom value of the user or version the issue field names.
    Value {
        field: i64,
        customized: &'static str,
    },
    /// The named version's due date.
    DueDate { field: i64 },
    /// The named version's status.
    Status { field: i64 },
}

/// The holders of chained custom field filters, by filter prefix.
pub const CHAINED: [(&str, &str, &str); 4] = [
    ("project", "i.project_id", "Project"),
    ("author", "i.author_id", "Principal"),
    ("assigned_to", "i.assigned_to_id", "Principal"),
    ("fixed_version", "i.fixed_version_id", "Version"),
];

pub(crate) fn ints(values: &[String], env: &Env, me_groups: bool) -> Vec<i64> {
    let mut out = Vec::new();
    for v in values {
        match v.trim() {
            "me" if env.logged => {
                if me_groups {
                    out.extend(env.me.iter().copied());
                } else {
                    out.push(env.user_id);
                }
            }
            "me" => out.push(-1),
            other => {
                if let Ok(n) = other.parse() {
                    out.push(n);
                }
            }
        }
    }
    out
}

/// `=`, `!` (NULL included), `*`, `!*` on an id column.
pub(crate) fn list(sql: &mut Sql, col: &str, op: &str, ids: &[i64]) {
    sql.push(" AND ");
    match op {
        "*" => {
            sql.push(col).push(" IS NOT NULL");
        }
        "!*" => {
            sql.push(col).push(" IS NULL");
        }
        "!" => {
            sql.push("(").push(col).push(" IS NULL OR NOT ");
            in_list(sql, col, ids);
            sql.push(")");
        }
        _ => in_list(sql, col, ids),
    }
}

/// Text operators (issues.md §3.4), shared by every query: `~` every word, `!~` none,
/// `^`, `$`, `=`, `*`, `!*`.
pub fn text(sql: &mut Sql, col: &str, op: &str, values: &[String]) {
    let value = values.first().cloned().unwrap_or_default();
    match op {
        "*" => {
            sql.push(" AND ").push(col).push(" IS NOT NULL");
        }
        "!*" => {
            sql.push(" AND (")
                .push(col)
                .push(" IS NULL OR ")
                .push(col)
                .push(" = '')");
        }
        "~" | "!~" => {
            sql.push(" AND ");
            if op == "!~" {
                sql.push(col).push(" IS NOT NULL AND NOT ");
            }
            sql.push("(");
            for (k, w) in words(&value).iter().enumerate() {
                if k > 0 {
                    sql.push(if op == "~" { " AND " } else { " OR " });
                }
                sql.push("LOWER(")
                    .push(col)
                    .push(") LIKE ")
                    .bind(like_pattern(w))
                    .push(" ESCAPE '\\'");
            }
            sql.push(")");
        }
        "^" | "$" => {
            let p = like_pattern(&value);
            let p = if op == "^" {
                p[1..].to_owned()
            } else {
                p[..p.len() - 1].to_owned()
            };
            sql.push(" AND LOWER(")
                .push(col)
                .push(") LIKE ")
                .bind(p)
                .push(" ESCAPE '\\'");
        }
        _ => {
            sql.push(" AND ").push(col).push(" = ").bind(value);
        }
    }
}

/// Integer and float operators.
pub(crate) fn number(sql: &mut Sql, col: &str, op: &str, values: &[String], float: bool) {
    let num = |v: &str| v.trim().parse::<f64>().ok();
    match op {
        "*" => {
            sql.push(" AND ").push(col).push(" IS NOT NULL");
        }
        "!*" => {
            sql.push(" AND ").push(col).push(" IS NULL");
        }
        "=" if float => {
            let v = values.first().and_then(|v| num(v)).unwrap_or(0.0);
            sql.push(" AND ")
                .push(col)
                .push(" BETWEEN ")
                .bind(v - 0.00001)
                .push(" AND ")
                .bind(v + 0.00001);
        }
        "=" => {
            // every integer of the first value counts: `1,2,3`
            let ids: Vec<i64> = values
                .first()
                .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
                .unwrap_or_default();
            sql.push(" AND ");
            in_list(sql, col, &ids);
        }
        ">=" | "<=" => {
            let v = values.first().and_then(|v| num(v)).unwrap_or(0.0);
            sql.push(" AND ")
                .push(col)
                .push(if op == ">=" { " >= " } else { " <= " })
                .bind(v);
        }
        "><" => {
            let a = values.first().and_then(|v| num(v)).unwrap_or(0.0);
            let b = values.get(1).and_then(|v| num(v)).unwrap_or(a);
            sql.push(" AND ")
                .push(col)
                .push(" BETWEEN ")
                .bind(a)
                .push(" AND ")
                .bind(b);
        }
        _ => {
            sql.push(" AND 1 = 0");
        }
    }
}

pub(crate) fn journal_exists(sql: &mut Sql, env: &Env, negate: bool) {
    sql.push(if negate {
        " AND NOT EXISTS ("
    } else {
        " AND EXISTS ("
    })
    .push(
        "SELECT 1 FROM journals j WHERE j.journalized_type = 'Issue' AND j.journalized_id = i.id",
    );
    if !env.private_notes {
        sql.push(" AND (j.private_notes = FALSE OR j.user_id = ")
            .bind(env.user_id)
            .push(")");
    }
}

pub fn sql_for(filters: &[Filter], env: &Env) -> Sql {
    let mut sql = Sql::default();
    for f in filters {
        let op = f.op.as_str();
        let v = &f.values;
        if let Some(cf) = env.custom.iter().find(|c| c.name == f.name) {
            custom_filter(&mut sql, cf, f, env);
            continue;
        }
        match f.name.as_str() {
            "status_id" => match op {
                "o" => {
                    sql.push(" AND i.status_id IN (SELECT id FROM issue_statuses WHERE is_closed = FALSE)");
                }
                "c" => {
                    sql.push(" AND i.status_id IN (SELECT id FROM issue_statuses WHERE is_closed = TRUE)");
                }
                "*" => {}
                _ => list(&mut sql, "i.status_id", op, &ints(v, env, false)),
            },
            "tracker_id" => list(&mut sql, "i.tracker_id", op, &ints(v, env, false)),
            "priority_id" => list(&mut sql, "i.priority_id", op, &ints(v, env, false)),
            "author_id" => list(&mut sql, "i.author_id", op, &ints(v, env, false)),
            "assigned_to_id" => list(&mut sql, "i.assigned_to_id", op, &ints(v, env, true)),
            "fixed_version_id" => list(&mut sql, "i.fixed_version_id", op, &ints(v, env, false)),
            "category_id" => list(&mut sql, "i.category_id", op, &ints(v, env, false)),
            "issue_id" => number(&mut sql, "i.id", op, v, false),
            "done_ratio" => number(&mut sql, "i.done_ratio", op, v, false),
            "estimated_hours" => number(&mut sql, "i.estimated_hours", op, v, true),
            "spent_time" => spent_time(&mut sql, op, v),
            "attachment" => attachment(&mut sql, op, v, false),
            "attachment_description" => attachment(&mut sql, op, v, true),
            "subject" => {
                indexed_words(&mut sql, "subject", op, v, env.postgres);
                text(&mut sql, "i.subject", op, v)
            }
            "description" => {
                indexed_words(&mut sql, "description", op, v, env.postgres);
                text(&mut sql, "i.description", op, v)
            }
            "start_date" => date(&mut sql, "i.start_date", true, op, v, env.today),
            "due_date" => date(&mut sql, "i.due_date", true, op, v, env.today),
            "created_on" => date(&mut sql, "i.created_on", false, op, v, env.today),
            "closed_on" => date(&mut sql, "i.closed_on", false, op, v, env.today),
            "updated_on" => match op {
                "*" => {
                    sql.push(" AND i.updated_on <> i.created_on");
                }
                "!*" => {
                    sql.push(" AND i.updated_on = i.created_on");
                }
                _ => date(&mut sql, "i.updated_on", false, op, v, env.today),
            },
            "notes" => {
                let negate = matches!(op, "!~" | "!*");
                let positive = match op {
                    "!~" => "~",
                    "!*" => "*",
                    other => other,
                };
                journal_exists(&mut sql, env, negate);
                let mut inner = Sql::default();
                match positive {
                    "*" => {
                        inner.push(" AND j.notes IS NOT NULL AND j.notes <> ''");
                    }
                    other => text(&mut inner, "j.notes", other, v),
                }
                append(&mut sql, &inner);
                sql.push(")");
            }
            "updated_by" => {
                journal_exists(&mut sql, env, op == "!");
                sql.push(" AND ");
                in_list(&mut sql, "j.user_id", &ints(v, env, false));
                sql.push(")");
            }
            "last_updated_by" => {
                // the newest journal the caller may see: a hidden private note does not
                // tell who wrote it
                sql.push(
                    " AND (SELECT j.user_id FROM journals j WHERE j.journalized_type = 'Issue' \
                           AND j.journalized_id = i.id",
                );
                if !env.private_notes {
                    sql.push(" AND (j.private_notes = FALSE OR j.user_id = ")
                        .bind(env.user_id)
                        .push(")");
                }
                sql.push(" ORDER BY j.id DESC LIMIT 1) ");
                let ids = ints(v, env, false);
                sql.push(if op == "!" { "NOT IN (" } else { "IN (" });
                if ids.is_empty() {
                    sql.push("NULL");
                }
                sql.ids(&ids);
                sql.push(")");
            }
            "member_of_group" => {
                let groups = ints(v, env, false);
                let mut members = Sql::new("(SELECT user_id FROM groups_users WHERE ");
                match op {
                    "*" | "!*" => {
                        members.push("1 = 1)");
                    }
                    _ => {
                        in_list(&mut members, "group_id", &groups);
                        members.push(")");
                    }
                }
                let neg = matches!(op, "!" | "!*");
                sql.push(if neg {
                    " AND (i.assigned_to_id IS NULL OR i.assigned_to_id NOT IN "
                } else {
                    " AND (i.assigned_to_id IN "
                });
                append(&mut sql, &members);
                if matches!(op, "=" | "!") {
                    sql.push(if neg { " AND NOT " } else { " OR " });
                    in_list(&mut sql, "i.assigned_to_id", &groups);
                }
                sql.push(")");
            }
            "assigned_to_role" => {
                let neg = matches!(op, "!" | "!*");
                sql.push(if neg { " AND (i.assigned_to_id IS NULL OR i.assigned_to_id NOT IN " } else { " AND (i.assigned_to_id IN " })
                    .push("(SELECT m.user_id FROM members m JOIN member_roles mr ON mr.member_id = m.id WHERE m.project_id = i.project_id");
                if matches!(op, "=" | "!") {
                    sql.push(" AND ");
                    in_list(&mut sql, "mr.role_id", &ints(v, env, false));
                }
                sql.push("))");
            }
            "fixed_version.due_date" => {
                let mut inner = Sql::default();
                date(&mut inner, "effective_date", true, op, v, env.today);
                sql.push(" AND i.fixed_version_id IN (SELECT id FROM versions WHERE 1 = 1");
                append(&mut sql, &inner);
                sql.push(")");
            }
            "fixed_version.status" => {
                sql.push(if op == "!" {
                    " AND (i.fixed_version_id IS NULL OR i.fixed_version_id NOT IN "
                } else {
                    " AND (i.fixed_version_id IN "
                })
                .push("(SELECT id FROM versions WHERE status IN (");
                for (k, s) in v.iter().enumerate() {
                    if k > 0 {
                        sql.push(", ");
                    }
                    sql.bind(s.clone());
                }
                if v.is_empty() {
                    sql.push("NULL");
                }
                sql.push(")))");
            }
            "watcher_id" => {
                // the caller's own watches are theirs to see; other users' only where the
                // caller may view watchers
                let (mine, others): (Vec<i64>, Vec<i64>) = ints(v, env, true)
                    .into_iter()
                    .partition(|id| *id == 0 || env.me.contains(id));
                let watched = |sql: &mut Sql, ids: &[i64]| {
                    sql.push("i.id IN (SELECT watchable_id FROM watchers WHERE watchable_type = 'Issue' AND ");
                    in_list(sql, "user_id", ids);
                    sql.push(")");
                };
                sql.push(if op == "!" { " AND NOT (" } else { " AND (" });
                watched(&mut sql, &mine);
                if !others.is_empty() {
                    sql.push(" OR (");
                    watched(&mut sql, &others);
                    match &env.watcher_projects {
                        // false, not NULL (`IN (NULL)`), so that `!` keeps these issues
                        Some(projects) if projects.is_empty() => {
                            sql.push(" AND 1 = 0");
                        }
                        Some(projects) => {
                            sql.push(" AND ");
                            in_list(&mut sql, "i.project_id", projects);
                        }
                        None => {}
                    }
                    sql.push(")");
                }
                sql.push(")");
            }
            name if crate::domain::relations::is_type(name) => relation(&mut sql, name, op, v, env),
            "parent_id" => tree(&mut sql, op, v, true, env),
            "child_id" => tree(&mut sql, op, v, false, env),
            "project_id" => {
                let mine = v.iter().any(|x| x == "mine");
                let ids = ints(v, env, false);
                sql.push(if op == "!" { " AND NOT (" } else { " AND (" });
                in_list(&mut sql, "i.project_id", &ids);
                if mine {
                    sql.push(
                        " OR i.project_id IN (SELECT project_id FROM members WHERE user_id = ",
                    )
                    .bind(env.user_id)
                    .push(")");
                }
                sql.push(")");
            }
            "project.status" => {
                sql.push(if op == "!" {
                    " AND i.project_id NOT IN "
                } else {
                    " AND i.project_id IN "
                })
                .push("(SELECT id FROM projects WHERE ");
                in_list(&mut sql, "status", &ints(v, env, false));
                sql.push(")");
            }
            "subproject_id" => {
                let Some((scope, _)) = &env.scope else {
                    continue;
                };
                match op {
                    "!*" => {
                        sql.push(" AND i.project_id = ").bind(*scope);
                    }
                    "*" => {}
                    "!" => {
                        sql.push(" AND NOT ");
                        in_list(&mut sql, "i.project_id", &ints(v, env, false));
                    }
                    _ => {
                        sql.push(" AND (i.project_id = ").bind(*scope).push(" OR ");
                        in_list(&mut sql, "i.project_id", &ints(v, env, false));
                        sql.push(")");
                    }
                }
            }
            "is_private" => {
                let flags: Vec<i64> = v.iter().filter_map(|x| x.trim().parse().ok()).collect();
                sql.push(if op == "!" { " AND NOT " } else { " AND " })
                    .push("(CASE WHEN i.is_private THEN 1 ELSE 0 END) IN (");
                if flags.is_empty() {
                    sql.push("NULL");
                }
                for (k, b) in flags.iter().enumerate() {
                    if k > 0 {
                        sql.push(", ");
                    }
                    sql.bind(*b);
                }
                sql.push(")");
            }
            _ => {}
        }
    }
    sql
}

/// A relation filter: issues on the `name` side of a relation (reverse types look at the
/// target side of the stored forward type; `relates` at both sides) whose other issue
/// matches the operator and is visible to the caller.
pub(crate) fn relation(sql: &mut Sql, name: &str, op: &str, values: &[String], env: &Env) {
    use crate::domain::relations::reverse_of;
    let value = values
        .first()
        .map_or(0, |v| crate::domain::values::ruby_to_i(v));
    let one_side = |sql: &mut Sql, reversed: bool| {
        let stored = reverse_of(name).unwrap_or(name);
        let (own, other) = if reversed {
            ("issue_to_id", "issue_from_id")
        } else {
            ("issue_from_id", "issue_to_id")
        };
        let negative = matches!(op, "!" | "!p" | "!*" | "!o");
        sql.push(if negative { "i.id NOT IN" } else { "i.id IN" })
            .push(" (SELECT r.")
            .push(own)
            .push(" FROM issue_relations r WHERE r.relation_type = ")
            .bind(stored.to_owned())
            .push(" AND r.")
            .push(other)
            .push(" IN (SELECT i.id FROM issues i WHERE ");
        append(sql, &env.visible);
        match op {
            "=" | "!" => {
                sql.push(" AND i.id = ").bind(value);
            }
            "=p" | "!p" => {
                sql.push(" AND i.project_id = ").bind(value);
            }
            "=!p" => {
                sql.push(" AND i.project_id <> ").bind(value);
            }
            "*o" | "!o" => {
                sql.push(
                    " AND i.status_id IN (SELECT id FROM issue_statuses WHERE is_closed = FALSE)",
                );
            }
            _ => {}
        }
        sql.push("))");
    };
    sql.push(" AND (");
    one_side(sql, reverse_of(name).is_some());
    if name == "relates" {
        let negative = op.starts_with('!');
        sql.push(if negative { " AND " } else { " OR " });
        one_side(sql, true);
    }
    sql.push(")");
}

/// `parent_id` (children of / descendants of) and `child_id` (parents of / ancestors of).
/// `(SELECT i.id FROM issues i WHERE <visible>)`: the issues the caller sees.
pub(crate) fn visible_issues(sql: &mut Sql, env: &Env) {
    sql.push("(SELECT i.id FROM issues i WHERE ");
    append(sql, &env.visible);
    sql.push(")");
}

/// `parent_id` and `child_id` filters. Only a parent or subtask the caller sees counts,
/// as only those are shown.
pub(crate) fn tree(sql: &mut Sql, op: &str, values: &[String], parent: bool, env: &Env) {
    let ids: Vec<i64> = values
        .first()
        .map(|v| {
            v.split([',', ' '])
                .filter_map(|x| x.trim().trim_start_matches('#').parse().ok())
                .collect()
        })
        .unwrap_or_default();
    match (op, parent) {
        ("*", true) => {
            sql.push(" AND i.parent_id IN ");
            visible_issues(sql, env);
        }
        ("!*", true) => {
            sql.push(" AND (i.parent_id IS NULL OR i.parent_id NOT IN ");
            visible_issues(sql, env);
            sql.push(")");
        }
        ("*", false) => {
            sql.push(" AND EXISTS (SELECT 1 FROM issues c WHERE c.parent_id = i.id AND c.id IN ");
            visible_issues(sql, env);
            sql.push(")");
        }
        ("!*", false) => {
            sql.push(
                " AND NOT EXISTS (SELECT 1 FROM issues c WHERE c.parent_id = i.id AND c.id IN ",
            );
            visible_issues(sql, env);
            sql.push(")");
        }
        ("~", true) => {
            let id = ids.first().copied().unwrap_or(0);
            sql.push(" AND i.id <> ")
                .bind(id)
                .push(" AND i.id_path LIKE ")
                .bind(format!("%/{id}/%"))
                .push(" AND ")
                .bind(id)
                .push(" IN ");
            visible_issues(sql, env);
        }
        ("~", false) => {
            let id = ids.first().copied().unwrap_or(0);
            sql.push(" AND i.id <> ")
                .bind(id)
                .push(" AND (SELECT x.id_path FROM issues x WHERE x.id = ")
                .bind(id)
                .push(") LIKE '%/' || CAST(i.id AS TEXT) || '/%' AND ")
                .bind(id)
                .push(" IN ");
            visible_issues(sql, env);
        }
        (_, true) => {
            sql.push(" AND ");
            in_list(sql, "i.parent_id", &ids);
            sql.push(" AND i.parent_id IN ");
            visible_issues(sql, env);
        }
        (_, false) => {
            sql.push(" AND i.id IN (SELECT parent_id FROM issues WHERE ");
            in_list(sql, "id", &ids);
            sql.push(" AND id IN ");
            visible_issues(sql, env);
            sql.push(")");
        }
    }
}

/// `attachment` (file names) and `attachment_description`: issues with (or without) a file
/// matching, as Redmine words them.
fn attachment(sql: &mut Sql, op: &str, values: &[String], description: bool) {
    let col = if description {
        "a.description"
    } else {
        "a.filename"
    };
    let value = values.first().cloned().unwrap_or_default().to_lowercase();
    let pattern = like_pattern(&value);
    let like = |sql: &mut Sql, pattern: String, negate: bool| {
        sql.push(" AND LOWER(")
            .push(col)
            .push(if negate { ") NOT LIKE " } else { ") LIKE " })
            .bind(pattern)
            .push(" ESCAPE '\\'");
    };
    let described = " AND a.description IS NOT NULL AND a.description <> ''";
    let exists = |sql: &mut Sql, negate: bool| {
        sql.push(if negate { " AND NOT EXISTS" } else { " AND EXISTS" })
            .push(" (SELECT 1 FROM attachments a WHERE a.container_type = 'Issue' AND a.container_id = i.id");
    };
    match (op, description) {
        ("*" | "!*", false) => {
            exists(sql, op == "!*");
        }
        ("*", true) => {
            exists(sql, false);
            sql.push(described);
        }
        ("!*", true) => {
            exists(sql, false);
            sql.push(" AND NOT (a.description IS NOT NULL AND a.description <> '')");
        }
        ("~" | "!~", false) => {
            exists(sql, op == "!~");
            like(sql, pattern, false);
        }
        ("~", true) => {
            exists(sql, false);
            like(sql, pattern, false);
        }
        ("!~", true) => {
            exists(sql, false);
            sql.push(described);
            like(sql, pattern, true);
        }
        ("^" | "$", _) => {
            exists(sql, false);
            let p = if op == "^" {
                pattern[1..].to_owned()
            } else {
                pattern[..pattern.len() - 1].to_owned()
            };
            like(sql, p, false);
        }
        _ => {
            sql.push(" AND 1=0");
            return;
        }
    }
    sql.push(")");
}

/// `spent_time`: all hours logged on the issue (rounded to 2 decimals), none counting as 0.
fn spent_time(sql: &mut Sql, op: &str, values: &[String]) {
    let num = |i: usize| {
        values
            .get(i)
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    sql.push(
        " AND COALESCE((SELECT ROUND(CAST(SUM(te.hours) AS NUMERIC), 2) FROM time_entries te \
         WHERE te.issue_id = i.id), 0) ",
    );
    match op {
        "=" | ">=" | "<=" => {
            sql.push(op).push(" ").bind(num(0));
        }
        "><" => {
            sql.push("BETWEEN ").bind(num(0)).push(" AND ").bind(num(1));
        }
        "*" => {
            sql.push("> 0");
        }
        _ => {
            sql.push("= 0");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Weekday;

    #[test]
    fn ranges() {
        let t = Date::from_calendar_date(2024, Month::March, 13).unwrap(); // a Wednesday
        assert_eq!(t.weekday(), Weekday::Wednesday);
        assert_eq!(
            named_range("w", t),
            (
                Date::from_calendar_date(2024, Month::March, 10).ok(),
                Date::from_calendar_date(2024, Month::March, 16).ok()
            )
        );
        assert_eq!(
            named_range("lm", t),
            (
                Date::from_calendar_date(2024, Month::February, 1).ok(),
                Date::from_calendar_date(2024, Month::February, 29).ok()
            )
        );
        assert_eq!(
            relative_range("><t-", 3, t),
            (
                Date::from_calendar_date(2024, Month::March, 10).ok(),
                Some(t)
            )
        );
    }
}
