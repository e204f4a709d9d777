//! What `PUT /issues/:id` changes, decided from the facts the handler loaded and the
//! request: the columns to write, the journals, the parent, the move. No HTTP, no SQL.
//!
//! Two steps, because custom values depend on the tracker and project an update chooses:
//! [`plan`] decides the issue's own attributes; the handler then applies custom values for
//! the chosen tracker and project; [`finish`] validates everything in Redmine's order and
//! assembles the journals.

use serde_json::Value;

use super::issue_changes::{
    self as changes, col_present, required_errors, Changes, Columns, Detail, NewJournal,
    ParentFound, TrackerChoice, Wanted,
};
use super::issues::{self as rules, Candidate, Issue};
use super::relations::display_date;
use super::values::{ruby_to_i, text, Arg};
use time::Date;

/// What the caller may do on the issue's project.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rights {
    /// `edit_issues`, or `edit_own_issues` on an issue of one's own.
    pub edit: bool,
    pub add_notes: bool,
    /// `set_issues_private`, or `set_own_issues_private` on an issue of one's own.
    pub set_private: bool,
    pub manage_subtasks: bool,
    pub set_notes_private: bool,
}

/// Everything an update's rules look at besides the request. Lists the request does not
/// need may be left empty: the handler loads only what the request names.
#[derive(Debug)]
pub struct Facts<'a> {
    pub issue: &'a Issue,
    pub caller: i64,
    pub rights: Rights,
    /// Statuses the issue may move to (empty when no status is asked for).
    pub transitions: Vec<i64>,
    /// The workflow's required fields for the status the issue will have.
    pub required: Vec<String>,
    /// Standard fields the issue's tracker enables.
    pub enabled: Vec<&'static str>,
    /// Another project the issue moves to, where the caller may add issues.
    pub target: Option<i64>,
    /// Of the project the issue will be in: trackers, categories, versions it may use
    /// (with whether each is open).
    pub trackers: Vec<i64>,
    pub categories: Vec<(i64, String)>,
    pub versions: Vec<(i64, bool)>,
    /// Users the issue may be assigned to in its current project.
    pub assignable: Vec<i64>,
    /// Of the current project: whether it offers categories and versions to choose.
    pub offers: (bool, bool),
    /// Closed versions among the current and the requested one.
    pub closed_versions: Vec<i64>,
    pub priorities: Vec<i64>,
    pub closed_statuses: Vec<i64>,
    pub parent: Option<ParentFound>,
    /// `(id, tracker)` of the subtasks that move with the issue.
    pub moving_subtasks: Vec<(i64, i64)>,
    /// The soonest start the issue's preceding relations allow, under its new parent.
    pub soonest_start: Option<Date>,
    pub now: i64,
}

/// "none" clears a value, as in Redmine's update parameters.
pub fn blank_none(body: &mut Value) {
    if let Value::Object(m) = body {
        for v in m.values_mut() {
            if v.as_str() == Some("none") {
                *v = Value::String(String::new());
            }
        }
    }
}

/// The status asked for, as the workflow's field rules need it before anything else.
pub fn requested_status(body: &Value) -> Option<i64> {
    body.get("status_id")
        .and_then(text)
        .and_then(|t| t.trim().parse::<i64>().ok())
}

/// The issue's tree path under the parent it will have.
pub fn path_after(issue: &Issue, parent: Option<&ParentFound>) -> String {
    match parent {
        Some(ParentFound::Found { id, id_path, .. }) if issue.parent_id != Some(*id) => {
            format!("{id_path}{}/", issue.id)
        }
        Some(ParentFound::Clear) if issue.parent_id.is_some() => format!("/{}/", issue.id),
        _ => issue.id_path.clone(),
    }
}

/// The attributes decided, before custom values.
#[derive(Debug)]
pub struct Draft {
    pub changes: Changes,
    cand: Candidate,
    pub status: i64,
    /// `Some(None)`: the parent is removed; `Some(Some((id, path)))`: a new parent.
    pub parent: Option<Option<(i64, String)>>,
    parent_closed: bool,
    /// The tracker and project the issue will have, which pick its custom fields.
    pub tracker: i64,
    pub project: i64,
}

