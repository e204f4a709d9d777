//! What a create or an update does to an issue's attributes: the request as read (with the
//! workflow's read-only fields removed), the columns to write and the journal details
//! they make, and the rules for the attributes that depend on the project (tracker,
//! category, target version), when they are asked for and when the issue moves.

use serde_json::Value;

use super::issues::field_label;
use super::values::{ruby_to_i, text, Arg};

/// Column values of an issue being written, by column name.
pub type Columns = Vec<(&'static str, Arg)>;

/// A journal detail: property, name, old and new value.
pub type Detail = (String, String, Option<String>, Option<String>);

/// A journal to write with an update: notes and the changed values.
#[derive(Debug, Clone, Default)]
pub struct NewJournal {
    pub notes: Option<String>,
    pub private_notes: bool,
    pub details: Vec<Detail>,
}

/// The issue attributes read from a request, before the rules apply.
pub struct Wanted<'a> {
    pub body: &'a Value,
    /// Fields the workflow makes read-only: what the request says of them is ignored.
    pub read_only: Vec<String>,
}

impl Wanted<'_> {
    pub fn get(&self, k: &str) -> Option<&Value> {
        if self.read_only.iter().any(|f| f == k) {
            return None;
        }
        self.body.get(k)
    }

    /// An id as Ruby reads it; blank is `Some(None)`, absent `None`.
    pub fn id(&self, k: &str) -> Option<Option<i64>> {
        self.get(k).map(|v| {
            text(v)
                .filter(|t| !t.trim().is_empty())
                .map(|t| ruby_to_i(&t))
        })
    }

    pub fn string(&self, k: &str) -> Option<Option<String>> {
        self.get(k).map(text)
    }
}

/// The changes to write and the journal details they make.
#[derive(Debug, Default)]
pub struct Changes {
    pub cols: Columns,
    pub details: Vec<Detail>,
}

impl Changes {
    /// Records a change; a blank value replacing a blank one (nil and "") is stored but
    /// not journaled, as in Redmine.
    pub fn set(&mut self, col: &'static str, old: Arg, new: Arg) {
        let (o, n) = (old.detail(), new.detail());
        let blank = |v: &Option<String>| v.as_deref().is_none_or(str::is_empty);
        if o != n {
            if !(blank(&o) && blank(&n)) {
                self.details.push(("attr".into(), col.into(), o, n));
            }
            self.cols.push((col, new));
        }
    }

    /// The value written to a column, if it changes.
    pub fn get(&self, col: &str) -> Option<&Arg> {
        self.cols.iter().find(|(c, _)| *c == col).map(|(_, v)| v)
    }
}

/// Whether a column holds a value for a required field (`parent_issue_id` is `parent_id`).
pub fn col_present(cols: &Columns, field: &str) -> bool {
    let col = if field == "parent_issue_id" {
        "parent_id"
    } else {
        field
    };
    cols.iter().any(|(c, v)| *c == col && v.present())
}

/// "<Field> cannot be blank" for required fields left blank, except where Redmine does not
/// enforce them (no category or version to choose, fields the tracker disables).
pub fn required_errors(
    required: &[String],
    value: impl Fn(&str) -> bool,
    enabled: &[&str],
    has_categories: bool,
    has_versions: bool,
) -> Vec<String> {
    required
        .iter()
        .filter(|f| {
            let core_disabled = super::trackers::CORE_FIELDS.contains(&f.as_str())
                && !enabled.contains(&f.as_str());
            let unchoosable = (f.as_str() == "category_id" && !has_categories)
                || (f.as_str() == "fixed_version_id" && !has_versions);
            !(core_disabled || unchoosable || value(f))
        })
        .map(|f| format!("{} cannot be blank", field_label(f)))
        .collect()
}

/// A parent the request names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParentAsk {
    /// Blank: no parent.
    Clear,
    Id(i64),
    /// Not an id, or the issue itself.
    Invalid,
}

/// What the handler found for a [`ParentAsk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParentFound {
    Clear,
    /// Missing, hidden from the caller, or not a parent the issue may take.
    Invalid,
    Found {
        id: i64,
        id_path: String,
        closed: bool,
    },
}

/// The parent a request names, if it names one.
pub fn parent_ask(w: &Wanted, issue_id: i64) -> Option<ParentAsk> {
    let raw = w.string("parent_issue_id")?.unwrap_or_default();
    let raw = raw.trim().trim_start_matches('#');
    Some(if raw.is_empty() {
        ParentAsk::Clear
    } else {
        match raw.parse::<i64>() {
            Ok(id) if id != issue_id => ParentAsk::Id(id),
            _ => ParentAsk::Invalid,
        }
    })
}

/// The tracker after an update.
#[derive(Debug, PartialEq, Eq)]
pub enum TrackerChoice {
    Keep,
    Set(i64),
    /// The (destination) project offers no tracker at all: `Tracker is not included…`.
    Missing,
}

/// A requested tracker the project offers is taken; one it does not offer is ignored (as
/// Redmine ignores it); an issue whose tracker the project does not offer (after a move)
/// takes the project's first.
pub fn tracker_after(requested: Option<i64>, current: i64, offered: &[i64]) -> TrackerChoice {
    match requested {
        Some(t) if offered.contains(&t) => {
            if t == current {
                TrackerChoice::Keep
            } else {
                TrackerChoice::Set(t)
            }
        }
        _ if offered.contains(&current) => TrackerChoice::Keep,
        _ => match offered.first() {
            Some(first) => TrackerChoice::Set(*first),
            None => TrackerChoice::Missing,
        },
    }
}

