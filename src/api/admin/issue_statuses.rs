//! Issue statuses: create, update, delete (refused while a tracker defaults to one).

use super::*;

pub(super) async fn status_write(app: &App, ctx: &Ctx, id: Option<i64>) -> ApiResult {
    let current = match id {
        Some(id) => Some(
            reference::issue_statuses(&app.db)
                .await?
                .into_iter()
                .find(|s| s.id == id)
                .ok_or_else(not_found)?,
        ),
        None => None,
    };
    let empty = Value::Object(Default::default());
    let b = match body(ctx, "issue_status") {
        Some(b) => b,
        None if current.is_some() => return Ok(Reply::NoContent),
        None => &empty,
    };
    let name = b
        .get("name")
        .map(|v| text(v).unwrap_or_default())
        .or_else(|| current.as_ref().map(|s| s.name.clone()))
        .unwrap_or_default();
    let taken = store::name_taken(&app.db, "issue_statuses", None, &name, id).await?;
    let mut errors = name_errors(&name, taken, 30);
    let ratio = b
        .get("default_done_ratio")
        .map(|v| text(v).map(|t| crate::http::ruby_to_i(&t)));
    if let Some(Some(r)) = ratio {
        if !(0..=100).contains(&r) || r % 10 != 0 {
            errors.push("Default done ratio is not included in the list".into());
        }
    }
    validation(errors)?;
    let mut cols: Vec<(&str, Arg)> = vec![("name", name.into())];
    if let Some(c) = b.get("is_closed") {
        cols.push(("is_closed", cast_bool(c).unwrap_or(false).into()));
    }
    if let Some(r) = ratio {
        cols.push(("default_done_ratio", r.into()));
    }
    let Some(_) = current else {
        let id = store::insert(&app.db, "issue_statuses", &cols, None).await?;
        let s = reference::issue_statuses(&app.db)
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or(ApiError::Internal)?;
        let mut o = Obj::new();
        o.val("id", s.id)
            .val("name", s.name)
            .val("is_closed", s.is_closed);
        return Ok(Reply::Created(
            document("issue_status", o),
            ctx.location(&format!("/issue_statuses/{id}")),
        ));
    };
    store::update(&app.db, "issue_statuses", id.unwrap_or_default(), &cols).await?;
    Ok(Reply::NoContent)
}

/// A status that trackers default to cannot go (Redmine: "Unable to delete issue status").
pub(super) async fn status_destroy(app: &App, id: i64) -> ApiResult {
    if !reference::issue_statuses(&app.db)
        .await?
        .iter()
        .any(|s| s.id == id)
    {
        return Err(not_found());
    }
    if store::status_is_default(&app.db, id).await? {
        return Err(ApiError::Validation(vec![
            "Unable to delete issue status".into()
        ]));
    }
    store::delete_status(&app.db, id).await?;
    Ok(Reply::NoContent)
}
