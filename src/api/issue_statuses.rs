use crate::http::{ApiResult, Ctx, Reply};
use crate::render::{list, object_item, Obj};
use crate::state::App;
use crate::store::reference;

/// `GET /issue_statuses`: every status by position, for any caller; not paginated.
pub async fn index(app: &App, _ctx: &Ctx) -> ApiResult {
    let statuses = reference::issue_statuses(&app.db).await?;
    let items = statuses
        .into_iter()
        .map(|s| {
            let mut o = Obj::new();
            o.val("id", s.id)
                .val("name", s.name)
                .val("is_closed", s.is_closed);
            object_item("issue_status", o)
        })
        .collect();
    Ok(Reply::ok(list("issue_statuses", Vec::new(), items)))
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![route(&["GET"], "/issue_statuses", Anyone, |a, c, _| {
        Box::pin(index(a, c))
    })]
}
