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

    /// Appends `a, b, c` for an `IN (…)` list of ids. Short lists are bound, so the
    /// statement's text repeats and stays cached; long ones are written as literals
    /// (integers cannot inject), since both databases cap the placeholders of one
    /// statement (SQLite at 32,766) and a request may name many ids.
    pub fn ids(&mut self, ids: &[i64]) -> &mut Self {
        for (k, id) in ids.iter().enumerate() {
            if k > 0 {
                self.text.push_str(", ");
            }
            if ids.len() > BOUND_IDS {
                self.text.push_str(&id.to_string());
            } else {
                self.bind(*id);
            }
        }
        self
    }
}

impl Sql {
    /// ` LIMIT n OFFSET m`: written out for PostgreSQL, bound for SQLite. With them bound,
    /// PostgreSQL cannot cost a plan made once for every run (it guesses a tenth of the
    /// rows) and plans the statement afresh on every run, which took longer than running
    /// it. SQLite plans the other way round: told a small LIMIT, it chose to sort a
    /// custom value's every holder (3 s at 1,000,000 issues) over walking an index in the
    /// list's order (0.1 ms).
    pub fn page(&mut self, postgres: bool, limit: i64, offset: i64) -> &mut Self {
        if postgres {
            self.push(&format!(" LIMIT {limit} OFFSET {offset}"))
        } else {
            self.push(" LIMIT ")
                .bind(limit)
                .push(" OFFSET ")
                .bind(offset)
        }
    }

    /// `col IN (a, b, c)` with the ids written out: the planner then knows the values
    /// (and its statistics apply), where a scope decides which index is best.
    pub fn in_literal_ids(&mut self, col: &str, ids: &[i64]) -> &mut Self {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        let list = if list.is_empty() {
            "NULL".to_owned()
        } else {
            list.join(", ")
        };
        self.push(col).push(" IN (").push(&list).push(")")
    }
}

/// The longest id list bound as placeholders (see `Sql::ids`).
const BOUND_IDS: usize = 100;

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

/// Whether `conditions` name no column of `alias` but `columns` (conditions that a
/// counts table with those columns, under the same alias, answers alike).
pub fn reads_only(conditions: &str, alias: &str, columns: &[&str]) -> bool {
    static COLUMN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = COLUMN.get_or_init(|| regex::Regex::new(r"\b(\w+)\.(\w+)").expect("regex"));
    re.captures_iter(conditions)
        .filter(|c| &c[1] == alias)
        .all(|c| columns.contains(&&c[2]))
}

/// Issue columns declared NOT NULL that lists sort on.
const NOT_NULL: &[&str] = &[
    "i.id",
    "i.created_on",
    "i.updated_on",
    "i.subject",
    "i.done_ratio",
];

/// An `ORDER BY` term that sorts NULL as the smallest value on both databases (SQLite's
/// rule, which Redmine's reference answers follow; PostgreSQL would put NULL last).
pub fn order_term(expr: &str, desc: bool) -> String {
    let dir = if desc { "DESC" } else { "ASC" };
    // never NULL: a plain term lets an index give the order (the CASE hides it)
    if NOT_NULL.contains(&expr) {
        return format!("{expr} {dir}");
    }
    format!("CASE WHEN {expr} IS NULL THEN 0 ELSE 1 END {dir}, {expr} {dir}")
}

/// `col IN (ids)`, or when shorter `col <= max AND col NOT IN (the others)` over
/// `universe`, every project id there is: a caller who sees nearly every project gets a
/// short condition (one comparison when it sees them all) instead of a list of them all.
/// A project made after the universe was read has a higher id, so it stays out.
pub fn in_set(sql: &mut Sql, col: &str, ids: &[i64], universe: Option<&[i64]>) {
    if let Some((max, others)) = universe.and_then(|all| complement(ids, all)) {
        sql.push("(").push(col).push(" <= ").push(&max.to_string());
        if !others.is_empty() {
            sql.push(" AND NOT ").in_literal_ids(col, &others);
        }
        sql.push(")");
        return;
    }
    sql.in_literal_ids(col, ids);
}

/// The ids of `all` not in `ids`, with the highest of `all`, when they are fewer than
/// `ids`: the set is then shorter written as what it leaves out.
pub fn complement(ids: &[i64], all: &[i64]) -> Option<(i64, Vec<i64>)> {
    // both walked in order, once: this runs on most requests, over every project
    let mut chosen = ids.to_vec();
    chosen.sort_unstable();
    let mut sorted_all;
    let all = if all.is_sorted() {
        all
    } else {
        sorted_all = all.to_vec();
        sorted_all.sort_unstable();
        &sorted_all[..]
    };
    let mut k = 0;
    let mut others = Vec::new();
    for &p in all {
        while k < chosen.len() && chosen[k] < p {
            k += 1;
        }
        if chosen.get(k) != Some(&p) {
            others.push(p);
        }
    }
    (others.len() < ids.len()).then(|| (all.last().copied().unwrap_or(0), others))
}

/// `col IN (…)` over ids or text values; `IN (NULL)` (nothing) when there are none.
pub fn in_list<T: Clone + Into<super::Arg>>(sql: &mut Sql, col: &str, values: &[T]) {
    sql.push(col).push(" IN (");
    if values.is_empty() {
        sql.push("NULL");
    }
    let args: Vec<super::Arg> = values.iter().cloned().map(Into::into).collect();
    let ids: Vec<i64> = args
        .iter()
        .filter_map(|a| match a {
            super::Arg::I64(i) => Some(*i),
            _ => None,
        })
        .collect();
    if ids.len() == args.len() {
        sql.ids(&ids);
    } else {
        for (k, v) in args.into_iter().enumerate() {
            if k > 0 {
                sql.push(", ");
            }
            sql.bind(v);
        }
    }
    sql.push(")");
}

/// Appends a fragment written with its own `$1…` numbering.
pub fn append(sql: &mut Sql, extra: &Sql) {
    let base = sql.args.len();
    let mut out = String::with_capacity(extra.text.len());
    let mut chars = extra.text.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            let mut n = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(*d);
                chars.next();
            }
            out.push('$');
            out.push_str(&(n.parse::<usize>().unwrap_or(0) + base).to_string());
        } else {
            out.push(ch);
        }
    }
    sql.push(&out);
    sql.args.extend(extra.args.iter().cloned());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[i64], universe: Option<&[i64]>) -> String {
        let mut sql = Sql::default();
        in_set(&mut sql, "i.project_id", ids, universe);
        sql.text
    }

    #[test]
    fn project_sets_written_the_short_way() {
        let all = [1, 2, 3, 4, 5];
        assert_eq!(set(&[2, 4], Some(&all)), "i.project_id IN (2, 4)");
        assert_eq!(
            set(&[1, 2, 4, 5], Some(&all)),
            "(i.project_id <= 5 AND NOT i.project_id IN (3))"
        );
        // every project: only those made since stay out
        assert_eq!(set(&all, Some(&all)), "(i.project_id <= 5)");
        assert_eq!(set(&[], Some(&all)), "i.project_id IN (NULL)");
        assert_eq!(set(&[1, 2], None), "i.project_id IN (1, 2)");
    }
}
