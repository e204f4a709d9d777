//! Time entries (time-entries.md): Redmine's hours notation, the `spent_on` date rule, the
//! validation of an entry with Redmine's messages in Redmine's order, who an entry is
//! visible to, and the filters of the time entry list.

use std::borrow::Cow;

use serde_json::Value;

use super::issue_query::{Def, Kind};
use super::settings::Timelog;
use super::values::scalar_text;

/// Redmine's `String#to_hours`: `2`, `2.5`, `2,5`, `2.5h`, `2:30`, `2h30`, `2h 30m`,
/// `2 hours 15 min`, `45min`, then whatever Ruby's `Float()` reads (`1e2`, `0x1A`, `1_000`).
pub fn to_hours(s: &str) -> Option<f64> {
    let s = s.trim();
    let mut text = if let Some(d) = decimal_with_h(s) {
        d.to_owned()
    } else if let Some(v) = colon_form(s) {
        ruby_float_string(v)
    } else if let Some(v) = unit_form(s) {
        ruby_float_string(v)
    } else {
        s.to_owned()
    };
    text = text.replace(',', ".");
    kernel_float(&text)
}

/// `D`, `D.D` or `D,D`, optionally followed by a lowercase `h`: the number part.
fn decimal_with_h(s: &str) -> Option<&str> {
    let n = s.strip_suffix('h').unwrap_or(s);
    let (int, frac) = match n.find(['.', ',']) {
        Some(i) => (&n[..i], Some(&n[i + 1..])),
        None => (n, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    (digits(int) && frac.is_none_or(digits)).then_some(n)
}

/// `H:M` (minutes may exceed 59).
fn colon_form(s: &str) -> Option<f64> {
    let (h, m) = s.split_once(':')?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !(digits(h) && digits(m)) {
        return None;
    }
    Some(int_of(h) + int_of(m) / 60.0)
}

/// `[N (h|hour|hours)] [M [m|min]]`, case-insensitive, spaces allowed, one part at least.
fn unit_form(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    let mut rest = lower.as_str();
    let take_digits = |t: &str| -> (String, usize) {
        let n: String = t.chars().take_while(char::is_ascii_digit).collect();
        let len = n.len();
        (n, len)
    };
    let mut hours = None;
    // the hours part: digits, spaces, a unit
    let (n, len) = take_digits(rest);
    if len > 0 {
        let after = rest[len..].trim_start();
        let unit = ["hours", "hour", "h"]
            .iter()
            .find(|u| after.starts_with(**u));
        if let Some(unit) = unit {
            hours = Some(int_of(&n));
            rest = after[unit.len()..].trim_start();
        }
    }
    // the minutes part: digits, spaces, an optional unit
    let mut minutes = None;
    let (n, len) = take_digits(rest);
    if len > 0 {
        let after = rest[len..].trim_start();
        let after = ["min", "m"]
            .iter()
            .find_map(|u| after.strip_prefix(*u))
            .unwrap_or(after);
        minutes = Some(int_of(&n));
        rest = after;
    }
    if !rest.is_empty() || (hours.is_none() && minutes.is_none()) {
        return None;
    }
    Some(hours.unwrap_or(0.0) + minutes.unwrap_or(0.0) / 60.0)
}

fn int_of(digits: &str) -> f64 {
    digits.parse::<f64>().unwrap_or(f64::MAX)
}

/// The text Ruby would substitute for a computed value (`1.5`, `2.0`).
fn ruby_float_string(v: f64) -> String {
    super::values::ruby_float(v)
}

/// Ruby's `Kernel.Float` on a string: decimal with single underscores between digits, an
/// optional fraction and exponent, or a hexadecimal integer; surrounding spaces allowed.
pub fn kernel_float(s: &str) -> Option<f64> {
    let s = s.trim();
    let (sign, body) = match s.strip_prefix('-') {
        Some(b) => (-1.0, b),
        None => (1.0, s.strip_prefix('+').unwrap_or(s)),
    };
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        let hex = underscored(hex, |c| c.is_ascii_hexdigit())?;
        return i64::from_str_radix(&hex, 16).ok().map(|v| sign * v as f64);
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let mut text = underscored(int, |c| c.is_ascii_digit())?;
    if let Some(f) = frac {
        text.push('.');
        text.push_str(&underscored(f, |c| c.is_ascii_digit())?);
    }
    if let Some(e) = exponent {
        let (esign, digits) = match e.strip_prefix('-') {
            Some(d) => ("-", d),
            None => ("", e.strip_prefix('+').unwrap_or(e)),
        };
        text.push('e');
        text.push_str(esign);
        text.push_str(&underscored(digits, |c| c.is_ascii_digit())?);
    }
    text.parse::<f64>().ok().map(|v| sign * v)
}

/// Digits with single underscores between them, the underscores removed.
fn underscored(s: &str, digit: impl Fn(char) -> bool) -> Option<String> {
    if s.is_empty() || s.starts_with('_') || s.ends_with('_') || s.contains("__") {
        return None;
    }
    s.chars()
        .all(|c| c == '_' || digit(c))
        .then(|| s.replace('_', ""))
}

/// Hours as a request gives them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Hours {
    Blank,
    /// Text that is no number: `Hours is invalid`.
    Unreadable,
    Value(f64),
}

impl Hours {
    pub fn read(v: &Value) -> Hours {
        match v {
            Value::Null => Hours::Blank,
            Value::Number(n) => n.as_f64().map_or(Hours::Unreadable, Hours::Value),
            Value::Array(_) | Value::Object(_) => Hours::Unreadable,
            other => match scalar_text(other) {
                Some(t) if t.trim().is_empty() => Hours::Blank,
                Some(t) => to_hours(&t).map_or(Hours::Unreadable, Hours::Value),
                None => Hours::Blank,
            },
        }
    }
}

/// Hours as shown: rounded to two decimals.
pub fn shown_hours(h: f64) -> f64 {
    (h * 100.0).round() / 100.0
}

/// `spent_on` as a request gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpentOn {
    Blank,
    /// `YYYY-MM-DD` and a real date.
    Date(String),
    /// A date Rails reads but not in the strict form (`2024-3-1`, `2024/03/01`):
    /// `Date is not a valid date`.
    Loose(String),
    /// Not a date at all: `Date cannot be blank` and `Date is not a valid date`.
    Unreadable,
}

