//! carmine's administration extension: what Redmine's admin web UI does for trackers,
//! issue statuses, enumerations, roles, workflows and custom fields, through the API's
//! style. Off unless the `admin_api_enabled` setting is on; admins only. Read shapes are
//! Redmine's own.

use serde_json::Value;

use crate::api::route;
use crate::domain::permissions;
use crate::domain::projects::id_list;
use crate::domain::reference::{self as rules, name_errors};
use crate::domain::trackers::{enumeration_kind, CORE_FIELDS};
use crate::domain::users::cast_bool;
use crate::domain::values::text;
use crate::http::{not_found, ApiError, ApiResult, Ctx, Reply};
use crate::render::{document, list, Obj};
use crate::state::App;
use crate::store::admin as store;
use crate::store::reference;
use crate::store::Arg;

/// The administration routes, each behind `AdminExtension`: 403 while the extension is
/// off (as Redmine answers), then administrators only.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::http::pipeline::Guard::AdminExtension;
    let mut r = vec![
        route(&["POST"], "/trackers", AdminExtension, |a, c, _| {
            Box::pin(tracker_write(a, c, None))
        }),
        route(&["POST"], "/issue_statuses", AdminExtension, |a, c, _| {
            Box::pin(status_write(a, c, None))
        }),
        route(&["POST"], "/enumerations", AdminExtension, |a, c, _| {
            Box::pin(enumeration_write(a, c, None, None))
        }),
        route(
            &["POST"],
            "/enumerations/{kind}",
            AdminExtension,
            |a, c, p| Box::pin(enumeration_write(a, c, Some(p[0].clone()), None)),
        ),
        route(&["POST"], "/roles", AdminExtension, |a, c, _| {
            Box::pin(role_write(a, c, None))
        }),
        route(&["POST"], "/custom_fields", AdminExtension, |a, c, _| {
            Box::pin(custom_field_write(a, c, None))
        }),
        route(&["GET"], "/workflows", AdminExtension, |a, c, _| {
            Box::pin(workflows(a, c))
        }),
        route(
            &["PUT", "PATCH"],
            "/workflows",
            AdminExtension,
            |a, c, _| Box::pin(workflows_update(a, c)),
        ),
    ];
    r.extend([
        route(
            &["PUT", "PATCH"],
            "/trackers/{id}",
            AdminExtension,
            |a, c, p| Box::pin(async move { tracker_write(a, c, Some(parse_id(&p[0])?)).await }),
        ),
        route(&["DELETE"], "/trackers/{id}", AdminExtension, |a, _, p| {
            Box::pin(async move { tracker_destroy(a, parse_id(&p[0])?).await })
        }),
        route(
            &["PUT", "PATCH"],
            "/issue_statuses/{id}",
            AdminExtension,
            |a, c, p| Box::pin(async move { status_write(a, c, Some(parse_id(&p[0])?)).await }),
        ),
        route(
            &["DELETE"],
            "/issue_statuses/{id}",
            AdminExtension,
            |a, _, p| Box::pin(async move { status_destroy(a, parse_id(&p[0])?).await }),
        ),
        route(
            &["PUT", "PATCH"],
            "/enumerations/{kind}",
            AdminExtension,
            |a, c, p| {
                Box::pin(async move { enumeration_write(a, c, None, Some(parse_id(&p[0])?)).await })
            },
        ),
        route(
            &["DELETE"],
            "/enumerations/{kind}",
            AdminExtension,
            |a, _, p| Box::pin(async move { enumeration_destroy(a, parse_id(&p[0])?).await }),
        ),
        route(
            &["PUT", "PATCH"],
            "/roles/{id}",
            AdminExtension,
            |a, c, p| Box::pin(async move { role_write(a, c, Some(parse_id(&p[0])?)).await }),
        ),
        route(&["DELETE"], "/roles/{id}", AdminExtension, |a, _, p| {
            Box::pin(async move { role_destroy(a, parse_id(&p[0])?).await })
        }),
        route(
            &["PUT", "PATCH"],
            "/custom_fields/{id}",
            AdminExtension,
            |a, c, p| {
                Box::pin(async move { custom_field_write(a, c, Some(parse_id(&p[0])?)).await })
            },
        ),
        route(
            &["DELETE"],
            "/custom_fields/{id}",
            AdminExtension,
            |a, _, p| Box::pin(async move { custom_field_destroy(a, parse_id(&p[0])?).await }),
        ),
    ]);
    r
}

async fn enumeration_destroy(app: &App, id: i64) -> ApiResult {
    store::delete(&app.db, "enumerations", id).await?;
    Ok(Reply::NoContent)
}

async fn custom_field_destroy(app: &App, id: i64) -> ApiResult {
    find_custom_field(app, id).await?;
    store::delete(&app.db, "custom_fields", id).await?;
    Ok(Reply::NoContent)
}

fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| not_found())
}

fn body<'a>(ctx: &'a Ctx, key: &str) -> Option<&'a Value> {
    ctx.param(key).filter(|v| v.is_object())
}

fn validation(errors: Vec<String>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

// ---------------------------------------------------------------- trackers

async fn tracker_write(app: &App, ctx: &Ctx, id: Option<i64>) -> ApiResult {
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

async fn tracker_destroy(app: &App, id: i64) -> ApiResult {
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

// ---------------------------------------------------------------- issue statuses

async fn status_write(app: &App, ctx: &Ctx, id: Option<i64>) -> ApiResult {
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
async fn status_destroy(app: &App, id: i64) -> ApiResult {
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

// ---------------------------------------------------------------- enumerations

async fn enumeration_write(
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

// ---------------------------------------------------------------- roles

async fn role_write(app: &App, ctx: &Ctx, id: Option<i64>) -> ApiResult {
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

async fn role_destroy(app: &App, id: i64) -> ApiResult {
    let role = reference::role(&app.db, id).await?.ok_or_else(not_found)?;
    if role.builtin != 0 || store::role_in_use(&app.db, id).await? {
        return Err(ApiError::Validation(vec![
            "This role is in use and cannot be deleted".into(),
        ]));
    }
    store::delete(&app.db, "roles", id).await?;
    Ok(Reply::NoContent)
}

// ---------------------------------------------------------------- workflows

/// `GET /workflows` (extension): transitions, optionally for one role and/or tracker.
async fn workflows(app: &App, ctx: &Ctx) -> ApiResult {
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
async fn workflows_update(app: &App, ctx: &Ctx) -> ApiResult {
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

// ---------------------------------------------------------------- custom fields

async fn find_custom_field(app: &App, id: i64) -> Result<reference::CustomField, ApiError> {
    reference::custom_fields(&app.db)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or_else(not_found)
}

async fn custom_field_write(app: &App, ctx: &Ctx, id: Option<i64>) -> ApiResult {
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
    for key in ["regexp", "description"] {
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
