//! What an import did, table by table, and everything it could not carry, with why.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::files::Copied;

/// Examples kept per reason.
const EXAMPLES: usize = 6;

#[derive(Default)]
struct Table {
    read: u64,
    written: u64,
    /// reason → (count, examples)
    skipped: BTreeMap<String, (u64, Vec<String>)>,
    dropped: BTreeSet<String>,
}

pub struct Summary {
    from: String,
    /// In the order they were imported.
    tables: Vec<(String, Table)>,
    left_behind: Vec<(String, u64, String)>,
    notes: BTreeMap<String, (u64, Vec<String>)>,
    pub files: Option<Copied>,
    pub seconds: f64,
}

fn add(entry: &mut (u64, Vec<String>), example: &str) {
    entry.0 += 1;
    if !example.is_empty() && entry.1.len() < EXAMPLES {
        entry.1.push(example.to_owned());
    }
}

impl Summary {
    pub fn new(from: &str) -> Summary {
        Summary {
            from: without_password(from),
            tables: Vec::new(),
            left_behind: Vec::new(),
            notes: BTreeMap::new(),
            files: None,
            seconds: 0.0,
        }
    }

    fn table(&mut self, name: &str) -> &mut Table {
        if let Some(i) = self.tables.iter().position(|(n, _)| n == name) {
            return &mut self.tables[i].1;
        }
        self.tables.push((name.to_owned(), Table::default()));
        &mut self.tables.last_mut().expect("just pushed").1
    }

    pub fn read(&mut self, table: &str, n: u64) {
        self.table(table).read += n;
    }

    pub fn written(&mut self, table: &str, n: u64) {
        self.table(table).written += n;
    }

    pub fn skip(&mut self, table: &str, why: &str, example: &str) {
        add(
            self.table(table).skipped.entry(why.to_owned()).or_default(),
            example,
        );
    }

    pub fn dropped(&mut self, table: &str, column: &str) {
        self.table(table).dropped.insert(column.to_owned());
    }

    pub fn left_behind(&mut self, table: &str, rows: u64, why: &str) {
        if rows > 0 {
            self.left_behind
                .push((table.to_owned(), rows, why.to_owned()));
        }
    }

    pub fn note(&mut self, message: &str, example: &str) {
        add(self.notes.entry(message.to_owned()).or_default(), example);
    }
}

/// A database URL fit to print: its password masked.
fn without_password(from: &str) -> String {
    match url::Url::parse(from) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => from.to_owned(),
    }
}

fn examples(list: &[String], count: u64) -> String {
    if list.is_empty() {
        return String::new();
    }
    let more = if count as usize > list.len() {
        ", …"
    } else {
        ""
    };
    format!(" ({}{more})", list.join(", "))
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: u64 = self.tables.iter().map(|(_, t)| t.written).sum();
        writeln!(
            f,
            "carmine import: {rows} rows from {} in {:.1} s",
            self.from, self.seconds
        )?;
        writeln!(
            f,
            "\n{:<28} {:>10} {:>10} {:>10}",
            "table", "read", "imported", "skipped"
        )?;
        for (name, t) in &self.tables {
            let skipped: u64 = t.skipped.values().map(|(n, _)| n).sum();
            writeln!(
                f,
                "{name:<28} {:>10} {:>10} {:>10}",
                t.read, t.written, skipped
            )?;
        }
        if let Some(c) = &self.files {
            writeln!(
                f,
                "\nattachment files: {} copied ({} bytes)",
                c.files, c.bytes
            )?;
            for (id, why) in &c.problems {
                writeln!(f, "  attachment #{id}: {why}")?;
            }
        }
        let skips: Vec<_> = self
            .tables
            .iter()
            .flat_map(|(n, t)| t.skipped.iter().map(move |(why, e)| (n, why, e)))
            .collect();
        if !skips.is_empty() {
            writeln!(f, "\nRows not imported:")?;
            for (table, why, (count, ex)) in skips {
                writeln!(f, "  {table}: {count}, {why}{}", examples(ex, *count))?;
            }
        }
        if !self.left_behind.is_empty() {
            writeln!(f, "\nTables not imported:")?;
            for (table, rows, why) in &self.left_behind {
                writeln!(f, "  {table} ({rows} rows): {why}")?;
            }
        }
        let dropped: Vec<String> = self
            .tables
            .iter()
            .flat_map(|(n, t)| t.dropped.iter().map(move |c| format!("{n}.{c}")))
            .collect();
        if !dropped.is_empty() {
            writeln!(f, "\nColumns carmine does not keep: {}", dropped.join(", "))?;
        }
        if !self.notes.is_empty() {
            writeln!(f, "\nNotes:")?;
            for (message, (count, ex)) in &self.notes {
                writeln!(f, "  {message}{}", examples(ex, *count))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_password_is_never_printed() {
        assert_eq!(
            super::without_password("postgres://redmine:s3cret@db/redmine"),
            "postgres://redmine:***@db/redmine"
        );
        assert_eq!(
            super::without_password("mysql://root@127.0.0.1:3306/redmine"),
            "mysql://root@127.0.0.1:3306/redmine"
        );
        assert_eq!(
            super::without_password("/srv/redmine.sqlite3"),
            "/srv/redmine.sqlite3"
        );
    }
}
