//! Roles: create, update, delete (refused while a member holds one).

use super::*;

pub(super) async fn role_write(app: &App, ctx: &Ctx, id: Option<i64>) -> ApiResult {
    let current = match id {
        Some(id) => Some(reference::role(&app.db, id).await?.ok_or_else(not_found)?),
        None => None,
    };
    let empty = Value::Object(Default::default());
    let b = match body(ctx, "role") {
        Some(b) => b,
        None if current.is_some() => return Ok(Reply::NoContent),
        None => &empty,
    };
    let builtin = current.as_ref().map_or(0, |r| r.builtin);
    // builtin roles keep their names
    let name = match (&current, b.get("name")) {
        (Some(r), _) if r.builtin != 0 => r.name.clone(),
        (_, Some(v)) => text(v).unwrap_or_default(),
        (Some(r), None) => r.name.clone(),
        (None, None) => String::new(),
    };
    let taken = store::name_taken(&app.db, "roles", None, &name, id).await?;
    let mut errors = name_errors(&name, taken, 255);
    let mut cols: Vec<(&str, Arg)> = vec![("name", name.into())];
    for (key, allowed, label) in [
        (
            "issues_visibility",
            rules::ISSUES_VISIBILITY,
            "Issues visibility",
        ),
        (
            "users_visibility",
            rules::USERS_VISIBILITY,
            "Users visibility",
        ),
        (
            "time_entries_visibility",
            rules::TIME_ENTRIES_VISIBILITY,
            "Time entries visibility",
        ),
    ] {
        if let Some(v) = b.get(key) {
            let v = text(v).unwrap_or_default();
            if allowed.contains(&v.as_str()) {
                cols.push((key, v.into()));
            } else {
                errors.push(format!("{label} is not included in the list"));
            }
        }
    }
    validation(errors)?;
    if let Some(a) = b.get("assignable") {
        cols.push(("assignable", cast_bool(a).unwrap_or(false).into()));
    }
    if let Some(a) = b.get("all_roles_managed") {
        cols.push(("all_roles_managed", cast_bool(a).unwrap_or(false).into()));
    }
    if let Some(p) = b.get("permissions") {
        let wanted: Vec<String> = match p {
            Value::Array(a) => a.iter().filter_map(text).collect(),
            other => text(other).into_iter().collect(),
        };
        // only what this kind of role may hold, in catalogue order
        let kept: Vec<&str> = permissions::setable(builtin)
            .map(|p| p.name)
            .filter(|n| wanted.iter().any(|w| w == n))
            .collect();
        cols.push(("permissions", kept.join("\n").into()));
    }
    match id {
        Some(id) => {
            store::update(&app.db, "roles", id, &cols).await?;
            Ok(Reply::NoContent)
        }
        None => {
            cols.push(("builtin", 0i64.into()));
            let id = store::insert(&app.db, "roles", &cols, Some(("builtin", 0i64.into()))).await?;
            let role = reference::role(&app.db, id)
                .await?
                .ok_or(ApiError::Internal)?;
            Ok(Reply::Created(
                crate::api::roles::document_of(&role),
                ctx.location(&format!("/roles/{id}")),
            ))
        }
    }
}

pub(super) async fn role_destroy(app: &App, id: i64) -> ApiResult {
    let role = reference::role(&app.db, id).await?.ok_or_else(not_found)?;
    if role.builtin != 0 || store::role_in_use(&app.db, id).await? {
        return Err(ApiError::Validation(vec![
            "This role is in use and cannot be deleted".into(),
        ]));
    }
    store::delete(&app.db, "roles", id).await?;
    Ok(Reply::NoContent)
}
