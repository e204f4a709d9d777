//! What `POST /issues` creates, decided from the facts the handler loaded and the request:
//! the tracker and status first (the workflow's field rules depend on them), then the
//! columns, the parent and the watchers. No HTTP, no SQL.

use super::issue_changes::{col_present, required_errors, Columns, ParentFound, Wanted};
use super::issues::{self as rules, Candidate};
use super::values::{ruby_to_i, text};

/// A requested tracker the project offers, or the project's first.
pub fn tracker(requested: Option<i64>, offered: &[i64]) -> Option<i64> {
    match requested {
        Some(t) if offered.contains(&t) => Some(t),
        _ => offered.first().copied(),
    }
}

/// A requested status the workflow allows, or the tracker's default when allowed, or the
/// first allowed.
pub fn status(requested: Option<i64>, default: Option<i64>, allowed: &[i64]) -> Option<i64> {
    match requested {
        Some(s) if allowed.contains(&s) => Some(s),
        _ => default
            .filter(|d| allowed.contains(d))
            .or_else(|| allowed.first().copied()),
    }
}

/// The errors of an issue created nowhere: without a project there is no tracker either, so
/// a copy (which brings one) is told its tracker is invalid.
pub fn without_project(subject: String, copy: bool) -> Vec<String> {
    let cand = Candidate {
        subject,
        priority: true,
        tracker: copy,
        status: copy,
        ..Default::default()
    };
    let mut errors = rules::validate(&cand);
    if copy {
        errors.push("Tracker is invalid".into());
    }
    errors
}

/// What the caller may set on creation.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rights {
    /// `set_issues_private` or `set_own_issues_private` (a new issue is one's own).
    pub set_private: bool,
    pub manage_subtasks: bool,
    pub add_watchers: bool,
}

/// Everything a creation's rules look at besides the request.
#[derive(Debug, Default)]
pub struct Facts {
    pub project: i64,
    pub author: i64,
    pub rights: Rights,
    pub tracker: i64,
    pub status: Option<i64>,
    /// Standard fields the tracker enables.
    pub enabled: Vec<&'static str>,
    pub required: Vec<String>,
    /// `(id, is_default)`.
    pub priorities: Vec<(i64, bool)>,
    pub categories: Vec<i64>,
    /// The default assignee of the category the request names.
    pub category_assignee: Option<i64>,
    /// Versions the project may use, with whether each is open.
    pub versions: Vec<(i64, bool)>,
    pub default_version: Option<i64>,
    pub default_assignee: Option<i64>,
    pub assignable: Vec<i64>,
    /// Whether the project offers categories and versions to choose.
    pub offers: (bool, bool),
    pub parent: Option<ParentFound>,
    /// The principals named as watchers, in order, with whether each may watch (active
    /// users and groups).
    pub watchers: Vec<(i64, bool)>,
    pub closed_statuses: Vec<i64>,
    /// Today's date (the default start) and now (a closed issue's `closed_on`).
    pub today: String,
    pub now: i64,
}

/// An issue ready to insert.
#[derive(Debug)]
pub struct Plan {
    pub cols: Columns,
    /// `(id, path)` of the parent.
    pub parent: Option<(i64, String)>,
    pub watchers: Vec<i64>,
}

/// The priority: a requested one that exists, none when sent blank, else the default.
pub fn priority(w: &Wanted, priorities: &[(i64, bool)]) -> Option<i64> {
    match w.id("priority_id") {
        Some(Some(id)) => priorities.iter().find(|(p, _)| *p == id).map(|p| p.0),
        Some(None) => None,
        None => priorities.iter().find(|(_, default)| *default).map(|p| p.0),
    }
}

/// The assignee asked for (`me` is the author); without one, the category's or the
/// project's default (Redmine's default_assign, on creation only), checked like one sent.
pub fn assignee(f: &Facts, w: &Wanted) -> Option<i64> {
    let wanted = if f.enabled.contains(&"assigned_to_id") {
        match w.string("assigned_to_id").flatten().as_deref() {
            Some("me") => Some(f.author),
            Some(t) if !t.trim().is_empty() => Some(ruby_to_i(t)),
            _ => None,
        }
    } else {
        None
    };
    wanted.or(f.category_assignee).or(f.default_assignee)
}

