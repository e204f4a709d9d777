//! The issue query: which filters exist, how the request spells them (short and long
//! forms), and their validation with Redmine's labels and messages (issues.md §3).

use std::borrow::Cow;

use serde_json::Value;

use crate::domain::query::{split_operator, strings};
use crate::domain::values::scalar_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    List,
    ListStatus,
    ListOptional,
    ListSubprojects,
    Date,
    DatePast,
    Text,
    String,
    Integer,
    Float,
    Tree,
    Relation,
}

impl Kind {
    /// The operators of a type, in Redmine's declaration order.
    fn operators(self) -> &'static [&'static str] {
        match self {
            Kind::List => &["=", "!"],
            Kind::ListStatus => &["o", "=", "!", "c", "*"],
            Kind::ListOptional | Kind::ListSubprojects => &["=", "!", "!*", "*"],
            Kind::Date => &[
                "=", ">=", "<=", "><", "<t+", ">t+", "><t+", "t+", "nd", "t", "ld", "nw", "w",
                "lw", "l2w", "nm", "m", "lm", "y", ">t-", "<t-", "><t-", "t-", "!*", "*",
            ],
            Kind::DatePast => &[
                "=", ">=", "<=", "><", ">t-", "<t-", "><t-", "t-", "t", "ld", "w", "lw", "l2w",
                "m", "lm", "y", "!*", "*",
            ],
            Kind::Text => &["~", "!~", "^", "$", "!*", "*"],
            Kind::String => &["~", "=", "!~", "!", "^", "$", "!*", "*"],
            Kind::Integer | Kind::Float => &["=", ">=", "<=", "><", "!*", "*"],
            Kind::Tree => &["=", "~", "!*", "*"],
            Kind::Relation => &["=", "!", "=p", "=!p", "!p", "*o", "!o", "!*", "*"],
        }
    }
}

/// Every operator Redmine 5.0.4 knows; anything else is answered 404.
const KNOWN: &[&str] = &[
    "=", "!", "o", "c", "!*", "*", ">=", "<=", "><", "<t+", ">t+", "><t+", "t+", "nd", "t", "ld",
    "nw", "w", "lw", "l2w", "nm", "m", "lm", "y", ">t-", "<t-", "><t-", "t-", "~", "!~", "^", "$",
    "=p", "=!p", "!p", "*o", "!o",
];

const NO_VALUE: &[&str] = &[
    "o", "c", "!*", "*", "nd", "t", "ld", "nw", "w", "lw", "l2w", "nm", "m", "lm", "y", "*o", "!o",
];

/// A filter's name and label are fixed for Redmine's own attributes and made up for custom
/// fields (`cf_4`, labelled by the field's name).
#[derive(Debug, Clone)]
pub struct Def {
    pub name: Cow<'static, str>,
    pub label: Cow<'static, str>,
    pub kind: Kind,
}

const fn def(name: &'static str, label: &'static str, kind: Kind) -> Def {
    Def {
        name: Cow::Borrowed(name),
        label: Cow::Borrowed(label),
        kind,
    }
}

/// The filter of an issue custom field, typed by its format.
pub fn custom(id: i64, name: &str, format: &str) -> Def {
    let kind = match format {
        "string" | "link" => Kind::String,
        "text" => Kind::Text,
        "int" => Kind::Integer,
        "float" => Kind::Float,
        "date" => Kind::Date,
        _ => Kind::ListOptional,
    };
    Def {
        name: Cow::Owned(format!("cf_{id}")),
        label: Cow::Owned(name.to_owned()),
        kind,
    }
}

const ALWAYS: &[Def] = &[
    def("status_id", "Status", Kind::ListStatus),
    def("tracker_id", "Tracker", Kind::List),
    def("priority_id", "Priority", Kind::List),
    def("author_id", "Author", Kind::List),
    def("assigned_to_id", "Assignee", Kind::ListOptional),
    def("member_of_group", "Assignee's group", Kind::ListOptional),
    def("assigned_to_role", "Assignee's role", Kind::ListOptional),
    def("fixed_version_id", "Target version", Kind::ListOptional),
    def(
        "fixed_version.due_date",
        "Target version's Due date",
        Kind::Date,
    ),
    def(
        "fixed_version.status",
        "Target version's Status",
        Kind::List,
    ),
    def("subject", "Subject", Kind::Text),
    def("description", "Description", Kind::Text),
    def("notes", "Notes", Kind::Text),
    def("created_on", "Created", Kind::DatePast),
    def("updated_on", "Updated", Kind::DatePast),
    def("closed_on", "Closed", Kind::DatePast),
    def("start_date", "Start date", Kind::Date),
    def("due_date", "Due date", Kind::Date),
    def("estimated_hours", "Estimated time", Kind::Float),
    def("done_ratio", "% Done", Kind::Integer),
    def("updated_by", "Updated by", Kind::List),
    def("last_updated_by", "Last updated by", Kind::List),
    def("parent_id", "Parent task", Kind::Tree),
    def("child_id", "Subtasks", Kind::Tree),
    def("issue_id", "Issue", Kind::Integer),
    def("relates", "Related to", Kind::Relation),
    def("duplicates", "Is duplicate of", Kind::Relation),
    def("duplicated", "Has duplicate", Kind::Relation),
    def("blocks", "Blocks", Kind::Relation),
    def("blocked", "Blocked by", Kind::Relation),
    def("precedes", "Precedes", Kind::Relation),
    def("follows", "Follows", Kind::Relation),
    def("copied_to", "Copied to", Kind::Relation),
    def("copied_from", "Copied from", Kind::Relation),
];

