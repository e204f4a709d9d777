//! Wiki pages (wiki.md): how titles are normalised and compared, what a save changes and
//! the messages it reports. No HTTP, no SQL.

/// Redmine's `Wiki.titleize`: whitespace runs become `_`, `, . / ? ; | :` are dropped, the
/// first character is upper-cased (Unicode aware).
pub fn titleize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_space = false;
    for c in raw.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push('_');
            }
            in_space = true;
            continue;
        }
        in_space = false;
        if !matches!(c, ',' | '.' | '/' | '?' | ';' | '|' | ':') {
            out.push(c);
        }
    }
    let mut chars = out.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => out,
    }
}

/// The key titles are compared by (lookups ignore case, as Redmine's `LOWER(title)`).
pub fn title_key(title: &str) -> String {
    title.to_lowercase()
}

/// The stored title's own rules (wiki_page.rb), reachable only through a rename or a
/// parent: at most 255 characters and not blank.
pub fn title_valid(title: &str) -> bool {
    !title.is_empty() && title.chars().count() <= 255
}

/// Where the page's text and comment come from: a top-level `content` object, else the
/// `wiki_page` object.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ContentChange {
    /// `None`: the request gives no text.
    pub text: Option<String>,
    pub comments: Option<String>,
    /// The version the client based its edit on.
    pub version: Option<i64>,
}

/// The content's messages (only these are reported; page-level errors answer an empty
/// list, as Redmine renders only the content's errors). A page that has a text must be
/// given one: without it the text would become blank.
pub fn content_errors(c: &ContentChange, has_content: bool) -> Vec<String> {
    let mut e = Vec::new();
    let blank = match c.text.as_deref() {
        Some(t) => t.is_empty(),
        None => has_content,
    };
    if blank {
        e.push("Text field cannot be blank".to_owned());
    }
    if c.comments
        .as_deref()
        .is_some_and(|s| s.chars().count() > 1024)
    {
        e.push("Comment is too long (maximum is 1024 characters)".to_owned());
    }
    e
}

/// What `DELETE` does with the page's children (`todo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Children {
    /// They become root pages (the default).
    Nullify,
    /// They and their descendants are deleted.
    Destroy,
    /// They move under this page of the same wiki.
    Reassign(i64),
}

/// A page is protected from creation by this name (`Sidebar`, any case).
pub fn created_protected(title: &str) -> bool {
    title_key(title) == "sidebar"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles() {
        assert_eq!(titleize("my page"), "My_page");
        assert_eq!(titleize("Foo, bar"), "Foo_bar");
        assert_eq!(titleize("a:b;c|d?e"), "Abcde");
        assert_eq!(titleize("Dotted.name"), "Dottedname");
        assert_eq!(titleize("Tab\t\tsep"), "Tab_sep");
        assert_eq!(titleize("été"), "Été");
        assert_eq!(titleize("x#y+z"), "X#y+z");
        assert_eq!(titleize(" lead"), "_lead");
        assert_eq!(titleize(",;"), "");
        assert_eq!(title_key("Été_Page"), "été_page");
    }

    #[test]
    fn content_messages() {
        let c = ContentChange {
            text: Some(String::new()),
            comments: Some("c".repeat(1025)),
            version: None,
        };
        assert_eq!(
            content_errors(&c, false),
            [
                "Text field cannot be blank",
                "Comment is too long (maximum is 1024 characters)"
            ]
        );
        assert!(content_errors(&ContentChange::default(), false).is_empty());
        assert_eq!(
            content_errors(&ContentChange::default(), true),
            ["Text field cannot be blank"]
        );
        assert!(created_protected("SIDEBAR"));
    }
}