/// The category asked for, when the tracker enables it.
pub fn category(f: &Facts, w: &Wanted) -> Option<i64> {
    if f.enabled.contains(&"category_id") {
        w.id("category_id").flatten()
    } else {
        None
    }
}

/// Decides the columns; `custom_errors` come first, as Redmine reports them.
pub fn plan(f: &Facts, w: &Wanted, custom_errors: Vec<String>) -> Result<Plan, Vec<String>> {
    let on = |field: &str| f.enabled.contains(&field);
    // the subject is taken even where the workflow makes it read-only, as Redmine does
    let subject = w.body.get("subject").and_then(text).unwrap_or_default();
    let priority = priority(w, &f.priorities);
    let mut cand = Candidate {
        subject: subject.clone(),
        project: true,
        tracker: true,
        priority: priority.is_some(),
        status: f.status.is_some(),
        ..Default::default()
    };
    let mut cols: Columns = vec![
        ("project_id", f.project.into()),
        ("tracker_id", f.tracker.into()),
        ("subject", subject.into()),
        ("author_id", f.author.into()),
    ];
    if let Some(s) = f.status {
        cols.push(("status_id", s.into()));
    }
    if let Some(p) = priority {
        cols.push(("priority_id", p.into()));
    }
    if on("description") {
        if let Some(d) = w.string("description").flatten() {
            cols.push(("description", rules::crlf(&d).into()));
        }
    }
    cand.start_date = if on("start_date") {
        match w.string("start_date") {
            Some(v) => rules::date_value(v),
            None => Some(f.today.clone()),
        }
    } else {
        None
    };
    cand.due_date = if on("due_date") {
        rules::date_value(w.string("due_date").flatten())
    } else {
        None
    };
    cols.push(("start_date", cand.start_date.clone().into()));
    cols.push(("due_date", cand.due_date.clone().into()));
    if on("done_ratio") {
        if let Some(d) = w.get("done_ratio") {
            cand.done_ratio = text(d).map(|t| ruby_to_i(&t)).unwrap_or(0);
            cols.push(("done_ratio", cand.done_ratio.into()));
        }
    }
    if on("estimated_hours") {
        if let Some(Some(h)) = w.string("estimated_hours") {
            match rules::parse_hours(&h) {
                Some(v) if v >= 0.0 => cols.push(("estimated_hours", Some(v).into())),
                _ => cand.estimated_hours_invalid = true,
            }
        }
    }
    if let Some(v) = w.get("is_private") {
        if f.rights.set_private {
            let private = super::users::cast_bool(v).unwrap_or(false);
            cols.push(("is_private", private.into()));
        }
    }
    if let Some(cat) = category(f, w) {
        if f.categories.contains(&cat) {
            cols.push(("category_id", cat.into()));
        } else {
            cand.category_invalid = true;
        }
    }
    if on("fixed_version_id") {
        let open = |v: i64| f.versions.iter().any(|(id, open)| *id == v && *open);
        match w.id("fixed_version_id") {
            Some(Some(v)) if open(v) => cols.push(("fixed_version_id", v.into())),
            Some(Some(_)) => cand.version_invalid = true,
            Some(None) => {}
            None => {
                if let Some(d) = f.default_version.filter(|d| open(*d)) {
                    cols.push(("fixed_version_id", d.into()));
                }
            }
        }
    }
    if let Some(a) = assignee(f, w) {
        if f.assignable.contains(&a) || a == f.author {
            cols.push(("assigned_to_id", a.into()));
        } else {
            cand.assignee_invalid = true;
        }
    }
    let mut parent = None;
    match &f.parent {
        Some(ParentFound::Found {
            id,
            id_path,
            closed,
        }) => {
            cols.push(("parent_id", (*id).into()));
            parent = Some((*id, id_path.clone()));
            let closed_status = f.status.is_some_and(|s| f.closed_statuses.contains(&s));
            cand.open_under_closed_parent = *closed && !closed_status;
        }
        Some(ParentFound::Invalid) => cand.parent_invalid = true,
        Some(ParentFound::Clear) | None => {}
    }
    // active users and groups may watch; each watches once
    let mut watchers = Vec::new();
    let mut watchers_invalid = false;
    for (id, may_watch) in &f.watchers {
        if !may_watch {
            watchers_invalid = true;
        } else if !watchers.contains(id) {
            watchers.push(*id);
        }
    }
    let mut errors = custom_errors;
    errors.extend(rules::validate(&cand));
    let (has_categories, has_versions) = f.offers;
    errors.extend(required_errors(
        &f.required,
        |field| col_present(&cols, field),
        &f.enabled,
        has_categories,
        has_versions,
    ));
    if watchers_invalid {
        errors.push("Watchers is invalid".into());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if f.status.is_some_and(|s| f.closed_statuses.contains(&s)) {
        cols.push(("closed_on", f.now.into()));
    }
    Ok(Plan {
        cols,
        parent,
        watchers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn facts() -> Facts {
        Facts {
            project: 1,
            author: 2,
            tracker: 1,
            status: Some(1),
            enabled: crate::domain::trackers::CORE_FIELDS.to_vec(),
            priorities: vec![(4, true), (5, false)],
            categories: vec![3],
            versions: vec![(7, true), (8, false)],
            assignable: vec![2, 6],
            today: "2026-12-06".into(),
            now: 1_000,
            closed_statuses: vec![5],
            ..Default::default()
        }
    }

    fn run(f: &Facts, body: Value) -> Result<Plan, Vec<String>> {
        let w = Wanted {
            body: &body,
            read_only: Vec::new(),
        };
        plan(f, &w, Vec::new())
    }

    fn col<'a>(p: &'a Plan, name: &str) -> Option<&'a crate::domain::values::Arg> {
        p.cols.iter().find(|(c, _)| *c == name).map(|(_, v)| v)
    }

    #[test]
    fn choices_and_defaults() {
        assert_eq!(tracker(Some(2), &[1, 2]), Some(2));
        assert_eq!(tracker(Some(9), &[1, 2]), Some(1));
        assert_eq!(tracker(None, &[]), None);
        assert_eq!(status(Some(9), Some(2), &[1, 2]), Some(2));
        assert_eq!(status(None, Some(9), &[1, 2]), Some(1));
        let mut f = facts();
        f.default_version = Some(7);
        f.default_assignee = Some(6);
        let p = run(&f, json!({"subject": "S"})).unwrap();
        assert_eq!(
            col(&p, "priority_id").and_then(|v| v.detail()),
            Some("4".into())
        );
        assert_eq!(
            col(&p, "start_date").and_then(|v| v.detail()),
            Some("2026-12-06".into())
        );
        assert_eq!(
            col(&p, "fixed_version_id").and_then(|v| v.detail()),
            Some("7".into())
        );
        assert_eq!(
            col(&p, "assigned_to_id").and_then(|v| v.detail()),
            Some("6".into())
        );
        assert!(col(&p, "closed_on").is_none());
    }

    #[test]
    fn invalid_choices_are_reported_after_custom_values() {
        let mut f = facts();
        f.watchers = vec![(6, true), (9, false)];
        let body = json!({"subject": "", "category_id": 4, "fixed_version_id": 8,
            "assigned_to_id": 9, "priority_id": ""});
        let w = Wanted {
            body: &body,
            read_only: Vec::new(),
        };
        let errors = plan(&f, &w, vec!["Custom is invalid".into()]).unwrap_err();
        assert_eq!(errors[0], "Custom is invalid");
        for e in [
            "Subject cannot be blank",
            "Priority cannot be blank",
            "Category is not included in the list",
            "Target version is not included in the list",
            "Assignee is invalid",
            "Watchers is invalid",
        ] {
            assert!(errors.iter().any(|x| x == e), "{e}: {errors:?}");
        }
    }

    #[test]
    fn closed_on_creation_and_under_a_closed_parent() {
        let mut f = facts();
        f.status = Some(5);
        f.parent = Some(ParentFound::Found {
            id: 3,
            id_path: "/3/".into(),
            closed: true,
        });
        let p = run(&f, json!({"subject": "S", "watcher_user_ids": [6, 6]})).unwrap();
        assert!(col(&p, "closed_on").is_some());
        assert_eq!(p.parent, Some((3, "/3/".into())));
        f.status = Some(1);
        let errors = run(&f, json!({"subject": "S"})).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
    }
}