/// Decides the issue's own attributes; a subtask that cannot follow a move stops it.
pub fn plan(f: &Facts, w: &Wanted) -> Result<Draft, Vec<String>> {
    let issue = f.issue;
    let mut ch = Changes::default();
    let mut cand = Candidate {
        subject: issue.subject.clone(),
        project: true,
        tracker: true,
        priority: true,
        status: true,
        done_ratio: issue.done_ratio,
        start_date: issue.start_date.clone(),
        due_date: issue.due_date.clone(),
        ..Default::default()
    };
    let mut status = issue.status_id;
    let mut parent = None;
    let mut parent_closed = false;
    if f.rights.edit {
        let on = |field: &str| f.enabled.contains(&field);
        let moving = f.target.is_some();
        match changes::tracker_after(w.id("tracker_id").flatten(), issue.tracker_id, &f.trackers) {
            TrackerChoice::Set(t) => ch.set("tracker_id", issue.tracker_id.into(), t.into()),
            TrackerChoice::Missing => cand.tracker_not_in_project = true,
            TrackerChoice::Keep => {}
        }
        if let Some(t) = f.target {
            ch.set("project_id", issue.project_id.into(), t.into());
        }
        if let Some(s) = w.string("subject") {
            let s = s.unwrap_or_default();
            cand.subject = s.clone();
            ch.set("subject", issue.subject.clone().into(), s.into());
        }
        if on("description") {
            if let Some(d) = w.string("description") {
                let d = d.map(|d| rules::crlf(&d));
                ch.set("description", issue.description.clone().into(), d.into());
            }
        }
        if on("due_date") {
            if let Some(d) = w.string("due_date") {
                let d = rules::date_value(d);
                cand.due_date = d.clone();
                ch.set("due_date", issue.due_date.clone().into(), d.into());
            }
        }
        if on("category_id") {
            let offered: Vec<(i64, &str)> = f
                .categories
                .iter()
                .map(|(id, n)| (*id, n.as_str()))
                .collect();
            let current = issue.category.as_ref().map(|(id, n)| (*id, n.as_str()));
            let (value, invalid) =
                changes::category_after(w.id("category_id"), current, moving, &offered);
            cand.category_invalid = invalid;
            if let Some(value) = value {
                ch.set("category_id", current.map(|c| c.0).into(), value.into());
            }
        }
        if let Some(Some(s)) = w.id("status_id") {
            if f.transitions.contains(&s) {
                status = s;
                ch.set("status_id", issue.status_id.into(), s.into());
            }
        }
        if on("assigned_to_id") {
            if let Some(raw) = w.string("assigned_to_id") {
                let a = match raw.as_deref() {
                    Some("me") => Some(f.caller),
                    Some(t) if !t.trim().is_empty() => Some(ruby_to_i(t)),
                    _ => None,
                };
                if a.is_some_and(|a| !f.assignable.contains(&a) && a != issue.author_id) {
                    cand.assignee_invalid = true;
                }
                let current = issue.assigned_to.as_ref().map(|a| a.0);
                ch.set("assigned_to_id", current.into(), a.into());
            }
        }
        if let Some(pr) = w.id("priority_id") {
            match pr.filter(|id| f.priorities.contains(id)) {
                Some(id) => ch.set("priority_id", issue.priority_id.into(), id.into()),
                None => cand.priority = false,
            }
        }
        if on("fixed_version_id") {
            let current = issue.fixed_version.as_ref().map(|x| x.0);
            let (value, invalid) =
                changes::version_after(w.id("fixed_version_id"), current, moving, &f.versions);
            cand.version_invalid = invalid;
            if let Some(value) = value {
                ch.set("fixed_version_id", current.into(), value.into());
            }
        }
        if on("start_date") {
            if let Some(d) = w.string("start_date") {
                let d = rules::date_value(d);
                cand.start_date = d.clone();
                ch.set("start_date", issue.start_date.clone().into(), d.into());
            }
        }
        if on("done_ratio") {
            if let Some(d) = w.get("done_ratio") {
                let d = text(d).map(|t| ruby_to_i(&t)).unwrap_or(0);
                cand.done_ratio = d;
                ch.set("done_ratio", issue.done_ratio.into(), d.into());
            }
        }
        if on("estimated_hours") {
            if let Some(h) = w.string("estimated_hours") {
                match changes::estimated_hours(h.as_deref()) {
                    Some(v) => ch.set("estimated_hours", issue.estimated_hours.into(), v.into()),
                    None => cand.estimated_hours_invalid = true,
                }
            }
        }
        if let Some(v) = w.get("is_private") {
            if f.rights.set_private {
                let private = super::users::cast_bool(v).unwrap_or(false);
                ch.set("is_private", issue.is_private.into(), private.into());
            }
        }
        match &f.parent {
            Some(ParentFound::Clear) if issue.parent_id.is_some() => {
                ch.set("parent_id", issue.parent_id.into(), None::<i64>.into());
                parent = Some(None);
            }
            Some(ParentFound::Clear) | None => {}
            Some(ParentFound::Invalid) => cand.parent_invalid = true,
            Some(ParentFound::Found {
                id,
                id_path,
                closed,
            }) => {
                parent_closed = *closed;
                if issue.parent_id != Some(*id) {
                    ch.set("parent_id", issue.parent_id.into(), (*id).into());
                    parent = Some(Some((*id, id_path.clone())));
                }
            }
        }
    }
    if issue.has_children {
        // derived from the subtasks: what the client sent is ignored
        let derived = changes::DERIVED_FROM_SUBTASKS;
        ch.details
            .retain(|(_, name, _, _)| !derived.contains(&name.as_str()));
        ch.cols.retain(|(name, _)| !derived.contains(name));
        cand.start_date = issue.start_date.clone();
        cand.due_date = issue.due_date.clone();
        cand.done_ratio = issue.done_ratio;
    }
    if f.target.is_some() {
        // subtasks follow the issue and need their tracker in the new project
        if let Some(id) = changes::subtask_blocking_move(&f.moving_subtasks, &f.trackers) {
            return Err(vec![format!(
                "Subtask #{id} could not be moved to the new project: Tracker is not included in the list"
            )]);
        }
    }
    let tracker = match ch.get("tracker_id") {
        Some(Arg::I64(t)) => *t,
        _ => issue.tracker_id,
    };
    Ok(Draft {
        changes: ch,
        cand,
        status,
        parent,
        parent_closed,
        tracker,
        project: f.target.unwrap_or(issue.project_id),
    })
}

