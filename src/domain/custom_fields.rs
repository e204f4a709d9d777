//! Custom field values: reading them from requests and validating them by format, with
//! Redmine's messages (reference-data.md §6.3).

use serde_json::Value;

use crate::domain::values::scalar_text;

/// Visits the values of a request's custom fields, in order: `custom_fields: [{id, value}]`
/// (entries without an id or a value are skipped), then `custom_field_values: {"id": value}`.
fn each_value(body: &Value, put: &mut impl FnMut(i64, &Value)) {
    if let Some(Value::Array(items)) = body.get("custom_fields") {
        for item in items {
            let id = item
                .get("id")
                .and_then(scalar_text)
                .and_then(|t| t.trim().parse().ok());
            if let (Some(id), Some(v)) = (id, item.get("value")) {
                put(id, v);
            }
        }
    }
    if let Some(Value::Object(map)) = body.get("custom_field_values") {
        for (k, v) in map {
            if let Ok(id) = k.trim().parse() {
                put(id, v);
            }
        }
    }
}

/// `custom_fields: [{id, value}]` and `custom_field_values: {"id": value}` of a request:
/// `(field id, values)`; arrays are de-duplicated, blanks dropped (`[""]` when nothing is left).
pub fn read(body: &Value) -> Vec<(i64, Vec<String>)> {
    let mut out: Vec<(i64, Vec<String>)> = Vec::new();
    let mut put = |id: i64, v: &Value| {
        let values = normalize(v);
        match out.iter_mut().find(|(f, _)| *f == id) {
            Some(entry) => entry.1 = values,
            None => out.push((id, values)),
        }
    };
    each_value(body, &mut put);
    out
}

/// How the value of an attachment field was given as an object (reference-data.md §6.3):
/// an upload's token, the id of the file it already has, or neither (blank).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRef {
    Token(String),
    Id(String),
    Nothing,
}

/// The object values of a request's custom fields, by field (`{"token": …}`,
/// `{"id": …}`, also nested one level as Rails' forms send them; `blank` is ignored).
pub fn file_refs(body: &Value) -> Vec<(i64, FileRef)> {
    let mut out: Vec<(i64, FileRef)> = Vec::new();
    let mut put = |id: i64, v: &Value| {
        let Value::Object(map) = v else {
            out.retain(|(f, _)| *f != id);
            return;
        };
        let mut map = map.clone();
        map.remove("blank");
        if !map.is_empty() && map.values().all(Value::is_object) {
            if let Some(Value::Object(first)) = map.values().next().cloned() {
                map = first;
            }
        }
        let r = if let Some(id) = map.get("id") {
            FileRef::Id(scalar_text(id).unwrap_or_default())
        } else {
            match map.get("token").and_then(scalar_text) {
                Some(t) if !t.trim().is_empty() => FileRef::Token(t),
                _ => FileRef::Nothing,
            }
        };
        out.retain(|(f, _)| *f != id);
        out.push((id, r));
    };
    each_value(body, &mut put);
    out
}

fn normalize(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => {
            let mut out: Vec<String> = Vec::new();
            for s in items.iter().filter_map(scalar_text) {
                if !s.is_empty() && !out.contains(&s) {
                    out.push(s);
                }
            }
            if out.is_empty() {
                out.push(String::new());
            }
            out
        }
        Value::Null => vec![String::new()],
        other => vec![scalar_text(other).unwrap_or_default()],
    }
}

/// What validation needs of a field.
pub struct FieldSpec<'a> {
    pub name: &'a str,
    pub format: &'a str,
    pub multiple: bool,
    pub required: bool,
    pub regexp: &'a str,
    pub min_length: Option<i64>,
    pub max_length: Option<i64>,
    pub possible_values: Vec<&'a str>,
    /// For `user` and `version` fields: the ids that may be chosen (the project's active
    /// members, its shared versions), plus the values already stored.
    pub records: Option<Vec<String>>,
}

