//! Enumerations (priorities, activities, document categories): create and update.

use super::*;

pub(super) async fn enumeration_write(
    app: &App,
    ctx: &Ctx,
    kind: Option<String>,
    id: Option<i64>,
) -> ApiResult {
    let empty = Value::Object(Default::default());
    let b = match body(ctx, "enumeration") {
        Some(b) => b,
        None if id.is_some() => return Ok(Reply::NoContent),
        None => &empty,
    };
    let current = match id {
        Some(id) => Some(
            store::enumeration(&app.db, id)
                .await?
                .ok_or_else(not_found)?,
        ),
        None => None,
    };
    let raw_kind = match (&current, kind, b.get("type").and_then(text)) {
        (Some((k, _)), _, _) => k.clone(),
        (None, Some(k), _) => k,
        (None, None, Some(k)) => k,
        _ => String::new(),
    };
    let Some((class, _, singular)) = enumeration_kind(&raw_kind) else {
        return Err(ApiError::Validation(vec![
            "Type is not included in the list".into(),
        ]));
    };
    let name = b
        .get("name")
        .map(|v| text(v).unwrap_or_default())
        .or_else(|| current.as_ref().map(|(_, n)| n.clone()))
        .unwrap_or_default();
    let taken =
        store::name_taken(&app.db, "enumerations", Some(("type", class)), &name, id).await?;
    validation(name_errors(&name, taken, 30))?;
    let mut cols: Vec<(&str, Arg)> = vec![("name", name.into())];
    if let Some(a) = b.get("active") {
        cols.push(("active", cast_bool(a).unwrap_or(false).into()));
    }
    let make_default = b.get("is_default").and_then(cast_bool);
    let id = match id {
        Some(id) => {
            store::update(&app.db, "enumerations", id, &cols).await?;
            id
        }
        None => {
            cols.push(("type", class.into()));
            store::insert(&app.db, "enumerations", &cols, Some(("type", class.into()))).await?
        }
    };
    match make_default {
        Some(true) => store::set_default_enumeration(&app.db, class, id).await?,
        Some(false) => {
            store::update(&app.db, "enumerations", id, &[("is_default", false.into())]).await?
        }
        None => {}
    }
    if current.is_some() {
        return Ok(Reply::NoContent);
    }
    let e = reference::enumerations(&app.db, class)
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or(ApiError::Internal)?;
    let mut o = Obj::new();
    o.val("id", e.id)
        .val("name", e.name)
        .val("is_default", e.is_default)
        .val("active", e.active);
    Ok(Reply::Created(
        document(singular, o),
        ctx.location(&format!("/enumerations/{id}")),
    ))
}
