//! Request parameters: the query string and the body (JSON, XML or form), merged into one
//! JSON-like tree the way Rails builds `params`.

use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::{Map, Value};

/// Why a body could not be read: Rails answers both with 400.
#[derive(Debug, Clone)]
pub struct Malformed;

/// The deepest nesting a body may have: Rails' JSON parser and XML conversion refuse
/// deeper documents with 400 and Rack refuses deeper form keys (with a 500 in Redmine
/// 5.0.4; carmine answers 400 as for any malformed body). It also keeps every recursion
/// over parameters (conversion, dropping, rendering) far from the stack's end.
pub const MAX_DEPTH: usize = 100;

/// The most values (form pairs, JSON or XML nodes) one query string or body may carry.
/// Rack 3.1 refuses query strings of more than 4,096 parameters; this is looser, and
/// bounds the memory a 16 MiB body can turn into.
pub const MAX_VALUES: usize = 100_000;

/// Parses `a=1&b[c]=2&d[]=3` with Rails' bracket rules into an object.
pub fn parse_form(input: &[u8]) -> Result<Value, Malformed> {
    let mut root = Value::Object(Map::new());
    for (n, (key, value)) in form_urlencoded::parse(input).enumerate() {
        if n >= MAX_VALUES {
            return Err(Malformed);
        }
        insert_bracketed(&mut root, &key, Value::String(value.into_owned()))?;
    }
    Ok(root)
}

fn insert_bracketed(root: &mut Value, key: &str, value: Value) -> Result<(), Malformed> {
    let (head, rest) = match key.find('[') {
        Some(i) if i > 0 => (&key[..i], &key[i..]),
        _ => (key, ""),
    };
    let mut path: Vec<&str> = vec![head];
    let mut rest = rest;
    while let Some(stripped) = rest.strip_prefix('[') {
        match stripped.find(']') {
            Some(end) => {
                path.push(&stripped[..end]);
                rest = &stripped[end + 1..];
            }
            None => break,
        }
        if path.len() > MAX_DEPTH {
            return Err(Malformed);
        }
    }
    let mut cur = root;
    for (i, seg) in path.iter().enumerate() {
        let last = i == path.len() - 1;
        if seg.is_empty() && i > 0 {
            // `x[]=v`: append to an array; a scalar already there is a conflict (Rack: 400)
            match cur {
                Value::Array(_) => {}
                Value::String(_) => return Err(Malformed),
                _ => *cur = Value::Array(Vec::new()),
            }
            let arr = cur.as_array_mut().expect("array");
            if last {
                arr.push(value);
                return Ok(());
            }
            // `x[][k]=v`: start a new hash unless the last one lacks this key
            let next_key = path[i + 1];
            let start_new = match arr.last() {
                Some(Value::Object(m)) => m.contains_key(next_key),
                _ => true,
            };
            if start_new {
                arr.push(Value::Object(Map::new()));
            }
            cur = arr.last_mut().expect("pushed");
            continue;
        }
        match cur {
            Value::Object(_) => {}
            Value::String(_) | Value::Array(_) if i > 0 => return Err(Malformed),
            _ => *cur = Value::Object(Map::new()),
        }
        let map = cur.as_object_mut().expect("object");
        if last {
            map.insert((*seg).to_owned(), value);
            return Ok(());
        }
        cur = map
            .entry((*seg).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    Ok(())
}

/// A JSON body: an object's members become parameters; anything else lands under `_json`.
pub fn parse_json(body: &[u8]) -> Result<Value, Malformed> {
    // no body is no parameters; a blank one is malformed JSON
    if body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    check_json_shape(body)?;
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(Value::Object(m)),
        Ok(other) => {
            let mut m = Map::new();
            m.insert("_json".into(), other);
            Ok(Value::Object(m))
        }
        Err(_) => Err(Malformed),
    }
}

/// Refuses a JSON text nested deeper than `MAX_DEPTH` or holding more than `MAX_VALUES`
/// values before anything is built from it (serde_json's own limit is 128 levels).
fn check_json_shape(body: &[u8]) -> Result<(), Malformed> {
    let (mut depth, mut values) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in body {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                values += 1;
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' => values += 1,
            _ => {}
        }
        if depth > MAX_DEPTH || values > MAX_VALUES {
            return Err(Malformed);
        }
    }
    Ok(())
}

struct XmlElement {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<XmlElement>,
    text: String,
}

