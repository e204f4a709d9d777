//! Search (search.md): the tokens of a question, the options as Redmine reads them, and
//! the order results are merged in.

/// The result types carmine has, in Redmine's order of search types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Issues,
    News,
    Documents,
    WikiPages,
    Messages,
    Projects,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Issues,
        Kind::News,
        Kind::Documents,
        Kind::WikiPages,
        Kind::Messages,
        Kind::Projects,
    ];

    /// The parameter that selects the type.
    pub fn param(self) -> &'static str {
        match self {
            Kind::Issues => "issues",
            Kind::News => "news",
            Kind::Documents => "documents",
            Kind::WikiPages => "wiki_pages",
            Kind::Messages => "messages",
            Kind::Projects => "projects",
        }
    }

    /// The permission to see the type's results in a project (`view_<type>`); projects
    /// are never searched inside one project.
    pub fn view_permission(self) -> Option<&'static str> {
        match self {
            Kind::Issues => Some("view_issues"),
            Kind::News => Some("view_news"),
            Kind::Documents => Some("view_documents"),
            Kind::WikiPages => Some("view_wiki_pages"),
            Kind::Messages => Some("view_messages"),
            Kind::Projects => None,
        }
    }
}

/// Types Redmine searches that carmine has no records of (repositories), with the
/// permission that offers each inside a project: asking for them alone finds nothing.
pub const ABSENT: &[(&str, &str)] = &[("changesets", "view_changesets")];

/// Redmine's choice of types: the offered ones the request asks for (`asked`), or every
/// offered one when it asks for none of them.
pub fn chosen(
    offered: &[Kind],
    absent_offered: &[&str],
    asked: impl Fn(&str) -> bool,
) -> Vec<Kind> {
    let kinds: Vec<Kind> = offered
        .iter()
        .copied()
        .filter(|k| asked(k.param()))
        .collect();
    if kinds.is_empty() && !absent_offered.iter().any(|p| asked(p)) {
        return offered.to_vec();
    }
    kinds
}

/// Which attachments are searched: none (`0` or empty, the default), also theirs
/// (any other value), or only theirs (`only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attachments {
    No,
    Also,
    Only,
}

impl Attachments {
    pub fn from_param(v: Option<&str>) -> Attachments {
        match v.filter(|v| !v.is_empty()) {
            None | Some("0") => Attachments::No,
            Some("only") => Attachments::Only,
            Some(_) => Attachments::Also,
        }
    }
}

/// How a search matches, from its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub tokens: Vec<String>,
    pub all_words: bool,
    pub titles_only: bool,
    pub open_issues: bool,
    pub attachments: Attachments,
}

impl Options {
    /// Whether the record's own columns (and journals, custom values) are searched.
    pub fn columns(&self) -> bool {
        self.attachments != Attachments::Only
    }

    /// Whether journals and custom values are searched besides the columns.
    pub fn extra_sources(&self) -> bool {
        self.columns() && !self.titles_only
    }

    /// Whether attachment names and descriptions are searched.
    pub fn attachment_source(&self) -> bool {
        if self.titles_only {
            self.attachments == Attachments::Only
        } else {
            self.attachments != Attachments::No
        }
    }
}

/// A parameter flag: absent is `default`, present is true unless empty (`0` is true).
pub fn flag(v: Option<&str>, default: bool) -> bool {
    v.map_or(default, |v| !v.is_empty())
}

