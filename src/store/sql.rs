//! A small builder for SQL assembled at run time (filters), numbering `$n` placeholders
//! the way both databases accept them.

use super::Arg;

#[derive(Debug, Default, Clone)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }
    /// Appends a placeholder for `arg`.
    pub fn bind(&mut self, arg: impl Into<Arg>) -> &mut Self {
        self.args.push(arg.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }
}

/// `%term%` for LIKE, with the LIKE wildcards in the term escaped by backslash.
pub fn like_pattern(term: &str) -> String {
    let mut p = String::with_capacity(term.len() + 2);
    p.push('%');
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// An `ORDER BY` term that sorts NULL as the smallest value on both databases (SQLite's
/// rule, which Redmine's reference answers follow; PostgreSQL would put NULL last).
pub fn order_term(expr: &str, desc: bool) -> String {
    let dir = if desc { "DESC" } else { "ASC" };
    format!("CASE WHEN {expr} IS NULL THEN 0 ELSE 1 END {dir}, {expr} {dir}")
}