/// An XML body converted with ActiveSupport's `Hash.from_xml` rules: the root element
/// becomes the top-level key, `type="array"` makes arrays, empty elements are nil.
/// DTDs are ignored and entities beyond XML's five are refused, so nothing expands.
pub fn parse_xml(body: &[u8]) -> Result<Value, Malformed> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let mut reader = Reader::from_reader(body);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<XmlElement> = Vec::new();
    let mut root: Option<XmlElement> = None;
    let mut buf = Vec::new();
    let mut elements = 0usize;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|_| Malformed)?;
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if stack.len() >= MAX_DEPTH || elements > MAX_VALUES {
                return Err(Malformed);
            }
        }
        match event {
            Event::Start(e) | Event::Empty(e) if root.is_some() => {
                let _ = e;
                return Err(Malformed);
            }
            Event::Start(e) => stack.push(element(&e)?),
            Event::Empty(e) => {
                let el = element(&e)?;
                attach(&mut stack, &mut root, el);
            }
            Event::End(_) => {
                let el = stack.pop().ok_or(Malformed)?;
                attach(&mut stack, &mut root, el);
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|_| Malformed)?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(Malformed),
                }
            }
            Event::CData(c) => {
                let text = String::from_utf8(c.into_inner().into_owned()).map_err(|_| Malformed)?;
                stack.last_mut().ok_or(Malformed)?.text.push_str(&text);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(Malformed);
    }
    let root = root.ok_or(Malformed)?;
    let mut m = Map::new();
    let name = root.name.clone();
    m.insert(name, convert(root)?);
    Ok(Value::Object(m))
}

fn element(e: &quick_xml::events::BytesStart) -> Result<XmlElement, Malformed> {
    let name = String::from_utf8(e.name().as_ref().to_vec()).map_err(|_| Malformed)?;
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|_| Malformed)?;
        let key = String::from_utf8(a.key.as_ref().to_vec()).map_err(|_| Malformed)?;
        let value = a.unescape_value().map_err(|_| Malformed)?.into_owned();
        attrs.push((key, value));
    }
    Ok(XmlElement {
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
    })
}

fn attach(stack: &mut [XmlElement], root: &mut Option<XmlElement>, el: XmlElement) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn attr<'a>(el: &'a XmlElement, name: &str) -> Option<&'a str> {
    el.attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn convert(el: XmlElement) -> Result<Value, Malformed> {
    let kind = attr(&el, "type").map(str::to_owned);
    if kind.as_deref() == Some("array") {
        // an array element holding only text is that one value
        if el.children.is_empty() && !el.text.trim().is_empty() {
            return Ok(Value::Array(vec![Value::String(el.text)]));
        }
        return el
            .children
            .into_iter()
            .map(convert)
            .collect::<Result<_, _>>()
            .map(Value::Array);
    }
    // `nil="true"` only empties an element without content
    if attr(&el, "nil") == Some("true") && el.children.is_empty() && el.text.is_empty() {
        return Ok(Value::Null);
    }
    if el.children.is_empty() {
        let other_attrs: Vec<&(String, String)> = el
            .attrs
            .iter()
            .filter(|(k, _)| k != "type" && k != "nil")
            .collect();
        if el.text.is_empty() {
            if !other_attrs.is_empty() && kind.is_none() {
                let mut m = Map::new();
                for (k, v) in other_attrs {
                    m.insert(k.clone(), Value::String(v.clone()));
                }
                return Ok(Value::Object(m));
            }
            return Ok(Value::Null);
        }
        return typed(&el.text, kind.as_deref());
    }
    let mut m = Map::new();
    for (k, v) in &el.attrs {
        if k != "type" {
            m.insert(k.clone(), Value::String(v.clone()));
        }
    }
    for child in el.children {
        let name = child.name.clone();
        let value = convert(child)?;
        match m.get_mut(&name) {
            // repeated elements without type="array" still collect into an array
            Some(Value::Array(existing)) => existing.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                m.insert(name, value);
            }
        }
    }
    Ok(Value::Object(m))
}

/// An element's text cast by its `type` as ActiveSupport casts it: numbers read as Ruby's
/// `to_i`/`to_f` read them, an unreadable date and the disallowed `yaml` and `symbol`
/// types make the body malformed.
fn typed(text: &str, kind: Option<&str>) -> Result<Value, Malformed> {
    Ok(match kind {
        Some("integer") => Value::from(super::ruby_to_i(text)),
        Some("boolean") => Value::Bool(matches!(text.trim(), "true" | "1")),
        Some("float") | Some("decimal") | Some("double") => {
            serde_json::Number::from_f64(ruby_to_f(text)).map_or(Value::Null, Value::Number)
        }
        Some("date") if !looks_like_date(text) => return Err(Malformed),
        Some("yaml") | Some("symbol") => return Err(Malformed),
        _ => Value::String(text.to_owned()),
    })
}

