//! Issue relations, and the rescheduling that `precedes` relations cause.

use std::collections::{HashSet, VecDeque};

use time::Date;

use super::issue_query::in_list;
use super::journals::{add_details, add_journal, Detail};
use super::rollup::recalculate_ancestors;
use super::sql::Sql;
use super::{now, Db, FromRow, Result, Row, Tx};
use crate::domain::relations::{self as rules, Calendar, CycleCheck, Facts};

/// Serializes the writes that must see each other's relations (cycle checks).
const LOCK: i64 = 7_361_030;

#[derive(Debug, Clone)]
pub struct Relation {
    pub id: i64,
    pub issue_from_id: i64,
    pub issue_to_id: i64,
    pub relation_type: String,
    pub delay: Option<i64>,
}

impl Relation {
    /// The issue at the other end, seen from `issue`.
    pub fn other(&self, issue: i64) -> i64 {
        if self.issue_from_id == issue {
            self.issue_to_id
        } else {
            self.issue_from_id
        }
    }
}

impl FromRow for Relation {
    fn from_row(r: &Row) -> Self {
        Relation {
            id: r.i64("id"),
            issue_from_id: r.i64("issue_from_id"),
            issue_to_id: r.i64("issue_to_id"),
            relation_type: r.str("relation_type"),
            delay: r.opt_i64("delay"),
        }
    }
}

const COLUMNS: &str =
    "SELECT id, issue_from_id, issue_to_id, relation_type, delay FROM issue_relations";

pub async fn find(db: &Db, id: i64) -> Result<Option<Relation>> {
    db.opt(&format!("{COLUMNS} WHERE id = $1"), &[id.into()])
        .await
}

/// The relations of some issues, each issue's in Redmine's order (by type, then id).
pub async fn of_issues(db: &Db, ids: &[i64]) -> Result<Vec<Relation>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("{COLUMNS} WHERE "));
    in_list(&mut sql, "issue_from_id", ids);
    sql.push(" OR ");
    in_list(&mut sql, "issue_to_id", ids);
    sql.push(" ORDER BY id");
    db.all(&sql.text, &sql.args).await
}

/// The relations of some issues whose other issue matches `visible` (a condition on
/// `issues i`), in one statement. Each side is looked up from the page's ids (a relation
/// between two issues of the page comes once).
pub async fn visible_of_issues(db: &Db, ids: &[i64], visible: &Sql) -> Result<Vec<Relation>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::default();
    for (k, (own, other)) in [
        ("issue_from_id", "issue_to_id"),
        ("issue_to_id", "issue_from_id"),
    ]
    .into_iter()
    .enumerate()
    {
        if k > 0 {
            sql.push(" UNION ");
        }
        sql.push(
            // CROSS JOIN keeps the relations of the page as SQLite's outer loop
            "SELECT r.id AS id, r.issue_from_id AS issue_from_id, r.issue_to_id AS issue_to_id, \
             r.relation_type AS relation_type, r.delay AS delay \
             FROM issue_relations r CROSS JOIN issues i WHERE i.id = r.",
        )
        .push(other)
        .push(" AND ");
        in_list(&mut sql, &format!("r.{own}"), ids);
        sql.push(" AND ");
        super::issue_query::append(&mut sql, visible);
    }
    sql.push(" ORDER BY id");
    db.all(&sql.text, &sql.args).await
}

/// The relations touching `issue`, sorted for display.
pub fn sorted_for(all: &[Relation], issue: i64) -> Vec<Relation> {
    let mut out: Vec<Relation> = all
        .iter()
        .filter(|r| r.issue_from_id == issue || r.issue_to_id == issue)
        .cloned()
        .collect();
    out.sort_by_key(|r| (rules::order(&r.relation_type), r.id));
    out
}

fn ids_of(rows: &[Row], col: &str) -> Vec<i64> {
    rows.iter().map(|r| r.i64(col)).collect()
}