/// The filters available for this scope and caller.
pub fn available(
    project_scope: bool,
    has_subprojects: bool,
    may_set_private: bool,
    logged: bool,
) -> Vec<Def> {
    let mut defs = ALWAYS.to_vec();
    if logged {
        defs.push(def("watcher_id", "Watcher", Kind::List));
    }
    if project_scope {
        defs.push(def("category_id", "Category", Kind::ListOptional));
        if has_subprojects {
            defs.push(def("subproject_id", "Subproject", Kind::ListSubprojects));
        }
    } else {
        defs.push(def("project_id", "Project", Kind::List));
    }
    if !project_scope || has_subprojects {
        defs.push(def("project.status", "Project's Status", Kind::List));
    }
    if may_set_private {
        defs.push(def("is_private", "Private", Kind::List));
    }
    defs.push(def("attachment", "File", Kind::Text));
    defs.push(def(
        "attachment_description",
        "File description",
        Kind::Text,
    ));
    defs
}

/// The `spent_time` filter, offered to those who may view time entries somewhere.
pub fn spent_time() -> Def {
    def("spent_time", "Spent time", Kind::Float)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub name: String,
    pub kind: Kind,
    pub op: String,
    pub values: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum QueryError {
    /// An operator Redmine does not know: 404.
    UnknownOperator,
    /// 422 with these messages.
    Invalid(Vec<String>),
}

/// The filters of the request; `None` when none was given (the default applies).
pub fn parse(params: &Value, defs: &[Def]) -> Result<Option<Vec<Filter>>, QueryError> {
    let find = |n: &str| defs.iter().find(|d| d.name == n);
    let mut out = Vec::new();
    if let Some(f) = params.get("f").or_else(|| params.get("fields")) {
        let Some(ops) = params.get("op").or_else(|| params.get("operators")) else {
            return Ok(Some(Vec::new()));
        };
        let values = params.get("v").or_else(|| params.get("values"));
        for name in strings(f) {
            let Some(d) = find(&name) else { continue };
            let raw = values.and_then(|v| v.get(&name));
            // values must be an array parameter; a plain string drops the filter
            let vals = match raw {
                Some(Value::Array(_)) => strings(raw.unwrap_or(&Value::Null)),
                Some(_) => continue,
                None => vec![String::new()],
            };
            let op = ops.get(&name).and_then(scalar_text);
            let Some(op) = op else {
                if vals.iter().any(|v| !v.is_empty()) {
                    return Err(QueryError::UnknownOperator);
                }
                return Err(QueryError::Invalid(vec![format!(
                    "{} cannot be blank",
                    d.label
                )]));
            };
            out.push(Filter {
                name,
                kind: d.kind,
                op,
                values: vals,
            });
        }
        return validate(out, defs).map(Some);
    }
    let mut any = false;
    for d in defs {
        let Some(expr) = params.get(d.name.as_ref()).and_then(scalar_text) else {
            continue;
        };
        any = true;
        let (op, rest) = split_operator(&expr, d.kind.operators());
        out.push(Filter {
            name: d.name.to_string(),
            kind: d.kind,
            op,
            values: rest.split('|').map(str::to_owned).collect(),
        });
    }
    if !any {
        return Ok(None);
    }
    validate(out, defs).map(Some)
}

fn label<'a>(defs: &'a [Def], name: &str) -> &'a str {
    defs.iter()
        .find(|d| d.name == name)
        .map(|d| d.label.as_ref())
        .unwrap_or("")
}

fn is_int_list(v: &str) -> bool {
    !v.trim().is_empty()
        && v.split(',').all(|p| {
            let p = p.trim();
            let p = p.strip_prefix(['+', '-']).unwrap_or(p);
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
        })
}