/// Ruby's `String#to_f`: the longest leading decimal number, 0.0 when there is none.
fn ruby_to_f(s: &str) -> f64 {
    let s = s.trim_start();
    let b = s.as_bytes();
    let mut end = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        end = 1;
    }
    let digits = |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    end = digits(end);
    if b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits(end + 1);
    }
    s[..end].parse::<f64>().unwrap_or(0.0)
}

/// Whether `Date.parse` would read it: here, a `YYYY-MM-DD` date that exists.
fn looks_like_date(s: &str) -> bool {
    let mut parts = s.trim().splitn(3, '-');
    let mut next = || parts.next().and_then(|p| p.parse::<u32>().ok());
    match (next(), next(), next()) {
        (Some(y), Some(m), Some(d)) => time::Month::try_from(m as u8)
            .ok()
            .and_then(|m| time::Date::from_calendar_date(y as i32, m, d as u8).ok())
            .is_some(),
        _ => false,
    }
}

/// Merges `extra` over `base` (body parameters win over the query string).
pub fn merge(base: &mut Value, extra: Value) {
    if let (Value::Object(b), Value::Object(e)) = (base, extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_brackets() {
        let v = parse_form(b"user[login]=x&user[ids][]=3&user[ids][]=4&include[]=a&key=k&cf[][id]=1&cf[][value]=a&cf[][id]=2").unwrap();
        assert_eq!(
            v,
            json!({"user": {"login": "x", "ids": ["3", "4"]}, "include": ["a"], "key": "k",
                   "cf": [{"id": "1", "value": "a"}, {"id": "2"}]})
        );
    }

    #[test]
    fn xml_like_rails() {
        let v = parse_xml(br#"<?xml version="1.0"?><user><login>x</login><empty/><n type="integer">5</n><b type="boolean">true</b><ids type="array"><id>3</id><id>4</id></ids><cf id="1"><value>v</value></cf><nilled nil="true">z</nilled></user>"#).unwrap();
        assert_eq!(
            v,
            json!({"user": {"login": "x", "empty": null, "n": 5, "b": true, "ids": ["3", "4"],
                   "cf": {"id": "1", "value": "v"}, "nilled": "z"}})
        );
    }

    #[test]
    fn malformed_bodies() {
        assert!(parse_xml(b"<user><login>x</user>").is_err());
        assert!(parse_xml(b"<a/><b/>").is_err());
        assert!(parse_xml(b"<!DOCTYPE x [<!ENTITY e \"boom\">]><x>&e;</x>").is_err());
        assert!(parse_json(b"{\"user\":").is_err());
        assert_eq!(parse_json(b"[1]").unwrap(), json!({"_json": [1]}));
        assert_eq!(parse_json(b"").unwrap(), json!({}));
    }

    fn nested_json(levels: usize) -> String {
        format!("{}1{}", "{\"a\":".repeat(levels), "}".repeat(levels))
    }

    fn nested_xml(levels: usize) -> String {
        format!("{}x{}", "<a>".repeat(levels), "</a>".repeat(levels))
    }

    #[test]
    fn nesting_is_bounded_as_in_rails() {
        assert!(parse_json(nested_json(MAX_DEPTH).as_bytes()).is_ok());
        assert!(parse_json(nested_json(MAX_DEPTH + 1).as_bytes()).is_err());
        assert!(parse_json(b"[[[[1]]], \"[[[[[\\\"\"]").is_ok());
        assert!(parse_xml(nested_xml(MAX_DEPTH).as_bytes()).is_ok());
        assert!(parse_xml(nested_xml(MAX_DEPTH + 1).as_bytes()).is_err());
        let form = |levels: usize| format!("i{}=1", "[a]".repeat(levels - 1));
        assert!(parse_form(form(MAX_DEPTH).as_bytes()).is_ok());
        assert!(parse_form(form(MAX_DEPTH + 1).as_bytes()).is_err());
        assert!(parse_form(form(100_000).as_bytes()).is_err());
    }

    #[test]
    fn value_counts_are_bounded() {
        let many = "ids[]=1&".repeat(MAX_VALUES + 1);
        assert!(parse_form(many.as_bytes()).is_err());
        let array = format!("[{}1]", "1,".repeat(MAX_VALUES + 1));
        assert!(parse_json(array.as_bytes()).is_err());
        let xml = format!("<a>{}</a>", "<b/>".repeat(MAX_VALUES + 1));
        assert!(parse_xml(xml.as_bytes()).is_err());
    }
}
