//! Query filters as Redmine reads them from request parameters: the short form
//! (`status=1|5`, `name=~foo`) and the long form (`f[]=status&op[status]==&v[status][]=1`).

use serde_json::Value;

use crate::domain::values::scalar_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    List,
    ListSubprojects,
    Text,
    DatePast,
}

impl FieldType {
    pub fn operators(self) -> &'static [&'static str] {
        match self {
            FieldType::List => &["=", "!"],
            FieldType::ListSubprojects => &["*", "!*", "=", "!"],
            FieldType::Text => &["~", "!~", "^", "$", "!*", "*"],
            FieldType::DatePast => &["=", ">=", "<=", "><", "!*", "*"],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub field: String,
    pub op: String,
    pub values: Vec<String>,
}

/// A short-form value (`status_id=!*`, `subject=~foo`) as operator and rest: the longest
/// of the field's operators it starts with, `=` when none.
pub fn split_operator(expr: &str, operators: &[&str]) -> (String, String) {
    let mut ops: Vec<&str> = operators.to_vec();
    ops.sort_unstable();
    ops.reverse();
    ops.iter()
        .find(|op| expr.starts_with(**op))
        .map(|op| (op.to_string(), expr[op.len()..].to_owned()))
        .unwrap_or_else(|| ("=".to_owned(), expr.to_owned()))
}

/// A parameter's values: an array's scalars, or the one scalar.
pub fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().filter_map(scalar_text).collect(),
        other => scalar_text(other).into_iter().collect(),
    }
}

/// Filters of the request. `None` when no filter parameter is present (the caller then
/// applies its default filters).
pub fn parse(params: &Value, fields: &[(&str, FieldType)]) -> Option<Vec<Filter>> {
    let kind = |f: &str| fields.iter().find(|(n, _)| *n == f).map(|(_, t)| *t);
    if let Some(f) = params.get("f").or_else(|| params.get("fields")) {
        let mut out = Vec::new();
        for field in strings(f) {
            if kind(&field).is_none() {
                continue;
            }
            let op = params
                .get("op")
                .and_then(|o| o.get(&field))
                .and_then(scalar_text)
                .unwrap_or_default();
            let values = params
                .get("v")
                .and_then(|v| v.get(&field))
                .map(strings)
                .unwrap_or_default();
            out.push(Filter { field, op, values });
        }
        return Some(out);
    }
    let mut out = Vec::new();
    let mut any = false;
    for (name, t) in fields {
        let Some(expr) = params.get(*name).and_then(scalar_text) else {
            continue;
        };
        any = true;
        let (op, rest) = split_operator(&expr, t.operators());
        let values = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('|').map(str::to_owned).collect()
        };
        out.push(Filter {
            field: (*name).to_owned(),
            op,
            values,
        });
    }
    any.then_some(out)
}

/// Whether the filter is complete: operators that compare need values.
pub fn valid(f: &Filter) -> bool {
    match f.op.as_str() {
        "*" | "!*" => true,
        "><" => f.values.len() >= 2 && f.values.iter().all(|v| valid_date(v)),
        ">=" | "<=" => f.values.first().is_some_and(|v| valid_date(v)),
        "=" | "!" | "~" | "!~" | "^" | "$" => f.values.iter().any(|v| !v.is_empty()),
        _ => false,
    }
}

/// `YYYY-MM-DD` and a real date.
pub fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        s[0..4].parse::<i32>(),
        s[5..7].parse::<u8>(),
        s[8..10].parse::<u8>(),
    ) else {
        return false;
    };
    time::Month::try_from(m)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(y, m, d).ok())
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FIELDS: &[(&str, FieldType)] = &[("status", FieldType::List), ("name", FieldType::Text)];

    #[test]
    fn short_and_long_forms() {
        let f = parse(&json!({"status": "!1|5", "name": "~al"}), FIELDS).unwrap();
        assert_eq!(
            f[0],
            Filter {
                field: "status".into(),
                op: "!".into(),
                values: vec!["1".into(), "5".into()]
            }
        );
        assert_eq!(f[1].op, "~");
        assert_eq!(parse(&json!({"limit": "2"}), FIELDS), None);
        let f = parse(&json!({"status": ""}), FIELDS).unwrap();
        assert!(!valid(&f[0]));
        let f = parse(
            &json!({"f": ["status", "bogus"], "op": {"status": "="}, "v": {"status": ["5"]}}),
            FIELDS,
        )
        .unwrap();
        assert_eq!(f.len(), 1);
        assert!(valid(&f[0]));
        assert!(valid_date("2024-02-29"));
        assert!(!valid_date("2023-02-29"));
    }
}
