//! Attachment-format custom fields: a value names an upload by its token, keeps its file by
//! id, is checked against the field's extensions, and its file is seen with the value.

mod common;
use common::*;

async fn value_of(s: &Server, issue: i64, field: i64) -> Value {
    let j = s.get_json(&format!("/issues/{issue}.json")).await;
    j["issue"]["custom_fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == json!(field))
        .map(|c| c["value"].clone())
        .unwrap_or(Value::Null)
}

async fn files_on_issues(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    s.create_project("docs", false).await;
    let field = s
        .create_custom_field(json!({"name": "Spec", "customized_type": "issue",
            "field_format": "attachment", "extensions_allowed": "txt, pdf",
            "is_for_all": true, "tracker_ids": [1, 2, 3]}))
        .await;
    let (a, ta) = s.upload("spec.txt", "spec.txt".as_bytes()).await;
    let issue = s
        .create_issue(json!({"project_id": "docs", "subject": "With a spec",
            "custom_fields": [{"id": field, "value": {"token": ta}}]}))
        .await;
    assert_eq!(
        value_of(&s, issue, field).await,
        json!(a.to_string()),
        "{b:?}"
    );
    let r = s.get(&format!("/attachments/{a}.json")).send().await;
    assert_eq!(r.status, 200, "{b:?} {}", r.text);
    // not seen by who does not see the issue
    s.create_user("out", "out-pass-123").await;
    let r = s
        .get(&format!("/attachments/{a}.json"))
        .basic("out", "out-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    // a bad token, a refused extension: 422, nothing changes
    let (_, tx) = s.upload("tool.exe", "tool.exe".as_bytes()).await;
    for (value, message) in [
        (json!({"token": "99.dead"}), "Spec is invalid".to_owned()),
        (
            json!({"token": tx}),
            "Spec is invalid (Allowed extensions: txt, pdf)".to_owned(),
        ),
    ] {
        let r = s
            .put(
                &format!("/issues/{issue}.json"),
                json!({"issue": {"custom_fields": [{"id": field, "value": value}]}}),
            )
            .send()
            .await;
        assert_eq!(r.status, 422, "{b:?} {}", r.text);
        assert_eq!(r.json()["errors"], json!([message]));
    }
    // a field hidden from a member's roles is not theirs to empty, nor its file to drop
    let hidden = s
        .create_custom_field(json!({"name": "Secret scan", "customized_type": "issue",
            "field_format": "attachment", "visible": false, "role_ids": [3],
            "is_for_all": true, "tracker_ids": [1, 2, 3]}))
        .await;
    let (h, th) = s.upload("scan.txt", "scan.txt".as_bytes()).await;
    let r = s
        .put(
            &format!("/issues/{issue}.json"),
            json!({"issue": {"custom_fields": [{"id": hidden, "value": {"token": th}}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let dev = s.create_user("dev", "dev-pass-123").await;
    s.add_member("docs", dev, &[4]).await;
    let r = s
        .put(
            &format!("/issues/{issue}.json"),
            json!({"issue": {"custom_fields": [{"id": hidden, "value": ""}]}}),
        )
        .basic("dev", "dev-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 204, "{b:?} {}", r.text);
    let r = s.get(&format!("/attachments/download/{h}")).send().await;
    assert_eq!(r.status, 200, "{b:?}");
    assert_eq!(value_of(&s, issue, hidden).await, json!(h.to_string()));
    let r = s
        .get(&format!("/attachments/{h}.json"))
        .basic("dev", "dev-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403);
    // keeping the file by its id; another id is not this value's file: blank
    let keep = |v: Value| json!({"issue": {"custom_fields": [{"id": field, "value": v}]}});
    let r = s
        .put(&format!("/issues/{issue}.json"), keep(json!({"id": a})))
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(value_of(&s, issue, field).await, json!(a.to_string()));
    // a new file replaces the old one, which goes
    let (b2, tb) = s.upload("spec-2.pdf", "spec-2.pdf".as_bytes()).await;
    let r = s
        .put(&format!("/issues/{issue}.json"), keep(json!({"token": tb})))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(value_of(&s, issue, field).await, json!(b2.to_string()));
    let r = s.get(&format!("/attachments/{a}.json")).send().await;
    assert_eq!(r.status, 404, "{b:?}");
    let r = s
        .put(&format!("/issues/{issue}.json"), keep(json!("12345")))
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(value_of(&s, issue, field).await, json!(""));
    let r = s.get(&format!("/attachments/{b2}.json")).send().await;
    assert_eq!(r.status, 404);
    // deleting the issue takes the value's file along
    let (c, tc) = s.upload("last.txt", "last.txt".as_bytes()).await;
    let r = s
        .put(&format!("/issues/{issue}.json"), keep(json!({"token": tc})))
        .send()
        .await;
    assert_eq!(r.status, 204);
    let r = s.delete(&format!("/issues/{issue}.json")).send().await;
    assert_eq!(r.status, 204);
    let r = s.get(&format!("/attachments/{c}.json")).send().await;
    assert_eq!(r.status, 404);
}

per_backend!(files_on_issues);
