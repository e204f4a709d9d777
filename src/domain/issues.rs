//! Issues: hours notation, visibility by role, workflow transitions and validation with
//! Redmine's messages in Redmine's order.

use super::roles::Role;

/// Redmine's hours notation: `2`, `2.5`, `2,5`, `2h`, `2h30`, `2h 30m`, `30m`, `2:30`.
pub fn parse_hours(s: &str) -> Option<f64> {
    let s = s.trim().to_ascii_lowercase();
    if s.is_empty() {
        return None;
    }
    if let Ok(f) = s.replace(',', ".").parse::<f64>() {
        return Some(f);
    }
    if let Some((h, m)) = s.split_once(':') {
        let h: f64 = h.trim().parse().ok()?;
        let m: f64 = m.trim().parse().ok()?;
        return Some(h + m / 60.0);
    }
    let (hours, rest) = match s.split_once('h') {
        Some((h, rest)) => (h.trim().replace(',', ".").parse::<f64>().ok()?, rest.trim()),
        None => (0.0, s.as_str()),
    };
    let rest = rest
        .trim_start_matches("ours")
        .trim_start_matches("our")
        .trim();
    let minutes = if rest.is_empty() {
        0.0
    } else {
        let m = rest
            .trim_end_matches("inutes")
            .trim_end_matches("inute")
            .trim_end_matches("in")
            .trim_end_matches('m')
            .trim();
        m.parse::<f64>().ok()?
    };
    Some(hours + minutes / 60.0)
}

/// How much of a project's issues the caller's roles show (the widest of its roles that
/// have `view_issues`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Visibility {
    Own,
    Default,
    All,
}

pub fn visibility_of<'a>(
    roles: impl IntoIterator<Item = &'a Role>,
    logged: bool,
) -> Option<Visibility> {
    let best = roles
        .into_iter()
        .filter(|r| r.holds("view_issues"))
        .map(|r| match r.issues_visibility.as_str() {
            "all" => Visibility::All,
            "own" => Visibility::Own,
            _ => Visibility::Default,
        })
        .max()?;
    // anonymous users never see private issues
    Some(if logged {
        best
    } else {
        best.min(Visibility::Default)
    })
}

/// What an issue looks like to the visibility rule.
pub struct IssueFacts<'a> {
    pub is_private: bool,
    pub author_id: i64,
    pub assigned_to_id: Option<i64>,
    /// The caller and the groups it belongs to.
    pub me: &'a [i64],
}

pub fn issue_visible(v: Visibility, logged: bool, i: &IssueFacts) -> bool {
    let mine = logged
        && (i.me.first() == Some(&i.author_id)
            || i.assigned_to_id.is_some_and(|a| i.me.contains(&a)));
    match v {
        Visibility::All => logged || !i.is_private,
        Visibility::Default => !i.is_private || mine,
        Visibility::Own => mine,
    }
}

/// A workflow transition as stored.
#[derive(Debug, Clone, Copy)]
pub struct Transition {
    pub role_id: i64,
    pub old_status_id: i64,
    pub new_status_id: i64,
    pub author: bool,
    pub assignee: bool,
}

