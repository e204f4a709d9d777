use crate::api::caller;
use crate::app::App;
use crate::http::{ApiResult, Ctx, Reply};
use crate::render::{list, object_item, Node, Obj};

fn possible_value(value: &str, label: &str) -> Node {
    let mut o = Obj::new();
    o.val("value", value).val("label", label);
    object_item("possible_value", o)
}
use crate::store::reference;

fn customized_type(kind: &str) -> &'static str {
    match kind {
        "IssueCustomField" => "issue",
        "TimeEntryCustomField" => "time_entry",
        "ProjectCustomField" => "project",
        "VersionCustomField" => "version",
        "DocumentCustomField" => "document",
        "UserCustomField" => "user",
        "GroupCustomField" => "group",
        "TimeEntryActivityCustomField" => "time_entry_activity",
        "IssuePriorityCustomField" => "issue_priority",
        "DocumentCategoryCustomField" => "document_category",
        _ => "",
    }
}

/// `GET /custom_fields` (admin only): every custom field by id.
pub async fn index(app: &App, ctx: &Ctx) -> ApiResult {
    caller(ctx).require_admin()?;
    let fields = reference::custom_fields(&app.db).await?;
    let items = fields
        .into_iter()
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
            let values: Vec<_> = match f.field_format.as_str() {
                "list" => f
                    .possible_values
                    .lines()
                    .filter(|v| !v.is_empty())
                    .map(|v| possible_value(v, v))
                    .collect(),
                "bool" => ["1", "0"]
                    .iter()
                    .zip(["Yes", "No"])
                    .map(|(v, l)| possible_value(v, l))
                    .collect(),
                _ => Vec::new(),
            };
            if !values.is_empty() {
                o.array("possible_values", values);
            }
            if f.kind == "IssueCustomField" {
                o.array("trackers", Vec::new()).array("roles", Vec::new());
            }
            object_item("custom_field", o)
        })
        .collect();
    Ok(Reply::ok(list("custom_fields", Vec::new(), items)))
}
