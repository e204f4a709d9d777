//! `~` on an issue's subject or description through the trigram index of subjects and
//! descriptions (migration 14), and without it.

use super::*;

/// For `~` on an issue's subject or description: each word of three characters or more is
/// looked up in the trigram index first (the search index of migration 14), so that the
/// page is not found by reading every issue; `text` then checks the words as before.
pub(super) fn indexed_words(
    sql: &mut Sql,
    column: &str,
    op: &str,
    values: &[String],
    postgres: bool,
) {
    if op != "~" {
        return;
    }
    let value = values.first().cloned().unwrap_or_default();
    for w in words(&value)
        .iter()
        .filter(|w| crate::domain::search::indexable(w))
    {
        if postgres {
            sql.push(&format!(" AND i.{column} ILIKE "))
                .bind(crate::domain::search::like_pattern(w))
                .push(" ESCAPE '\\'");
        } else {
            sql.push(" AND i.id IN (SELECT rowid FROM issues_fts WHERE issues_fts MATCH ")
                .bind(format!(
                    "{{{column}}} : {}",
                    crate::domain::search::fts_phrase(w)
                ))
                .push(")");
        }
    }
}

/// The conditions with each lookup `prefix` `$n` `suffix` replaced by what `replace`
/// makes of its parameter (`$n`).
fn lookups_replaced(
    conditions: &str,
    prefix: &str,
    suffix: &str,
    mut replace: impl FnMut(&str) -> String,
) -> String {
    let mut out = String::with_capacity(conditions.len());
    let mut rest = conditions;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        // the prefix ends with the parameter's `$`
        let after = &rest[at + prefix.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[digits..].strip_prefix(suffix) {
            Some(tail) if digits > 0 => {
                out.push_str(&replace(&format!("${}", &after[..digits])));
                rest = tail;
            }
            _ => {
                out.push_str(prefix);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// SQLite conditions with trigram lookups as the parameter of the first lookup's phrase
/// and the conditions without any lookup (their words are compared anyway, `text`):
/// a page in id order then reads the index in that order and stops at the page, where
/// the lookup listed every match first (100,000 for a common word: `subject=~crash`
/// took 1.8 ms walking the issues, 20 ms sorting the matches of `~rash` in one tracker;
/// driven by the index 0.1 ms each).
pub fn fts_driven(conditions: &str) -> Option<(String, String)> {
    let mut first = None;
    let rest = lookups_replaced(
        conditions,
        " AND i.id IN (SELECT rowid FROM issues_fts WHERE issues_fts MATCH $",
        ")",
        |param| {
            first.get_or_insert_with(|| param.to_owned());
            String::new()
        },
    );
    first.map(|phrase| (phrase, rest))
}

/// PostgreSQL conditions without the trigram lookups of `indexed_words`, for a page
/// that a short walk in an index's order reaches (`issue_page::list`):
/// with them PostgreSQL gathered every match through the trigram index and sorted them
/// (`subject=~crash`: 120,000, 30 ms) rather than walk the ids and compare each issue's
/// words, which `text` does anyway (1 ms). The lookup's parameter stays, in a condition
/// always true: PostgreSQL refuses a parameter that no text names.
pub fn trigram_dropped(conditions: &str) -> String {
    ["subject", "description"]
        .iter()
        .fold(conditions.to_owned(), |out, column| {
            lookups_replaced(
                &out,
                &format!(" AND i.{column} ILIKE $"),
                " ESCAPE '\\'",
                |param| format!(" AND CAST({param} AS TEXT) IS NOT NULL"),
            )
        })
}

/// Conditions without the trigram lookups, on either database, for issues found
/// otherwise (a caller's own).
pub fn lookups_dropped(conditions: &str, postgres: bool) -> String {
    match postgres {
        true => trigram_dropped(conditions),
        false => fts_driven(conditions).map_or_else(|| conditions.to_owned(), |(_, rest)| rest),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn trigram_lookups_dropped() {
        let c = "i.project_id = 1 AND i.subject ILIKE $2 ESCAPE '\\' AND (LOWER(i.subject) LIKE $3 ESCAPE '\\') AND i.description ILIKE $4 ESCAPE '\\'";
        assert_eq!(
            super::trigram_dropped(c),
            "i.project_id = 1 AND CAST($2 AS TEXT) IS NOT NULL AND (LOWER(i.subject) LIKE $3 \
             ESCAPE '\\') AND CAST($4 AS TEXT) IS NOT NULL"
        );
    }

    #[test]
    fn lookups_drive() {
        let c = "i.project_id = 1 AND i.id IN (SELECT rowid FROM issues_fts WHERE issues_fts MATCH $2) AND (LOWER(i.subject) LIKE $3 ESCAPE '\\') AND i.id IN (SELECT rowid FROM issues_fts WHERE issues_fts MATCH $4)";
        assert_eq!(
            super::fts_driven(c),
            Some((
                "$2".to_owned(),
                "i.project_id = 1 AND (LOWER(i.subject) LIKE $3 ESCAPE '\\')".to_owned()
            ))
        );
        assert_eq!(super::fts_driven("i.id > 3"), None);
    }
}
