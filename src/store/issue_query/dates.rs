//! Date operators: absolute, relative (`t-N`) and named ranges (`w`, `lm`, …) in UTC.

use super::*;

/// An inclusive range of days, either end open.
pub(crate) type Range = (Option<Date>, Option<Date>);

pub(crate) fn day(s: &str) -> Option<Date> {
    let s = s.get(..10)?;
    let m: u8 = s.get(5..7)?.parse().ok()?;
    Date::from_calendar_date(
        s.get(..4)?.parse().ok()?,
        Month::try_from(m).ok()?,
        s.get(8..10)?.parse().ok()?,
    )
    .ok()
}

pub(crate) fn week_start(d: Date) -> Date {
    // English weeks start on Sunday
    d - Duration::days(d.weekday().number_days_from_sunday() as i64)
}

pub(crate) fn month_start(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

pub(crate) fn month_end(d: Date) -> Date {
    let next = if d.month() == Month::December {
        Date::from_calendar_date(d.year() + 1, Month::January, 1)
    } else {
        Date::from_calendar_date(d.year(), d.month().next(), 1)
    };
    next.map(|n| n - Duration::days(1)).unwrap_or(d)
}

/// `d` moved by `k` days, held within years 1..=9999 (both databases' date range), so
/// that `t-99999999999` means "since ever" instead of overflowing.
pub(crate) fn shift(d: Date, k: i64) -> Date {
    let first = Date::from_calendar_date(1, Month::January, 1).unwrap_or(Date::MIN);
    let last = Date::from_calendar_date(9999, Month::December, 31).unwrap_or(Date::MAX);
    let k = k.clamp(-4_000_000, 4_000_000);
    d.checked_add(Duration::days(k))
        .unwrap_or(if k < 0 { first } else { last })
        .clamp(first, last)
}

pub(crate) fn relative_range(op: &str, n: i64, t: Date) -> Range {
    let at = |k: i64| Some(shift(t, k));
    let back = n.saturating_neg();
    match op {
        ">t-" => (at(back), at(0)),
        "<t-" => (None, at(back)),
        "><t-" => (at(back), at(0)),
        "t-" => (at(back), at(back)),
        ">t+" => (at(n), None),
        "<t+" => (None, at(n)),
        "><t+" => (at(0), at(n)),
        "t+" => (at(n), at(n)),
        _ => (None, None),
    }
}

pub(crate) fn named_range(op: &str, t: Date) -> Range {
    let w = week_start(t);
    let days = |d: Date, k: i64| d + Duration::days(k);
    match op {
        "t" => (Some(t), Some(t)),
        "ld" => (Some(days(t, -1)), Some(days(t, -1))),
        "nd" => (Some(days(t, 1)), Some(days(t, 1))),
        "w" => (Some(w), Some(days(w, 6))),
        "lw" => (Some(days(w, -7)), Some(days(w, -1))),
        "l2w" => (Some(days(w, -14)), Some(days(w, -1))),
        "nw" => (Some(days(w, 7)), Some(days(w, 13))),
        "m" => (Some(month_start(t)), Some(month_end(t))),
        "lm" => {
            let prev = month_start(t) - Duration::days(1);
            (Some(month_start(prev)), Some(prev))
        }
        "nm" => {
            let next = month_end(t) + Duration::days(1);
            (Some(next), Some(month_end(next)))
        }
        "y" => (
            Date::from_calendar_date(t.year(), Month::January, 1).ok(),
            Date::from_calendar_date(t.year(), Month::December, 31).ok(),
        ),
        _ => (None, None),
    }
}

pub(crate) fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

pub(crate) fn epoch(d: Date) -> i64 {
    d.midnight().assume_utc().unix_timestamp()
}

/// A timestamp value (`YYYY-MM-DDTHH[:MM[:SS]][Z]`) as epoch seconds.
pub(crate) fn timestamp(v: &str) -> Option<i64> {
    let (d, t) = v.split_once('T')?;
    let t = t.trim_end_matches('Z');
    let mut parts = t.split(':').map(|p| p.parse::<i64>().unwrap_or(0));
    let (h, m, s) = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    Some(epoch(day(d)?) + h * 3600 + m * 60 + s)
}

/// Date operators on a `YYYY-MM-DD` text column (`text`) or an epoch-seconds column.
pub(crate) fn date(sql: &mut Sql, col: &str, text: bool, op: &str, values: &[String], today: Date) {
    if op == "*" || op == "!*" {
        sql.push(" AND ").push(col).push(if op == "*" {
            " IS NOT NULL"
        } else {
            " IS NULL"
        });
        return;
    }
    let first = values.first().map(String::as_str).unwrap_or("");
    // exact timestamps compare to the second on timestamp columns
    if !text && first.contains('T') && matches!(op, "=" | ">=" | "<=" | "><") {
        let a = timestamp(first);
        let b = values.get(1).and_then(|v| timestamp(v));
        let (lo, hi) = match op {
            "=" => (a, a),
            ">=" => (a, None),
            "<=" => (None, a),
            _ => (a, b),
        };
        sql.push(" AND ").push(col).push(" IS NOT NULL");
        if let Some(lo) = lo {
            sql.push(" AND ").push(col).push(" >= ").bind(lo);
        }
        if let Some(hi) = hi {
            sql.push(" AND ").push(col).push(" <= ").bind(hi);
        }
        return;
    }
    let (from, to): Range = match op {
        "=" => (day(first), day(first)),
        ">=" => (day(first), None),
        "<=" => (None, day(first)),
        "><" => (day(first), values.get(1).and_then(|v| day(v))),
        ">t-" | "<t-" | "><t-" | "t-" | ">t+" | "<t+" | "><t+" | "t+" => {
            relative_range(op, first.trim().parse().unwrap_or(0), today)
        }
        other => named_range(other, today),
    };
    sql.push(" AND ").push(col).push(" IS NOT NULL");
    if let Some(f) = from {
        sql.push(" AND ").push(col).push(" >= ");
        if text {
            sql.bind(iso(f));
        } else {
            sql.bind(epoch(f));
        }
    }
    if let Some(t) = to {
        if text {
            sql.push(" AND ").push(col).push(" <= ").bind(iso(t));
        } else {
            sql.push(" AND ")
                .push(col)
                .push(" < ")
                .bind(epoch(t) + 86_400);
        }
    }
}

pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}
