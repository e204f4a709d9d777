//! `/projects/:id/memberships` and `/memberships/:id`.

use axum::http::StatusCode;
use serde_json::Value;

use crate::api::access::roles as caller_roles;
use crate::api::access::{authorize, load};
use crate::api::caller;
use crate::domain::access;
use crate::domain::projects::id_list;
use crate::domain::users::principal_name;
use crate::http::{not_found, ApiError, ApiResult, Ctx, Reply};
use crate::render::{attrs_item, document, list, object_item, page_meta, Node, Obj};
use crate::state::App;
use crate::store::members::{self as store, MemberRole, Membership};
use crate::store::projects::{self as projects, Project};
use crate::store::reference::{self, Role};

/// The key and name a principal is rendered with in a membership.
pub fn principal_key(kind: &str) -> &'static str {
    match kind {
        "Group" => "group",
        "GroupNonMember" => "group_non_member",
        "GroupAnonymous" => "group_anonymous",
        "AnonymousUser" => "anonymous_user",
        _ => "user",
    }
}

pub fn role_items(roles: &[MemberRole], member_id: i64) -> Vec<Node> {
    roles
        .iter()
        .filter(|r| r.member_id == member_id)
        .map(|r| {
            let mut attrs = vec![
                ("id", r.role_id.into()),
                ("name", r.role_name.clone().into()),
            ];
            if r.inherited_from.is_some() {
                attrs.push(("inherited", true.into()));
            }
            attrs_item("role", attrs)
        })
        .collect()
}

fn render(m: &Membership, roles: &[MemberRole]) -> Obj {
    membership_object(m, roles, true)
}

/// The one membership object: `{id, project, user|group, roles}`; without the principal
/// when it is the subject of the answer (a user's or group's memberships).
pub fn membership_object(m: &Membership, roles: &[MemberRole], with_principal: bool) -> Obj {
    let mut o = Obj::new();
    o.val("id", m.id).attrs(
        "project",
        vec![
            ("id", m.project_id.into()),
            ("name", m.project_name.clone().into()),
        ],
    );
    if with_principal {
        o.attrs(
            principal_key(&m.principal_type),
            vec![
                ("id", m.principal_id.into()),
                (
                    "name",
                    principal_name(
                        &m.principal_type,
                        &m.principal_firstname,
                        &m.principal_lastname,
                    )
                    .into(),
                ),
            ],
        );
    }
    o.array("roles", role_items(roles, m.id));
    o
}

async fn membership_document(app: &App, m: &Membership) -> Result<Node, ApiError> {
    let roles = store::roles_of(&app.db, &[m.id]).await?;
    Ok(document("membership", render(m, &roles)))
}

/// `GET /projects/:id/memberships`: `view_members` (every role has it) or `manage_members`.
pub async fn index(app: &App, ctx: &Ctx, project: &str) -> ApiResult {
    let p = load(app, project).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let (offset, limit) = ctx.offset_and_limit();
    let (total, page) = store::list(&app.db, p.id, offset, limit).await?;
    let ids: Vec<i64> = page.iter().map(|m| m.id).collect();
    let roles = store::roles_of(&app.db, &ids).await?;
    let items = page
        .iter()
        .map(|m| object_item("membership", render(m, &roles)))
        .collect();
    Ok(Reply::ok(list(
        "memberships",
        page_meta(total, offset, limit, ctx.nometa()),
        items,
    )))
}

async fn load_membership(app: &App, id: &str) -> Result<(Membership, Project), ApiError> {
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let m = store::find(&app.db, id).await?.ok_or_else(not_found)?;
    let p = projects::find_by_id(&app.db, m.project_id)
        .await?
        .ok_or_else(not_found)?;
    Ok((m, p))
}

