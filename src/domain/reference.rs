//! Validation of the reference data administrators manage (a carmine extension: Redmine
//! does this only in its web UI, with these same rules and messages).

/// `Name cannot be blank` / `has already been taken` / `is too long`, in Redmine's order.
pub fn name_errors(name: &str, taken: bool, max: usize) -> Vec<String> {
    let mut e = Vec::new();
    if name.trim().is_empty() {
        e.push("Name cannot be blank".to_owned());
    } else if taken {
        e.push("Name has already been taken".to_owned());
    }
    if name.chars().count() > max {
        e.push(format!("Name is too long (maximum is {max} characters)"));
    }
    e
}

pub const ISSUES_VISIBILITY: &[&str] = &["all", "default", "own"];
pub const USERS_VISIBILITY: &[&str] = &["all", "members_of_visible_projects"];
pub const TIME_ENTRIES_VISIBILITY: &[&str] = &["all", "own"];

/// The formats a custom field may have, and which kinds of object may use each.
pub const FIELD_FORMATS: &[&str] = &[
    "string",
    "text",
    "link",
    "int",
    "float",
    "date",
    "list",
    "bool",
    "enumeration",
    "user",
    "version",
    "attachment",
];

/// `customized_type` ↔ the custom field's class.
pub const CUSTOMIZED: &[(&str, &str)] = &[
    ("issue", "IssueCustomField"),
    ("time_entry", "TimeEntryCustomField"),
    ("project", "ProjectCustomField"),
    ("version", "VersionCustomField"),
    ("document", "DocumentCustomField"),
    ("user", "UserCustomField"),
    ("group", "GroupCustomField"),
    ("time_entry_activity", "TimeEntryActivityCustomField"),
    ("issue_priority", "IssuePriorityCustomField"),
    ("document_category", "DocumentCategoryCustomField"),
];

pub fn custom_field_class(customized: &str) -> Option<&'static str> {
    CUSTOMIZED
        .iter()
        .find(|(t, c)| *t == customized || *c == customized)
        .map(|(_, c)| *c)
}

pub fn customized_type(class: &str) -> &'static str {
    CUSTOMIZED
        .iter()
        .find(|(_, c)| *c == class)
        .map(|(t, _)| *t)
        .unwrap_or("")
}

/// Whether a format may be used by this kind of object (user, version… formats need a
/// project context).
pub fn format_allowed(format: &str, class: &str) -> bool {
    match format {
        "enumeration" | "user" | "version" => matches!(
            class,
            "IssueCustomField"
                | "TimeEntryCustomField"
                | "VersionCustomField"
                | "DocumentCustomField"
                | "ProjectCustomField"
        ),
        other => FIELD_FORMATS.contains(&other),
    }
}

/// Formats that take several values, and formats whose values can be searched.
pub fn format_multiple(format: &str) -> bool {
    matches!(format, "list" | "enumeration" | "user" | "version")
}

pub fn format_searchable(format: &str) -> bool {
    matches!(format, "string" | "text" | "list")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_formats() {
        assert_eq!(name_errors("", false, 30), ["Name cannot be blank"]);
        assert_eq!(
            name_errors(&"x".repeat(31), true, 30),
            [
                "Name has already been taken",
                "Name is too long (maximum is 30 characters)"
            ]
        );
        assert_eq!(custom_field_class("issue"), Some("IssueCustomField"));
        assert_eq!(customized_type("GroupCustomField"), "group");
        assert!(!format_allowed("user", "GroupCustomField"));
        assert!(format_allowed("list", "GroupCustomField"));
    }
}
