//! Workflows: the transitions and field rules of roles × trackers, read and replaced.

use super::*;

/// `GET /workflows` (extension): transitions, optionally for one role and/or tracker.
pub(super) async fn workflows(app: &App, ctx: &Ctx) -> ApiResult {
    let num = |k: &str| ctx.param_str(k).and_then(|v| v.parse::<i64>().ok());
    let items = store::transitions(&app.db, num("role_id"), num("tracker_id"))
        .await?
        .into_iter()
        .map(|t| {
            let mut o = Obj::new();
            o.val("role_id", t.role_id)
                .val("tracker_id", t.tracker_id)
                .val("old_status_id", t.old_status_id)
                .val("new_status_id", t.new_status_id)
                .val("author", t.author)
                .val("assignee", t.assignee);
            crate::render::object_item("workflow", o)
        })
        .collect();
    Ok(Reply::ok(list("workflows", Vec::new(), items)))
}

/// `PUT /workflows` (extension): replaces the transitions of the given roles × trackers.
pub(super) async fn workflows_update(app: &App, ctx: &Ctx) -> ApiResult {
    let empty = Value::Object(Default::default());
    let b = body(ctx, "workflow").unwrap_or(&empty);
    let roles = b.get("role_ids").map(id_list).unwrap_or_default();
    let trackers = b.get("tracker_ids").map(id_list).unwrap_or_default();
    let statuses: Vec<i64> = reference::issue_statuses(&app.db)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    let known_roles: Vec<i64> = reference::roles(&app.db)
        .await?
        .iter()
        .map(|r| r.id)
        .collect();
    let known_trackers: Vec<i64> = reference::trackers(&app.db)
        .await?
        .iter()
        .map(|t| t.id)
        .collect();
    let mut errors = Vec::new();
    if roles.is_empty() || roles.iter().any(|r| !known_roles.contains(r)) {
        errors.push("Role is invalid".to_owned());
    }
    if trackers.is_empty() || trackers.iter().any(|t| !known_trackers.contains(t)) {
        errors.push("Tracker is invalid".to_owned());
    }
    let mut transitions = Vec::new();
    if let Some(Value::Array(items)) = b.get("transitions") {
        for t in items {
            let id = |k: &str| {
                t.get(k)
                    .and_then(|v| id_list(v).first().copied())
                    .unwrap_or(0)
            };
            let (old, new) = (id("old_status_id"), id("new_status_id"));
            if !statuses.contains(&old) || !statuses.contains(&new) {
                errors.push("Status is invalid".to_owned());
                break;
            }
            let flag = |k: &str| t.get(k).and_then(cast_bool).unwrap_or(false);
            transitions.push((old, new, flag("author"), flag("assignee")));
        }
    }
    // field rules: {status_id, field_name, rule: readonly|required}, when given
    let mut rules_given = None;
    if let Some(Value::Array(items)) = b.get("field_rules") {
        let mut out = Vec::new();
        for r in items {
            let status = r
                .get("status_id")
                .and_then(|v| id_list(v).first().copied())
                .unwrap_or(0);
            let field = r.get("field_name").and_then(text).unwrap_or_default();
            let rule = r.get("rule").and_then(text).unwrap_or_default();
            if !statuses.contains(&status)
                || field.is_empty()
                || !["readonly", "required"].contains(&rule.as_str())
            {
                errors.push("Field rule is invalid".to_owned());
                break;
            }
            out.push((status, field, rule));
        }
        rules_given = Some(out);
    }
    validation(errors)?;
    if b.get("transitions").is_some() {
        store::replace_transitions(&app.db, &roles, &trackers, &transitions).await?;
    }
    if let Some(field_rules) = rules_given {
        store::replace_field_rules(&app.db, &roles, &trackers, &field_rules).await?;
    }
    Ok(Reply::NoContent)
}
