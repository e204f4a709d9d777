//! A Redmine value, read as text, in the type carmine's column holds.

use super::source::Cell;
use crate::store::import::{Column, Kind};
use crate::store::Arg;

/// The value for `column`, or why it cannot be stored there.
pub fn convert(cell: Cell, column: &Column) -> Result<Arg, String> {
    let text = match cell.into_text() {
        Some(t) => t,
        None if column.not_null => {
            return column
                .default
                .clone()
                .ok_or_else(|| format!("{} is empty", column.name))
        }
        None => {
            return Ok(match column.kind {
                Kind::Int => Arg::NullI64,
                Kind::Real => Arg::NullF64,
                Kind::Bool => Arg::NullBool,
                Kind::Text => Arg::NullStr,
            })
        }
    };
    let bad = || format!("{} holds {text:?}", column.name);
    let t = text.trim();
    Ok(match column.kind {
        Kind::Text => Arg::Str(text),
        Kind::Int => match t.parse::<i64>() {
            Ok(n) => Arg::I64(n),
            // Redmine keeps times as UTC date-times; carmine as seconds since the epoch
            Err(_) => match (epoch(t), flag(t)) {
                (Some(s), _) => Arg::I64(s),
                (None, Some(b)) => Arg::I64(b as i64),
                _ => return Err(bad()),
            },
        },
        Kind::Real => Arg::F64(t.parse::<f64>().map_err(|_| bad())?),
        Kind::Bool => Arg::Bool(flag(t).ok_or_else(bad)?),
    })
}

/// How the three databases write a boolean as text.
fn flag(t: &str) -> Option<bool> {
    match t {
        "1" | "t" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Seconds since the epoch of `YYYY-MM-DD HH:MM:SS[.ffffff][Z|±HH[:MM]| UTC]` (or with
/// `T`), read as UTC unless an offset says otherwise.
pub fn epoch(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b' ' | b'T') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| t.get(r)?.parse::<i32>().ok();
    let date = time::Date::from_calendar_date(
        num(0..4)?,
        time::Month::try_from(num(5..7)? as u8).ok()?,
        num(8..10)? as u8,
    )
    .ok()?;
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let clock =
        time::Time::from_hms(num(11..13)? as u8, num(14..16)? as u8, num(17..19)? as u8).ok()?;
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest.trim() {
        "" | "Z" | "UTC" | "+00" | "+00:00" => 0,
        zone => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = zone[1..].split_once(':').unwrap_or((&zone[1..], "0"));
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    Some(
        time::PrimitiveDateTime::new(date, clock)
            .assume_utc()
            .unix_timestamp()
            - offset,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redmine_times_in_every_database_form() {
        assert_eq!(epoch("1970-01-01 00:00:00"), Some(0));
        assert_eq!(epoch("2024-01-08 07:56:55.949243"), Some(1_704_700_615));
        assert_eq!(epoch("2024-01-08T07:56:55Z"), Some(1_704_700_615));
        assert_eq!(epoch("2024-01-08 09:56:55+02"), Some(1_704_700_615));
        assert_eq!(epoch("2024-01-08 07:56:55.1 UTC"), Some(1_704_700_615));
        assert_eq!(epoch("2024-01-08"), None);
        assert_eq!(epoch("2024-13-08 07:56:55"), None);
        assert_eq!(epoch("not a time at all"), None);
    }

    #[test]
    fn values_take_the_column_type() {
        let col = |kind, not_null, default| Column {
            name: "c".into(),
            kind,
            not_null,
            default,
        };
        let t = |s: &str| Cell::Text(s.into());
        assert_eq!(
            convert(t("t"), &col(Kind::Bool, true, None)),
            Ok(Arg::Bool(true))
        );
        assert_eq!(
            convert(t("0"), &col(Kind::Bool, true, None)),
            Ok(Arg::Bool(false))
        );
        assert_eq!(
            convert(t("2024-01-08 07:56:55.9"), &col(Kind::Int, true, None)),
            Ok(Arg::I64(1_704_700_615))
        );
        assert_eq!(
            convert(t("1.5"), &col(Kind::Real, true, None)),
            Ok(Arg::F64(1.5))
        );
        assert_eq!(
            convert(Cell::Null, &col(Kind::Int, false, None)),
            Ok(Arg::NullI64)
        );
        assert_eq!(
            convert(
                Cell::Null,
                &col(Kind::Text, true, Some(Arg::Str(String::new())))
            ),
            Ok(Arg::Str(String::new()))
        );
        assert!(convert(Cell::Null, &col(Kind::Int, true, None)).is_err());
        assert!(convert(t("x"), &col(Kind::Int, true, None)).is_err());
    }
}
