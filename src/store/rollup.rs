//! Roll-up of subtasks into their ancestors (Redmine's derived parent attributes):
//! start and due dates, priority and done ratio, recomputed bottom-up.

use super::Result;

/// Recomputes the derived attributes of every ancestor of the issue whose tree path is
/// given, nearest first (issues.md §7): dates from the children, priority of the highest
/// open child, done ratio weighted by the children's estimates. Returns the ancestors whose
/// dates moved (their followers move too).
pub async fn recalculate_ancestors(
    tx: &mut super::Tx<'_>,
    id_path: &str,
    default_priority: i64,
) -> Result<Vec<i64>> {
    let ids: Vec<i64> = id_path.split('/').filter_map(|x| x.parse().ok()).collect();
    let mut moved = Vec::new();
    for ancestor in ids.iter().rev().skip(1) {
        let children = tx
            .rows(
                "SELECT c.start_date, c.due_date, c.done_ratio, c.priority_id, s.is_closed, \
                 COALESCE(e.position, 0) AS prio_pos, \
                 (SELECT SUM(x.estimated_hours) FROM issues x \
                  WHERE (x.id_path >= c.id_path AND x.id_path < c.id_path || ':')) AS total_est \
                 FROM issues c JOIN issue_statuses s ON s.id = c.status_id \
                 LEFT JOIN enumerations e ON e.id = c.priority_id WHERE c.parent_id = $1",
                &[(*ancestor).into()],
            )
            .await?;
        if children.is_empty() {
            continue;
        }
        let start = children
            .iter()
            .filter_map(|c| c.opt_str("start_date"))
            .min();
        let due = children.iter().filter_map(|c| c.opt_str("due_date")).max();
        let (start, due) = match (start, due) {
            (Some(s), Some(d)) if d < s => (Some(d), Some(s)),
            other => other,
        };
        let priority = children
            .iter()
            .filter(|c| !c.bool("is_closed"))
            .max_by_key(|c| c.i64("prio_pos"))
            .map(|c| c.i64("priority_id"))
            .unwrap_or(default_priority);
        let estimates: Vec<f64> = children
            .iter()
            .filter_map(|c| c.opt_f64("total_est"))
            .filter(|e| *e > 0.0)
            .collect();
        let average = if estimates.is_empty() {
            1.0
        } else {
            estimates.iter().sum::<f64>() / estimates.len() as f64
        };
        let (mut weighted, mut weights) = (0.0, 0.0);
        for c in &children {
            let w = c
                .opt_f64("total_est")
                .filter(|e| *e > 0.0)
                .unwrap_or(average);
            let ratio = if c.bool("is_closed") {
                100.0
            } else {
                c.i64("done_ratio") as f64
            };
            weighted += w * ratio;
            weights += w;
        }
        let done = if weights > 0.0 {
            (weighted / weights).floor() as i64
        } else {
            0
        };
        let before = tx
            .rows(
                "SELECT start_date, due_date FROM issues WHERE id = $1",
                &[(*ancestor).into()],
            )
            .await?;
        if before
            .first()
            .is_some_and(|b| b.opt_str("start_date") != start || b.opt_str("due_date") != due)
        {
            moved.push(*ancestor);
        }
        tx.exec(
            "UPDATE issues SET start_date = $1, due_date = $2, priority_id = $3, done_ratio = $4 WHERE id = $5",
            &[start.into(), due.into(), priority.into(), done.into(), (*ancestor).into()],
        )
        .await?;
    }
    Ok(moved)
}
