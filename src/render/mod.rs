//! One ordered tree per response, written as JSON or XML by the two writers.
//!
//! Redmine's API views run the same builder program for both formats; the tree mirrors its
//! four statements: scalars, attribute objects, nested objects and arrays.

mod json;
mod xml;

pub use json::write_json;
pub use xml::write_xml;

use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

pub type Attrs = Vec<(&'static str, Value)>;

#[derive(Debug, Clone)]
pub struct Node {
    pub name: &'static str,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub enum Body {
    Scalar(Value),
    /// `<status id="1" name="New"/>` / `{"id":1,"name":"New"}`
    Attrs(Attrs),
    /// Attributes first, then children, both in order.
    Object(Attrs, Vec<Node>),
    /// Meta values (`total_count`…) become XML attributes or JSON sibling keys.
    Array(Attrs, Vec<Node>),
}

/// Children of an object under construction, in the order the view emits them.
#[derive(Debug, Default, Clone)]
pub struct Obj(pub Vec<Node>);

impl Obj {
    pub fn new() -> Self {
        Obj(Vec::with_capacity(16))
    }
    pub fn val(&mut self, name: &'static str, v: impl Into<Value>) -> &mut Self {
        self.0.push(Node {
            name,
            body: Body::Scalar(v.into()),
        });
        self
    }
    pub fn time(&mut self, name: &'static str, t: Option<i64>) -> &mut Self {
        self.val(name, t.map(timestamp))
    }
    pub fn attrs(&mut self, name: &'static str, attrs: Attrs) -> &mut Self {
        self.0.push(Node {
            name,
            body: Body::Attrs(attrs),
        });
        self
    }
    pub fn array(&mut self, name: &'static str, items: Vec<Node>) -> &mut Self {
        self.0.push(Node {
            name,
            body: Body::Array(Vec::new(), items),
        });
        self
    }
}

/// An array element that is a plain value (`<permission>view_issues</permission>`).
pub fn item(name: &'static str, v: impl Into<Value>) -> Node {
    Node {
        name,
        body: Body::Scalar(v.into()),
    }
}

/// An array element that is an attribute object (`<role id="3" name="Manager"/>`).
pub fn attrs_item(name: &'static str, attrs: Attrs) -> Node {
    Node {
        name,
        body: Body::Attrs(attrs),
    }
}

/// An array element with children (`<user><id>1</id>…</user>`).
pub fn object_item(name: &'static str, children: Obj) -> Node {
    Node {
        name,
        body: Body::Object(Vec::new(), children.0),
    }
}

/// A whole response document: one top-level node.
pub fn document(name: &'static str, children: Obj) -> Node {
    Node {
        name,
        body: Body::Object(Vec::new(), children.0),
    }
}

pub fn list(name: &'static str, meta: Attrs, items: Vec<Node>) -> Node {
    Node {
        name,
        body: Body::Array(meta, items),
    }
}

/// The pagination meta of a list, or none when the client asked for `nometa`.
pub fn page_meta(total: i64, offset: i64, limit: i64, nometa: bool) -> Attrs {
    if nometa {
        Vec::new()
    } else {
        vec![
            ("total_count", Value::Int(total)),
            ("offset", Value::Int(offset)),
            ("limit", Value::Int(limit)),
        ]
    }
}

/// Timestamps are always UTC with seconds precision: `2022-03-01T14:05:09Z`.
pub fn timestamp(epoch: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(epoch).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub use crate::domain::values::ruby_float;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_ruby() {
        assert_eq!(ruby_float(2.0), "2.0");
        assert_eq!(ruby_float(0.5), "0.5");
        assert_eq!(ruby_float(1e20), "1.0e+20");
        assert_eq!(ruby_float(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(ruby_float(123.25), "123.25");
        assert_eq!(ruby_float(0.0001), "0.0001");
        assert_eq!(ruby_float(0.00001), "1.0e-05");
        assert_eq!(ruby_float(-1.5), "-1.5");
        assert_eq!(ruby_float(1e15), "1000000000000000.0");
        assert_eq!(ruby_float(1e16), "1.0e+16");
    }

    #[test]
    fn timestamps_are_utc_seconds() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_646_143_509), "2022-03-01T14:05:09Z");
    }
}
