//! Issue relations (issues.md §8): the nine types and their stored forward form, the
//! validation of a new relation, and the working-day arithmetic of `precedes`.

use time::{Date, Duration, Month};

/// `(type, the same relation seen from the other issue, stored as)`, in Redmine's order.
const TYPES: [(&str, &str, Option<&str>); 9] = [
    ("relates", "relates", None),
    ("duplicates", "duplicated", None),
    ("duplicated", "duplicates", Some("duplicates")),
    ("blocks", "blocked", None),
    ("blocked", "blocks", Some("blocks")),
    ("precedes", "follows", None),
    ("follows", "precedes", Some("precedes")),
    ("copied_to", "copied_from", None),
    ("copied_from", "copied_to", Some("copied_to")),
];

pub fn is_type(t: &str) -> bool {
    TYPES.iter().any(|(n, _, _)| *n == t)
}

/// The position of a type in lists of relations.
pub fn order(t: &str) -> usize {
    TYPES
        .iter()
        .position(|(n, _, _)| *n == t)
        .unwrap_or(TYPES.len())
}

/// The forward type a reverse type is stored as, if it is one.
pub fn reverse_of(t: &str) -> Option<&'static str> {
    TYPES
        .iter()
        .find(|(n, _, _)| *n == t)
        .and_then(|(_, _, r)| *r)
}

/// A stored relation as one of its issues sees it: `blocks` from the blocking issue is
/// `blocked` from the blocked one.
pub fn seen_from(stored: &str, issue_from: i64, issue: i64) -> &str {
    if issue_from == issue {
        return stored;
    }
    TYPES
        .iter()
        .find(|(n, _, _)| *n == stored)
        .map_or(stored, |(_, sym, _)| sym)
}

/// The stored form of a relation: reverse types are flipped to their forward type and
/// `relates` keeps the lower issue id first. Returns `(issue_from, issue_to, type)`.
pub fn stored_form(from: i64, to: i64, t: &str) -> (i64, i64, &str) {
    match reverse_of(t) {
        Some(forward) => (to, from, forward),
        None if t == "relates" && from > to => (to, from, t),
        None => (from, to, t),
    }
}

/// The stored delay: only `precedes` keeps one (none sent means 0).
pub fn stored_delay(stored_type: &str, delay: Option<i64>) -> Option<i64> {
    (stored_type == "precedes").then(|| delay.unwrap_or(0))
}

/// What a client sent as the delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delay {
    None,
    Days(i64),
    NotANumber,
}

impl Delay {
    pub fn read(v: Option<&serde_json::Value>) -> Delay {
        use serde_json::Value;
        match v {
            None | Some(Value::Null) => Delay::None,
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) => Delay::Days(i),
                None => n
                    .as_f64()
                    .filter(|f| f.is_finite() && f.abs() < 1e15)
                    .map_or(Delay::NotANumber, |f| Delay::Days(f.trunc() as i64)),
            },
            Some(Value::String(s)) if s.trim().is_empty() => Delay::None,
            Some(Value::String(s)) => {
                let t = s.trim();
                let body = t.strip_prefix(['+', '-']).unwrap_or(t);
                let numeric = match body.split_once('.') {
                    Some((int, frac)) => is_digits(int) && is_digits(frac),
                    None => is_digits(body),
                };
                match (numeric, t.parse::<f64>()) {
                    (true, Ok(f)) if f.abs() < 1e15 => Delay::Days(f.trunc() as i64),
                    _ => Delay::NotANumber,
                }
            }
            Some(_) => Delay::NotANumber,
        }
    }

    pub fn days(self) -> Option<i64> {
        match self {
            Delay::Days(d) => Some(d),
            _ => None,
        }
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Facts about a new relation that need the database.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// The other issue exists and the caller sees it.
    pub target: Option<i64>,
    /// `None` when the type was sent blank.
    pub relation_type: Option<String>,
    pub delay: Option<Delay>,
    /// The pair (this issue, target) already has a relation, in this direction.
    pub taken: bool,
    pub same_project: bool,
    pub cross_project_allowed: bool,
    pub circular: bool,
    /// One issue is an ancestor of the other.
    pub in_same_subtree: bool,
}

