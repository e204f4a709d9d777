//! News (news.md): what a news item is and the checks of a write.

use super::values::blank;

#[derive(Debug, Clone)]
pub struct News {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub author_id: i64,
    /// Absent when the author no longer exists.
    pub author_name: Option<String>,
    pub title: String,
    /// NULL when written from an empty XML element; '' when never given.
    pub summary: Option<String>,
    pub description: Option<String>,
    pub created_on: i64,
}

/// A comment on a news item.
#[derive(Debug, Clone)]
pub struct Comment {
    pub id: i64,
    pub author_id: i64,
    pub author_name: Option<String>,
    pub content: Option<String>,
}

/// The messages of an invalid news item, in Redmine's order.
pub fn errors(title: &str, summary: Option<&str>, description: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    if blank(title) {
        out.push("Title cannot be blank".to_owned());
    }
    if description.is_none_or(blank) {
        out.push("Description cannot be blank".to_owned());
    }
    if title.chars().count() > 60 {
        out.push("Title is too long (maximum is 60 characters)".to_owned());
    }
    if summary.is_some_and(|s| s.chars().count() > 255) {
        out.push("Summary is too long (maximum is 255 characters)".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_in_order() {
        assert_eq!(
            errors(" ", None, None),
            ["Title cannot be blank", "Description cannot be blank"]
        );
        let long = "t".repeat(61);
        let summary = "s".repeat(256);
        assert_eq!(
            errors(&long, Some(&summary), Some("")),
            [
                "Description cannot be blank",
                "Title is too long (maximum is 60 characters)",
                "Summary is too long (maximum is 255 characters)"
            ]
        );
        assert!(errors(&"t".repeat(60), Some(&"é".repeat(255)), Some("d")).is_empty());
    }
}
