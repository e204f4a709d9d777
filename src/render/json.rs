use super::{ruby_float, Body, Node, Value};

/// Writes `{"name": …}` for a top-level node.
pub fn write_json(root: &Node) -> Vec<u8> {
    let mut out = String::with_capacity(1024);
    out.push('{');
    member(&mut out, root);
    out.push('}');
    out.into_bytes()
}

fn member(out: &mut String, node: &Node) {
    string(out, node.name);
    out.push(':');
    match &node.body {
        Body::Array(meta, items) => {
            array(out, items);
            for (k, v) in meta {
                out.push(',');
                string(out, k);
                out.push(':');
                value(out, v);
            }
        }
        _ => element(out, node),
    }
}

/// A node as a JSON value; array elements lose their names.
fn element(out: &mut String, node: &Node) {
    match &node.body {
        Body::Scalar(v) => value(out, v),
        Body::Attrs(attrs) => {
            out.push('{');
            attributes(out, attrs);
            out.push('}');
        }
        Body::Object(attrs, children) => {
            out.push('{');
            attributes(out, attrs);
            let mut first = attrs.is_empty();
            for child in children {
                if !first {
                    out.push(',');
                }
                first = false;
                member(out, child);
            }
            out.push('}');
        }
        Body::Array(_, items) => array(out, items),
    }
}

fn attributes(out: &mut String, attrs: &[(&'static str, Value)]) {
    for (i, (k, v)) in attrs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, k);
        out.push(':');
        value(out, v);
    }
}

fn array(out: &mut String, items: &[Node]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        element(out, item);
    }
    out.push(']');
}

fn value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Float(f) if f.is_finite() => out.push_str(&ruby_float(*f)),
        Value::Float(_) => out.push_str("null"),
        Value::Str(s) => string(out, s),
    }
}

/// Rails' encoder: standard JSON escaping plus `<`, `>`, `&`, U+2028 and U+2029 as `\uXXXX`.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::super::*;

    #[test]
    fn list_with_meta_and_escaping() {
        let mut o = Obj::new();
        o.val("id", 1i64)
            .val("name", "<b>&\"x\"\u{2028}")
            .val("description", Value::Null)
            .attrs("status", vec![("id", 1i64.into()), ("name", "New".into())]);
        let doc = list(
            "trackers",
            page_meta(1, 0, 25, false),
            vec![object_item("tracker", o)],
        );
        let s = String::from_utf8(write_json(&doc)).unwrap();
        assert_eq!(
            s,
            r#"{"trackers":[{"id":1,"name":"\u003cb\u003e\u0026\"x\"\u2028","description":null,"status":{"id":1,"name":"New"}}],"total_count":1,"offset":0,"limit":25}"#
        );
    }
}
