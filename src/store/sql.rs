//! A small builder for SQL assembled at run time (filters), numbering `$n` placeholders
//! the way both databases accept them.

#[derive(Debug, Clone)]
pub enum Arg {
    I64(i64),
    Str(String),
    Bool(bool),
}

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
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }
}

/// Binds every argument of a [`Sql`] to a sqlx query, inside an `on_db!` arm.
#[macro_export]
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match a {
                $crate::store::sql::Arg::I64(v) => q.bind(*v),
                $crate::store::sql::Arg::Str(v) => q.bind(v.clone()),
                $crate::store::sql::Arg::Bool(v) => q.bind(*v),
            };
        }
        q
    }};
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