/// Redmine's tokenizer: words split on white space, a double-quoted phrase between
/// spaces kept as one token, a quote at either end of a word dropped; tokens of one
/// character dropped unless a Han ideograph, duplicates removed, at most the first five.
pub fn tokenize(question: &str) -> Vec<String> {
    static WORDS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static QUOTES: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    // Ruby's \s is ASCII white space only
    let words = WORDS.get_or_init(|| {
        regex::Regex::new(r#"(?:[ \t\r\n\f\v]|^)"[^"]+"(?:[ \t\r\n\f\v]|$)|[^ \t\r\n\f\v]+"#)
            .expect("token pattern")
    });
    let quotes = QUOTES.get_or_init(|| {
        regex::Regex::new(r#"^[ \t\r\n\f\v]*"[ \t\r\n\f\v]*|[ \t\r\n\f\v]*"[ \t\r\n\f\v]*$"#)
            .expect("quote pattern")
    });
    let mut out: Vec<String> = Vec::new();
    for m in words.find_iter(question) {
        let t = quotes.replace_all(m.as_str(), "").into_owned();
        if out.contains(&t) {
            continue;
        }
        out.push(t);
    }
    out.retain(|t| t.chars().count() > 1 || t.chars().any(is_han));
    out.truncate(5);
    out
}

fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3005 | 0x3007 | 0x3021..=0x3029 | 0x3038..=0x303B
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// `%token%` for LIKE with `\` as the escape: `%`, `_` and `\` in the token are literal.
pub fn like_pattern(token: &str) -> String {
    let mut p = String::with_capacity(token.len() + 2);
    p.push('%');
    for c in token.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The token as an FTS5 phrase (a trigram index matches it as a substring).
pub fn fts_phrase(token: &str) -> String {
    format!("\"{}\"", token.replace('"', "\"\""))
}

/// Whether a trigram index can find the token: three characters at least.
pub fn indexable(token: &str) -> bool {
    token.chars().count() >= 3
}

/// One result before it is shown: its type, id and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub kind: Kind,
    pub id: i64,
    pub at: i64,
}

/// Results newest first, then by id (Redmine ranks by the time in whole seconds).
pub fn merge(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
    hits
}

/// The title of an issue result: `Bug #2 (New): subject`.
pub fn issue_title(tracker: &str, id: i64, status: &str, subject: &str) -> String {
    format!("{tracker} #{id} ({status}): {subject}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert_eq!(tokenize("  red apple  "), ["red", "apple"]);
        assert_eq!(tokenize("\"green apple\" tree"), ["green apple", "tree"]);
        assert_eq!(tokenize("a x pear"), ["pear"]);
        assert_eq!(tokenize("猫 a"), ["猫"]);
        assert_eq!(
            tokenize("ab ab cd ef gh ij kl"),
            ["ab", "cd", "ef", "gh", "ij"]
        );
        assert!(tokenize("   ").is_empty());
        assert_eq!(tokenize("\"open"), ["open"]);
        assert_eq!(tokenize("x\"y\" zz"), ["x\"y", "zz"]);
    }

    #[test]
    fn options() {
        assert!(flag(None, true));
        assert!(flag(Some("0"), false));
        assert!(!flag(Some(""), true));
        assert_eq!(Attachments::from_param(Some("1")), Attachments::Also);
        assert_eq!(Attachments::from_param(Some("")), Attachments::No);
        let o = Options {
            tokens: vec![],
            all_words: true,
            titles_only: true,
            open_issues: false,
            attachments: Attachments::Also,
        };
        assert!(!o.attachment_source() && o.columns() && !o.extra_sources());
        assert_eq!(like_pattern("10%_a\\b"), "%10\\%\\_a\\\\b%");
        assert_eq!(fts_phrase("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn types_chosen() {
        let all = Kind::ALL;
        assert_eq!(chosen(&all, &["changesets"], |p| p == "news"), [Kind::News]);
        assert_eq!(chosen(&all, &["changesets"], |_| false), all);
        assert!(chosen(&all, &["changesets"], |p| p == "changesets").is_empty());
        // inside a project: asking for what is not offered falls back to everything offered
        let inside = [Kind::Issues, Kind::News];
        assert_eq!(chosen(&inside, &[], |p| p == "projects"), inside);
        assert_eq!(chosen(&inside, &[], |p| p == "changesets"), inside);
    }

    #[test]
    fn merged_newest_first_then_id() {
        let h = |kind, id, at| Hit { kind, id, at };
        let merged = merge(vec![
            h(Kind::Projects, 1, 10),
            h(Kind::Issues, 2, 10),
            h(Kind::News, 3, 9),
            h(Kind::WikiPages, 4, 10),
        ]);
        let ids: Vec<i64> = merged.iter().map(|h| h.id).collect();
        assert_eq!(ids, [4, 2, 1, 3]);
    }
}
