//! `/users`: list, show (`current` too), create, update, delete.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::api::access::visible_principals;
use crate::api::caller;
use crate::api::custom_values as cv;
use crate::domain::password;
use crate::domain::users::{self as rules, Candidate, Exposure, Taken, Writer};
use crate::http::{not_found, ruby_to_i, ApiError, ApiResult, Ctx, Reply};
use crate::render::{attrs_item, document, list, object_item, page_meta, Obj};
use crate::state::App;
use crate::store::users::{self, ListFilter, User};

const SORTABLE: &[&str] = &[
    "login",
    "firstname",
    "lastname",
    "admin",
    "created_on",
    "last_login_on",
];

/// `GET /users` (admin only): `status` (default active, blank = all), `name`, `group_id`,
/// `sort`, pagination.
pub async fn index(app: &App, ctx: &Ctx) -> ApiResult {
    let status = match ctx.param_str("status") {
        None => Some(users::STATUS_ACTIVE),
        Some(s) if s.is_empty() => None,
        Some(s) => Some(ruby_to_i(&s)),
    };
    let order = match ctx.param("sort") {
        None => vec![("login", false)],
        Some(_) => ctx
            .sort_criteria()
            .into_iter()
            .filter_map(|(c, desc)| SORTABLE.iter().find(|s| **s == c).map(|s| (*s, desc)))
            .collect(),
    };
    let filter = ListFilter {
        status,
        name: ctx.param_str("name"),
        group_id: ctx
            .param_str("group_id")
            .filter(|g| !g.is_empty())
            .map(|g| ruby_to_i(&g)),
        order,
    };
    let (offset, limit) = ctx.offset_and_limit();
    let (total, page) = users::list(&app.db, &filter, offset, limit).await?;
    let ids: Vec<i64> = page.iter().map(|u| u.id).collect();
    let custom = UserValues::load(app, &ids).await?;
    let items = page
        .iter()
        .map(|u| {
            // the list is the administrator's: every field but the key and status
            let shape = UserShape {
                exposure: Exposure {
                    admin_flag: true,
                    mail: true,
                    private: true,
                    status: false,
                },
                api_key: None,
                account: false,
            };
            let mut o = user_object(u, &shape);
            custom.put(&mut o, u.id);
            object_item("user", o)
        })
        .collect();
    Ok(Reply::ok(list(
        "users",
        page_meta(total, offset, limit, ctx.nometa()),
        items,
    )))
}

/// The user named by `:id` (`current` or a number), for reading.
async fn target(app: &App, ctx: &Ctx, id: &str) -> Result<User, ApiError> {
    if id == "current" {
        caller(ctx).require_login()?;
        return Ok(ctx.current.user.clone());
    }
    let id: i64 = id.parse().map_err(|_| not_found())?;
    users::find(&app.db, id).await?.ok_or_else(not_found)
}

/// `GET /users/:id`: what the caller may see of a visible user; 404 otherwise.
pub async fn show(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let user = target(app, ctx, id).await?;
    let c = caller(ctx);
    if !(c.admin || c.logged && c.user_id == user.id)
        && visible_principals(app, ctx, &[(user.id, user.status)])
            .await?
            .is_empty()
    {
        return Err(not_found());
    }
    let exposure = rules::exposure(&c, user.id, user.hide_mail);
    Ok(Reply::ok(user_document(app, ctx, &user, exposure).await?))
}

/// Which fields of a user an answer shows, and the shape it has.
pub struct UserShape {
    pub exposure: Exposure,
    /// The API key, for the user itself or an administrator.
    pub api_key: Option<String>,
    /// `/my/account`'s shape: without `updated_on`, `passwd_changed_on`, `twofa_scheme`.
    pub account: bool,
}

/// The one user object (`/users`, `/users/:id`, `/my/account`), in Redmine's field order.
pub fn user_object(u: &User, shape: &UserShape) -> Obj {
    let exp = &shape.exposure;
    let mut o = Obj::new();
    o.val("id", u.id).val("login", u.login.clone());
    if exp.admin_flag {
        o.val("admin", u.admin);
    }
    o.val("firstname", u.firstname.clone())
        .val("lastname", u.lastname.clone());
    if exp.mail {
        o.val("mail", u.mail.clone());
    }
    o.time("created_on", Some(u.created_on));
    if !shape.account {
        o.time("updated_on", Some(u.updated_on));
    }
    o.time("last_login_on", u.last_login_on);
    if !shape.account {
        o.time("passwd_changed_on", u.passwd_changed_on);
        if exp.private {
            o.val("twofa_scheme", u.twofa_scheme.clone());
        }
    }
    if let Some(key) = &shape.api_key {
        o.val("api_key", key.clone());
    }
    if exp.status {
        o.val("status", u.status);
    }
    o
}