fn is_float(v: &str) -> bool {
    let v = v.trim();
    let v = v.strip_prefix(['+', '-']).unwrap_or(v);
    let mut parts = v.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// `YYYY-MM-DD`, optionally with `THH`, `THH:MM` or `THH:MM:SS` and `Z`.
pub fn valid_date_value(v: &str) -> bool {
    let (date, time) = match v.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z').unwrap_or(t))),
        None => (v, None),
    };
    if !crate::domain::query::valid_date(date) {
        return false;
    }
    match time {
        None => true,
        Some(t) => {
            let parts: Vec<&str> = t.split(':').collect();
            (1..=3).contains(&parts.len())
                && parts
                    .iter()
                    .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
        }
    }
}

fn validate(filters: Vec<Filter>, defs: &[Def]) -> Result<Vec<Filter>, QueryError> {
    let mut errors = Vec::new();
    for f in &filters {
        if !KNOWN.contains(&f.op.as_str()) {
            return Err(QueryError::UnknownOperator);
        }
        let l = label(defs, &f.name);
        let first = f.values.first().map(String::as_str).unwrap_or("");
        if !NO_VALUE.contains(&f.op.as_str()) && first.trim().is_empty() {
            errors.push(format!("{l} cannot be blank"));
            continue;
        }
        let bad = match f.kind {
            Kind::Integer if matches!(f.op.as_str(), "=" | ">=" | "<=" | "><") => !f
                .values
                .iter()
                .filter(|v| !v.is_empty())
                .all(|v| is_int_list(v)),
            Kind::Float if matches!(f.op.as_str(), "=" | ">=" | "<=" | "><") => !f
                .values
                .iter()
                .filter(|v| !v.is_empty())
                .all(|v| is_float(v)),
            Kind::Date | Kind::DatePast => match f.op.as_str() {
                "=" | ">=" | "<=" | "><" => !f
                    .values
                    .iter()
                    .filter(|v| !v.is_empty())
                    .all(|v| valid_date_value(v)),
                ">t-" | "<t-" | "t-" | ">t+" | "<t+" | "t+" | "><t+" | "><t-" => {
                    !first.bytes().all(|b| b.is_ascii_digit())
                }
                _ => false,
            },
            _ => false,
        };
        if bad {
            errors.push(format!("{l} is invalid"));
        }
    }
    if errors.is_empty() {
        Ok(filters)
    } else {
        Err(QueryError::Invalid(errors))
    }
}

/// The text of a `subject~` filter that the counts of subjects' words can total: one
/// word of three or more ASCII letters and digits (any occurrence then lies inside one
/// word of a subject, and the trigram index finds the words holding it), lower-cased.
pub fn subject_word(filters: &[Filter]) -> Option<String> {
    let f = filters
        .iter()
        .find(|f| f.name == "subject" && f.op == "~")?;
    let [word] = words(f.values.first()?).try_into().ok()?;
    let plain = word.len() >= 3 && word.bytes().all(|b| b.is_ascii_alphanumeric());
    plain.then(|| word.to_ascii_lowercase())
}

/// Words more than this holding a text: their issues are counted instead.
pub const WORDS_AT_MOST: usize = 100;
/// Issues walked at most to count those of the rarer words once each.
pub const WALKED_AT_MOST: i64 = 20_000;

/// How a `subject~text` total is summed: the issues holding `first`, the commonest word
/// containing the text, from the counts; those holding only some of `rest` walked one by
/// one (an issue may hold several of the words: counted once).
#[derive(Debug, PartialEq, Eq)]
pub struct WordSum {
    pub first: String,
    pub rest: Vec<String>,
}

/// The sum for `text` from the words containing it and how many issues hold each, or
/// None when the issues are better counted: too many words, too many issues holding the
/// rarer ones, or some subject holding a word too long to have been counted (`long`).
pub fn word_sum(text: &str, found: &[(String, i64)], long: i64) -> Option<WordSum> {
    if long > 0 || found.len() > WORDS_AT_MOST {
        return None;
    }
    let mut held: Vec<&(String, i64)> = found.iter().filter(|(_, n)| *n > 0).collect();
    held.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let Some(((first, _), rest)) = held.split_first() else {
        // no issue holds it: the sum of nothing
        return Some(WordSum {
            first: text.to_owned(),
            rest: Vec::new(),
        });
    };
    let walked: i64 = rest.iter().map(|(_, n)| n).sum();
    (walked <= WALKED_AT_MOST).then(|| WordSum {
        first: first.clone(),
        rest: rest.iter().map(|(w, _)| w.clone()).collect(),
    })
}