/// Custom values as applied for the draft's tracker and project.
#[derive(Debug, Default)]
pub struct CustomOutcome {
    pub errors: Vec<String>,
    pub details: Vec<Detail>,
}

/// What the request says besides attributes.
#[derive(Debug, Default)]
pub struct Notes {
    pub notes: Option<String>,
    pub private: bool,
    pub lock_version: Option<i64>,
}

/// The notes, their privacy and the expected lock version, as the caller may give them.
pub fn notes(f: &Facts, w: &Wanted, issue_param: Option<&Value>) -> Notes {
    let notes = if f.rights.add_notes {
        w.string("notes").flatten().filter(|n| !n.trim().is_empty())
    } else {
        None
    };
    let private = notes.is_some()
        && w.get("private_notes")
            .and_then(super::users::cast_bool)
            .unwrap_or(false)
        && f.rights.set_notes_private;
    let lock_version = if f.rights.edit {
        issue_param
            .and_then(|i| i.get("lock_version"))
            .and_then(text)
            .map(|t| ruby_to_i(&t))
    } else {
        None
    };
    Notes {
        notes: notes.map(|n| rules::crlf(&n)),
        private,
        lock_version,
    }
}

/// An update ready to write.
#[derive(Debug)]
pub struct Plan {
    pub cols: Columns,
    pub journals: Vec<NewJournal>,
    pub parent: Option<Option<(i64, String)>>,
    /// The status the issue is closed with, when this update closes it.
    pub closing: Option<i64>,
}

