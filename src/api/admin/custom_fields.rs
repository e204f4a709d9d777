//! Custom fields: create and update, with their trackers, roles and values.

use super::*;

pub(super) async fn find_custom_field(
    app: &App,
    id: i64,
) -> Result<reference::CustomField, ApiError> {
    reference::custom_fields(&app.db)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or_else(not_found)
}

pub(super) async fn custom_field_write(app: &App, ctx: &Ctx, id: Option<i64>) -> ApiResult {
    let current = match id {
        Some(id) => Some(find_custom_field(app, id).await?),
        None => None,
    };
    let empty = Value::Object(Default::default());
    let b = match body(ctx, "custom_field") {
        Some(b) => b,
        None if current.is_some() => return Ok(Reply::NoContent),
        None => &empty,
    };
    let class = match &current {
        Some(f) => f.kind.clone(),
        None => b
            .get("customized_type")
            .or_else(|| b.get("type"))
            .and_then(text)
            .and_then(|t| rules::custom_field_class(&t))
            .unwrap_or("")
            .to_owned(),
    };
    let format = match &current {
        Some(f) => f.field_format.clone(),
        None => b.get("field_format").and_then(text).unwrap_or_default(),
    };
    let name = b
        .get("name")
        .map(|v| text(v).unwrap_or_default())
        .or_else(|| current.as_ref().map(|f| f.name.clone()))
        .unwrap_or_default();
    let possible: Option<Vec<String>> = b.get("possible_values").map(|v| match v {
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.get("value").and_then(text).or_else(|| text(x)))
            .filter(|x| !x.trim().is_empty())
            .collect(),
        other => text(other)
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect(),
    });
    let mut errors = Vec::new();
    if class.is_empty() {
        errors.push("Type is not included in the list".to_owned());
    }
    let taken = store::name_taken(
        &app.db,
        "custom_fields",
        Some(("type", class.as_str())),
        &name,
        id,
    )
    .await?;
    errors.extend(name_errors(&name, taken, 30));
    if !rules::format_allowed(&format, &class) {
        errors.push("Format is not included in the list".to_owned());
    }
    let values_now = possible
        .clone()
        .or_else(|| {
            current
                .as_ref()
                .map(|f| f.possible_values.lines().map(str::to_owned).collect())
        })
        .unwrap_or_default();
    if format == "list" && values_now.is_empty() {
        errors.push("Possible values cannot be blank".to_owned());
    }
    // values of an enumeration field: [{"id"?, "name", "active"?}]
    let enumerations: Option<Vec<(Option<i64>, String, bool)>> = match b.get("enumerations") {
        Some(Value::Array(items)) if format == "enumeration" => Some(
            items
                .iter()
                .map(|e| {
                    (
                        e.get("id")
                            .and_then(text)
                            .and_then(|t| t.trim().parse().ok()),
                        e.get("name").and_then(text).unwrap_or_default(),
                        e.get("active")
                            .and_then(crate::domain::users::cast_bool)
                            .unwrap_or(true),
                    )
                })
                .collect(),
        ),
        _ => None,
    };
    if enumerations
        .as_ref()
        .is_some_and(|e| e.iter().any(|(_, name, _)| name.trim().is_empty()))
    {
        errors.push("Name cannot be blank".to_owned());
    }
    if let Some(re) = b.get("regexp").and_then(text) {
        if !crate::domain::custom_fields::valid_regexp(&re) {
            errors.push("Regular expression is invalid".to_owned());
        }
    }
    validation(errors)?;
    let mut cols: Vec<(&str, Arg)> = vec![("name", name.into())];
    if current.is_none() {
        cols.push(("type", class.clone().into()));
        cols.push(("field_format", format.clone().into()));
    }
    if let Some(p) = possible {
        cols.push(("possible_values", p.join("\n").into()));
    }
    for key in ["regexp", "description", "extensions_allowed"] {
        if let Some(v) = b.get(key) {
            cols.push((key, text(v).unwrap_or_default().into()));
        }
    }
    if let Some(v) = b.get("default_value") {
        cols.push(("default_value", text(v).into()));
    }
    for key in ["min_length", "max_length"] {
        if let Some(v) = b.get(key) {
            let n = text(v)
                .filter(|t| !t.trim().is_empty())
                .map(|t| crate::http::ruby_to_i(&t));
            cols.push((key, n.into()));
        }
    }
    for key in [
        "is_required",
        "is_for_all",
        "is_filter",
        "visible",
        "editable",
    ] {
        if let Some(v) = b.get(key) {
            cols.push((key, cast_bool(v).unwrap_or(false).into()));
        }
    }
    // formats that cannot search or take several values never do
    if let Some(v) = b.get("searchable") {
        cols.push((
            "searchable",
            (cast_bool(v).unwrap_or(false) && rules::format_searchable(&format)).into(),
        ));
    }
    if let Some(v) = b.get("multiple") {
        cols.push((
            "multiple",
            (cast_bool(v).unwrap_or(false) && rules::format_multiple(&format)).into(),
        ));
    }
    let id = match id {
        Some(id) => {
            store::update(&app.db, "custom_fields", id, &cols).await?;
            id
        }
        None => store::insert(&app.db, "custom_fields", &cols, None).await?,
    };
    if class == "IssueCustomField" {
        if let Some(v) = b.get("tracker_ids") {
            store::set_links(
                &app.db,
                "custom_fields_trackers",
                "tracker_id",
                id,
                &id_list(v),
            )
            .await?;
        }
    }
    if let Some(e) = &enumerations {
        crate::store::custom_values::set_enumerations(&app.db, id, e).await?;
    }
    // the roles that see a field hidden from others (users' fields are shown or not)
    if class != "UserCustomField" {
        if let Some(v) = b.get("role_ids") {
            store::set_links(&app.db, "custom_fields_roles", "role_id", id, &id_list(v)).await?;
        }
    }
    if current.is_some() {
        return Ok(Reply::NoContent);
    }
    let node = crate::api::custom_fields::list_of(app, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or(ApiError::Internal)?;
    let crate::render::Body::Object(_, children) = node.body else {
        return Err(ApiError::Internal);
    };
    Ok(Reply::Created(
        document("custom_field", Obj(children)),
        ctx.location(&format!("/custom_fields/{id}")),
    ))
}
