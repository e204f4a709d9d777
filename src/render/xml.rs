use super::{ruby_float, Body, Node, Value};

pub const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

/// Writes the declaration and the root element, without whitespace between elements.
pub fn write_xml(root: &Node) -> Vec<u8> {
    let mut out = String::with_capacity(1024);
    out.push_str(DECLARATION);
    element(&mut out, root);
    out.into_bytes()
}

fn element(out: &mut String, node: &Node) {
    out.push('<');
    out.push_str(node.name);
    match &node.body {
        Body::Scalar(Value::Null) => out.push_str("/>"),
        Body::Scalar(v) => {
            out.push('>');
            text(out, v);
            close(out, node.name);
        }
        Body::Attrs(attrs) => {
            attributes(out, attrs);
            out.push_str("/>");
        }
        Body::Object(attrs, children) => {
            attributes(out, attrs);
            out.push('>');
            for child in children {
                element(out, child);
            }
            close(out, node.name);
        }
        Body::Array(meta, items) => {
            attributes(out, meta);
            out.push_str(" type=\"array\">");
            for item in items {
                element(out, item);
            }
            close(out, node.name);
        }
    }
}

fn close(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn attributes(out: &mut String, attrs: &[(&'static str, Value)]) {
    for (k, v) in attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        match v {
            Value::Str(s) => escape(out, s, true),
            other => text(out, other),
        }
        out.push('"');
    }
}

fn text(out: &mut String, v: &Value) {
    match v {
        Value::Null => {}
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Float(f) => out.push_str(&ruby_float(*f)),
        Value::Str(s) => escape(out, s, false),
    }
}

/// Builder's escaping: `&`, `<`, `>` everywhere, `"` and line feeds in attributes, and
/// characters XML 1.0 forbids replaced by U+FFFD.
fn escape(out: &mut String, s: &str, attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;

    #[test]
    fn list_with_meta_nil_empty_and_attributes() {
        let mut o = Obj::new();
        o.val("id", 1i64)
            .val("description", Value::Null)
            .val("homepage", "")
            .val("name", "a<b & \"c\"")
            .attrs(
                "status",
                vec![("id", 1i64.into()), ("name", "N\"e\nw".into())],
            )
            .array("fields", vec![item("field", "x")])
            .array("none", vec![]);
        let doc = list(
            "trackers",
            page_meta(3, 0, 25, false),
            vec![object_item("tracker", o)],
        );
        let s = String::from_utf8(write_xml(&doc)).unwrap();
        assert_eq!(
            s,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><trackers total_count=\"3\" offset=\"0\" limit=\"25\" type=\"array\"><tracker><id>1</id><description/><homepage></homepage><name>a&lt;b &amp; \"c\"</name><status id=\"1\" name=\"N&quot;e&#10;w\"/><fields type=\"array\"><field>x</field></fields><none type=\"array\"></none></tracker></trackers>"
        );
    }
}
