//! A page of the issue list and its total: the total summed from the counts tables where
//! they apply, the page's ids in the order that reads least, then their rows.

use super::issue_query::Counted;
use super::issues::{select, Issue, NAME_JOINS};
use super::sql::Sql;
use super::{Db, Result};

/// Whether SQL text names a column of `alias` (`alias.` not preceded by a name character).
fn uses_alias(sql: &str, alias: &str) -> bool {
    let pattern = format!("{alias}.");
    sql.match_indices(&pattern).any(|(at, _)| {
        sql[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

/// How many matching issues PostgreSQL may collect and sort for a page in id order
/// rather than walk its primary key (see `list`).
const FEW: i64 = 10_000;

/// A way to total a list from a counts table (`issue_counts`, `issue_value_counts`)
/// instead of counting its issues: the conditions written for the table's rows under the
/// alias `i`, and the issues counted beside them (a member's own, see
/// `issue_query::visibility_parts`). It applies when the conditions read only the
/// table's columns.
pub struct Sum {
    /// The counts it reads (per project, unless `expression` says otherwise).
    pub counted: Counted,
    pub summed: Sql,
    pub beside: Option<Sql>,
    /// The summed part written out whole (`issue_query::summed_total`), which applies
    /// as it is.
    pub expression: Option<Sql>,
    /// The list sees every project and `summed` reads only what `issue_blocks` keeps: a
    /// deep page in id order may start from the run of ids its first issue is in.
    pub skippable: bool,
    /// Issues the rows leave out, counted beside them (`subject_words::walked`).
    pub walked: Option<Sql>,
}

/// Issues a walk in an index's order may read to reach the end of a page.
const WALKED: i64 = 2_500;

/// How deep a page in id order starts from its run of ids (`issue_blocks`) rather than
/// walking from the first issue.
const DEEP: i64 = 10_000;
/// Ids per run in `issue_blocks` (migration 31).
const BLOCK: i64 = 4096;

/// Where a page `offset` matches deep in id order begins: a bound on the ids that leaves
/// out the runs wholly before it, and the offset within what is left. The runs' counts
/// include every project: the caller sees them all (`Sum::skippable`).
async fn skip_to(db: &Db, summed: &Sql, desc: bool, offset: i64) -> Result<Option<(String, i64)>> {
    let dir = if desc { "DESC" } else { "ASC" };
    let mut q = Sql::new(&format!(
        "SELECT block, CAST(upto AS BIGINT) - n AS skipped FROM (SELECT block, n, \
         SUM(n) OVER (ORDER BY block {dir}) AS upto FROM (SELECT i.block AS block, \
         CAST(SUM(i.n) AS BIGINT) AS n FROM issue_blocks i WHERE (1 = 1"
    ));
    super::sql::append(&mut q, summed);
    q.push(") GROUP BY i.block) b) c WHERE upto > ")
        .bind(offset)
        .push(&format!(" ORDER BY block {dir} LIMIT 1"));
    let rows = db.rows(&q.text, &q.args).await?;
    Ok(rows.first().map(|r| {
        let block = r.i64("block");
        let bound = match desc {
            true => format!(" AND i.id < {}", (block + 1) * BLOCK),
            false => format!(" AND i.id >= {}", block * BLOCK),
        };
        (bound, offset - r.i64("skipped"))
    }))
}

/// One page of the issues matching `conditions`, and how many match: summed by the first
/// of `sums` that applies, else counted.
pub async fn list(
    db: &Db,
    conditions: &Sql,
    sums: &[Sum],
    order: &str,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Issue>)> {
    // every condition is written on the issues' own columns (sub-selects for the rest), so
    // counting needs no join; the highest issue id comes beside (about how many issues
    // there are, to choose the page's plan)
    let applies = |s: &&Sum| s.expression.is_some() || s.counted.countable(&s.summed.text);
    let chosen = sums.iter().find(applies);
    let counting = match chosen {
        Some(sum) => {
            let mut c = Sql::new("SELECT CAST(COALESCE(");
            match &sum.expression {
                Some(whole) => super::sql::append(&mut c, whole),
                None => {
                    let table = sum.counted.per_project();
                    c.push(&format!("(SELECT SUM(i.n) FROM {table} i WHERE "));
                    super::sql::append(&mut c, &sum.summed);
                    c.push(")");
                }
            }
            c.push(", 0) AS BIGINT)");
            if let Some(walked) = &sum.walked {
                c.push(" + (SELECT COUNT(*) FROM issues i WHERE ");
                super::sql::append(&mut c, walked);
                c.push(")");
            }
            if let Some(rest) = &sum.beside {
                // the caller's own issues are few: a value filter is asked of each (as a
                // list of every holder it took 190 ms, a quarter of 1,000,000 issues), and
                // so are words (the trigram index listed 120,000 issues holding `crash`
                // for a member's 60: 70 ms)
                let probed = super::issue_query::values_probed(&rest.text);
                let own = Sql {
                    text: super::issue_query::lookups_dropped(&probed, db.is_postgres()),
                    args: rest.args.clone(),
                };
                c.push(" + (SELECT COUNT(*) FROM issues i WHERE ");
                super::sql::append(&mut c, &own);
                c.push(")");
            }
            c.push(" AS total, (SELECT MAX(id) FROM issues) AS everything");
            c
        }
        None => {
            let mut c = Sql::new(
                "SELECT COUNT(*) AS total, (SELECT MAX(id) FROM issues) AS everything \
                 FROM issues i WHERE ",
            );
            super::sql::append(&mut c, conditions);
            c
        }
    };
    let counted = db.rows(&counting.text, &counting.args).await?;
    let total = counted.first().map_or(0, |r| r.i64("total"));
    let everything = counted.first().map_or(0, |r| r.i64("everything"));
    if offset >= total {
        return Ok((total, Vec::new()));
    }
    // A page in id order: SQLite sorts every match to find it, even when most issues
    // match; then walking the narrow `issues_by_id` index in order, which holds every
    // column the conditions read, stops at the page. PostgreSQL walks the primary key in
    // order hoping to meet matches early, which, when few issues match and they are old
    // ones (one day's updates), reads the whole table: then up to `FEW` matches are
    // collected first (`OFFSET 0` keeps the planner from merging the two) and only they
    // are sorted (more are met often enough on the walk).
    // Custom value filters make both list every issue holding the value before they look
    // at any (a quarter of 1,000,000: 90 ms on SQLite, 280 ms on PostgreSQL). Where an
    // index gives the order and the walk meets matches often (in id order one issue in a
    // thousand, in date order one in twenty), asking each issue met is cheaper
    // (`values_probed`); in any other order every match would be asked, so not there.
    let by_id = matches!(order, "i.id DESC" | "i.id ASC");
    let share = |one_in: i64| everything > 0 && total * one_in >= everything;
    let dated = ["i.updated_on ", "i.created_on "]
        .iter()
        .any(|d| order.starts_with(d));
    let cond = if (by_id && share(1000)) || (dated && share(20)) {
        super::issue_query::values_probed(&conditions.text)
    } else {
        conditions.text.clone()
    };
    let probed = cond != conditions.text;
    let walk = by_id && (share(20) || probed);
    // PostgreSQL: a walk in an index's order that reaches the page's end within
    // `WALKED` issues, were the matches spread evenly, is cheaper than gathering every
    // match through the trigram index (`trigram_dropped`)
    let short_walk =
        total > 0 && (offset + limit).saturating_mul(everything) <= total.saturating_mul(WALKED);
    let cond = match db.is_postgres() && (by_id || dated) && short_walk {
        true => super::issue_query::trigram_dropped(&cond),
        false => cond,
    };
    // deep in id order over every project: from the run of ids where the page begins
    let mut offset = offset;
    let mut cond = cond;
    if let Some(sum) = chosen.filter(|s| s.skippable && by_id && offset >= DEEP) {
        if let Some((bound, within)) =
            skip_to(db, &sum.summed, order == "i.id DESC", offset).await?
        {
            cond.push_str(&bound);
            offset = within;
        }
    }
    // first the ids of the page, then the full rows of just those: the per-row roll-ups
    // never run for rows off the page. The ids are sorted with only the joins the order
    // reads: the conditions are on the issues' own columns and every issue has its
    // project, tracker and status, so no join changes a row (sorting 10,000 matching ids
    // alone is several times faster than joining them first)
    let joins: String = NAME_JOINS
        .iter()
        .filter(|(alias, _)| uses_alias(order, alias))
        .map(|(_, join)| *join)
        .collect();
    // one custom field value, in id order: the value's holders are walked in id order
    // where the holders are walked about as far as the issues would be (the matches are
    // not rarer than one issue in a thousand: 25,000 rows at most for a first page)
    let driven = (by_id && share(1000))
        .then(|| super::issue_query::value_driven(&conditions.text))
        .flatten();
    // words of the subject or description, in id order, on SQLite: the trigram index
    // read in that order
    let fts_driven = (by_id && !db.is_postgres())
        .then(|| super::issue_query::fts_driven(&cond))
        .flatten();
    // the direction of a page in id order read from another index
    let dir = if order == "i.id DESC" { "DESC" } else { "ASC" };
    let filtered = if let Some((values, rest)) = &driven {
        // SQLite: the holders first, in the index's order (CROSS JOIN keeps the order of
        // the tables; given the choice, with statistics, it read the project's issues
        // first and sorted every match: 0.66 s for a subtree of 54,000 issues), each
        // issue then found by its id (NOT INDEXED: through an index on project and
        // status it looked every pair of them up, 24 ms)
        let from = match db.is_postgres() {
            true => "custom_values cv JOIN issues i ON i.id = cv.customized_id WHERE",
            false => {
                "custom_values cv INDEXED BY custom_values_by_value \
                 CROSS JOIN issues i NOT INDEXED WHERE i.id = cv.customized_id AND"
            }
        };
        format!("SELECT i.id FROM {from} {values} AND ({rest}) ORDER BY cv.customized_id {dir}")
    } else if let Some((phrase, rest)) = fts_driven {
        format!(
            "SELECT i.id FROM issues_fts f CROSS JOIN issues i WHERE f.issues_fts MATCH {phrase} \
             AND i.id = f.rowid AND ({rest}) ORDER BY f.rowid {dir}"
        )
    } else if walk && !db.is_postgres() {
        format!("SELECT i.id FROM issues i INDEXED BY issues_by_id WHERE ({cond}) ORDER BY {order}")
    } else if by_id && !walk && total <= FEW && db.is_postgres() {
        format!("SELECT i.id FROM (SELECT i.id FROM issues i WHERE ({cond}) OFFSET 0) i ORDER BY {order}")
    } else {
        format!("SELECT i.id FROM issues i{joins} WHERE ({cond}) ORDER BY {order}")
    };
    let mut page = Sql::new(&filtered);
    page.args = conditions.args.clone();
    page.page(db.is_postgres(), limit, offset);
    let mut ids: Vec<i64> = db
        .rows(&page.text, &page.args)
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect();
    // a walk over values meets an issue once per row holding the value: twice where a
    // copied database holds the same value twice (the API never writes that)
    ids.dedup();
    if ids.is_empty() {
        return Ok((total, Vec::new()));
    }
    let mut full = Sql::new(&format!("{} WHERE i.id IN (", select(db)));
    full.ids(&ids);
    full.push(")");
    let mut rows: Vec<Issue> = db.all(&full.text, &full.args).await?;
    rows.sort_by_key(|i| ids.iter().position(|x| *x == i.id));
    let issues = rows;
    Ok((total, issues))
}

#[cfg(test)]
mod tests {
    use super::{uses_alias, Counted};

    #[test]
    fn counted_from_issue_counts() {
        let by_issue = |c: &str| Counted::Issues.countable(c);
        assert!(by_issue(
            "i.project_id IN (1, 2) AND i.status_id IN (SELECT id FROM issue_statuses WHERE is_closed = FALSE)"
        ));
        assert!(by_issue("i.project_id = $1 AND (i.is_private = FALSE)"));
        assert!(!by_issue("i.project_id = $1 AND i.assigned_to_id IN ($2)"));
        assert!(!by_issue(
            "i.project_id = $1 AND EXISTS (SELECT 1 FROM issues ch WHERE ch.parent_id = i.id)"
        ));
        assert!(!by_issue(
            "i.project_id = $1 AND ui.x = 1 AND i.author_id = 2"
        ));
        // a custom value: only from the table that keeps it
        let value = "i.project_id <= 5 AND i.custom_field_id = $1 AND i.value = $2";
        assert!(!by_issue(value));
        assert!(Counted::Values.countable(value));
        assert!(!Counted::Values.countable("i.value = $1 AND i.subject = $2"));
    }

    #[test]
    fn aliases_in_an_order() {
        assert!(uses_alias("p.name ASC, i.id DESC", "p"));
        assert!(uses_alias("(s.position) DESC", "s"));
        assert!(!uses_alias("i.id DESC", "p"));
        assert!(!uses_alias("(SELECT cv.value FROM custom_values cv)", "v"));
        assert!(!uses_alias("asg.lastname", "s"));
        assert!(uses_alias("asg.lastname", "asg"));
    }
}
