//! Reading request values the way Rails hands them to Redmine: scalars as text, Ruby's
//! integer parsing, and an array or hash where text was expected as Ruby's `inspect` of it.

use serde_json::Value;

/// Text of a scalar JSON value; arrays and objects have none.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An attribute's text: none for null; an array or hash given where Redmine expects text
/// is stored as Ruby's `inspect` of it (`["a", "b"]`), as Redmine does.
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Array(_) | Value::Object(_) => Some(ruby_inspect(v)),
        other => scalar_text(other),
    }
}

/// Ruby's `inspect` of a parameter value.
pub fn ruby_inspect(v: &Value) -> String {
    match v {
        Value::Null => "nil".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e16 => format!("{f:.1}"),
            _ => n.to_string(),
        },
        Value::String(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    '\r' => out.push_str("\\r"),
                    '#' => out.push('#'),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02X}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(ruby_inspect).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}=>{}",
                        ruby_inspect(&Value::String(k.clone())),
                        ruby_inspect(v)
                    )
                })
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

/// Ruby's `String#to_i`: leading whitespace, an optional sign, then digits; 0 otherwise.
pub fn ruby_to_i(s: &str) -> i64 {
    let s = s.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut n: i64 = 0;
    for c in digits.chars() {
        match c.to_digit(10) {
            Some(d) => n = n.saturating_mul(10).saturating_add(d as i64),
            None => break,
        }
    }
    if neg {
        -n
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn to_i_like_ruby() {
        assert_eq!(ruby_to_i("12abc"), 12);
        assert_eq!(ruby_to_i("abc"), 0);
        assert_eq!(ruby_to_i(" -3"), -3);
        assert_eq!(ruby_to_i("99999999999999999999999"), i64::MAX);
    }

    #[test]
    fn inspect_like_ruby() {
        assert_eq!(text(&json!(["a", "b"])).unwrap(), r#"["a", "b"]"#);
        assert_eq!(
            text(&json!({"k": [1, null, 2.5, "q\""]})).unwrap(),
            r#"{"k"=>[1, nil, 2.5, "q\""]}"#
        );
        assert_eq!(text(&json!(null)), None);
        assert_eq!(text(&json!(3)).unwrap(), "3");
    }
}
