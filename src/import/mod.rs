//! `carmine import`: a whole Redmine 5.0 database and its attachment files into a new
//! carmine database, at Redmine's ids, so that every client, bookmark and script keeps
//! working. The source is only read. The rows go in one transaction: a failed import
//! leaves the new database empty, ready for another try.

mod files;
mod plan;
mod rows;
mod source;
mod summary;
mod values;
mod yaml;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};

use crate::store::files::Files;
use crate::store::import::{self as target, Column};
use crate::store::{Arg, Db, Tx};
use plan::{Step, STEPS};
use rows::{Fixed, Fixer, Named};
use source::{Cell, Source};
pub use summary::Summary;

/// Rows read and written at a time.
const SLICE: u64 = 5_000;

/// A progress bar on a terminal; nothing elsewhere.
fn bar(total: u64, message: &str) -> ProgressBar {
    let style = ProgressStyle::with_template(
        "{msg:<26} [{bar:30}] {human_pos:>10}/{human_len:<10} {rate:>12} {elapsed:>4}",
    )
    .expect("template")
    .with_key(
        "rate",
        |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0} rows/s", s.per_sec());
        },
    )
    .progress_chars("=> ");
    ProgressBar::new(total)
        .with_style(style)
        .with_message(message.to_owned())
}

/// What one table's rows need from carmine's side.
struct Target {
    columns: Vec<Column>,
    names: Vec<String>,
    /// `(column, table)` references checked row by row.
    references: Vec<(String, String)>,
}

