//! `GET /custom_fields` (admin only).

use std::collections::HashMap;

use crate::domain::reference::customized_type;
use crate::http::{ApiError, ApiResult, Ctx, Reply};
use crate::render::{attrs_item, list, object_item, Node, Obj};
use crate::state::App;
use crate::store::{admin, reference};

fn possible_value(value: &str, label: &str) -> Node {
    let mut o = Obj::new();
    o.val("value", value).val("label", label);
    object_item("possible_value", o)
}

/// Every custom field by id (or just one), as the list renders them.
pub async fn list_of(app: &App, only: Option<i64>) -> Result<Vec<Node>, ApiError> {
    let fields = reference::custom_fields(&app.db).await?;
    let mut links: HashMap<(&str, i64), Vec<Node>> = HashMap::new();
    for kind in ["trackers", "roles"] {
        let element = if kind == "trackers" {
            "tracker"
        } else {
            "role"
        };
        for (cf, id, name) in admin::links(&app.db, kind).await? {
            links.entry((kind, cf)).or_default().push(attrs_item(
                element,
                vec![("id", id.into()), ("name", name.into())],
            ));
        }
    }
    let enumeration_fields: Vec<i64> = fields
        .iter()
        .filter(|f| f.field_format == "enumeration")
        .map(|f| f.id)
        .collect();
    let enumerations =
        crate::store::custom_values::enumerations(&app.db, &enumeration_fields).await?;
    // a version field outside any project offers the versions shared with all
    let system_versions = if fields.iter().any(|f| f.field_format == "version") {
        crate::store::versions::system_wide(&app.db).await?
    } else {
        Vec::new()
    };
    let nodes = fields
        .into_iter()
        .filter(|f| only.is_none_or(|id| id == f.id))
        .map(|f| {
            let mut o = Obj::new();
            o.val("id", f.id)
                .val("name", f.name)
                .val("customized_type", customized_type(&f.kind))
                .val("field_format", f.field_format.clone())
                .val("regexp", f.regexp)
                .val("min_length", f.min_length)
                .val("max_length", f.max_length)
                .val("is_required", f.is_required)
                .val("is_filter", f.is_filter)
                .val("searchable", f.searchable)
                .val("multiple", f.multiple)
                .val("default_value", f.default_value)
                .val("visible", f.visible);
            let values: Vec<Node> = match f.field_format.as_str() {
                "list" => f
                    .possible_values
                    .lines()
                    .filter(|v| !v.is_empty())
                    .map(|v| possible_value(v, v))
                    .collect(),
                // the active values, by id
                "enumeration" => enumerations
                    .get(&f.id)
                    .into_iter()
                    .flatten()
                    .filter(|(_, _, active)| *active)
                    .map(|(id, name, _)| possible_value(&id.to_string(), name))
                    .collect(),
                "version" => system_versions
                    .iter()
                    .map(|v| possible_value(&v.id.to_string(), &v.name))
                    .collect(),
                "bool" => [("1", "Yes"), ("0", "No")]
                    .iter()
                    .map(|(v, l)| possible_value(v, l))
                    .collect(),
                _ => Vec::new(),
            };
            if !values.is_empty() {
                o.array("possible_values", values);
            }
            if f.kind == "IssueCustomField" {
                o.array(
                    "trackers",
                    links.remove(&("trackers", f.id)).unwrap_or_default(),
                )
                .array("roles", links.remove(&("roles", f.id)).unwrap_or_default());
            }
            object_item("custom_field", o)
        })
        .collect();
    Ok(nodes)
}

pub async fn index(app: &App, _ctx: &Ctx) -> ApiResult {
    Ok(Reply::ok(list(
        "custom_fields",
        Vec::new(),
        list_of(app, None).await?,
    )))
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![route(&["GET"], "/custom_fields", Admin, |a, c, _| {
        Box::pin(index(a, c))
    })]
}
