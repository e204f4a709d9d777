//! Trackers: create, update, delete.

use super::*;

pub(super) async fn tracker_write(app: &App, ctx: &Ctx, id: Option<i64>) -> ApiResult {
    let current = match id {
        Some(id) => Some(
            reference::trackers(&app.db)
                .await?
                .into_iter()
                .find(|t| t.id == id)
                .ok_or_else(not_found)?,
        ),
        None => None,
    };
    let Some(b) = body(ctx, "tracker") else {
        if current.is_some() {
            return Ok(Reply::NoContent);
        }
        return Err(ApiError::Validation(vec![
            "Default status cannot be blank".into(),
            "Name cannot be blank".into(),
        ]));
    };
    let name = b
        .get("name")
        .map(|v| text(v).unwrap_or_default())
        .or_else(|| current.as_ref().map(|t| t.name.clone()))
        .unwrap_or_default();
    let status = match b.get("default_status_id") {
        Some(v) => id_list(v).first().copied(),
        None => current.as_ref().and_then(|t| t.default_status_id),
    };
    let status_ok = match status {
        Some(s) => reference::issue_statuses(&app.db)
            .await?
            .iter()
            .any(|x| x.id == s),
        None => false,
    };
    let mut errors = Vec::new();
    if !status_ok {
        errors.push("Default status cannot be blank".to_owned());
    }
    let taken = store::name_taken(&app.db, "trackers", None, &name, id).await?;
    errors.extend(name_errors(&name, taken, 30));
    let description = b.get("description").map(text);
    if let Some(Some(d)) = &description {
        if d.chars().count() > 255 {
            errors.push("Description is too long (maximum is 255 characters)".into());
        }
    }
    validation(errors)?;
    let mut cols: Vec<(&str, Arg)> =
        vec![("name", name.into()), ("default_status_id", status.into())];
    if let Some(d) = description {
        cols.push(("description", d.into()));
    }
    if let Some(r) = b.get("is_in_roadmap") {
        cols.push(("is_in_roadmap", cast_bool(r).unwrap_or(false).into()));
    }
    if let Some(Value::Array(fields)) = b.get("enabled_standard_fields") {
        let enabled: Vec<String> = fields.iter().filter_map(text).collect();
        let bits = CORE_FIELDS
            .iter()
            .enumerate()
            .filter(|(_, f)| !enabled.iter().any(|e| e == *f))
            .fold(0i64, |acc, (i, _)| acc | (1 << i));
        cols.push(("fields_bits", bits.into()));
    }
    let id = match id {
        Some(id) => {
            store::update(&app.db, "trackers", id, &cols).await?;
            return Ok(Reply::NoContent);
        }
        None => store::insert(&app.db, "trackers", &cols, None).await?,
    };
    let t = reference::trackers(&app.db)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(ApiError::Internal)?;
    Ok(Reply::Created(
        document("tracker", crate::api::trackers::render(t)),
        ctx.location(&format!("/trackers/{id}")),
    ))
}

pub(super) async fn tracker_destroy(app: &App, id: i64) -> ApiResult {
    if !reference::trackers(&app.db)
        .await?
        .iter()
        .any(|t| t.id == id)
    {
        return Err(not_found());
    }
    store::delete(&app.db, "trackers", id).await?;
    Ok(Reply::NoContent)
}