impl SpentOn {
    pub fn read(v: &Value) -> SpentOn {
        let Some(t) = scalar_text(v) else {
            return if v.is_null() {
                SpentOn::Blank
            } else {
                SpentOn::Unreadable
            };
        };
        if t.is_empty() {
            return SpentOn::Blank;
        }
        let strict = t.len() == 10
            && t.as_bytes()[4] == b'-'
            && t.as_bytes()[7] == b'-'
            && t.bytes()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        match loose_date(&t) {
            Some(d) if strict => SpentOn::Date(d),
            Some(d) => SpentOn::Loose(d),
            None => SpentOn::Unreadable,
        }
    }

    /// The date stored, when there is one.
    pub fn date(&self) -> Option<&str> {
        match self {
            SpentOn::Date(d) | SpentOn::Loose(d) => Some(d),
            _ => None,
        }
    }
}

/// The date in forms Rails' date parsing reads: `Y-M-D` (one or two digit month and day),
/// `Y/M/D`, `YYYYMMDD`, and a timestamp's date; surrounding spaces ignored.
fn loose_date(t: &str) -> Option<String> {
    let t = t.trim();
    let date_part = t.split(['T', ' ']).next().unwrap_or(t);
    let parts: Vec<&str> = date_part.split(['-', '/']).collect();
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] => (
            y.parse::<i32>().ok()?,
            m.parse::<u8>().ok()?,
            d.parse::<u8>().ok()?,
        ),
        [compact] if compact.len() == 8 && compact.bytes().all(|b| b.is_ascii_digit()) => (
            compact[..4].parse().ok()?,
            compact[4..6].parse().ok()?,
            compact[6..].parse().ok()?,
        ),
        _ => return None,
    };
    let month = time::Month::try_from(m).ok()?;
    let date = time::Date::from_calendar_date(y, month, d).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        date.month() as u8,
        date.day()
    ))
}

/// An entry as it would be saved, with what the rules found about it.
#[derive(Debug, Default)]
pub struct Candidate {
    pub user_blank: bool,
    pub activity_blank: bool,
    pub project_blank: bool,
    pub hours: Option<Hours>,
    pub spent_on: Option<SpentOn>,
    pub issue_blank: bool,
    pub comments: Option<String>,
    /// Hours changed (the zero and daily-maximum rules apply only then).
    pub hours_changed: bool,
    /// Hours the user already logged that day, when the maximum applies.
    pub logged_that_day: f64,
    pub project_missing: bool,
    pub user_invalid: bool,
    pub issue_invalid: bool,
    pub activity_not_included: bool,
    /// `spent_on` changed and lies after the user's today.
    pub future: bool,
}

