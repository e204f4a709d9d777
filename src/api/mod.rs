//! One module per Redmine resource: parameters → domain → render.

pub mod access;
pub mod admin;
pub mod custom_fields;
pub mod custom_values;
pub mod enumerations;
pub mod groups;
pub mod issue_categories;
pub mod issue_statuses;
pub mod issues;
pub mod journals;
pub mod memberships;
pub mod my_account;
pub mod projects;
pub mod queries;
pub mod references;
pub mod relations;
pub mod roles;
pub mod routes;
pub mod trackers;
pub mod users;
pub mod versions;
pub mod watchers;

use crate::domain::Caller;
use crate::http::Ctx;

pub fn caller(ctx: &Ctx) -> Caller {
    Caller {
        user_id: ctx.current.user.id,
        logged: ctx.current.logged,
        admin: ctx.current.is_admin(),
    }
}