/// Redmine's validation messages for a new relation from `from`, in its order.
pub fn errors(from: i64, f: &Facts) -> Vec<String> {
    let mut out = Vec::new();
    if f.target.is_none() {
        out.push("Related issue cannot be blank".to_owned());
    }
    let t = f.relation_type.as_deref().unwrap_or("");
    if t.is_empty() {
        out.push("Relation type cannot be blank".to_owned());
    }
    if !is_type(t) {
        out.push("Relation type is not included in the list".to_owned());
    }
    if f.delay == Some(Delay::NotANumber) {
        out.push("Delay is not a number".to_owned());
    }
    if f.taken {
        out.push("Related issue has already been taken".to_owned());
    }
    if let Some(to) = f.target {
        if to == from {
            out.push("Related issue is invalid".to_owned());
        }
        if !f.same_project && !f.cross_project_allowed {
            out.push("Related issue doesn't belong to the same project".to_owned());
        }
        if f.circular {
            out.push("This relation would create a circular dependency".to_owned());
        }
        if f.in_same_subtree {
            out.push("An issue cannot be linked to one of its subtasks".to_owned());
        }
    }
    out
}

/// How a cycle is looked for before a relation of type `t` from `from` to `to` is added:
/// `None` when the type cannot close one.
pub enum CycleCheck {
    /// Whether `.0` already blocks `.1` through a chain of `blocks`.
    Blocks(i64, i64),
    /// Whether moving `.0` would reschedule `.1`.
    Reschedules(i64, i64),
    /// Whether the opposite `relates` (`.0` to `.1`) exists.
    Opposite(i64, i64),
}

pub fn cycle_check(from: i64, to: i64, t: &str) -> Option<CycleCheck> {
    Some(match t {
        "follows" => CycleCheck::Reschedules(from, to),
        "precedes" => CycleCheck::Reschedules(to, from),
        "blocked" => CycleCheck::Blocks(from, to),
        "blocks" => CycleCheck::Blocks(to, from),
        "relates" => CycleCheck::Opposite(to, from),
        _ => return None,
    })
}

/// The week days (1 = Monday … 7 = Sunday) on which no work is scheduled.
#[derive(Debug, Clone)]
pub struct Calendar {
    non_working: Vec<u8>,
}

impl Calendar {
    /// From the setting's comma-separated week days; a week without working days would
    /// never end, so it counts as all working.
    pub fn new(setting: &str) -> Calendar {
        let mut non_working: Vec<u8> = setting
            .split(',')
            .filter_map(|d| d.trim().parse().ok())
            .filter(|d| (1..=7).contains(d))
            .collect();
        non_working.sort_unstable();
        non_working.dedup();
        if non_working.len() == 7 {
            non_working.clear();
        }
        Calendar { non_working }
    }

    fn working(&self, d: Date) -> bool {
        !self.non_working.contains(&d.weekday().number_from_monday())
    }

    fn per_week(&self) -> i64 {
        7 - self.non_working.len() as i64
    }

    /// The date itself if it is a working day, else the next one.
    pub fn next_working_date(&self, d: Date) -> Date {
        let mut d = d;
        for _ in 0..7 {
            if self.working(d) {
                break;
            }
            d = d.next_day().unwrap_or(d);
        }
        d
    }

    /// `n` working days after `d`, on a working day.
    pub fn add_working_days(&self, d: Date, n: i64) -> Date {
        if n <= 0 {
            return d;
        }
        let weeks = n / self.per_week();
        let mut left = n - weeks * self.per_week();
        let mut out = d.checked_add(Duration::weeks(weeks)).unwrap_or(Date::MAX);
        while left > 0 {
            out = out.next_day().unwrap_or(Date::MAX);
            if self.working(out) {
                left -= 1;
            }
            if out == Date::MAX {
                break;
            }
        }
        self.next_working_date(out)
    }

    /// Working days from `from` (counted) to `to` (not counted).
    pub fn working_days(&self, from: Date, to: Date) -> i64 {
        let days = (to - from).whole_days();
        if days <= 0 {
            return 0;
        }
        let weeks = days / 7;
        let mut n = weeks * self.per_week();
        let mut d = from;
        for _ in 0..days % 7 {
            if self.working(d) {
                n += 1;
            }
            d = d.next_day().unwrap_or(d);
        }
        n
    }

    /// The earliest start of an issue that a `precedes` relation with this delay puts
    /// after an issue with these dates.
    pub fn successor_start(
        &self,
        start: Option<Date>,
        due: Option<Date>,
        delay: Option<i64>,
    ) -> Option<Date> {
        let base = due.or(start)?;
        Some(self.add_working_days(base, 1 + delay?))
    }