pub async fn run(
    db: &Db,
    store: &Files,
    from: &str,
    files_dir: Option<&Path>,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let source = Source::open(from).await?;
    let tables = source.tables().await?;
    if !tables.iter().any(|t| t == "schema_migrations") {
        bail!("{from} is not a Redmine database: it has no schema_migrations table");
    }
    match source.schema_version().await? {
        Some(plan::SCHEMA_VERSION) => {}
        found => bail!(
            "{from} is a Redmine database at schema version {}; carmine imports Redmine 5.0.0 to \
             5.0.x (schema version {}). Upgrade Redmine to 5.0 first (or, from a newer one, \
             ask for its support)",
            found.map_or("unknown".into(), |v| v.to_string()),
            plan::SCHEMA_VERSION
        ),
    }
    if !target::is_empty(db).await? {
        bail!(
            "the carmine database already holds users: import into a new one (another --data \
             directory, or an empty PostgreSQL database)"
        );
    }
    let mut summary = Summary::new(from);
    for table in &tables {
        if let Some((_, why)) = plan::LEFT_BEHIND.iter().find(|(t, _)| t == table) {
            summary.left_behind(table, source.count(table).await?, why);
        } else if !plan::INTERNAL.contains(&table.as_str())
            && !STEPS.iter().any(|s| s.table == table)
        {
            summary.left_behind(
                table,
                source.count(table).await?,
                "not a Redmine 5.0 table (a plugin's?)",
            );
        }
    }

    // files first: they are safe to copy again, and a failure leaves no rows behind
    match files_dir {
        Some(dir) if tables.iter().any(|t| t == "attachments") => {
            let progress = bar(source.count("attachments").await?, "attachment files");
            let copied = files::copy(&source, dir, store, |n| progress.inc(n)).await?;
            progress.finish_and_clear();
            summary.files = Some(copied);
        }
        _ => summary.note("attachment files were not copied: no --files directory", ""),
    }

    let mut targets = HashMap::new();
    for step in STEPS {
        let columns = target::columns(db, step.table).await?;
        let references = target::foreign_keys(db, step.table).await?;
        targets.insert(
            step.table,
            Target {
                names: columns.iter().map(|c| c.name.clone()).collect(),
                columns,
                references,
            },
        );
    }
    let referenced: HashSet<String> = targets
        .values()
        .flat_map(|t| t.references.iter().map(|(_, r)| r.clone()))
        .collect();

    let mut copy = Copy {
        source: &source,
        fixer: Fixer::default(),
        ids: HashMap::new(),
        referenced,
        later: Vec::new(),
        summary: &mut summary,
    };
    copy.fixer.issue_parents = source.issue_parents().await?.into_iter().collect();
    copy.fixer.plan_projects(source.project_tree().await?);
    let mut tx = db.begin().await?;
    let aside = target::set_triggers_aside(&mut tx, db.is_postgres()).await?;
    let all: Vec<&str> = STEPS.iter().map(|s| s.table).collect();
    target::clear(&mut tx, &all).await?;
    for step in STEPS {
        if !tables.iter().any(|t| t == step.table) {
            copy.summary.note(
                "tables Redmine 5.0 has, missing from this database",
                step.table,
            );
            continue;
        }
        copy.table(&mut tx, step, &targets[step.table]).await?;
        if step.table == "wiki_contents" {
            let extra = std::mem::take(&mut copy.fixer.extra_versions);
            copy.rows(
                &mut tx,
                "wiki_content_versions",
                extra,
                &targets["wiki_content_versions"],
            )
            .await?;
        }
    }
    let with_ids: Vec<&str> = STEPS
        .iter()
        .filter(|s| targets[s.table].names.iter().any(|n| n == "id"))
        .map(|s| s.table)
        .collect();
    target::continue_ids(&mut tx, db.is_postgres(), &with_ids).await?;
    target::restore(&mut tx, db.is_postgres(), &aside).await?;
    let notes = std::mem::take(&mut copy.fixer.notes);
    tx.commit().await?;
    for (message, examples) in notes {
        for e in examples {
            summary.note(&message, &e);
        }
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

struct Copy<'a> {
    source: &'a Source,
    fixer: Fixer,
    /// The ids imported so far of each table another one refers to.
    ids: HashMap<String, HashSet<i64>>,
    referenced: HashSet<String>,
    /// Self references `(column, id, value)` of the table being copied, set once all of
    /// it is in: a parent may come after its child.
    later: Vec<(String, i64, i64)>,
    summary: &'a mut Summary,
}

impl Copy<'_> {
    async fn table(&mut self, tx: &mut Tx<'_>, step: &Step, target: &Target) -> anyhow::Result<()> {
        let columns = self.source.columns(step.table).await?;
        let by_id = step.order == "id" && columns.iter().any(|c| c == "id");
        let progress = bar(self.source.count(step.table).await?, step.table);
        let mut after = by_id.then_some(i64::MIN);
        loop {
            let slice = self
                .source
                .rows(step.table, &columns, step.order, after, SLICE)
                .await?;
            let Some(last) = slice.last() else { break };
            if by_id {
                let id = columns
                    .iter()
                    .position(|c| c == "id")
                    .and_then(|i| last[i].int());
                after = Some(id.unwrap_or(i64::MAX));
            }
            let n = slice.len() as u64;
            let mut named = Vec::with_capacity(slice.len());
            for cells in slice {
                let row: Named = columns.iter().cloned().zip(cells).collect();
                for (name, cell) in &row {
                    if *cell != Cell::Null
                        && !target.names.contains(name)
                        && !plan::DERIVED.contains(&(step.table, name.as_str()))
                    {
                        self.summary.dropped(step.table, name);
                    }
                }
                let example = ["name", "login"]
                    .iter()
                    .find_map(|n| rows::get(&row, n).and_then(Cell::text).map(str::to_owned))
                    .or_else(|| {
                        rows::get(&row, "id")
                            .and_then(Cell::int)
                            .map(|i| format!("#{i}"))
                    })
                    .unwrap_or_default();
                match self.fixer.fix(step.fix, row) {
                    Fixed::Keep(row) => named.push(row),
                    Fixed::Skip(why) => {
                        self.summary.read(step.table, 1);
                        self.summary.skip(step.table, &why, &example);
                    }
                }
            }
            self.rows(tx, step.table, named, target).await?;
            progress.inc(n);
            if !by_id {
                break;
            }
        }
        self.settle(tx, step.table).await?;
        progress.finish_and_clear();
        Ok(())
    }

    /// Sets the table's self references whose row is there; names the others.
    async fn settle(&mut self, tx: &mut Tx<'_>, table: &str) -> anyhow::Result<()> {
        for (column, pairs) in group(std::mem::take(&mut self.later)) {
            let known = self.ids.get(table);
            let (set, lost): (Vec<_>, Vec<_>) = pairs
                .into_iter()
                .partition(|(_, v)| known.is_some_and(|k| k.contains(v)));
            target::set_column(tx, table, &column, &set).await?;
            for (id, v) in lost {
                if table == "issues" {
                    // its path named the parent that did not come
                    target::reroot_issue(tx, id).await?;
                }
                self.summary.note(
                    &format!("{table}: {column} names a row that is not there; left empty"),
                    &format!("#{id} ({column} {v})"),
                );
            }
        }
        Ok(())
    }

    /// Writes rows that passed their fix: each reference is checked against what came
    /// before; a self reference waits for `settle`.
    async fn rows(
        &mut self,
        tx: &mut Tx<'_>,
        table: &str,
        rows: Vec<Named>,
        target: &Target,
    ) -> anyhow::Result<()> {
        let mut args = Vec::with_capacity(rows.len());
        let mut later = Vec::new();
        let keep_ids = self.referenced.contains(table)
            || plan::SELF_REFERENCES.iter().any(|(t, _)| *t == table);
        for row in rows {
            self.summary.read(table, 1);
            let id = rows::get(&row, "id").and_then(Cell::int);
            match self.values(table, row, target, &mut later) {
                Ok(values) => {
                    if let (true, Some(id)) = (keep_ids, id) {
                        self.ids.entry(table.to_owned()).or_default().insert(id);
                    }
                    args.push(values);
                }
                Err(why) => {
                    let example = id.map(|i| format!("#{i}")).unwrap_or_default();
                    self.summary.skip(table, &why, &example);
                }
            }
        }
        tx.insert_rows(table, &target.names, &args).await?;
        self.summary.written(table, args.len() as u64);
        self.later.extend(later);
        Ok(())
    }

    fn values(
        &self,
        table: &str,
        mut row: Named,
        target: &Target,
        later: &mut Vec<(String, i64, i64)>,
    ) -> Result<Vec<Arg>, String> {
        let id = rows::get(&row, "id").and_then(Cell::int);
        let mut out = Vec::with_capacity(target.columns.len());
        for column in &target.columns {
            let at = row.iter().position(|(n, _)| *n == column.name);
            let mut cell = at.map_or(Cell::Null, |i| std::mem::replace(&mut row[i].1, Cell::Null));
            let reference = target
                .references
                .iter()
                .find(|(c, _)| *c == column.name)
                .map(|(_, to)| to.as_str())
                .or_else(|| {
                    plan::SELF_REFERENCES
                        .contains(&(table, column.name.as_str()))
                        .then_some(table)
                });
            if let Some(to) = reference {
                if let Some(v) = cell.int() {
                    if to == table {
                        later.push((column.name.clone(), id.unwrap_or_default(), v));
                        cell = Cell::Null;
                    } else if !self.ids.get(to).is_some_and(|ids| ids.contains(&v)) {
                        return Err(format!(
                            "its {} {v} is not among the {to} imported",
                            column.name
                        ));
                    }
                }
            }
            out.push(values::convert(cell, column)?);
        }
        Ok(out)
    }
}

/// Self references by column: `(column, id, value)` → column → `[(id, value)]`.
fn group(later: Vec<(String, i64, i64)>) -> HashMap<String, Vec<(i64, i64)>> {
    let mut out: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    for (column, id, v) in later {
        out.entry(column).or_default().push((id, v));
    }
    out
}
