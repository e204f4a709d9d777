//! OAuth2 as Redmine 6.1 offers it: applications registered by administrators (through
//! the administration extension), the authorization code flow with PKCE, tokens.

pub mod applications;
pub mod authorize;
pub mod token;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use crate::state::App;

/// The routes of this resource that go through the API pipeline, each with its guard.
pub fn routes() -> Vec<crate::api::Route> {
    applications::routes()
}

/// The flow's own endpoints: an HTML page and OAuth's JSON, outside the API's formats.
pub fn flow() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/oauth/authorize",
            get(authorize::show).post(authorize::decide),
        )
        .route("/oauth/token", post(token::token))
        .route("/oauth/revoke", post(token::revoke))
        .route("/oauth/token/info", get(token::info))
}
