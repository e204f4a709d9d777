//! Trackers and the issue fields they can disable.

/// The disablable core issue fields, in Redmine's canonical order; bit i of a tracker's
/// `fields_bits` disables field i.
pub const CORE_FIELDS: &[&str] = &[
    "assigned_to_id",
    "category_id",
    "fixed_version_id",
    "parent_issue_id",
    "start_date",
    "due_date",
    "estimated_hours",
    "done_ratio",
    "description",
];

pub fn enabled_standard_fields(fields_bits: i64) -> impl Iterator<Item = &'static str> {
    CORE_FIELDS
        .iter()
        .enumerate()
        .filter(move |(i, _)| fields_bits & (1 << i) == 0)
        .map(|(_, f)| *f)
}

/// The enumeration kind named by the `:type` of `/enumerations/:type`, resolved the way
/// Rails' `classify` does (singular or plural, underscored or CamelCase), with the root
/// element names of its list.
pub fn enumeration_kind(raw: &str) -> Option<(&'static str, &'static str, &'static str)> {
    let camel: String = raw
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect();
    match camel.as_str() {
        "IssuePriority" | "IssuePriorities" => {
            Some(("IssuePriority", "issue_priorities", "issue_priority"))
        }
        "TimeEntryActivity" | "TimeEntryActivities" => Some((
            "TimeEntryActivity",
            "time_entry_activities",
            "time_entry_activity",
        )),
        "DocumentCategory" | "DocumentCategories" => Some((
            "DocumentCategory",
            "document_categories",
            "document_category",
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(
            enumeration_kind("issue_priorities").unwrap().0,
            "IssuePriority"
        );
        assert_eq!(
            enumeration_kind("IssuePriority").unwrap().0,
            "IssuePriority"
        );
        assert_eq!(
            enumeration_kind("issue_priority").unwrap().0,
            "IssuePriority"
        );
        assert!(enumeration_kind("colours").is_none());
        assert!(enumeration_kind("Enumeration").is_none());
        assert_eq!(enabled_standard_fields(0b1).next(), Some("category_id"));
    }
}
