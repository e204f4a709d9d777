use crate::domain::trackers::enumeration_kind;
use crate::http::{not_found, ApiResult, Ctx, Reply};
use crate::render::{list, object_item, Obj};
use crate::state::App;
use crate::store::reference;

/// `GET /enumerations/:type`: system-level values of one kind, inactive ones included.
pub async fn index(app: &App, _ctx: &Ctx, raw_kind: &str) -> ApiResult {
    let (kind, plural, singular) = enumeration_kind(raw_kind).ok_or_else(not_found)?;
    let values = reference::enumerations(&app.db, kind).await?;
    let items = values
        .into_iter()
        .map(|e| {
            let mut o = Obj::new();
            o.val("id", e.id)
                .val("name", e.name)
                .val("is_default", e.is_default)
                .val("active", e.active);
            object_item(singular, o)
        })
        .collect();
    Ok(Reply::ok(list(plural, Vec::new(), items)))
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![route(
        &["GET"],
        "/enumerations/{kind}",
        Anyone,
        |a, c, p| Box::pin(index(a, c, &p[0])),
    )]
}