    /// New `(start, due)` of an issue moved to start on `date`, keeping its working length;
    /// an issue without both dates ends the day it starts.
    pub fn reschedule(&self, start: Option<Date>, due: Option<Date>, date: Date) -> (Date, Date) {
        let length = match (start, due) {
            (Some(s), Some(d)) => self.working_days(s, d),
            _ => 0,
        };
        let start = self.next_working_date(date);
        (start, self.add_working_days(start, length))
    }
}

/// Parses a stored `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<Date> {
    let mut it = s.splitn(3, '-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let d: u8 = it.next()?.get(..2)?.parse().ok()?;
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// The date as Redmine's English default format shows it in messages (`%m/%d/%Y`).
pub fn display_date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.month() as u8, d.day(), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn stored_forms() {
        assert_eq!(stored_form(2, 1, "relates"), (1, 2, "relates"));
        assert_eq!(stored_form(1, 4, "duplicated"), (4, 1, "duplicates"));
        assert_eq!(stored_form(1, 8, "follows"), (8, 1, "precedes"));
        assert_eq!(stored_form(1, 5, "blocks"), (1, 5, "blocks"));
        assert_eq!(seen_from("precedes", 8, 1), "follows");
        assert_eq!(seen_from("precedes", 8, 8), "precedes");
        assert_eq!(stored_delay("blocks", Some(3)), None);
        assert_eq!(stored_delay("precedes", None), Some(0));
    }

    #[test]
    fn delays() {
        use serde_json::json;
        assert_eq!(Delay::read(Some(&json!("2"))), Delay::Days(2));
        assert_eq!(Delay::read(Some(&json!("2.7"))), Delay::Days(2));
        assert_eq!(Delay::read(Some(&json!("soon"))), Delay::NotANumber);
        assert_eq!(Delay::read(Some(&json!(""))), Delay::None);
        assert_eq!(Delay::read(Some(&json!(true))), Delay::NotANumber);
        assert_eq!(Delay::read(Some(&json!(-1))), Delay::Days(-1));
        assert_eq!(Delay::read(Some(&json!("1e400"))), Delay::NotANumber);
    }

    #[test]
    fn working_days_skip_weekends() {
        let c = Calendar::new("6,7");
        // Friday + 3 working days is Wednesday
        assert_eq!(c.add_working_days(d("2024-01-05"), 3), d("2024-01-10"));
        assert_eq!(c.working_days(d("2024-01-02"), d("2024-01-03")), 1);
        assert_eq!(c.working_days(d("2024-02-01"), d("2024-02-02")), 1);
        assert_eq!(c.next_working_date(d("2026-11-28")), d("2026-11-30"));
        // Saturday plus 6 working days (delay 5)
        assert_eq!(
            c.successor_start(Some(d("2026-11-28")), None, Some(5)),
            Some(d("2026-12-07"))
        );
        assert_eq!(
            c.reschedule(
                Some(d("2024-01-02")),
                Some(d("2024-01-03")),
                d("2024-01-10")
            ),
            (d("2024-01-10"), d("2024-01-11"))
        );
        assert_eq!(
            c.reschedule(Some(d("2024-03-04")), None, d("2024-01-22")),
            (d("2024-01-22"), d("2024-01-22"))
        );
        // ten weeks at once
        assert_eq!(c.add_working_days(d("2024-01-01"), 50), d("2024-03-11"));
        assert_eq!(c.working_days(d("2024-01-01"), d("2024-03-11")), 50);
        let all = Calendar::new("1,2,3,4,5,6,7");
        assert_eq!(all.add_working_days(d("2024-01-01"), 1), d("2024-01-02"));
    }

    #[test]
    fn validation_order() {
        let f = Facts {
            target: Some(1),
            relation_type: Some("bogus".into()),
            delay: Some(Delay::NotANumber),
            same_project: true,
            ..Default::default()
        };
        assert_eq!(
            errors(1, &f),
            [
                "Relation type is not included in the list",
                "Delay is not a number",
                "Related issue is invalid"
            ]
        );
        let blank = Facts {
            relation_type: None,
            ..Default::default()
        };
        assert_eq!(
            errors(1, &blank),
            [
                "Related issue cannot be blank",
                "Relation type cannot be blank",
                "Relation type is not included in the list"
            ]
        );
    }
}
