//! What an update does to the attributes that depend on the project: the tracker, the
//! category and the target version, when they are asked for and when the issue moves.
//! Each function takes the facts and the request and says what to write.

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