/// Redmine's messages for an entry, after the custom values' ones.
pub fn validate(c: &Candidate, settings: &Timelog) -> Vec<String> {
    let mut e: Vec<String> = Vec::new();
    let hours = c.hours.unwrap_or(Hours::Blank);
    let spent_on = c.spent_on.clone().unwrap_or(SpentOn::Blank);
    let blank = |cond: bool, what: &str, e: &mut Vec<String>| {
        if cond {
            e.push(format!("{what} cannot be blank"));
        }
    };
    blank(c.user_blank, "User", &mut e);
    blank(c.activity_blank, "Activity", &mut e);
    blank(c.project_blank, "Project", &mut e);
    blank(hours == Hours::Blank, "Hours", &mut e);
    blank(
        matches!(spent_on, SpentOn::Blank | SpentOn::Unreadable),
        "Date",
        &mut e,
    );
    blank(settings.required_issue && c.issue_blank, "Issue", &mut e);
    let no_comments = c.comments.as_deref().is_none_or(|s| s.trim().is_empty());
    blank(settings.required_comments && no_comments, "Comment", &mut e);
    if hours == Hours::Unreadable {
        e.push("Hours is invalid".into());
    }
    if c.comments
        .as_deref()
        .is_some_and(|s| s.chars().count() > 1024)
    {
        e.push("Comment is too long (maximum is 1024 characters)".into());
    }
    if matches!(spent_on, SpentOn::Loose(_) | SpentOn::Unreadable) {
        e.push("Date is not a valid date".into());
    }
    if let Hours::Value(h) = hours {
        if h < 0.0 {
            e.push("Hours is invalid".into());
        }
        if h == 0.0 && c.hours_changed && !settings.accept_0_hours {
            e.push("Hours is invalid".into());
        }
        let max = settings.max_hours_per_day;
        if c.hours_changed && max > 0.0 && c.logged_that_day + h > max {
            let f = |v: f64| timespan(v, settings.decimal_timespans);
            e.push(format!(
                "Cannot log more than {} hours on the same day ({} hours have already been logged)",
                f(max),
                f(c.logged_that_day)
            ));
        }
    }
    if c.project_missing {
        e.push("Project is invalid".into());
    }
    if c.user_invalid {
        e.push("User is invalid".into());
    }
    if c.issue_invalid {
        e.push("Issue is invalid".into());
    }
    if c.activity_not_included {
        e.push("Activity is not included in the list".into());
    }
    if c.future && !settings.accept_future_dates {
        e.push("Cannot log time on a future date".into());
    }
    e
}

/// Hours as Redmine writes them in messages: `999:00` or `999.00`.
pub fn timespan(h: f64, decimal: bool) -> String {
    if decimal {
        format!("{h:.2}")
    } else {
        let minutes = (h * 60.0).round() as i64;
        format!("{}:{:02}", minutes / 60, minutes % 60)
    }
}

/// Through which roles the caller sees a project's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// Only the entries logged for the caller.
    Own,
}

/// The widest `time_entries_visibility` of the roles granting `view_time_entries`; an
/// anonymous caller sees nothing through an `own` role.
pub fn visibility<'a>(
    roles: impl Iterator<Item = &'a super::roles::Role>,
    logged: bool,
) -> Option<Visibility> {
    let mut best = None;
    for r in roles {
        match r.time_entries_visibility.as_str() {
            "all" => return Some(Visibility::All),
            "own" if logged => best = Some(Visibility::Own),
            _ => {}
        }
    }
    best
}

fn def(name: &'static str, label: &'static str, kind: Kind) -> Def {
    Def {
        name: Cow::Borrowed(name),
        label: Cow::Borrowed(label),
        kind,
    }
}

/// The list's filters for a scope (time_entry_query.rb).
pub fn filters(project_scope: bool, has_subprojects: bool) -> Vec<Def> {
    let mut defs = vec![def("spent_on", "Date", Kind::DatePast)];
    if project_scope {
        if has_subprojects {
            defs.push(def("subproject_id", "Subproject", Kind::ListSubprojects));
        }
    } else {
        defs.push(def("project_id", "Project", Kind::List));
    }
    defs.extend([
        def("issue_id", "Issue", Kind::Tree),
        def("issue.tracker_id", "Issue's Tracker", Kind::List),
        def("issue.status_id", "Issue's Status", Kind::List),
        def(
            "issue.fixed_version_id",
            "Issue's Target version",
            Kind::List,
        ),
    ]);
    if project_scope {
        defs.push(def(
            "issue.category_id",
            "Issue's Category",
            Kind::ListOptional,
        ));
    }
    defs.extend([
        def("user_id", "User", Kind::ListOptional),
        def("author_id", "Author", Kind::ListOptional),
        def("activity_id", "Activity", Kind::List),
    ]);
    if !project_scope || has_subprojects {
        defs.push(def("project.status", "Project's Status", Kind::List));
    }
    defs.extend([
        def("comments", "Comment", Kind::Text),
        def("hours", "Hours", Kind::Float),
    ]);
    defs
}

