//! Redmine keeps lists and option maps as Ruby's YAML (role permissions, a custom field's
//! possible values and options, saved queries' filters, settings, preferences); carmine
//! keeps lines, comma lists or JSON. Ruby's symbols (`:view_issues`) lose their colon and
//! its class tags (`!ruby/hash:…`) are dropped.

use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// The document `text` holds; None when it is not YAML.
pub fn parse(text: &str) -> Option<Yaml> {
    YamlLoader::load_from_str(text).ok()?.into_iter().next()
}

fn symbol(s: &str) -> &str {
    s.strip_prefix(':').unwrap_or(s)
}

/// A scalar as the text Redmine compares it by.
fn scalar(y: &Yaml) -> Option<String> {
    Some(match y {
        Yaml::String(s) => symbol(s).to_owned(),
        Yaml::Integer(n) => n.to_string(),
        Yaml::Real(r) => r.clone(),
        Yaml::Boolean(b) => b.to_string(),
        _ => return None,
    })
}

/// A list of scalars (`---\n- :view_issues\n- '6'`), as text; a lone scalar is a
/// one-item list, nothing is an empty one.
pub fn list(text: &str) -> Option<Vec<String>> {
    if text.trim().is_empty() {
        return Some(vec![]);
    }
    match parse(text)? {
        Yaml::Array(items) => Some(items.iter().filter_map(scalar).collect()),
        Yaml::Null | Yaml::BadValue => Some(vec![]),
        other => Some(scalar(&other).into_iter().collect()),
    }
}

/// The value of `key` (with or without its colon) in a map.
pub fn field<'y>(y: &'y Yaml, key: &str) -> Option<&'y Yaml> {
    let Yaml::Hash(map) = y else { return None };
    map.iter()
        .find(|(k, _)| matches!(k, Yaml::String(s) if symbol(s) == key))
        .map(|(_, v)| v)
}

/// The same value as JSON: maps' symbol keys become strings, scalars stay scalars.
pub fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .filter_map(|(k, v)| Some((scalar(k)?, to_json(v))))
                .collect::<Map<_, _>>(),
        ),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::String(s) => Value::String(symbol(s).to_owned()),
        Yaml::Integer(n) => Value::from(*n),
        Yaml::Real(r) => r.parse::<f64>().map_or(Value::Null, Value::from),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Value::Null,
    }
}

/// A saved query's filters: `{field: {operator, values}}`, values always text.
pub fn filters(text: &str) -> Option<Value> {
    let Yaml::Hash(map) = parse(text)? else {
        return Some(Value::Object(Map::new()));
    };
    let mut out = Map::new();
    for (k, v) in &map {
        let Some(name) = scalar(k) else { continue };
        let operator = field(v, "operator").and_then(scalar).unwrap_or_default();
        let values: Vec<Value> = match field(v, "values") {
            Some(Yaml::Array(items)) => items
                .iter()
                .map(|i| Value::String(scalar(i).unwrap_or_default()))
                .collect(),
            Some(one) => scalar(one).map(Value::String).into_iter().collect(),
            None => vec![],
        };
        out.insert(
            name,
            serde_json::json!({ "operator": operator, "values": values }),
        );
    }
    Some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_of_symbols_and_quoted_numbers() {
        assert_eq!(
            list("---\n- :view_issues\n- :add_issues\n").unwrap(),
            ["view_issues", "add_issues"]
        );
        assert_eq!(list("---\n- '6'\n- '7'\n").unwrap(), ["6", "7"]);
        assert_eq!(list("--- []\n").unwrap(), Vec::<String>::new());
        assert_eq!(list("").unwrap(), Vec::<String>::new());
        assert_eq!(list("- \"a: b\"\n- 日本語\n").unwrap(), ["a: b", "日本語"]);
    }

    #[test]
    fn ruby_hashes_become_json() {
        let y = parse(
            "--- !ruby/hash:ActiveSupport::HashWithIndifferentAccess\n\
             :no_self_notified: '1'\n:auto_watch_on:\n- issue_contributed_to\n\
             :my_page_settings: {}\n",
        )
        .unwrap();
        assert_eq!(
            to_json(&y),
            serde_json::json!({"no_self_notified": "1",
                "auto_watch_on": ["issue_contributed_to"], "my_page_settings": {}})
        );
        assert_eq!(
            field(
                &parse("---\nurl_pattern: https://x/%value%\n").unwrap(),
                "url_pattern"
            )
            .and_then(scalar)
            .as_deref(),
            Some("https://x/%value%")
        );
    }

    #[test]
    fn query_filters() {
        let f = filters(
            "---\nstatus_id:\n  :operator: o\n  :values:\n  - ''\nassigned_to_id:\n  \
             :operator: \"=\"\n  :values:\n  - me\ncf_4:\n  :operator: \">=\"\n  :values:\n  - 3\n",
        )
        .unwrap();
        assert_eq!(
            f,
            serde_json::json!({
                "status_id": {"operator": "o", "values": [""]},
                "assigned_to_id": {"operator": "=", "values": ["me"]},
                "cf_4": {"operator": ">=", "values": ["3"]},
            })
        );
    }
}
