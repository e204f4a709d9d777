//! carmine's administration extension: what Redmine's admin web UI does for trackers,
//! issue statuses, enumerations, roles, workflows and custom fields, through the API's
//! style. Off unless the `admin_api_enabled` setting is on; admins only. Read shapes are
//! Redmine's own.
//! One file per kind; the routes of all are declared here.

mod custom_fields;
mod enumerations;
mod issue_statuses;
mod roles;
mod trackers;
mod workflows;

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
use custom_fields::*;
use enumerations::*;
use issue_statuses::*;
use roles::*;
use trackers::*;
use workflows::*;

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

pub(super) async fn enumeration_destroy(app: &App, id: i64) -> ApiResult {
    store::delete(&app.db, "enumerations", id).await?;
    Ok(Reply::NoContent)
}

pub(super) async fn custom_field_destroy(app: &App, id: i64) -> ApiResult {
    find_custom_field(app, id).await?;
    store::delete(&app.db, "custom_fields", id).await?;
    Ok(Reply::NoContent)
}

pub(super) fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| not_found())
}

pub(super) fn body<'a>(ctx: &'a Ctx, key: &str) -> Option<&'a Value> {
    ctx.param(key).filter(|v| v.is_object())
}

pub(super) fn validation(errors: Vec<String>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}