async fn user_document(
    app: &App,
    ctx: &Ctx,
    u: &User,
    exp: Exposure,
) -> Result<crate::render::Node, ApiError> {
    // no token hands out keys that would outlive it, not even an administrator's
    let key_shown = exp.private && ctx.current.oauth.is_none();
    let api_key = match key_shown {
        true => Some(users::api_key(&app.db, u.id).await?),
        false => None,
    };
    let mut o = user_object(
        u,
        &UserShape {
            exposure: exp,
            api_key,
            account: false,
        },
    );
    UserValues::load(app, &[u.id]).await?.put(&mut o, u.id);
    if ctx.current.is_admin() && ctx.includes("groups") {
        let groups = users::groups_of(&app.db, u.id)
            .await?
            .into_iter()
            .map(|(id, name)| attrs_item("group", vec![("id", id.into()), ("name", name.into())]))
            .collect();
        o.array("groups", groups);
    }
    if ctx.includes("memberships") {
        let visible = crate::api::groups::principal_memberships(app, ctx, u.id).await?;
        o.array("memberships", visible);
    }
    Ok(document("user", o))
}

/// User (or group) custom fields and some principals' values. Only fields marked visible
/// are shown, to everybody including administrators (users.md §2.1, groups.md).
pub struct UserValues {
    fields: crate::store::custom_values::IssueFields,
    values: cv::Values,
}

impl UserValues {
    pub async fn load(app: &App, ids: &[i64]) -> Result<UserValues, ApiError> {
        UserValues::of(app, "UserCustomField", ids).await
    }

    /// The values of `field_type`'s fields (`UserCustomField`, `GroupCustomField`).
    pub async fn of(app: &App, field_type: &str, ids: &[i64]) -> Result<UserValues, ApiError> {
        let fields = crate::store::custom_values::fields_of(&app.db, field_type).await?;
        let values = if fields.fields.iter().any(|(f, _, _)| f.visible) {
            crate::store::custom_values::values_of(&app.db, "Principal", ids).await?
        } else {
            cv::Values::new()
        };
        Ok(UserValues { fields, values })
    }

    /// Adds `custom_fields` to a user's object when a visible field exists.
    pub fn put(&self, o: &mut Obj, user: i64) {
        let nodes = cv::object_nodes(&self.fields, &self.values, user, |f| f.visible);
        if !nodes.is_empty() {
            o.array("custom_fields", nodes);
        }
    }
}

/// The `user` hash of the body, or an empty one.
pub fn user_param(ctx: &Ctx) -> Option<Value> {
    match ctx.param("user") {
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(_) => Some(Value::Object(Map::new())),
        None => None,
    }
}

/// Validates and hashes; returns the changes ready for the store, or the 422.
pub async fn prepare(
    app: &App,
    existing: Option<&User>,
    input: rules::Input,
    body: &Value,
) -> Result<users::UserChanges, ApiError> {
    let rules::Input {
        mut changes,
        mut password,
        password_confirmation,
        generate_password,
        status_given,
    } = input;
    if generate_password && password.is_none() {
        password = Some(password::random_password());
    }
    let pick = |new: &Option<String>, old: Option<&String>| {
        new.clone().or_else(|| old.cloned()).unwrap_or_default()
    };
    let candidate = Candidate {
        login: pick(&changes.login, existing.map(|u| &u.login)),
        firstname: pick(&changes.firstname, existing.map(|u| &u.firstname)),
        lastname: pick(&changes.lastname, existing.map(|u| &u.lastname)),
        mail: changes
            .mail
            .clone()
            .or_else(|| existing.and_then(|u| u.mail.clone())),
        status: changes.status.or(existing.map(|u| u.status)),
        mail_notification: pick(
            &changes.mail_notification,
            existing.map(|u| &u.mail_notification),
        ),
        password: password.clone(),
        password_confirmation,
    };
    let except = existing.map(|u| u.id);
    let taken = Taken {
        login: !candidate.login.is_empty()
            && users::login_taken(&app.db, &candidate.login, except).await?,
        mail: match candidate.mail.as_deref() {
            Some(m) if !m.is_empty() => users::mail_taken(&app.db, m, except).await?,
            _ => false,
        },
    };
    let status_changed = status_given && existing.is_none_or(|u| Some(u.status) != changes.status);
    // every user custom field can be written, even hidden or not editable ones (probed)
    let fields = crate::store::custom_values::fields_of(&app.db, "UserCustomField").await?;
    let custom = cv::object_apply(
        app,
        &fields,
        body,
        "Principal",
        existing.map(|u| u.id),
        |_| true,
    )
    .await?;
    let mut errors = custom.errors;
    errors.extend(rules::validate(
        &candidate,
        taken,
        status_changed,
        app.settings.password_min_length,
    ));
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    changes.custom = custom.values;
    changes.replaced_files = custom.replaced;
    if let Some(pw) = password {
        let hashed = tokio::task::spawn_blocking(move || password::hash(&pw))
            .await
            .map_err(|_| ApiError::Internal)?;
        changes.hashed_password = Some(hashed);
    }
    Ok(changes)
}