/// `GET /memberships/:id`: `view_members` in its project.
pub async fn show(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (m, p) = load_membership(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    Ok(Reply::ok(membership_document(app, &m).await?))
}

/// The givable roles the caller may hand out in the project (memberships.md §7).
async fn manageable_roles(app: &App, ctx: &Ctx, p: &Project) -> Result<Vec<Role>, ApiError> {
    let givable: Vec<Role> = reference::roles(&app.db)
        .await?
        .into_iter()
        .filter(|r| r.builtin == 0)
        .collect();
    if caller(ctx).admin {
        return Ok(givable);
    }
    // only the caller's own membership counts, never its builtin role
    if store::find_for(&app.db, ctx.current.user.id, p.id)
        .await?
        .is_none()
    {
        return Ok(Vec::new());
    }
    let managing: Vec<Role> = caller_roles(app, ctx, p)
        .await?
        .into_iter()
        .filter(|r| access::role_allows(r, &["manage_members"]))
        .collect();
    if managing.iter().any(|r| r.all_roles_managed) {
        Ok(givable)
    } else {
        Ok(Vec::new())
    }
}

/// The requested role ids that the caller may give, in the order given, without repeats.
fn wanted_roles(body: &Value, manageable: &[Role]) -> Vec<i64> {
    let mut out = Vec::new();
    for id in body.get("role_ids").map(id_list).unwrap_or_default() {
        if manageable.iter().any(|r| r.id == id) && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// `POST /projects/:id/memberships`: `manage_members`; one membership per principal of
/// `user_id` (or `user_ids`), answered with the first.
pub async fn create(app: &App, ctx: &Ctx, project: &str) -> ApiResult {
    let p = load(app, project).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let body = ctx.param("membership").cloned().unwrap_or(Value::Null);
    let principals: Vec<Option<i64>> = match body.get("user_id").filter(|v| !v.is_null()) {
        Some(v) => vec![id_list(v).first().copied()],
        None => {
            let ids = body.get("user_ids").map(id_list).unwrap_or_default();
            if ids.is_empty() {
                vec![None]
            } else {
                ids.into_iter().map(Some).collect()
            }
        }
    };
    let roles = wanted_roles(&body, &manageable_roles(app, ctx, &p).await?);
    let mut valid = Vec::new();
    let mut first_errors = None;
    for (i, principal) in principals.iter().enumerate() {
        let mut errors = Vec::new();
        let exists = match principal {
            Some(id) => app_principal_exists(app, *id).await?,
            None => false,
        };
        if !exists {
            errors.push("Principal cannot be blank".to_owned());
        } else if let Some(id) = principal {
            let taken = store::find_for(&app.db, *id, p.id).await?.is_some()
                || valid.iter().any(|(v, _)| v == id);
            if taken {
                errors.push("User has already been taken".to_owned());
            }
        }
        if roles.is_empty() {
            errors.push("Role cannot be empty".to_owned());
        }
        if !errors.is_empty() {
            if i == 0 {
                first_errors = Some(errors);
            }
            break;
        }
        valid.push((principal.unwrap_or_default(), roles.clone()));
    }
    if let Some(errors) = first_errors {
        return Err(ApiError::Validation(errors));
    }
    let ids = store::create_many(&app.db, p.id, &valid).await?;
    let first = store::find(&app.db, ids[0])
        .await?
        .ok_or(ApiError::Internal)?;
    let doc = membership_document(app, &first).await?;
    Ok(Reply::Created(
        doc,
        ctx.location(&format!("/memberships/{}", first.id)),
    ))
}

/// Users (not the anonymous user), groups and the builtin groups can be members.
async fn app_principal_exists(app: &App, id: i64) -> Result<bool, ApiError> {
    Ok(crate::store::users::principal_kind(&app.db, id)
        .await?
        .is_some_and(|(kind, _)| {
            matches!(
                kind.as_str(),
                "User" | "Group" | "GroupNonMember" | "GroupAnonymous"
            )
        }))
}

/// `PUT /memberships/:id`: `manage_members`; only `role_ids` counts. Roles the caller
/// cannot manage stay; inherited ones always stay.
pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (m, p) = load_membership(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let Some(body) = ctx.param("membership").filter(|b| b.is_object()) else {
        return Ok(Reply::NoContent);
    };
    let manageable = manageable_roles(app, ctx, &p).await?;
    let requested = wanted_roles(body, &manageable);
    let current = store::roles_of(&app.db, &[m.id]).await?;
    let direct: Vec<&MemberRole> = current
        .iter()
        .filter(|r| r.inherited_from.is_none())
        .collect();
    let untouched: Vec<i64> = direct
        .iter()
        .filter(|r| !manageable.iter().any(|x| x.id == r.role_id))
        .map(|r| r.role_id)
        .collect();
    let inherited: Vec<i64> = current
        .iter()
        .filter(|r| r.inherited_from.is_some())
        .map(|r| r.role_id)
        .collect();
    let keep = |role: i64| requested.contains(&role) || untouched.contains(&role);
    if requested.is_empty() && untouched.is_empty() && inherited.is_empty() {
        return Err(ApiError::Validation(vec!["Role cannot be empty".into()]));
    }
    let remove: Vec<i64> = direct
        .iter()
        .filter(|r| !keep(r.role_id) && !inherited.contains(&r.role_id))
        .map(|r| r.id)
        .collect();
    let present: Vec<i64> = current.iter().map(|r| r.role_id).collect();
    let add: Vec<i64> = requested
        .iter()
        .filter(|r| !present.contains(r))
        .copied()
        .collect();
    store::change_roles(&app.db, m.id, &remove, &add).await?;
    Ok(Reply::NoContent)
}

/// `DELETE /memberships/:id`: `manage_members`; refused (422, empty) when the membership
/// has inherited roles or roles the caller cannot manage.
pub async fn destroy(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let (m, p) = load_membership(app, id).await?;
    authorize(app, ctx, &p, ctx.required).await?;
    let roles = store::roles_of(&app.db, &[m.id]).await?;
    let manageable = manageable_roles(app, ctx, &p).await?;
    let deletable = roles.iter().all(|r| r.inherited_from.is_none())
        && roles
            .iter()
            .all(|r| manageable.iter().any(|x| x.id == r.role_id));
    if !deletable {
        return Err(ApiError::Status(StatusCode::UNPROCESSABLE_ENTITY));
    }
    store::delete(&app.db, &m).await?;
    Ok(Reply::NoContent)
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(
            &["GET"],
            "/projects/{project_id}/memberships",
            Permission(&["view_members", "manage_members"]),
            |a, c, p| Box::pin(index(a, c, &p[0])),
        ),
        route(
            &["POST"],
            "/projects/{project_id}/memberships",
            Permission(&["manage_members"]),
            |a, c, p| Box::pin(create(a, c, &p[0])),
        ),
        route(
            &["GET"],
            "/memberships/{id}",
            Permission(&["view_members"]),
            |a, c, p| Box::pin(show(a, c, &p[0])),
        ),
        route(
            &["PUT", "PATCH"],
            "/memberships/{id}",
            Permission(&["manage_members"]),
            |a, c, p| Box::pin(update(a, c, &p[0])),
        ),
        route(
            &["DELETE"],
            "/memberships/{id}",
            Permission(&["manage_members"]),
            |a, c, p| Box::pin(destroy(a, c, &p[0])),
        ),
    ]
}
