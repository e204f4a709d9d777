//! Filters on custom fields: values, and fields reached through a user or version field.

use super::*;

/// A custom field filter: the issues holding (or whose project, author, assignee or version
/// holds) a matching value the caller may see. `!` and `!*` are the complement of `=` and
/// `*`, so that holders without any value match them; an issue without the holder (no
/// assignee, no version) matches no chained filter.
pub(crate) fn custom_filter(sql: &mut Sql, cf: &CustomFilter, f: &Filter, env: &Env) {
    let (negate, op) = match f.op.as_str() {
        "!" => (true, "="),
        "!*" => (true, "*"),
        other => (false, other),
    };
    if let Some(through) = cf.through {
        return through_filter(sql, cf, through, f, op, negate, env);
    }
    let (column, customized) = cf.holder;
    sql.push(" AND ");
    if column != "i.id" && column != "te.id" {
        sql.push(column).push(" IS NOT NULL AND ");
    }
    sql.push(column)
        .push(if negate { " NOT IN (" } else { " IN (" })
        .push("SELECT cv.customized_id FROM custom_values cv WHERE cv.customized_type = ")
        .bind(customized)
        .push(" AND cv.custom_field_id = ")
        .bind(cf.field);
    if let Some(projects) = &cf.projects {
        // only values of holders in projects where the caller sees the field
        match customized {
            "Issue" => {
                sql.push(" AND cv.customized_id IN (SELECT vi.id FROM issues vi WHERE ");
                in_list(sql, "vi.project_id", projects);
                sql.push(")");
            }
            "Version" => {
                sql.push(" AND cv.customized_id IN (SELECT vv.id FROM versions vv WHERE ");
                in_list(sql, "vv.project_id", projects);
                sql.push(")");
            }
            "TimeEntry" => {
                sql.push(" AND cv.customized_id IN (SELECT vt.id FROM time_entries vt WHERE ");
                in_list(sql, "vt.project_id", projects);
                sql.push(")");
            }
            _ => {
                sql.push(" AND ");
                in_list(sql, "cv.customized_id", projects);
            }
        }
    }
    if customized == "Issue" && column != "i.id" {
        // an issue reached from elsewhere counts only when the caller sees it
        sql.push(" AND cv.customized_id IN (SELECT i.id FROM issues i WHERE ");
        append(sql, &env.visible);
        sql.push(")");
    }
    value_condition(sql, "cv.value", f, op, env);
    sql.push(")");
}

/// ` AND <the stored value in column col matches>`: a blank value is no value.
pub(crate) fn value_condition(sql: &mut Sql, col: &str, f: &Filter, op: &str, env: &Env) {
    sql.push(" AND ").push(col).push(" <> ''");
    let v = &f.values;
    match (f.kind, op) {
        (_, "*") => {}
        (Kind::String | Kind::Text, "=") => {
            sql.push(" AND ");
            in_list(sql, col, v);
            indexed_length(sql, col, v);
        }
        (Kind::String | Kind::Text, _) => text(sql, col, op, v),
        (Kind::Integer | Kind::Float, _) => number(
            sql,
            &format!("CAST(CASE WHEN {col} = '' THEN NULL ELSE {col} END AS NUMERIC)"),
            op,
            v,
            f.kind == Kind::Float,
        ),
        (Kind::Date, _) => date(sql, col, true, op, v, env.today),
        _ => {
            let values: Vec<String> = v
                .iter()
                .map(|x| match x.as_str() {
                    "me" => env.user_id.to_string(),
                    other => other.to_owned(),
                })
                .collect();
            sql.push(" AND ");
            in_list(sql, col, &values);
            indexed_length(sql, col, &values);
        }
    }
}

/// The longest values the index on custom values holds on PostgreSQL (a longer one would
/// not fit an index row: migration 29).
const INDEXED_LENGTH: usize = 200;

/// Equal to values no longer than the index holds, a match is no longer either: saying
/// so lets PostgreSQL use the index (which leaves longer values out).
fn indexed_length(sql: &mut Sql, col: &str, values: &[String]) {
    if values.iter().all(|v| v.chars().count() <= INDEXED_LENGTH) {
        sql.push(&format!(" AND length({col}) <= {INDEXED_LENGTH}"));
    }
}

