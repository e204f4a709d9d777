//! Projects: the attributes a request may set, and validation with Redmine's messages in
//! Redmine's order.

use serde_json::Value;

use super::users::cast_bool;
use crate::domain::values::ruby_to_i;
use crate::domain::values::text;

/// What `parent_id` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    Root,
    Id(i64),
    /// Not a number, or no such project: Redmine crashes; carmine refuses it (422).
    Invalid,
}

/// The project attributes of a create or update request (its safe attributes).
#[derive(Debug, Default, Clone)]
pub struct Input {
    pub name: Option<String>,
    pub identifier: Option<String>,
    pub description: Option<Option<String>>,
    pub homepage: Option<String>,
    pub is_public: Option<Option<bool>>,
    pub parent: Option<Parent>,
    pub inherit_members: Option<bool>,
    pub tracker_ids: Option<Vec<i64>>,
    pub module_names: Option<Vec<String>>,
    pub issue_custom_field_ids: Option<Vec<i64>>,
    pub default_version_id: Option<Option<i64>>,
    pub default_assigned_to_id: Option<Option<i64>>,
}

fn opt_id(v: &Value) -> Option<i64> {
    text(v)
        .filter(|t| !t.trim().is_empty())
        .map(|t| ruby_to_i(&t))
        .filter(|n| *n > 0)
}

/// Ids of an array parameter; a single scalar counts as a one-element array.
pub fn id_list(v: &Value) -> Vec<i64> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    };
    items
        .into_iter()
        .filter_map(text)
        .filter(|t| !t.trim().is_empty())
        .map(|t| ruby_to_i(&t))
        .collect()
}

pub fn read_input(p: &Value, creating: bool) -> Input {
    let get = |k: &str| p.get(k);
    let string = |k: &str| get(k).map(|v| text(v).unwrap_or_default());
    Input {
        name: string("name"),
        identifier: if creating { string("identifier") } else { None },
        description: get("description").map(text),
        homepage: string("homepage"),
        is_public: get("is_public").map(cast_bool),
        parent: get("parent_id").map(|v| match text(v) {
            None => Parent::Root,
            Some(t) if t.trim().is_empty() => Parent::Root,
            Some(t) if t.trim().bytes().all(|b| b.is_ascii_digit()) => {
                Parent::Id(t.trim().parse().unwrap_or(0))
            }
            Some(_) => Parent::Invalid,
        }),
        inherit_members: get("inherit_members").map(|v| cast_bool(v).unwrap_or(false)),
        tracker_ids: get("tracker_ids").map(id_list),
        module_names: get("enabled_module_names").map(|v| match v {
            Value::Array(a) => a
                .iter()
                .filter_map(text)
                .filter(|n| !n.trim().is_empty())
                .collect(),
            Value::Null => Vec::new(),
            other => text(other).into_iter().filter(|n| !n.is_empty()).collect(),
        }),
        issue_custom_field_ids: get("issue_custom_field_ids").map(id_list),
        default_version_id: get("default_version_id").map(opt_id),
        default_assigned_to_id: get("default_assigned_to_id").map(opt_id),
    }
}

/// The identifier format: lower-case letters, digits, `-` and `_`, not only digits.
fn identifier_format_ok(id: &str) -> bool {
    id.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !id.bytes().all(|b| b.is_ascii_digit())
}

/// What the store found out for validation.
#[derive(Debug, Default, Clone, Copy)]
pub struct Facts {
    pub identifier_taken: bool,
    /// The requested parent is not one the caller may choose (or not active, or a cycle).
    pub parent_invalid: bool,
}

/// Validation messages in Redmine's order (projects.md §6.3). `identifier` is only checked
/// on create, since it cannot change afterwards.
pub fn validate(
    name: &str,
    identifier: Option<&str>,
    homepage: &str,
    is_public_null: bool,
    facts: Facts,
) -> Vec<String> {
    let mut e = Vec::new();
    if name.trim().is_empty() {
        e.push("Name cannot be blank".to_owned());
    }
    if let Some(id) = identifier {
        if id.trim().is_empty() {
            e.push("Identifier cannot be blank".to_owned());
        } else if facts.identifier_taken {
            e.push("Identifier has already been taken".to_owned());
        }
    }
    if name.chars().count() > 255 {
        e.push("Name is too long (maximum is 255 characters)".to_owned());
    }
    if homepage.chars().count() > 255 {
        e.push("Homepage is too long (maximum is 255 characters)".to_owned());
    }
    if let Some(id) = identifier.filter(|i| !i.is_empty()) {
        if id.chars().count() > 100 {
            e.push("Identifier is too long (maximum is 100 characters)".to_owned());
        }
        if !identifier_format_ok(id) {
            e.push("Identifier is invalid".to_owned());
        }
        if id == "new" {
            e.push("Identifier is reserved".to_owned());
        }
    }
    if is_public_null {
        e.push("Public is not included in the list".to_owned());
    }
    if facts.parent_invalid {
        e.push("Subproject of is invalid".to_owned());
    }
    e
}

/// Module rows after `enabled_module_names=`: the kept ones in their current order, then
/// the new names in the order given.
pub fn module_plan(current: &[String], requested: &[String]) -> (Vec<String>, Vec<String>) {
    let mut wanted: Vec<&String> = Vec::new();
    for r in requested {
        if !wanted.contains(&r) {
            wanted.push(r);
        }
    }
    let keep: Vec<String> = current
        .iter()
        .filter(|c| wanted.contains(c))
        .cloned()
        .collect();
    let add: Vec<String> = wanted
        .into_iter()
        .filter(|w| !current.contains(w))
        .cloned()
        .collect();
    (keep, add)
}

/// Redmine's versions `sharing` values.
pub const SHARINGS: &[&str] = &["none", "descendants", "hierarchy", "tree", "system"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        let ok = |id: &str| validate("N", Some(id), "", false, Facts::default());
        assert!(ok("1abc").is_empty());
        assert!(ok("-a_b-c_").is_empty());
        assert_eq!(ok("123"), ["Identifier is invalid"]);
        assert_eq!(ok("NEW"), ["Identifier is invalid"]);
        assert_eq!(ok("new"), ["Identifier is reserved"]);
        assert_eq!(
            ok(&"B".repeat(101)),
            [
                "Identifier is too long (maximum is 100 characters)",
                "Identifier is invalid"
            ]
        );
    }

    #[test]
    fn modules_keep_current_order() {
        let defaults: Vec<String> = crate::domain::permissions::MODULES
            .iter()
            .map(|s| s.to_string())
            .collect();
        let req: Vec<String> = ["no_such_module", "wiki", "boards", "issue_tracking"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (keep, add) = module_plan(&defaults, &req);
        assert_eq!(keep, ["issue_tracking", "wiki", "boards"]);
        assert_eq!(add, ["no_such_module"]);
    }
}