/// Statuses the caller may give the issue (issues.md §5.3), unsorted: transitions from the
/// current status through its roles, honouring author/assignee-only transitions, plus the
/// current status when any transition exists. A new issue without transitions may take
/// the tracker's default status.
pub fn allowed_statuses(
    transitions: &[Transition],
    role_ids: &[i64],
    current: Option<i64>,
    default_status: Option<i64>,
    is_author: bool,
    is_assignee: bool,
) -> Vec<i64> {
    let from = current.unwrap_or(0);
    let mut out: Vec<i64> = transitions
        .iter()
        .filter(|t| t.old_status_id == from && role_ids.contains(&t.role_id))
        .filter(|t| {
            (!t.author && !t.assignee) || (t.author && is_author) || (t.assignee && is_assignee)
        })
        .map(|t| t.new_status_id)
        .collect();
    match current {
        Some(c) if !out.is_empty() => out.push(c),
        None if out.is_empty() => out.extend(default_status),
        _ => {}
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Drops closed statuses from the allowed ones when the issue cannot be closed (open
/// subtasks, or blocked by an open issue), and open ones when it cannot be reopened (a
/// closed ancestor).
pub fn restrict_closing(
    allowed: Vec<i64>,
    is_closed: impl Fn(i64) -> bool,
    closable: bool,
    reopenable: bool,
) -> Vec<i64> {
    allowed
        .into_iter()
        .filter(|s| closable || !is_closed(*s))
        .filter(|s| reopenable || is_closed(*s))
        .collect()
}

/// The attributes being validated.
#[derive(Debug, Default, Clone)]
pub struct Candidate {
    pub subject: String,
    pub project: bool,
    pub tracker: bool,
    pub priority: bool,
    pub status: bool,
    pub done_ratio: i64,
    pub estimated_hours_invalid: bool,
    pub start_date: Option<String>,
    pub due_date: Option<String>,
    pub version_invalid: bool,
    pub category_invalid: bool,
    pub tracker_not_in_project: bool,
    pub assignee_invalid: bool,
    pub parent_invalid: bool,
    /// An open issue under a closed parent.
    pub open_under_closed_parent: bool,
    pub reopen_in_closed_version: bool,
    /// The soonest start preceding issues allow, as shown in messages, when the new start
    /// date is earlier.
    pub start_before: Option<String>,
}

/// Validation messages in Redmine's order (issues.md §5.5).
pub fn validate(c: &Candidate) -> Vec<String> {
    use crate::domain::query::valid_date;
    let mut e = Vec::new();
    if c.subject.trim().is_empty() {
        e.push("Subject cannot be blank");
    }
    if !c.project {
        e.push("Project cannot be blank");
    }
    if !c.tracker {
        e.push("Tracker cannot be blank");
    }
    if !c.priority {
        e.push("Priority cannot be blank");
    }
    if !c.status {
        e.push("Status cannot be blank");
    }
    if c.subject.chars().count() > 255 {
        e.push("Subject is too long (maximum is 255 characters)");
    }
    if !(0..=100).contains(&c.done_ratio) {
        e.push("% Done is not included in the list");
    }
    if c.estimated_hours_invalid {
        e.push("Estimated time is invalid");
    }
    let start_ok = c.start_date.as_deref().is_none_or(valid_date);
    let due_ok = c.due_date.as_deref().is_none_or(valid_date);
    if !start_ok {
        e.push("Start date is not a valid date");
    }
    if !due_ok {
        e.push("Due date is not a valid date");
    }
    if let (Some(s), Some(d), true, true) = (&c.start_date, &c.due_date, start_ok, due_ok) {
        if d < s {
            e.push("Due date must be greater than start date");
        }
    }
    let start_before = c
        .start_before
        .as_ref()
        .map(|d| format!("Start date cannot be earlier than {d} because of preceding issues"));
    let mut e: Vec<String> = e.into_iter().map(str::to_owned).collect();
    e.extend(start_before);
    if c.version_invalid {
        e.push("Target version is not included in the list".into());
    }
    if c.reopen_in_closed_version {
        e.push("An issue assigned to a closed version cannot be reopened".into());
    }
    if c.category_invalid {
        e.push("Category is not included in the list".into());
    }
    if c.tracker_not_in_project {
        e.push("Tracker is not included in the list".into());
    }
    if c.assignee_invalid {
        e.push("Assignee is invalid".into());
    }
    if c.parent_invalid {
        e.push("Parent task is invalid".into());
    } else if c.open_under_closed_parent {
        e.push("An open issue cannot be attached to a closed parent task".into());
    }
    e
}

/// Where an attribute's change sits in a journal: Redmine lists changed attributes in
/// the order of the issues table's columns.
pub fn attribute_rank(name: &str) -> usize {
    const COLUMNS: [&str; 16] = [
        "tracker_id",
        "project_id",
        "subject",
        "description",
        "due_date",
        "category_id",
        "status_id",
        "assigned_to_id",
        "priority_id",
        "fixed_version_id",
        "author_id",
        "start_date",
        "done_ratio",
        "estimated_hours",
        "parent_id",
        "is_private",
    ];
    COLUMNS
        .iter()
        .position(|c| *c == name)
        .unwrap_or(COLUMNS.len())
}

/// Dates are `YYYY-MM-DD`; a trailing ` 00:00:00` is tolerated.
pub fn normalize_date(s: &str) -> String {
    s.trim().trim_end_matches(" 00:00:00").to_owned()
}

/// A date attribute as sent: normalized, and none when blank.
pub fn date_value(v: Option<String>) -> Option<String> {
    v.map(|s| normalize_date(&s)).filter(|s| !s.is_empty())
}

/// Line breaks are stored as CRLF, whatever the client sent.
pub fn crlf(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
}

/// Workflow field rules of the caller's roles for one tracker and status:
/// `(role_id, field, "readonly" | "required")`. A field is read-only when every role has
/// that rule for it, and required when every role has a rule and one says required.
pub fn field_rules(
    rules: &[(i64, String, String)],
    role_ids: &[i64],
) -> (Vec<String>, Vec<String>) {
    let mut fields: Vec<&String> = rules.iter().map(|(_, f, _)| f).collect();
    fields.sort();
    fields.dedup();
    let (mut read_only, mut required) = (Vec::new(), Vec::new());
    if role_ids.is_empty() {
        return (read_only, required);
    }
    for f in fields {
        let per_role: Vec<Option<&str>> = role_ids
            .iter()
            .map(|r| {
                rules
                    .iter()
                    .find(|(role, field, _)| role == r && field == f)
                    .map(|(_, _, rule)| rule.as_str())
            })
            .collect();
        if per_role.iter().all(|x| *x == Some("readonly")) {
            read_only.push(f.clone());
        } else if per_role.iter().all(Option::is_some) && per_role.contains(&Some("required")) {
            required.push(f.clone());
        }
    }
    (read_only, required)
}

/// The label of an issue field in messages.
pub fn field_label(field: &str) -> &str {
    match field {
        "assigned_to_id" => "Assignee",
        "category_id" => "Category",
        "fixed_version_id" => "Target version",
        "parent_issue_id" => "Parent task",
        "start_date" => "Start date",
        "due_date" => "Due date",
        "estimated_hours" => "Estimated time",
        "done_ratio" => "% Done",
        "description" => "Description",
        "priority_id" => "Priority",
        "is_private" => "Private",
        "project_id" => "Project",
        "tracker_id" => "Tracker",
        "subject" => "Subject",
        "status_id" => "Status",
        other => other,
    }
}

/// An issue as read, with the names of what it refers to.
#[derive(Debug, Clone)]
pub struct Issue {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub tracker_id: i64,
    pub tracker_name: String,
    pub status_id: i64,
    pub status_name: String,
    pub status_closed: bool,
    pub priority_id: i64,
    pub priority_name: String,
    pub author_id: i64,
    pub author_name: String,
    pub assigned_to: Option<(i64, String)>,
    pub category: Option<(i64, String)>,
    pub fixed_version: Option<(i64, String)>,
    pub parent_id: Option<i64>,
    pub subject: String,
    pub description: Option<String>,
    pub start_date: Option<String>,
    pub due_date: Option<String>,
    pub done_ratio: i64,
    pub is_private: bool,
    pub estimated_hours: Option<f64>,
    pub created_on: i64,
    pub updated_on: i64,
    pub closed_on: Option<i64>,
    pub id_path: String,
    pub has_children: bool,
    /// Own and descendants' estimates, for issues with children.
    pub total_estimated: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours() {
        for (s, h) in [
            ("2", 2.0),
            ("2.5", 2.5),
            ("2,5", 2.5),
            ("2h", 2.0),
            ("2h30", 2.5),
            ("2h 30m", 2.5),
            ("30m", 0.5),
            ("2:30", 2.5),
            ("1h30min", 1.5),
        ] {
            assert_eq!(parse_hours(s), Some(h), "{s}");
        }
        assert_eq!(parse_hours("abc"), None);
        assert_eq!(parse_hours(""), None);
    }

    #[test]
    fn statuses() {
        let t = |role, old, new, author| Transition {
            role_id: role,
            old_status_id: old,
            new_status_id: new,
            author,
            assignee: false,
        };
        let ts = [t(4, 1, 2, false), t(4, 1, 3, true), t(5, 1, 5, false)];
        assert_eq!(
            allowed_statuses(&ts, &[4], Some(1), Some(1), false, false),
            [1, 2]
        );
        assert_eq!(
            allowed_statuses(&ts, &[4], Some(1), Some(1), true, false),
            [1, 2, 3]
        );
        assert_eq!(
            allowed_statuses(&ts, &[3], Some(1), Some(1), true, false),
            Vec::<i64>::new()
        );
        assert_eq!(
            allowed_statuses(&ts, &[4], None, Some(1), false, false),
            [1]
        );
    }

    #[test]
    fn field_rules_need_every_role() {
        let rules = vec![
            (4, "due_date".to_string(), "required".to_string()),
            (5, "due_date".to_string(), "readonly".to_string()),
            (4, "description".to_string(), "readonly".to_string()),
            (5, "description".to_string(), "readonly".to_string()),
            (4, "subject".to_string(), "readonly".to_string()),
        ];
        let (ro, req) = field_rules(&rules, &[4, 5]);
        assert_eq!(ro, ["description"]);
        assert_eq!(req, ["due_date"]);
        let (ro, req) = field_rules(&rules, &[4]);
        assert_eq!((ro.len(), req.len()), (2, 1));
    }

    #[test]
    fn visibility() {
        let me = [5, 9];
        let facts = |private, author, assigned| IssueFacts {
            is_private: private,
            author_id: author,
            assigned_to_id: assigned,
            me: &me,
        };
        assert!(issue_visible(
            Visibility::Default,
            true,
            &facts(false, 1, None)
        ));
        assert!(!issue_visible(
            Visibility::Default,
            true,
            &facts(true, 1, None)
        ));
        assert!(
            issue_visible(Visibility::Default, true, &facts(true, 1, Some(9))),
            "assigned to my group"
        );
        assert!(!issue_visible(
            Visibility::Own,
            true,
            &facts(false, 1, None)
        ));
        assert!(issue_visible(Visibility::Own, true, &facts(false, 5, None)));
        assert!(!issue_visible(
            Visibility::All,
            false,
            &facts(true, 1, None)
        ));
    }
}