/// A filter through an issue's user or version field: the issues whose field names a
/// user or version matching the condition (its custom value, due date or status).
pub(crate) fn through_filter(
    sql: &mut Sql,
    cf: &CustomFilter,
    through: Through,
    f: &Filter,
    op: &str,
    negate: bool,
    env: &Env,
) {
    let field = match through {
        Through::Value { field, .. } | Through::DueDate { field } | Through::Status { field } => {
            field
        }
    };
    sql.push(if negate {
        " AND i.id NOT IN ("
    } else {
        " AND i.id IN ("
    })
    .push(
        "SELECT cv.customized_id FROM custom_values cv WHERE cv.customized_type = 'Issue' \
             AND cv.custom_field_id = ",
    )
    .bind(field);
    if let Some(projects) = &cf.projects {
        sql.push(" AND cv.customized_id IN (SELECT vi.id FROM issues vi WHERE ");
        in_list(sql, "vi.project_id", projects);
        sql.push(")");
    }
    sql.push(" AND cv.value IN (");
    match through {
        Through::Value { customized, .. } => {
            sql.push(
                "SELECT CAST(t.customized_id AS TEXT) FROM custom_values t \
                 WHERE t.customized_type = ",
            )
            .bind(customized)
            .push(" AND t.custom_field_id = ")
            .bind(cf.field);
            value_condition(sql, "t.value", f, op, env);
        }
        Through::DueDate { .. } => {
            sql.push("SELECT CAST(v.id AS TEXT) FROM versions v WHERE 1 = 1");
            if op == "*" {
                sql.push(" AND v.effective_date IS NOT NULL");
            } else {
                date(sql, "v.effective_date", true, op, &f.values, env.today);
            }
        }
        Through::Status { .. } => {
            sql.push("SELECT CAST(v.id AS TEXT) FROM versions v WHERE ");
            in_list(sql, "v.status", &f.values);
        }
    }
    sql.push("))");
}

/// The filters written for `issue_value_counts i`, when exactly one of them asks for one
/// value of an issue custom field (`cf_1=High`) and the table keeps that value: the others
/// as for the issues (the list then sums these counts only when they read the columns the
/// table keeps as well). None otherwise.
pub fn value_counted_sql_for(filters: &[Filter], env: &Env) -> Option<Sql> {
    let mut sql = Sql::default();
    let mut counted = false;
    for f in filters {
        if let Some(cf) = env.custom.iter().find(|c| c.name == f.name) {
            let value = counted_value(cf, f, env)?;
            if counted {
                return None;
            }
            counted = true;
            sql.push(" AND i.custom_field_id = ")
                .bind(cf.field)
                .push(" AND i.value = ")
                .bind(value);
            if let Some(projects) = &cf.projects {
                sql.push(" AND ");
                in_list(&mut sql, "i.project_id", projects);
            }
            continue;
        }
        append(&mut sql, &sql_for(std::slice::from_ref(f), env));
    }
    counted.then_some(sql)
}

/// The one stored value a filter asks for, when `issue_value_counts` keeps it: an issue's
/// own field compared for equality as text (not as a number or a date), with one
/// non-blank value of at most 200 characters.
fn counted_value(cf: &CustomFilter, f: &Filter, env: &Env) -> Option<String> {
    let own_field = cf.through.is_none() && cf.holder == ("i.id", "Issue");
    let textual = matches!(
        f.kind,
        Kind::List | Kind::ListOptional | Kind::String | Kind::Text
    );
    let [value] = f.values.as_slice() else {
        return None;
    };
    if !own_field || !textual || f.op != "=" || value.is_empty() || value.chars().count() > 200 {
        return None;
    }
    // as `value_condition`: a list value "me" names the caller
    Some(match (f.kind, value.as_str()) {
        (Kind::List | Kind::ListOptional, "me") => env.user_id.to_string(),
        _ => value.clone(),
    })
}

/// The conditions with every custom value filter (`i.id [NOT] IN (SELECT cv.customized_id
/// …)`, as `custom_filter` writes them) asked issue by issue instead, as a sub-select of
/// one row (`(SELECT 1 … cv.customized_id = i.id … LIMIT 1) IS [NOT] NULL`, the same
/// issues since the id is never NULL): for a page walked in id order over many matches,
/// where SQLite would first list every issue holding the value (a quarter of 1,000,000
/// issues: 90 ms) and PostgreSQL hash them all (280 ms), to find 25. Written as EXISTS,
/// PostgreSQL would turn it back into that join.
pub fn values_probed(conditions: &str) -> String {
    const VALUES: &str = "(SELECT cv.customized_id FROM custom_values cv WHERE ";
    const PROBE: &str = "(SELECT 1 FROM custom_values cv WHERE cv.customized_id = i.id AND ";
    let mut out = String::with_capacity(conditions.len() + 64);
    let mut rest = conditions;
    while let Some(at) = rest.find(VALUES) {
        let (before, after) = rest.split_at(at);
        let (before, negated) = match before.strip_suffix("i.id NOT IN ") {
            Some(b) => (b, true),
            None => match before.strip_suffix("i.id IN ") {
                Some(b) => (b, false),
                None => {
                    // not a filter on the issue's own id: kept as it is
                    out.push_str(before);
                    out.push_str(VALUES);
                    rest = &after[VALUES.len()..];
                    continue;
                }
            },
        };
        // the sub-select ends at the parenthesis closing it
        let body = &after[VALUES.len()..];
        let mut depth = 1;
        let close = body.char_indices().find_map(|(k, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(k)
        });
        let Some(close) = close else {
            out.push_str(rest);
            return out;
        };
        out.push_str(before);
        out.push_str(PROBE);
        out.push_str(&body[..close]);
        out.push_str(if negated {
            " LIMIT 1) IS NULL"
        } else {
            " LIMIT 1) IS NOT NULL"
        });
        rest = &body[close + 1..];
    }
    out.push_str(rest);
    out
}