/// A concurrent write took the login or the address between our check and the insert:
/// the unique index refuses it, and the client gets the message the check would have given.
fn taken_or_internal(e: crate::store::Error) -> ApiError {
    match e.unique_violation() {
        Some(what) => {
            let field = if what.contains("email") {
                "Email"
            } else {
                "Login"
            };
            ApiError::Validation(vec![format!("{field} has already been taken")])
        }
        None => e.into(),
    }
}

/// `POST /users` (admin only): 201 with the new user as the admin sees it.
pub async fn create(app: &App, ctx: &Ctx) -> ApiResult {
    let c = caller(ctx);
    let user = user_param(ctx).unwrap_or_else(|| Value::Object(Map::new()));
    let input = rules::read_input(Writer::AdminCreate, &user, ctx.param("pref"));
    let changes = prepare(app, None, input, &user).await?;
    let id = match users::create(&app.db, &changes, app.settings.default_users_hide_mail).await {
        Ok(id) => id,
        Err(e) => return Err(taken_or_internal(e)),
    };
    let created = users::find(&app.db, id).await?.ok_or(ApiError::Internal)?;
    let exposure = rules::exposure(&c, created.id, created.hide_mail);
    let doc = user_document(app, ctx, &created, exposure).await?;
    Ok(Reply::Created(doc, ctx.location(&format!("/users/{id}"))))
}

/// `PUT /users/:id` (admin only): 204, or 422 with the messages.
pub async fn update(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let c = caller(ctx);
    let id = if id == "current" {
        c.user_id
    } else {
        id.parse().map_err(|_| not_found())?
    };
    let existing = users::find(&app.db, id)
        .await?
        .filter(|u| !u.is_anonymous())
        .ok_or_else(not_found)?;
    let Some(user) = user_param(ctx) else {
        return Ok(Reply::NoContent);
    };
    let input = rules::read_input(Writer::AdminUpdate, &user, ctx.param("pref"));
    let changes = prepare(app, Some(&existing), input, &user).await?;
    write_update(app, existing.id, &changes).await
}

pub async fn write_update(app: &App, id: i64, changes: &users::UserChanges) -> ApiResult {
    match users::update(&app.db, id, changes).await {
        Ok(()) => {
            cv::remove_files(app, &changes.replaced_files).await;
            Ok(Reply::NoContent)
        }
        Err(e) => Err(taken_or_internal(e)),
    }
}

/// `DELETE /users/:id` (admin only): 204; deleting oneself follows Redmine's rule (422).
pub async fn destroy(app: &App, ctx: &Ctx, id: &str) -> ApiResult {
    let c = caller(ctx);
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let user = users::find(&app.db, id)
        .await?
        .filter(|u| !u.is_anonymous())
        .ok_or_else(not_found)?;
    if user.id == c.user_id {
        let other_admin = users::other_active_admin_exists(&app.db, c.user_id).await?;
        if !rules::may_delete_self(&c, app.settings.unsubscribe, other_admin) {
            return Err(ApiError::Status(StatusCode::UNPROCESSABLE_ENTITY));
        }
    }
    let files = users::delete(&app.db, user.id).await?;
    cv::remove_files(app, &files).await;
    Ok(Reply::NoContent)
}

/// The routes of this resource, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    use crate::api::route;
    use crate::http::pipeline::Guard::*;
    vec![
        route(&["GET"], "/users", Admin, |a, c, _| Box::pin(index(a, c))),
        route(&["POST"], "/users", Admin, |a, c, _| Box::pin(create(a, c))),
        route(&["GET"], "/users/{id}", Anyone, |a, c, p| {
            Box::pin(show(a, c, &p[0]))
        }),
        route(&["PUT", "PATCH"], "/users/{id}", Admin, |a, c, p| {
            Box::pin(update(a, c, &p[0]))
        }),
        route(&["DELETE"], "/users/{id}", Admin, |a, c, p| {
            Box::pin(destroy(a, c, &p[0]))
        }),
    ]
}
