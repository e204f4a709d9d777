//! Project lists: visibility, filters, sorts and pages.

use super::*;

/// Which projects a caller sees in lists (permissions.md §6).
#[derive(Debug, Clone, Copy)]
pub enum Visibility {
    Admin,
    User(i64),
    Anonymous,
}

pub fn visibility_sql(v: Visibility, sql: &mut Sql) {
    sql.push(" p.status <> 9");
    match v {
        Visibility::Admin => {}
        Visibility::User(uid) => {
            sql.push(
                " AND (p.is_public = TRUE OR p.id IN (SELECT m.project_id FROM members m \
                 JOIN member_roles mr ON mr.member_id = m.id WHERE m.user_id = ",
            )
            .bind(uid)
            .push("))");
        }
        Visibility::Anonymous => {
            sql.push(" AND p.is_public = TRUE");
        }
    }
}

/// A list filter: SQL appended after the visibility condition.
#[derive(Debug, Default, Clone)]
pub struct ListQuery {
    pub conditions: Sql,
    /// `ORDER BY` terms before the tree order.
    pub order: Vec<String>,
}

pub async fn list(
    db: &Db,
    v: Visibility,
    q: &ListQuery,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Project>)> {
    let mut count = Sql::new("SELECT COUNT(*) FROM projects p WHERE");
    visibility_sql(v, &mut count);
    crate::store::sql::append(&mut count, &q.conditions);
    let mut page = Sql::new(SELECT);
    page.push(" WHERE");
    visibility_sql(v, &mut page);
    crate::store::sql::append(&mut page, &q.conditions);
    let mut order = q.order.clone();
    order.push("p.tree_path".into());
    page.push(" ORDER BY ").push(&order.join(", "));
    page.page(db.is_postgres(), limit, offset);
    let total = db.int(&count.text, &count.args).await?;
    let projects = db.all(&page.text, &page.args).await?;
    Ok((total, projects))
}

/// SQL for the list filters (projects.md §4.3), appended after the visibility condition.
/// `(SELECT p.id FROM projects p WHERE <visibility>)`.
pub(crate) fn visible_projects(sql: &mut Sql, v: Visibility) {
    let mut sub = Sql::new("(SELECT p.id FROM projects p WHERE");
    visibility_sql(v, &mut sub);
    sub.push(")");
    crate::store::issue_query::append(sql, &sub);
}

pub fn filter_sql(filters: &[crate::domain::query::Filter], user_id: i64, v: Visibility) -> Sql {
    let mut sql = Sql::default();
    for f in filters {
        let values: Vec<String> = f.values.iter().filter(|v| !v.is_empty()).cloned().collect();
        let ids = |values: &[String]| -> Vec<i64> {
            values
                .iter()
                .filter_map(|v| match v.as_str() {
                    "mine" => None,
                    other => other.trim().parse().ok(),
                })
                .collect()
        };
        let in_list = |sql: &mut Sql, col: &str, neg: bool, nums: Vec<i64>, mine: bool| {
            sql.push(" AND ");
            if neg {
                sql.push("NOT ");
            }
            sql.push("(").push(col).push(" IN (");
            if nums.is_empty() {
                sql.push("NULL");
            }
            sql.ids(&nums);
            sql.push(")");
            if mine {
                sql.push(" OR ")
                    .push(col)
                    .push(" IN (SELECT project_id FROM members WHERE user_id = ")
                    .bind(user_id)
                    .push(")");
            }
            sql.push(")");
        };
        let neg = f.op == "!";
        match f.field.as_str() {
            "status" => in_list(&mut sql, "p.status", neg, ids(&values), false),
            "id" => {
                let mine = values.iter().any(|v| v == "mine");
                in_list(&mut sql, "p.id", neg, ids(&values), mine)
            }
            "is_public" => {
                let bools: Vec<i64> = values.iter().map(|v| (v == "1") as i64).collect();
                sql.push(" AND ");
                if neg {
                    sql.push("NOT ");
                }
                sql.push("(CASE WHEN p.is_public THEN 1 ELSE 0 END IN (");
                for (i, b) in bools.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.bind(*b);
                }
                sql.push("))");
            }
            // only a parent the caller sees counts, as only that one is shown
            "parent_id" => match f.op.as_str() {
                "*" => {
                    sql.push(" AND p.parent_id IN ");
                    visible_projects(&mut sql, v);
                }
                "!*" => {
                    sql.push(" AND (p.parent_id IS NULL OR p.parent_id NOT IN ");
                    visible_projects(&mut sql, v);
                    sql.push(")");
                }
                _ => {
                    let mine = values.iter().any(|v| v == "mine");
                    in_list(&mut sql, "p.parent_id", neg, ids(&values), mine);
                    if !neg {
                        sql.push(" AND p.parent_id IN ");
                        visible_projects(&mut sql, v);
                    }
                }
            },
            "name" | "description" => {
                let col = format!("p.{}", f.field);
                crate::store::issue_query::text(&mut sql, &col, &f.op, &values);
            }
            "created_on" => date_condition(&mut sql, "p.created_on", &f.op, &values),
            _ => {}
        }
    }
    sql
}

/// Date operators on an epoch-seconds column, days in UTC.
pub fn date_condition(sql: &mut Sql, col: &str, op: &str, values: &[String]) {
    let day = |s: &str| -> Option<i64> {
        let d = time::Date::parse(
            s,
            &time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()?;
        Some(d.midnight().assume_utc().unix_timestamp())
    };
    let from = values.first().and_then(|v| day(v));
    let to = values.get(1).and_then(|v| day(v));
    match (op, from) {
        ("*", _) => {
            sql.push(" AND ").push(col).push(" IS NOT NULL");
        }
        ("!*", _) => {
            sql.push(" AND ").push(col).push(" IS NULL");
        }
        ("=", Some(d)) => {
            sql.push(" AND ").push(col).push(" >= ").bind(d);
            sql.push(" AND ").push(col).push(" < ").bind(d + 86_400);
        }
        (">=", Some(d)) => {
            sql.push(" AND ").push(col).push(" >= ").bind(d);
        }
        ("<=", Some(d)) => {
            sql.push(" AND ").push(col).push(" < ").bind(d + 86_400);
        }
        ("><", Some(d)) => {
            sql.push(" AND ").push(col).push(" >= ").bind(d);
            if let Some(e) = to {
                sql.push(" AND ").push(col).push(" < ").bind(e + 86_400);
            }
        }
        _ => {
            sql.push(" AND 1 = 0");
        }
    }
}
