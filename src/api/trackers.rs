use crate::domain::trackers::enabled_standard_fields;
use crate::http::{ApiResult, Ctx, Reply};
use crate::render::{item, list, object_item, Obj, Value};
use crate::state::App;
use crate::store::reference::{self, Tracker};

/// `GET /trackers`: every tracker by position, for any caller; not paginated.
pub async fn index(app: &App, _ctx: &Ctx) -> ApiResult {
    let items = reference::trackers(&app.db)
        .await?
        .into_iter()
        .map(|t| object_item("tracker", render(t)))
        .collect();
    Ok(Reply::ok(list("trackers", Vec::new(), items)))
}

pub fn render(t: Tracker) -> Obj {
    let mut o = Obj::new();
    o.val("id", t.id).val("name", t.name);
    if let (Some(id), Some(name)) = (t.default_status_id, t.default_status_name) {
        o.attrs(
            "default_status",
            vec![("id", id.into()), ("name", name.into())],
        );
    }
    o.val("description", t.description).array(
        "enabled_standard_fields",
        enabled_standard_fields(t.fields_bits)
            .map(|f| item("field", Value::from(f)))
            .collect(),
    );
    o
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![route(&["GET"], "/trackers", Anyone, |a, c, _| {
        Box::pin(index(a, c))
    })]
}