/// Redmine humanizes the field name in messages: first letter up, the rest down.
pub fn humanize(name: &str) -> String {
    let lower = name.replace('_', " ").to_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The messages for a field's new values.
pub fn validate(f: &FieldSpec, values: &[String]) -> Vec<String> {
    let label = humanize(f.name);
    let mut e = Vec::new();
    if !f.multiple && values.len() > 1 {
        e.push(format!("{label} is invalid"));
        return e;
    }
    if values.iter().all(|v| v.trim().is_empty()) {
        if f.required {
            e.push(format!("{label} cannot be blank"));
        }
        return e;
    }
    for v in values.iter().filter(|v| !v.trim().is_empty()) {
        let msg = match f.format {
            "int" => (!is_int(v)).then(|| "is not a number".to_owned()),
            "float" => (!is_float(v)).then(|| "is invalid".to_owned()),
            "date" => {
                (!crate::domain::query::valid_date(v)).then(|| "is not a valid date".to_owned())
            }
            "list" => (!f.possible_values.contains(&v.as_str()))
                .then(|| "is not included in the list".to_owned()),
            "user" | "version" | "enumeration" => f
                .records
                .as_ref()
                .is_some_and(|r| !r.contains(v))
                .then(|| "is not included in the list".to_owned()),
            "bool" => None,
            _ => None,
        };
        if let Some(m) = msg {
            e.push(format!("{label} {m}"));
            continue;
        }
        if matches!(f.format, "string" | "text" | "link" | "int" | "float") {
            if !f.regexp.is_empty() && !regexp_match(f.regexp, v) {
                e.push(format!("{label} is invalid"));
            }
            let n = v.chars().count() as i64;
            if let Some(min) = f.min_length.filter(|m| *m > 0 && n < *m) {
                e.push(format!(
                    "{label} is too short (minimum is {min} characters)"
                ));
            }
            if let Some(max) = f.max_length.filter(|m| *m > 0 && n > *m) {
                e.push(format!("{label} is too long (maximum is {max} characters)"));
            }
        }
    }
    e
}

/// A decimal number as written, optionally with an exponent; never `inf` or `NaN`, which
/// the databases' numeric type would refuse when filtering.
fn is_float(v: &str) -> bool {
    let t = v.trim();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exponent) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (t, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    (!int.is_empty() || !frac.is_empty())
        && digits(int)
        && digits(frac)
        && exponent.is_none_or(|e| !e.is_empty() && e.len() <= 3 && digits(e))
}

fn is_int(v: &str) -> bool {
    let t = v.trim();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

/// Redmine matches the value against the field's regexp (Ruby syntax; the common subset
/// reads the same in Rust's). A regexp that cannot be compiled refuses nothing.
fn regexp_match(re: &str, value: &str) -> bool {
    match regex::Regex::new(re) {
        Ok(r) => r.is_match(value),
        Err(_) => true,
    }
}

/// Whether a regexp can be stored on a field.
pub fn valid_regexp(re: &str) -> bool {
    re.is_empty() || regex::Regex::new(re).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_both_shapes() {
        let v = read(
            &json!({"custom_fields": [{"id": 2, "value": "a"}, {"id": 3, "value": ["x", "x", ""]}, {"id": 4}], "custom_field_values": {"5": 12}}),
        );
        assert_eq!(
            v,
            vec![
                (2, vec!["a".to_string()]),
                (3, vec!["x".to_string()]),
                (5, vec!["12".to_string()])
            ]
        );
    }

    #[test]
    fn file_references() {
        let body = json!({"custom_fields": [
            {"id": 1, "value": {"token": "7.ab"}},
            {"id": 2, "value": {"id": "12", "blank": ""}},
            {"id": 3, "value": {"blank": ""}},
            {"id": 4, "value": "12"},
            {"id": 5, "value": {"0": {"token": "8.cd"}}}
        ]});
        assert_eq!(
            file_refs(&body),
            [
                (1, FileRef::Token("7.ab".into())),
                (2, FileRef::Id("12".into())),
                (3, FileRef::Nothing),
                (5, FileRef::Token("8.cd".into()))
            ]
        );
    }

    #[test]
    fn formats() {
        let spec = FieldSpec {
            name: "OS Version",
            format: "int",
            multiple: false,
            required: true,
            regexp: "",
            min_length: None,
            max_length: Some(3),
            possible_values: vec![],
            records: None,
        };
        assert_eq!(
            validate(&spec, &["".into()]),
            ["Os version cannot be blank"]
        );
        assert_eq!(
            validate(&spec, &["x".into()]),
            ["Os version is not a number"]
        );
        assert_eq!(
            validate(&spec, &["1234".into()]),
            ["Os version is too long (maximum is 3 characters)"]
        );
        let list = FieldSpec {
            name: "Db",
            format: "list",
            multiple: true,
            required: false,
            regexp: "",
            min_length: None,
            max_length: None,
            possible_values: vec!["A", "B"],
            records: None,
        };
        assert_eq!(
            validate(&list, &["A".into(), "C".into()]),
            ["Db is not included in the list"]
        );
        let re = FieldSpec {
            name: "Code",
            format: "string",
            multiple: false,
            required: false,
            regexp: "^[A-Z]{3}$",
            min_length: None,
            max_length: None,
            possible_values: vec![],
            records: None,
        };
        assert_eq!(validate(&re, &["ABC".into()]), Vec::<String>::new());
        assert_eq!(validate(&re, &["abcd".into()]), ["Code is invalid"]);
        let float = FieldSpec {
            name: "F",
            format: "float",
            multiple: false,
            required: false,
            regexp: "",
            min_length: None,
            max_length: None,
            possible_values: vec![],
            records: None,
        };
        for ok in ["1", "-1.5", ".5", "5.", "1e5", "2.5E-3"] {
            assert!(validate(&float, &[ok.into()]).is_empty(), "{ok}");
        }
        for bad in ["inf", "NaN", "1e", "e5", ".", "1.2.3", "1e99999", "0x10"] {
            assert_eq!(validate(&float, &[bad.into()]), ["F is invalid"], "{bad}");
        }
    }
}