/// A value to write (`Some(new)`, where `new` may be none) and whether it is invalid.
pub type Choice = (Option<Option<i64>>, bool);

/// The category: a requested one must be the project's; on a move without one, the
/// destination's category of the same name replaces it (or none).
pub fn category_after(
    requested: Option<Option<i64>>,
    current: Option<(i64, &str)>,
    moving: bool,
    offered: &[(i64, &str)],
) -> Choice {
    match requested {
        Some(cat) => {
            let invalid = cat.is_some_and(|c| !offered.iter().any(|(id, _)| *id == c));
            (Some(cat), invalid)
        }
        None => match (moving, current) {
            (true, Some((_, name))) => {
                let same = offered.iter().find(|(_, n)| *n == name).map(|(id, _)| *id);
                (Some(same), false)
            }
            _ => (None, false),
        },
    }
}

/// The target version: a requested one must be open and shared with the project, unless
/// it is the current one; on a move without one, it is dropped when no longer shared.
/// `shared`: the versions the (destination) project may use, with whether each is open.
pub fn version_after(
    requested: Option<Option<i64>>,
    current: Option<i64>,
    moving: bool,
    shared: &[(i64, bool)],
) -> Choice {
    match requested {
        Some(v) => {
            let invalid = v.is_some_and(|v| {
                current != Some(v) && !shared.iter().any(|(id, open)| *id == v && *open)
            });
            (Some(v), invalid)
        }
        None => match (moving, current) {
            (true, Some(v)) if !shared.iter().any(|(id, _)| *id == v) => (Some(None), false),
            _ => (None, false),
        },
    }
}

/// The attributes a parent takes from its subtasks: what a client sends for them is
/// ignored (Redmine's default derived dates, priority and done ratio).
pub const DERIVED_FROM_SUBTASKS: [&str; 4] =
    ["start_date", "due_date", "priority_id", "done_ratio"];

/// `estimated_hours` as sent: blank clears it (`Some(None)`); a readable non-negative
/// value sets it; anything else is invalid (`None`).
pub fn estimated_hours(raw: Option<&str>) -> Option<Option<f64>> {
    match raw.map(str::trim) {
        None | Some("") => Some(None),
        Some(s) => super::issues::parse_hours(s)
            .filter(|v| *v >= 0.0)
            .map(Some),
    }
}

/// Subtasks move with their parent and must find their tracker in the new project: the
/// first `(id, tracker)` that would not.
pub fn subtask_blocking_move(subtasks: &[(i64, i64)], offered: &[i64]) -> Option<i64> {
    subtasks
        .iter()
        .find(|(_, tracker)| !offered.contains(tracker))
        .map(|(id, _)| *id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trackers() {
        assert_eq!(tracker_after(Some(2), 1, &[1, 2]), TrackerChoice::Set(2));
        assert_eq!(tracker_after(Some(3), 1, &[1, 2]), TrackerChoice::Keep);
        assert_eq!(tracker_after(None, 3, &[1, 2]), TrackerChoice::Set(1));
        assert_eq!(tracker_after(Some(9), 3, &[2]), TrackerChoice::Set(2));
        assert_eq!(tracker_after(None, 3, &[]), TrackerChoice::Missing);
    }

    #[test]
    fn categories() {
        let offered = [(7, "UI"), (8, "API")];
        assert_eq!(
            category_after(Some(Some(8)), None, false, &offered),
            (Some(Some(8)), false)
        );
        assert_eq!(
            category_after(Some(Some(1)), None, false, &offered),
            (Some(Some(1)), true)
        );
        assert_eq!(
            category_after(Some(None), Some((7, "UI")), false, &offered),
            (Some(None), false)
        );
        assert_eq!(
            category_after(None, Some((3, "API")), true, &offered),
            (Some(Some(8)), false)
        );
        assert_eq!(
            category_after(None, Some((3, "Docs")), true, &offered),
            (Some(None), false)
        );
        assert_eq!(
            category_after(None, Some((3, "Docs")), false, &offered),
            (None, false)
        );
    }

    #[test]
    fn hours_and_moves() {
        assert_eq!(estimated_hours(None), Some(None));
        assert_eq!(estimated_hours(Some(" ")), Some(None));
        assert_eq!(estimated_hours(Some("1h30")), Some(Some(1.5)));
        assert_eq!(estimated_hours(Some("-1")), None);
        assert_eq!(estimated_hours(Some("abc")), None);
        assert_eq!(subtask_blocking_move(&[(5, 1), (6, 3)], &[1, 2]), Some(6));
        assert_eq!(subtask_blocking_move(&[(5, 1)], &[1, 2]), None);
    }

    #[test]
    fn versions() {
        let shared = [(1, true), (2, false)];
        assert_eq!(
            version_after(Some(Some(1)), None, false, &shared),
            (Some(Some(1)), false)
        );
        // a closed or locked version is refused unless the issue already has it
        assert_eq!(
            version_after(Some(Some(2)), None, false, &shared),
            (Some(Some(2)), true)
        );
        assert_eq!(
            version_after(Some(Some(2)), Some(2), false, &shared),
            (Some(Some(2)), false)
        );
        assert_eq!(
            version_after(Some(Some(5)), None, false, &shared),
            (Some(Some(5)), true)
        );
        assert_eq!(
            version_after(None, Some(5), true, &shared),
            (Some(None), false)
        );
        assert_eq!(version_after(None, Some(2), true, &shared), (None, false));
        assert_eq!(version_after(None, Some(5), false, &shared), (None, false));
    }
}