/// Validates the draft with its custom values (custom values first, as Redmine reports
/// them) and assembles the journals.
pub fn finish(
    f: &Facts,
    draft: Draft,
    custom: CustomOutcome,
    notes: &Notes,
) -> Result<Plan, Vec<String>> {
    let issue = f.issue;
    let Draft {
        changes: mut ch,
        mut cand,
        status,
        parent,
        parent_closed,
        ..
    } = draft;
    let closed = |s: i64| f.closed_statuses.contains(&s);
    if f.rights.edit && !issue.has_children && cand.start_date != issue.start_date {
        let new_start = cand
            .start_date
            .as_deref()
            .and_then(super::relations::parse_date);
        if let Some(new_start) = new_start {
            cand.start_before = f.soonest_start.filter(|s| new_start < *s).map(display_date);
        }
    }
    if parent_closed {
        cand.open_under_closed_parent = !closed(status);
    }
    // an issue reopened while its version is closed stays closed
    if status != issue.status_id && closed(issue.status_id) && !closed(status) {
        let version = match ch.get("fixed_version_id") {
            Some(Arg::I64(v)) => Some(*v),
            Some(_) => None,
            None => issue.fixed_version.as_ref().map(|v| v.0),
        };
        cand.reopen_in_closed_version = version.is_some_and(|v| f.closed_versions.contains(&v));
    }
    let mut errors = custom.errors;
    errors.extend(rules::validate(&cand));
    if f.rights.edit && !f.required.is_empty() {
        let current = |field: &str| -> bool {
            match field {
                "assigned_to_id" => issue.assigned_to.is_some(),
                "category_id" => issue.category.is_some(),
                "fixed_version_id" => issue.fixed_version.is_some(),
                "parent_issue_id" => issue.parent_id.is_some(),
                "start_date" => issue.start_date.is_some(),
                "due_date" => issue.due_date.is_some(),
                "estimated_hours" => issue.estimated_hours.is_some(),
                "description" => issue
                    .description
                    .as_deref()
                    .is_some_and(|d| !d.trim().is_empty()),
                _ => true,
            }
        };
        let value = |field: &str| -> bool {
            let col = if field == "parent_issue_id" {
                "parent_id"
            } else {
                field
            };
            if ch.get(col).is_some() {
                col_present(&ch.cols, field)
            } else {
                current(field)
            }
        };
        let (has_categories, has_versions) = f.offers;
        errors.extend(required_errors(
            &f.required,
            value,
            &f.enabled,
            has_categories,
            has_versions,
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let closing =
        (status != issue.status_id && closed(status) && !closed(issue.status_id)).then_some(status);
    if closing.is_some() {
        ch.cols.push(("closed_on", f.now.into()));
    }
    // attributes in the order of Redmine's columns, then custom values
    ch.details.sort_by_key(|d| rules::attribute_rank(&d.1));
    ch.details.extend(custom.details);
    Ok(Plan {
        cols: ch.cols,
        journals: journals(ch.details, notes),
        parent,
        closing,
    })
}

/// The journals an update writes: one with the notes and the details; private notes go in
/// a second journal, so the changes stay public.
fn journals(details: Vec<Detail>, n: &Notes) -> Vec<NewJournal> {
    match (&n.notes, n.private) {
        (Some(notes), true) if !details.is_empty() => vec![
            NewJournal {
                notes: None,
                private_notes: false,
                details,
            },
            NewJournal {
                notes: Some(notes.clone()),
                private_notes: true,
                details: Vec::new(),
            },
        ],
        (Some(notes), private) => vec![NewJournal {
            notes: Some(notes.clone()),
            private_notes: private,
            details,
        }],
        (None, _) if !details.is_empty() => vec![NewJournal {
            notes: Some(String::new()),
            private_notes: false,
            details,
        }],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn issue() -> Issue {
        Issue {
            id: 5,
            project_id: 1,
            project_name: "P".into(),
            tracker_id: 1,
            tracker_name: "Bug".into(),
            status_id: 1,
            status_name: "New".into(),
            status_closed: false,
            priority_id: 4,
            priority_name: "Normal".into(),
            author_id: 2,
            author_name: "A".into(),
            assigned_to: None,
            category: None,
            fixed_version: Some((3, "1.0".into())),
            parent_id: None,
            subject: "S".into(),
            description: None,
            start_date: None,
            due_date: None,
            done_ratio: 0,
            is_private: false,
            estimated_hours: None,
            created_on: 0,
            updated_on: 0,
            closed_on: None,
            id_path: "/5/".into(),
            has_children: false,
            total_estimated: None,
        }
    }

    fn facts(issue: &Issue) -> Facts<'_> {
        Facts {
            issue,
            caller: 2,
            rights: Rights {
                edit: true,
                add_notes: true,
                set_private: true,
                manage_subtasks: true,
                set_notes_private: true,
            },
            transitions: vec![1, 2, 5],
            required: Vec::new(),
            enabled: crate::domain::trackers::CORE_FIELDS.to_vec(),
            target: None,
            trackers: vec![1, 2],
            categories: Vec::new(),
            versions: vec![(3, true)],
            assignable: vec![2, 7],
            offers: (false, true),
            closed_versions: Vec::new(),
            priorities: vec![4, 5],
            closed_statuses: vec![5],
            parent: None,
            moving_subtasks: Vec::new(),
            soonest_start: None,
            now: 1_000,
        }
    }

    fn run(f: &Facts, body: Value, notes: &Notes) -> Result<Plan, Vec<String>> {
        let w = Wanted {
            body: &body,
            read_only: Vec::new(),
        };
        let draft = plan(f, &w)?;
        finish(f, draft, CustomOutcome::default(), notes)
    }

    #[test]
    fn changes_are_journaled_in_column_order_and_closing_stamps() {
        let i = issue();
        let f = facts(&i);
        let p = run(
            &f,
            json!({"status_id": "5", "subject": "T", "priority_id": 5}),
            &Notes::default(),
        )
        .unwrap();
        let names: Vec<&str> = p.journals[0].details.iter().map(|d| d.1.as_str()).collect();
        assert_eq!(names, ["subject", "status_id", "priority_id"]);
        assert_eq!(p.closing, Some(5));
        assert!(p.cols.iter().any(|(c, _)| *c == "closed_on"));
    }

    #[test]
    fn private_notes_go_to_their_own_journal() {
        let i = issue();
        let f = facts(&i);
        let notes = Notes {
            notes: Some("n".into()),
            private: true,
            lock_version: None,
        };
        let p = run(&f, json!({"subject": "T"}), &notes).unwrap();
        assert_eq!(p.journals.len(), 2);
        assert!(p.journals[0].notes.is_none() && !p.journals[0].details.is_empty());
        assert!(p.journals[1].private_notes && p.journals[1].details.is_empty());
    }

    #[test]
    fn without_edit_rights_attributes_are_ignored() {
        let i = issue();
        let mut f = facts(&i);
        f.rights.edit = false;
        let p = run(&f, json!({"subject": "T"}), &Notes::default()).unwrap();
        assert!(p.cols.is_empty() && p.journals.is_empty());
    }

    #[test]
    fn invalid_values_are_reported() {
        let i = issue();
        let mut f = facts(&i);
        f.parent = Some(ParentFound::Invalid);
        let errors = run(
            &f,
            json!({"assigned_to_id": "9", "priority_id": "", "subject": ""}),
            &Notes::default(),
        )
        .unwrap_err();
        assert!(
            errors.contains(&"Subject cannot be blank".to_string()),
            "{errors:?}"
        );
        assert!(
            errors.contains(&"Assignee is invalid".to_string()),
            "{errors:?}"
        );
        assert!(
            errors.contains(&"Parent task is invalid".to_string()),
            "{errors:?}"
        );
        assert!(
            errors.contains(&"Priority cannot be blank".to_string()),
            "{errors:?}"
        );
    }

    #[test]
    fn reopening_in_a_closed_version_is_refused() {
        let mut i = issue();
        i.status_id = 5;
        let mut f = facts(&i);
        f.closed_versions = vec![3];
        let errors = run(&f, json!({"status_id": 1}), &Notes::default()).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        f.closed_versions.clear();
        assert!(run(&f, json!({"status_id": 1}), &Notes::default()).is_ok());
    }

    #[test]
    fn a_parent_keeps_its_derived_attributes() {
        let mut i = issue();
        i.has_children = true;
        let f = facts(&i);
        let p = run(
            &f,
            json!({"done_ratio": 50, "subject": "T"}),
            &Notes::default(),
        )
        .unwrap();
        assert_eq!(p.cols.len(), 1);
        assert_eq!(p.cols[0].0, "subject");
    }

    #[test]
    fn a_move_needs_the_subtasks_trackers() {
        let i = issue();
        let mut f = facts(&i);
        f.target = Some(9);
        f.trackers = vec![1];
        f.moving_subtasks = vec![(6, 1), (7, 2)];
        let w = json!({"project_id": 9});
        let errors = run(&f, w.clone(), &Notes::default()).unwrap_err();
        assert!(
            errors[0].starts_with("Subtask #7 could not be moved"),
            "{errors:?}"
        );
        f.moving_subtasks.pop();
        let p = run(&f, w, &Notes::default()).unwrap();
        // the version the destination does not share is dropped, journaled
        f.versions.clear();
        let names: Vec<&str> = p.journals[0].details.iter().map(|d| d.1.as_str()).collect();
        assert_eq!(names, ["project_id"]);
        let p = run(&f, json!({"project_id": 9}), &Notes::default()).unwrap();
        let names: Vec<&str> = p.journals[0].details.iter().map(|d| d.1.as_str()).collect();
        assert_eq!(names, ["project_id", "fixed_version_id"]);
    }

    #[test]
    fn parent_paths() {
        let i = issue();
        let found = ParentFound::Found {
            id: 2,
            id_path: "/1/2/".into(),
            closed: false,
        };
        assert_eq!(path_after(&i, Some(&found)), "/1/2/5/");
        assert_eq!(path_after(&i, None), "/5/");
        let w = json!({"parent_issue_id": "#5"});
        let w = Wanted {
            body: &w,
            read_only: Vec::new(),
        };
        assert_eq!(
            changes::parent_ask(&w, 5),
            Some(changes::ParentAsk::Invalid)
        );
    }
}
