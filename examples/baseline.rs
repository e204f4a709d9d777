//! The benchmark baseline: a bare axum server answering a fixed 1.2 KB JSON body, so
//! carmine's figures can be read as a fraction of what this machine's HTTP stack allows.
//! `cargo run --release --example baseline -- 127.0.0.1:3999`

use axum::http::header;
use axum::routing::get;
use axum::Router;

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3999".into());
    let item = r#"{"id":1,"name":"Bug","default_status":{"id":1,"name":"New"},"description":null,"enabled_standard_fields":["assigned_to_id","category_id","fixed_version_id","parent_issue_id","start_date","due_date","estimated_hours","done_ratio","description"]}"#;
    let body: &'static str =
        Box::leak(format!("{{\"trackers\":[{item},{item},{item},{item}]}}").into_boxed_str());
    let app = Router::new().fallback(get(move || async move {
        (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            body,
        )
    }));
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
