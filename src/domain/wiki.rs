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

/// Textile's heading attributes (RedCloth's alignment and class/style/language).
const ALIGN: &str = r"(?:(?:(?:<>|<|>|=|[()]+)+)?[\-^~]?|[\-^~]?(?:(?:<>|<|>|=|[()]+)+)?)";
const ATTRS: &str = r"(?:(?:\([^)]+\))?(?:\{[^}]+\})?(?:\[[^\]]+\])?|(?:\{[^}]+\})?(?:\[[^\]]+\])?(?:\([^)]+\))?|(?:\[[^\]]+\])?(?:\{[^}]+\})?(?:\([^)]+\))?)";

/// Textile's sections (Redmine's `extract_sections`): the text before section `index`
/// (headings counted from 1, each starting the text or following a blank line), the
/// section itself (to the next heading of the same or a higher level) and the rest, each
/// stripped. Headings inside `<pre>`, `<code>` and `<notextile>` blocks do not count.
pub fn sections(text: &str, index: usize) -> [String; 3] {
    let (masked, blocks) = mask_blocks(text);
    let pattern = format!(
        r"(?sm)(((?:.*?)(\A|\r?\n\s*\r?\n))(h(\d+){ALIGN}{ATTRS}\.(?::(\S+))?[ \t](?:[^\n]*?)$)|.*)"
    );
    let re = regex::Regex::new(&pattern).expect("the heading pattern is valid");
    let (mut before, mut section, mut after) = (String::new(), String::new(), String::new());
    let (mut i, mut level, mut started, mut ended) = (0usize, 1u32, false, false);
    for c in re.captures_iter(&masked) {
        let all = c.get(0).map_or("", |m| m.as_str());
        let Some(heading) = c.get(4) else {
            if ended {
                after.push_str(all);
            } else if started {
                section.push_str(all);
            } else {
                before.push_str(all);
            }
            break;
        };
        let content = c.get(2).map_or("", |m| m.as_str());
        let this: u32 = c.get(5).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
        i += 1;
        if ended {
            after.push_str(all);
        } else if i == index {
            level = this;
            before.push_str(content);
            section.push_str(heading.as_str());
            started = true;
        } else if i > index {
            section.push_str(content);
            if this > level {
                section.push_str(heading.as_str());
            } else {
                after.push_str(heading.as_str());
                ended = true;
            }
        } else {
            before.push_str(all);
        }
    }
    [before, section, after].map(|s| unmask(s.trim(), &blocks))
}

/// Replaces section `index` with `update` (a missing section leaves the text as it is),
/// the parts joined by blank lines. `Err`: the section changed since the client read it
/// (its MD5 is not `hash`).
pub fn update_section(
    text: &str,
    index: usize,
    update: &str,
    hash: Option<&str>,
    md5: impl Fn(&str) -> String,
) -> Result<String, ()> {
    let mut t = sections(text, index);
    if hash.is_some_and(|h| !h.is_empty() && h != md5(&t[1])) {
        return Err(());
    }
    if !t[1].trim().is_empty() {
        t[1] = update.to_owned();
    }
    Ok(t.iter()
        .filter(|p| !p.trim().is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join("\n\n"))
}

/// Blocks whose content is not markup, replaced by placeholders without spaces or lines.
fn mask_blocks(text: &str) -> (String, Vec<String>) {
    let re = regex::Regex::new(r"(?is)<(pre|code|notextile)\b[^>]*>.*?</(?:pre|code|notextile)>")
        .expect("the block pattern is valid");
    let mut blocks = Vec::new();
    let masked = re
        .replace_all(text, |c: &regex::Captures| {
            blocks.push(c[0].to_owned());
            format!("\u{1}{}\u{1}", blocks.len() - 1)
        })
        .into_owned();
    (masked, blocks)
}

fn unmask(text: &str, blocks: &[String]) -> String {
    let mut out = text.to_owned();
    for (n, b) in blocks.iter().enumerate() {
        out = out.replace(&format!("\u{1}{n}\u{1}"), b);
    }
    out
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
    fn textile_sections() {
        let text = "intro\n\nh1. One\n\nbody one\n\nh2. Sub\n\nsub body\n\nh1. Two\n\nbody two";
        let [b, s, a] = sections(text, 1);
        assert_eq!(b, "intro");
        assert_eq!(s, "h1. One\n\nbody one\n\nh2. Sub\n\nsub body");
        assert_eq!(a, "h1. Two\n\nbody two");
        let [_, s, a] = sections(text, 2);
        assert_eq!(s, "h2. Sub\n\nsub body");
        assert_eq!(a, "h1. Two\n\nbody two");
        let md5 = |s: &str| format!("len{}", s.len());
        let updated = update_section(text, 3, "h1. Deux\n\nautre", None, md5).unwrap();
        assert!(
            updated.ends_with("sub body\n\nh1. Deux\n\nautre"),
            "{updated}"
        );
        assert_eq!(update_section(text, 9, "x", None, md5).unwrap(), text);
        assert!(update_section(text, 1, "x", Some("stale"), md5).is_err());
        // a heading in a pre block is not one
        let pre = "h1. A\n\n<pre>\n\nh1. not\n</pre>\n\nh1. B";
        let [_, s, a] = sections(pre, 1);
        assert_eq!(s, "h1. A\n\n<pre>\n\nh1. not\n</pre>");
        assert_eq!(a, "h1. B");
        // attributes on a heading
        let [_, s, _] = sections("x\n\nh2(class){color:red}. Styled\n\ny", 1);
        assert_eq!(s, "h2(class){color:red}. Styled\n\ny");
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
