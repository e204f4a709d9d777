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

/// Ruby's `blank?` for a string: empty or only white space.
pub fn blank(s: &str) -> bool {
    s.trim().is_empty()
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

/// A scalar written to a column (bound to a placeholder by the store). Nulls carry their
/// type, which PostgreSQL needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    I64(i64),
    Str(String),
    Bool(bool),
    F64(f64),
    NullI64,
    NullF64,
    NullStr,
    NullBool,
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::I64(v)
    }
}
impl From<f64> for Arg {
    fn from(v: f64) -> Self {
        Arg::F64(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Str(v.to_owned())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Str(v)
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Str(v.clone())
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Arg::NullI64, Arg::I64)
    }
}
impl From<Option<f64>> for Arg {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Arg::NullF64, Arg::F64)
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        v.map_or(Arg::NullStr, Arg::Str)
    }
}

impl Arg {
    /// Whether the value counts as given for a required field: not null, not blank text.
    pub fn present(&self) -> bool {
        match self {
            Arg::Str(s) => !s.trim().is_empty(),
            Arg::NullI64 | Arg::NullStr | Arg::NullF64 | Arg::NullBool => false,
            _ => true,
        }
    }

    /// The value as a journal detail records it.
    pub fn detail(&self) -> Option<String> {
        match self {
            Arg::I64(n) => Some(n.to_string()),
            Arg::Str(s) => Some(s.clone()),
            Arg::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
            Arg::F64(f) => Some(ruby_float(*f)),
            _ => None,
        }
    }
}

/// Ruby's `Float#to_s`: shortest round-trip digits, decimal notation for exponents in
/// -4..16 and `1.0e+20` style outside, always with a fractional part.
pub fn ruby_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let sci = format!("{:e}", f); // e.g. "-1.2345e-5", shortest round-trip digits
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let (int, frac) = if point <= 0 {
            (
                "0".to_string(),
                format!("{}{}", "0".repeat((-point) as usize), digits),
            )
        } else if point as usize >= digits.len() {
            (
                format!("{}{}", digits, "0".repeat(point as usize - digits.len())),
                "0".to_string(),
            )
        } else {
            (
                digits[..point as usize].to_string(),
                digits[point as usize..].to_string(),
            )
        };
        format!("{sign}{int}.{frac}")
    } else {
        let frac = if digits.len() > 1 { &digits[1..] } else { "0" };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{}.{frac}e{esign}{:02}", &digits[..1], exp.abs())
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
