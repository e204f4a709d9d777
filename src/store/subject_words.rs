//! Totals of `subject~word` lists from the counts of subjects' words (migration 35):
//! `issue_word_counts` per project and `issue_word_totals` over every project,
//! `subject_words` lists every word under a trigram index, `issue_subject_words` gives
//! each issue's words.

use super::issue_query::{append, sql_for, Env};
use super::sql::Sql;
use super::{Db, Result};
use crate::domain::issue_query::{Filter, WordSum, WORDS_AT_MOST};
use crate::domain::search::{fts_phrase, indexable, like_pattern};

/// What a word too long to be counted is counted as.
const LONG: &str = " ";

/// The words holding `text` (lower-case letters and digits, three or more), each with
/// how many issues hold it, up to one more than `WORDS_AT_MOST`; and how many issues
/// hold a word too long to have been counted.
pub async fn containing(db: &Db, text: &str) -> Result<(Vec<(String, i64)>, i64)> {
    debug_assert!(indexable(text));
    let found = match db.is_postgres() {
        true => "SELECT word FROM subject_words WHERE word LIKE $1",
        false => {
            "SELECT word FROM subject_words WHERE word LIKE $1 AND id IN \
             (SELECT rowid FROM subject_words_fts WHERE subject_words_fts MATCH $2)"
        }
    };
    let held = |word: &str| {
        format!(
            "CAST(COALESCE((SELECT SUM(t.n) FROM issue_word_totals t \
             WHERE t.word = {word}), 0) AS BIGINT)"
        )
    };
    let sql = format!(
        "SELECT w.word AS word, {} AS n FROM ({found} LIMIT {}) w \
         UNION ALL SELECT '{LONG}', {}",
        held("w.word"),
        WORDS_AT_MOST + 1,
        held(&format!("'{LONG}'"))
    );
    let mut args = vec![like_pattern(text).into()];
    if !db.is_postgres() {
        args.push(fts_phrase(text).into());
    }
    let rows = db.rows(&sql, &args).await?;
    let mut words = Vec::new();
    let mut long = 0;
    for r in rows {
        match r.str("word") {
            w if w == LONG => long = r.i64("n"),
            w => words.push((w, r.i64("n"))),
        }
    }
    Ok((words, long))
}

/// The list's conditions with its `subject~` filter as the count rows of `sum.first`:
/// a run of ` AND …` terms on `issue_word_counts i`.
pub fn counted(filters: &[Filter], env: &Env, sum: &WordSum) -> Sql {
    let mut sql = Sql::default();
    for f in filters {
        if f.name == "subject" {
            sql.push(" AND i.word = ").bind(sum.first.clone());
            continue;
        }
        append(&mut sql, &sql_for(std::slice::from_ref(f), env));
    }
    sql
}

/// The issues a sum leaves out, to be counted one by one (None when there are none):
/// those holding one of the rarer words and not the first, as ` AND …` terms on
/// `issues i`. The trigram index of subjects finds them.
pub fn walked(filters: &[Filter], env: &Env, sum: &WordSum) -> Option<Sql> {
    if sum.rest.is_empty() {
        return None;
    }
    let mut sql = Sql::default();
    for f in filters.iter().filter(|f| f.name != "subject") {
        append(&mut sql, &sql_for(std::slice::from_ref(f), env));
    }
    if env.postgres {
        sql.push(" AND (");
        for (k, w) in sum.rest.iter().enumerate() {
            if k > 0 {
                sql.push(" OR ");
            }
            sql.push("i.subject ILIKE ")
                .bind(like_pattern(w))
                .push(" ESCAPE '\\'");
        }
        sql.push(")");
    } else {
        let phrases: Vec<String> = sum.rest.iter().map(|w| fts_phrase(w)).collect();
        sql.push(" AND i.id IN (SELECT rowid FROM issues_fts WHERE issues_fts MATCH ")
            .bind(format!("{{subject}} : ({})", phrases.join(" OR ")))
            .push(")");
    }
    sql.push(" AND NOT EXISTS (SELECT 1 FROM issue_subject_words x WHERE x.issue_id = i.id AND x.word = ")
        .bind(sum.first.clone())
        .push(")");
    Some(sql)
}