/// For a page in id order under a filter on one value of an issue custom field: the
/// filter's sub-select body (the `custom_values cv` conditions) and the other conditions,
/// so that the page walks the holders of the value in issue id order
/// (`custom_values_by_value`) and asks each its issue's other conditions, instead of
/// walking every issue and asking each for the value (which, where the value is rare
/// among the newest issues, asks thousands). None without such a filter, or when it
/// names several values (an issue holding two would come twice).
pub fn value_driven(conditions: &str) -> Option<(String, String)> {
    const VALUES: &str = "i.id IN (SELECT cv.customized_id FROM custom_values cv WHERE ";
    let at = conditions.find(VALUES)?;
    if conditions[..at].ends_with("NOT ") {
        return None;
    }
    let body_at = at + VALUES.len();
    let mut depth = 1;
    let close = conditions[body_at..].char_indices().find_map(|(k, c)| {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        (depth == 0).then_some(body_at + k)
    })?;
    let body = &conditions[body_at..close];
    // one value, as `cv.value IN ($n)`, short enough for the index, and the field's own
    // id: the index's order holds
    let held = body.strip_suffix(&format!(" AND length(cv.value) <= {INDEXED_LENGTH}"))?;
    let (head, list) = held.rsplit_once(" AND cv.value IN (")?;
    let single = list.strip_suffix(')')?;
    if !single.starts_with('$') || !single[1..].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !body.starts_with("cv.customized_type = $") || !body.contains(" AND cv.custom_field_id = $")
    {
        return None;
    }
    let rest = format!("{}1 = 1{}", &conditions[..at], &conditions[close + 1..]);
    // one value as an equality: the index then gives the holders in id order
    let body = format!("{head} AND cv.value = {single} AND length(cv.value) <= {INDEXED_LENGTH}");
    if rest.contains(VALUES) {
        // another value filter: it stays, asked issue by issue
        return Some((body, values_probed(&rest)));
    }
    Some((body, rest))
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_value_drives_the_page() {
        let listed =
            "(i.project_id <= 9) AND i.id IN (SELECT cv.customized_id FROM custom_values cv \
                      WHERE cv.customized_type = $1 AND cv.custom_field_id = $2 AND cv.value <> '' \
                      AND cv.value IN ($3) AND length(cv.value) <= 200) AND i.status_id = $4";
        assert_eq!(
            super::value_driven(listed),
            Some((
                "cv.customized_type = $1 AND cv.custom_field_id = $2 AND cv.value <> '' \
                 AND cv.value = $3 AND length(cv.value) <= 200"
                    .to_owned(),
                "(i.project_id <= 9) AND 1 = 1 AND i.status_id = $4".to_owned()
            ))
        );
        let two = listed.replace("IN ($3)", "IN ($3, $5)");
        assert_eq!(super::value_driven(&two), None);
        let negated = listed.replace("i.id IN", "i.id NOT IN");
        assert_eq!(super::value_driven(&negated), None);
    }

    #[test]
    fn value_filters_are_probed_issue_by_issue() {
        let listed = "i.status_id = $1 AND i.id IN (SELECT cv.customized_id FROM custom_values cv \
                      WHERE cv.customized_type = $2 AND cv.value IN ($3)) AND i.id NOT IN \
                      (SELECT cv.customized_id FROM custom_values cv WHERE cv.value = $4) \
                      AND i.assigned_to_id IN (SELECT cv.customized_id FROM custom_values cv WHERE cv.value = $5)";
        assert_eq!(
            super::values_probed(listed),
            "i.status_id = $1 AND (SELECT 1 FROM custom_values cv WHERE \
             cv.customized_id = i.id AND cv.customized_type = $2 AND cv.value IN ($3) LIMIT 1) \
             IS NOT NULL AND (SELECT 1 FROM custom_values cv WHERE cv.customized_id = i.id AND \
             cv.value = $4 LIMIT 1) IS NULL AND i.assigned_to_id IN (SELECT cv.customized_id FROM \
             custom_values cv WHERE cv.value = $5)"
        );
    }
}