/// Walks the graph from `start` level by level; `next` gives the issues one step further.
/// True when `target` is reached.
async fn reaches<F>(tx: &mut Tx<'_>, start: i64, target: i64, mut next: F) -> Result<bool>
where
    F: for<'a, 'b> FnMut(
        &'a mut Tx<'b>,
        Vec<i64>,
    ) -> futures_util::future::BoxFuture<'a, Result<Vec<i64>>>,
{
    let mut seen: HashSet<i64> = HashSet::from([start]);
    let mut frontier = vec![start];
    while !frontier.is_empty() {
        let found = next(tx, frontier).await?;
        let mut fresh = Vec::new();
        for id in found {
            if seen.insert(id) {
                fresh.push(id);
            }
        }
        if fresh.contains(&target) {
            return Ok(true);
        }
        frontier = fresh;
    }
    Ok(false)
}

/// Whether `from` blocks `target` through a chain of `blocks` relations.
async fn blocks(tx: &mut Tx<'_>, from: i64, target: i64) -> Result<bool> {
    reaches(tx, from, target, |tx, frontier| {
        Box::pin(async move {
            let mut sql = Sql::new(
                "SELECT issue_to_id FROM issue_relations WHERE relation_type = 'blocks' AND ",
            );
            in_list(&mut sql, "issue_from_id", &frontier);
            Ok(ids_of(&tx.rows(&sql.text, &sql.args).await?, "issue_to_id"))
        })
    })
    .await
}

/// Whether moving `from` could reschedule `target`: through `precedes` relations of the
/// issue or of its ancestors, and through its subtasks.
async fn would_reschedule(tx: &mut Tx<'_>, from: i64, target: i64) -> Result<bool> {
    reaches(tx, from, target, |tx, frontier| {
        Box::pin(async move {
            let mut sql = Sql::new("SELECT id, id_path FROM issues WHERE ");
            in_list(&mut sql, "id", &frontier);
            let paths: Vec<String> = tx
                .rows(&sql.text, &sql.args)
                .await?
                .iter()
                .map(|r| r.str("id_path"))
                .collect();
            let mut sources: Vec<i64> = paths
                .iter()
                .flat_map(|p| p.split('/').filter_map(|x| x.parse().ok()))
                .collect();
            sources.sort_unstable();
            sources.dedup();
            let mut sql = Sql::new(
                "SELECT issue_to_id FROM issue_relations WHERE relation_type = 'precedes' AND ",
            );
            in_list(&mut sql, "issue_from_id", &sources);
            let mut out = ids_of(&tx.rows(&sql.text, &sql.args).await?, "issue_to_id");
            for path in &paths {
                out.extend(leaves(tx, path).await?.into_iter().map(|(id, _)| id));
            }
            Ok(out)
        })
    })
    .await
}

/// The subtasks without subtasks under the issue at `path`, with their start dates.
async fn leaves(tx: &mut Tx<'_>, path: &str) -> Result<Vec<(i64, Option<String>)>> {
    Ok(tx
        .rows(
            "SELECT x.id, x.start_date FROM issues x \
             WHERE x.id_path > $1 AND x.id_path < $1 || ':' \
             AND NOT EXISTS (SELECT 1 FROM issues c WHERE c.parent_id = x.id) ORDER BY x.id",
            &[path.into()],
        )
        .await?
        .iter()
        .map(|r| (r.i64("id"), r.opt_str("start_date")))
        .collect())
}

async fn pair_exists(tx: &mut Tx<'_>, from: i64, to: i64) -> Result<bool> {
    Ok(tx
        .int(
            "SELECT COUNT(*) FROM issue_relations WHERE issue_from_id = $1 AND issue_to_id = $2",
            &[from.into(), to.into()],
        )
        .await?
        > 0)
}

/// Creates a relation from `from` as the client described it (`facts` carries what the
/// caller could judge: the target, type, delay and projects), after the checks that need
/// the relations themselves. Both issues get a journal; a follower is rescheduled.
pub async fn create(
    db: &Db,
    from: i64,
    mut facts: Facts,
    user: i64,
    calendar: &Calendar,
    default_priority: i64,
) -> Result<std::result::Result<Relation, Vec<String>>> {
    let mut tx = db.begin().await?;
    tx.serialize(LOCK).await?;
    let t = facts.relation_type.clone().unwrap_or_default();
    if let Some(to) = facts.target {
        facts.taken = pair_exists(&mut tx, from, to).await?;
        facts.circular = match rules::cycle_check(from, to, &t) {
            Some(CycleCheck::Blocks(a, b)) => blocks(&mut tx, a, b).await?,
            Some(CycleCheck::Reschedules(a, b)) => would_reschedule(&mut tx, a, b).await?,
            Some(CycleCheck::Opposite(a, b)) => pair_exists(&mut tx, a, b).await?,
            None => false,
        };
    }
    let errors = rules::errors(from, &facts);
    let Some(to) = facts.target.filter(|_| errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let (f, to, stored) = rules::stored_form(from, to, &t);
    let delay = rules::stored_delay(stored, facts.delay.and_then(|d| d.days()));
    let inserted = tx
        .int(
            "INSERT INTO issue_relations (issue_from_id, issue_to_id, relation_type, delay) \
             VALUES ($1, $2, $3, $4) RETURNING id",
            &[f.into(), to.into(), stored.into(), delay.into()],
        )
        .await;
    let id = match inserted {
        Ok(id) => id,
        Err(e) if e.unique_violation().is_some() => {
            return Ok(Err(vec!["has already been taken".to_owned()]));
        }
        Err(e) => return Err(e),
    };
    let detail = |issue: i64, other: i64| -> Detail {
        (
            "relation".into(),
            rules::seen_from(stored, f, issue).to_owned(),
            None,
            Some(other.to_string()),
        )
    };
    // the follower's journal holds its new dates and the relation, as one change
    let (start, due) = dates(&mut tx, f).await?;
    let soonest = calendar.successor_start(start, due, delay);
    let to_journal = match soonest {
        Some(date) => {
            let jid = add_journal(&mut tx, to, user, Some(String::new()), false, &[]).await?;
            let steps = vec![Step {
                issue: to,
                date,
                journal: JournalTo::Existing(jid, user),
            }];
            reschedule(&mut tx, steps, calendar, default_priority).await?;
            Some(jid)
        }
        None => None,
    };
    add_journal(
        &mut tx,
        f,
        user,
        Some(String::new()),
        false,
        &[detail(f, to)],
    )
    .await?;
    match to_journal {
        Some(jid) => add_details(&mut tx, jid, &[detail(to, f)]).await?,
        None => {
            add_journal(
                &mut tx,
                to,
                user,
                Some(String::new()),
                false,
                &[detail(to, f)],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Ok(Relation {
        id,
        issue_from_id: f,
        issue_to_id: to,
        relation_type: stored.to_owned(),
        delay,
    }))
}

/// Deletes a relation; both issues get a journal saying so.
pub async fn delete(db: &Db, r: &Relation, user: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    if tx
        .exec("DELETE FROM issue_relations WHERE id = $1", &[r.id.into()])
        .await?
        == 0
    {
        // deleted meanwhile: the other request wrote the journals
        return Ok(());
    }
    for (issue, other) in [
        (r.issue_from_id, r.issue_to_id),
        (r.issue_to_id, r.issue_from_id),
    ] {
        let d: Detail = (
            "relation".into(),
            rules::seen_from(&r.relation_type, r.issue_from_id, issue).to_owned(),
            Some(other.to_string()),
            None,
        );
        add_journal(&mut tx, issue, user, Some(String::new()), false, &[d]).await?;
    }
    tx.commit().await
}

async fn dates(tx: &mut Tx<'_>, id: i64) -> Result<(Option<Date>, Option<Date>)> {
    let rows = tx
        .rows(
            "SELECT start_date, due_date FROM issues WHERE id = $1",
            &[id.into()],
        )
        .await?;
    Ok(rows.first().map_or((None, None), |r| {
        (
            r.opt_str("start_date").and_then(|s| rules::parse_date(&s)),
            r.opt_str("due_date").and_then(|s| rules::parse_date(&s)),
        )
    }))
}

/// The earliest start the issue may have: after every issue preceding it or one of its
/// ancestors (whose dates derive from their subtasks).
/// `soonest_start` outside a write: for checking a requested start date.
pub async fn soonest_start_now(
    db: &super::Db,
    id_path: &str,
    calendar: &Calendar,
) -> Result<Option<Date>> {
    let mut tx = db.begin().await?;
    soonest_start(&mut tx, id_path, calendar).await
}

pub async fn soonest_start(
    tx: &mut Tx<'_>,
    id_path: &str,
    calendar: &Calendar,
) -> Result<Option<Date>> {
    let ids: Vec<i64> = id_path.split('/').filter_map(|x| x.parse().ok()).collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let mut sql = Sql::new(
        "SELECT r.delay, f.start_date, f.due_date FROM issue_relations r \
         JOIN issues f ON f.id = r.issue_from_id WHERE r.relation_type = 'precedes' AND ",
    );
    in_list(&mut sql, "r.issue_to_id", &ids);
    Ok(tx
        .rows(&sql.text, &sql.args)
        .await?
        .iter()
        .filter_map(|r| {
            calendar.successor_start(
                r.opt_str("start_date").and_then(|s| rules::parse_date(&s)),
                r.opt_str("due_date").and_then(|s| rules::parse_date(&s)),
                r.opt_i64("delay"),
            )
        })
        .max())
}

/// Where the journal of a rescheduled issue goes.
#[derive(Debug, Clone, Copy)]
pub enum JournalTo {
    /// Moves caused by subtasks or parents are not journaled, as in Redmine.
    Nothing,
    New(i64),
    /// A journal already opened for the same change (the relation that caused it).
    Existing(i64, i64),
}

impl JournalTo {
    fn user(self) -> Option<i64> {
        match self {
            JournalTo::Nothing => None,
            JournalTo::New(u) | JournalTo::Existing(_, u) => Some(u),
        }
    }
}

/// An issue to move so that it starts on `date` at the earliest.
#[derive(Debug, Clone)]
pub struct Step {
    pub issue: i64,
    pub date: Date,
    pub journal: JournalTo,
}

/// The steps that move the issues following `issue` after its dates changed.
pub async fn followers(
    tx: &mut Tx<'_>,
    issue: i64,
    journal: JournalTo,
    calendar: &Calendar,
) -> Result<Vec<Step>> {
    let (start, due) = dates(tx, issue).await?;
    Ok(tx
        .rows(
            "SELECT issue_to_id, delay FROM issue_relations \
             WHERE issue_from_id = $1 AND relation_type = 'precedes' ORDER BY id",
            &[issue.into()],
        )
        .await?
        .iter()
        .filter_map(|r| {
            calendar
                .successor_start(start, due, r.opt_i64("delay"))
                .map(|date| Step {
                    issue: r.i64("issue_to_id"),
                    date,
                    journal: match journal.user() {
                        Some(u) => JournalTo::New(u),
                        None => JournalTo::Nothing,
                    },
                })
        })
        .collect())
}

/// Moves issues forward (or back to their soonest start) as Redmine's `reschedule_on!`
/// does, following the chain of `precedes` relations; a parent moves its leaf subtasks.
/// Cycles cannot be created, but a bound keeps a corrupted graph from looping.
pub async fn reschedule(
    tx: &mut Tx<'_>,
    steps: Vec<Step>,
    calendar: &Calendar,
    default_priority: i64,
) -> Result<()> {
    let mut queue: VecDeque<Step> = steps.into();
    let mut budget = 10_000;
    while let Some(step) = queue.pop_front() {
        budget -= 1;
        if budget == 0 {
            break;
        }
        let rows = tx
            .rows(
                "SELECT start_date, due_date, id_path, \
                 CASE WHEN EXISTS (SELECT 1 FROM issues c WHERE c.parent_id = i.id) THEN 1 ELSE 0 END AS has_children \
                 FROM issues i WHERE id = $1",
                &[step.issue.into()],
            )
            .await?;
        let Some(row) = rows.first() else { continue };
        let start_text = row.opt_str("start_date");
        let start = start_text.as_deref().and_then(rules::parse_date);
        let due_text = row.opt_str("due_date");
        let due = due_text.as_deref().and_then(rules::parse_date);
        let path = row.str("id_path");
        if row.bool("has_children") {
            for (leaf, leaf_start) in leaves(tx, &path).await? {
                let leaf_start = leaf_start.as_deref().and_then(rules::parse_date);
                if leaf_start.is_none_or(|ls| start == Some(ls) || step.date > ls) {
                    queue.push_back(Step {
                        issue: leaf,
                        date: step.date,
                        journal: JournalTo::Nothing,
                    });
                }
            }
            continue;
        }
        if start == Some(step.date) {
            continue;
        }
        let mut date = step.date;
        if start.is_some_and(|s| s > date) {
            // not earlier than what its other predecessors allow
            if let Some(soonest) = soonest_start(tx, &path, calendar).await? {
                date = date.max(soonest);
            }
        }
        let (new_start, new_due) = calendar.reschedule(start, due, date);
        let (new_start, new_due) = (rules::format_date(new_start), rules::format_date(new_due));
        tx.exec(
            "UPDATE issues SET start_date = $1, due_date = $2, updated_on = $3, \
             lock_version = lock_version + 1 WHERE id = $4",
            &[
                new_start.clone().into(),
                new_due.clone().into(),
                now().into(),
                step.issue.into(),
            ],
        )
        .await?;
        let mut details = Vec::new();
        for (name, old, new) in [
            ("due_date", due_text, new_due),
            ("start_date", start_text, new_start),
        ] {
            if old.as_deref() != Some(new.as_str()) {
                details.push(("attr".into(), name.into(), old, Some(new)));
            }
        }
        match step.journal {
            JournalTo::Nothing => {}
            JournalTo::New(user) => {
                add_journal(tx, step.issue, user, Some(String::new()), false, &details).await?;
            }
            JournalTo::Existing(jid, _) => add_details(tx, jid, &details).await?,
        }
        let moved_parents = recalculate_ancestors(tx, &path, default_priority).await?;
        queue.extend(followers(tx, step.issue, step.journal, calendar).await?);
        for parent in moved_parents {
            queue.extend(followers(tx, parent, JournalTo::Nothing, calendar).await?);
        }
    }
    Ok(())
}

/// `(closable, reopenable)`: an issue with open subtasks or blocked by an open issue
/// cannot be closed; one under a closed ancestor cannot be reopened.
pub async fn closing_facts(db: &Db, issue: i64, id_path: &str) -> Result<(bool, bool)> {
    let ancestors: Vec<i64> = id_path
        .split('/')
        .filter_map(|x| x.parse().ok())
        .filter(|a| *a != issue)
        .collect();
    let mut sql = Sql::new(
        "SELECT (SELECT COUNT(*) FROM issues x JOIN issue_statuses s ON s.id = x.status_id \
           WHERE x.id_path >= ",
    );
    sql.bind(id_path.to_owned())
        .push(" AND x.id_path < ")
        .bind(format!("{id_path}:"))
        .push(" AND x.id <> ")
        .bind(issue)
        .push(
            " AND s.is_closed = FALSE) AS open_below, \
             (SELECT COUNT(*) FROM issue_relations r JOIN issues f ON f.id = r.issue_from_id \
               JOIN issue_statuses s ON s.id = f.status_id \
               WHERE r.relation_type = 'blocks' AND s.is_closed = FALSE AND r.issue_to_id = ",
        )
        .bind(issue)
        .push(
            ") AS blockers, (SELECT COUNT(*) FROM issues a JOIN issue_statuses s ON s.id = a.status_id \
               WHERE s.is_closed = TRUE AND ",
        );
    in_list(&mut sql, "a.id", &ancestors);
    sql.push(") AS closed_above");
    let rows = db.rows(&sql.text, &sql.args).await?;
    Ok(rows.first().map_or((true, true), |r| {
        (
            r.i64("open_below") == 0 && r.i64("blockers") == 0,
            r.i64("closed_above") == 0,
        )
    }))
}

/// Relations of the issues whose ids are given are dropped (an issue moved to another
/// project when cross-project relations are not allowed).
pub async fn drop_of(tx: &mut Tx<'_>, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("DELETE FROM issue_relations WHERE ");
    in_list(&mut sql, "issue_from_id", ids);
    sql.push(" OR ");
    in_list(&mut sql, "issue_to_id", ids);
    tx.exec(&sql.text, &sql.args).await.map(|_| ())
}

/// Closes, with the same status and notes, the open issues that duplicate `issue`, and
/// theirs in turn.
pub async fn close_duplicates(
    tx: &mut Tx<'_>,
    issue: i64,
    status: i64,
    user: i64,
    notes: Option<String>,
    private: bool,
) -> Result<()> {
    let mut queue = vec![issue];
    let mut seen = HashSet::from([issue]);
    while let Some(closed) = queue.pop() {
        let open = tx
            .rows(
                "SELECT d.id, d.status_id FROM issue_relations r \
                 JOIN issues d ON d.id = r.issue_from_id JOIN issue_statuses s ON s.id = d.status_id \
                 WHERE r.issue_to_id = $1 AND r.relation_type = 'duplicates' AND s.is_closed = FALSE \
                 ORDER BY r.id",
                &[closed.into()],
            )
            .await?;
        for d in open {
            let id = d.i64("id");
            if !seen.insert(id) {
                continue;
            }
            let t = now();
            tx.exec(
                "UPDATE issues SET status_id = $1, closed_on = $2, updated_on = $2, \
                 lock_version = lock_version + 1 WHERE id = $3",
                &[status.into(), t.into(), id.into()],
            )
            .await?;
            let detail: Detail = (
                "attr".into(),
                "status_id".into(),
                Some(d.i64("status_id").to_string()),
                Some(status.to_string()),
            );
            add_journal(
                tx,
                id,
                user,
                Some(notes.clone().unwrap_or_default()),
                private,
                &[detail],
            )
            .await?;
            queue.push(id);
        }
    }
    Ok(())
}
