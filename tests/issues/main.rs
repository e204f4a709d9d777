//! Black-box tests of issues, by topic; each test runs once per backend.

#[path = "../common/mod.rs"]
mod common;
use common::*;

mod create;
mod custom_fields;
mod lists;
mod subject_words;
mod subtasks;
mod update;
mod watchers;

pub async fn setup(s: &Server) {
    s.post(
        "/projects.json",
        json!({"project": {"name": "Alpha", "identifier": "alpha"}}),
    )
    .send()
    .await;
}

/// A server with the admin API on, project Alpha, and user `dev` a Developer there.
pub async fn with_developer(b: Backend) -> Server {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    setup(&s).await;
    let dev = s.create_user("dev", "secret-pass1").await;
    s.add_member("alpha", dev, &[4]).await;
    s
}

pub async fn issue(s: &Server, body: Value) -> Resp {
    s.post("/issues.json", json!({ "issue": body }))
        .send()
        .await
}
