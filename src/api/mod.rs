//! One module per Redmine resource: its routes (each with its guard) beside its handlers,
//! which read parameters, apply the rules of `domain`, use `store` and build a `render`
//! tree. `access` is the one place for loading, roles, permissions and visibility.

pub mod access;
pub mod admin;
pub mod attachment_fields;
pub mod attachments;
pub mod custom_fields;
pub mod custom_values;
pub mod enumerations;
pub mod files;
pub mod groups;
pub mod issue_categories;
pub mod issue_statuses;
pub mod issues;
pub mod journals;
pub mod memberships;
pub mod my_account;
pub mod news;
pub mod oauth;
pub mod projects;
pub mod queries;
pub mod references;
pub mod relations;
pub mod roles;
pub mod search;
pub mod time_entries;
pub mod trackers;
pub mod users;
pub mod versions;
pub mod watchers;
pub mod wiki;

use std::sync::Arc;

use axum::extract::{RawPathParams, Request, State};
use axum::routing::{MethodFilter, MethodRouter};
use axum::Router;

use crate::domain::Caller;
use crate::http::pipeline::{self, Guard, Handler};
use crate::http::Ctx;
use crate::state::App;

pub fn caller(ctx: &Ctx) -> Caller {
    ctx.current.caller()
}

/// A route: its methods, its path (axum syntax, without the format extension), the guard
/// that says who may call it, and its handler.
pub struct Route {
    methods: &'static [&'static str],
    path: &'static str,
    guard: Guard,
    handler: Handler,
    /// Which path parameters must be digits for the route to match (Redmine's route
    /// constraints); a request breaking one is answered as for no route.
    numeric: usize,
    /// The answer is an issue's, kept while its stamps hold: the credentials' statement
    /// reads them for the issue the first parameter names (`cache::per_request`).
    stamped: bool,
}

pub fn route(
    methods: &'static [&'static str],
    path: &'static str,
    guard: Guard,
    handler: Handler,
) -> Route {
    Route {
        methods,
        path,
        guard,
        handler,
        numeric: 0,
        stamped: false,
    }
}

impl Route {
    /// Every path parameter must be digits.
    pub fn numeric(mut self) -> Route {
        self.numeric = usize::MAX;
        self
    }

    /// The first path parameter must be digits.
    pub fn numeric_first(mut self) -> Route {
        self.numeric = 1;
        self
    }

    /// The answer is the issue the first parameter names, kept while its stamps hold.
    pub fn stamped(mut self) -> Route {
        self.stamped = true;
        self
    }
}

/// Every resource's routes in one axum router; what matches nothing goes to the pipeline's
/// `unrouted`, a known path with another method too (Rails answers both 404).
pub fn router() -> Router<Arc<App>> {
    let all: Vec<Route> = [
        users::routes(),
        my_account::routes(),
        trackers::routes(),
        issue_statuses::routes(),
        enumerations::routes(),
        roles::routes(),
        custom_fields::routes(),
        groups::routes(),
        queries::routes(),
        projects::routes(),
        memberships::routes(),
        versions::routes(),
        issue_categories::routes(),
        issues::routes(),
        journals::routes(),
        relations::routes(),
        watchers::routes(),
        time_entries::routes(),
        wiki::routes(),
        attachments::routes(),
        files::routes(),
        news::routes(),
        search::routes(),
        oauth::routes(),
        admin::routes(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut by_path: Vec<(&'static str, MethodRouter<Arc<App>>)> = Vec::new();
    for r in all {
        let Route {
            methods,
            path,
            guard,
            handler,
            numeric,
            stamped,
        } = r;
        let serve = move |State(app): State<Arc<App>>, raw: RawPathParams, req: Request| async move {
            let params: Vec<String> = raw.iter().map(|(_, v)| v.to_owned()).collect();
            let digits = |s: &String| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if params.iter().take(numeric).any(|p| !digits(p)) {
                return pipeline::unrouted(req).await;
            }
            let endpoint = pipeline::Endpoint {
                guard,
                handler,
                params,
            };
            let issue = stamped
                .then(|| endpoint.params.first()?.parse().ok())
                .flatten();
            crate::store::cache::per_request(issue, pipeline::respond(&app, req, endpoint)).await
        };
        let mut methods_router = match by_path.iter().position(|(p, _)| *p == path) {
            Some(i) => by_path.remove(i).1,
            None => MethodRouter::new(),
        };
        for m in methods {
            let filter = match *m {
                "GET" => MethodFilter::GET,
                "POST" => MethodFilter::POST,
                "PUT" => MethodFilter::PUT,
                "PATCH" => MethodFilter::PATCH,
                _ => MethodFilter::DELETE,
            };
            methods_router = methods_router.on(filter, serve);
        }
        by_path.push((path, methods_router));
    }
    let mut router = Router::new();
    for (path, methods) in by_path {
        router = router.route(path, methods);
    }
    router
        .fallback(pipeline::unrouted)
        .method_not_allowed_fallback(pipeline::unrouted)
}