/// `from`/`to` replace any `spent_on` filter.
pub fn from_to(from: Option<String>, to: Option<String>) -> Option<(String, Vec<String>)> {
    let from = from.filter(|s| !s.is_empty());
    let to = to.filter(|s| !s.is_empty());
    match (from, to) {
        (Some(f), Some(t)) => Some(("><".into(), vec![f, t])),
        (Some(f), None) => Some((">=".into(), vec![f])),
        (None, Some(t)) => Some(("<=".into(), vec![t])),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hours_accepted() {
        let cases = [
            ("1.5", 1.5),
            ("1,5", 1.5),
            ("1:30", 1.5),
            ("1:90", 2.5),
            ("1h30", 1.5),
            ("1h30m", 1.5),
            ("1h 30", 1.5),
            ("1 h 30 m", 1.5),
            ("2h", 2.0),
            ("2H", 2.0),
            ("1.5h", 1.5),
            ("2,25h", 2.25),
            ("90m", 1.5),
            ("45min", 0.75),
            ("1 hour", 1.0),
            ("2 hours 15 min", 2.25),
            (" 3 ", 3.0),
            ("0", 0.0),
            ("1e2", 100.0),
            ("0x1A", 26.0),
            ("1_000", 1000.0),
            ("-1", -1.0),
        ];
        for (s, v) in cases {
            assert_eq!(to_hours(s), Some(v), "{s}");
        }
        assert!((to_hours("1:5").unwrap() - 1.0833333).abs() < 1e-6);
    }

    #[test]
    fn hours_rejected() {
        for s in [
            "abc",
            "1.5 h",
            "1.5H",
            "30 minutes",
            "1:",
            ":30",
            "1d",
            "h",
            "1.2.3",
            "",
            "1__0",
        ] {
            assert_eq!(to_hours(s), None, "{s}");
        }
        assert_eq!(Hours::read(&json!("")), Hours::Blank);
        assert_eq!(Hours::read(&json!(null)), Hours::Blank);
        assert_eq!(Hours::read(&json!("x")), Hours::Unreadable);
        assert_eq!(Hours::read(&json!(1.25)), Hours::Value(1.25));
        assert_eq!(shown_hours(1.333333), 1.33);
    }

    #[test]
    fn spent_on_forms() {
        let d = |s: &str| SpentOn::read(&json!(s));
        assert_eq!(d("2024-02-29"), SpentOn::Date("2024-02-29".into()));
        assert_eq!(d("2024-3-1"), SpentOn::Loose("2024-03-01".into()));
        assert_eq!(d("2024/03/01"), SpentOn::Loose("2024-03-01".into()));
        assert_eq!(d("20240301"), SpentOn::Loose("2024-03-01".into()));
        assert_eq!(d(" 2024-03-01"), SpentOn::Loose("2024-03-01".into()));
        assert_eq!(
            d("2024-03-01T10:00:00Z"),
            SpentOn::Loose("2024-03-01".into())
        );
        assert_eq!(d("2024-13-45"), SpentOn::Unreadable);
        assert_eq!(d("2023-02-29"), SpentOn::Unreadable);
        assert_eq!(d("garbage"), SpentOn::Unreadable);
        assert_eq!(d(""), SpentOn::Blank);
    }

    #[test]
    fn messages_in_order() {
        let settings = crate::domain::settings::Settings::default().timelog;
        let c = Candidate {
            activity_blank: true,
            project_blank: true,
            project_missing: true,
            spent_on: Some(SpentOn::Blank),
            ..Default::default()
        };
        assert_eq!(
            validate(&c, &settings),
            [
                "Activity cannot be blank",
                "Project cannot be blank",
                "Hours cannot be blank",
                "Date cannot be blank",
                "Project is invalid"
            ]
        );
        let c = Candidate {
            hours: Some(Hours::Unreadable),
            spent_on: Some(SpentOn::Unreadable),
            ..Default::default()
        };
        assert_eq!(
            validate(&c, &settings),
            [
                "Date cannot be blank",
                "Hours is invalid",
                "Date is not a valid date"
            ]
        );
        let c = Candidate {
            hours: Some(Hours::Value(2.0)),
            hours_changed: true,
            logged_that_day: 998.5,
            spent_on: Some(SpentOn::Date("2024-01-01".into())),
            ..Default::default()
        };
        assert_eq!(
            validate(&c, &settings),
            ["Cannot log more than 999:00 hours on the same day (998:30 hours have already been logged)"]
        );
    }
}