/// The words of a `~` value: quoted phrases kept, words under two characters dropped, at
/// most five distinct ones; the whole value when none is left.
pub fn words(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = value.trim();
    while !rest.is_empty() {
        let (word, next) = if let Some(r) = rest.strip_prefix('"') {
            match r.find('"') {
                Some(end) => (&r[..end], &r[end + 1..]),
                None => (r, ""),
            }
        } else {
            match rest.find(char::is_whitespace) {
                Some(end) => (&rest[..end], &rest[end..]),
                None => (rest, ""),
            }
        };
        let w = word.trim();
        let long_enough =
            w.chars().count() >= 2 || w.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        if long_enough && !out.iter().any(|x| x == w) && out.len() < 5 {
            out.push(w.to_owned());
        }
        rest = next.trim_start();
    }
    if out.is_empty() {
        out.push(value.trim().to_owned());
    }
    out
}

/// The filters of a saved query (`{"field": {"operator": …, "values": […]}}`), keeping only
/// those available here.
pub fn from_saved(json: &str, defs: &[Def]) -> Vec<Filter> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(json) else {
        return Vec::new();
    };
    map.into_iter()
        .filter_map(|(name, f)| {
            let d = defs.iter().find(|d| d.name == name)?;
            Some(Filter {
                name,
                kind: d.kind,
                op: f.get("operator").and_then(scalar_text).unwrap_or_default(),
                values: f.get("values").map(strings).unwrap_or_default(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_form_probe_order() {
        let defs = available(false, false, true, true);
        let f = parse(
            &json!({"status_id": "open", "created_on": "><t-3", "done_ratio": ">=50"}),
            &defs,
        )
        .unwrap()
        .unwrap();
        let ops: Vec<&str> = f.iter().map(|f| f.op.as_str()).collect();
        assert_eq!(ops, ["o", "><t-", ">="]);
        assert_eq!(
            parse(&json!({"status_id": ""}), &defs),
            Err(QueryError::Invalid(vec!["Status cannot be blank".into()]))
        );
        assert_eq!(
            parse(
                &json!({"f": ["status_id"], "op": {"status_id": "zz"}, "v": {"status_id": ["1"]}}),
                &defs
            ),
            Err(QueryError::UnknownOperator)
        );
        assert_eq!(
            parse(
                &json!({"f": ["start_date"], "op": {"start_date": "="}}),
                &defs
            ),
            Err(QueryError::Invalid(vec![
                "Start date cannot be blank".into()
            ]))
        );
        assert_eq!(parse(&json!({"f": ["status_id"]}), &defs), Ok(Some(vec![])));
        assert_eq!(
            parse(&json!({"done_ratio": "abc"}), &defs),
            Err(QueryError::Invalid(vec!["% Done is invalid".into()]))
        );
    }

    #[test]
    fn subject_words_summed() {
        let f = |v: &str| {
            vec![Filter {
                name: "subject".into(),
                kind: Kind::Text,
                op: "~".into(),
                values: vec![v.into()],
            }]
        };
        assert_eq!(subject_word(&f("Crash")), Some("crash".into()));
        assert_eq!(subject_word(&f("crash page")), None);
        assert_eq!(subject_word(&f("c++")), None);
        assert_eq!(subject_word(&f("ab")), None);
        assert_eq!(subject_word(&f("\"crash\"")), Some("crash".into()));
        let found = |w: &[(&str, i64)]| -> Vec<(String, i64)> {
            w.iter().map(|(a, n)| ((*a).to_owned(), *n)).collect()
        };
        let sum = word_sum(
            "crash",
            &found(&[("crashes", 5), ("crash", 90), ("crashed", 0)]),
            0,
        );
        assert_eq!(
            sum,
            Some(WordSum {
                first: "crash".into(),
                rest: vec!["crashes".into()]
            })
        );
        assert_eq!(word_sum("crash", &found(&[("crash", 9)]), 1), None);
        assert_eq!(word_sum("zz9", &[], 0).map(|s| s.first), Some("zz9".into()));
        let many = found(&[("crash", 90_000), ("crashes", 30_000)]);
        assert_eq!(word_sum("crash", &many, 0), None);
    }

    #[test]
    fn words_like_redmine() {
        assert_eq!(words("a login \"form page\" x"), ["login", "form page"]);
        assert_eq!(words("a"), ["a"]);
        assert!(valid_date_value("2022-01-01T10:00:00Z"));
        assert!(!valid_date_value("2022-01-01T10:00+02:00"));
    }
}
