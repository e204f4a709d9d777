//! Creating issues: defaults, validation, workflow field rules.

use crate::common::*;
use crate::per_backend;
use crate::{issue, setup, with_developer};

async fn create_defaults_and_validation(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    let r = issue(
        &s,
        json!({"project_id": "alpha", "subject": "First", "description": "a\nb"}),
    )
    .await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let i = r.json()["issue"].clone();
    assert_eq!(
        (
            i["tracker"]["id"].clone(),
            i["status"].clone(),
            i["priority"]["id"].clone()
        ),
        (
            json!(1),
            json!({"id": 1, "name": "New", "is_closed": false}),
            json!(2)
        )
    );
    assert_eq!(i["description"], "a\r\nb", "line breaks are stored as CRLF");
    assert!(i["start_date"].is_string());
    assert!(
        i.get("spent_hours").is_none(),
        "not in the answer of POST /issues"
    );
    let keys: Vec<&String> = i.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "project",
            "tracker",
            "status",
            "priority",
            "author",
            "subject",
            "description",
            "start_date",
            "due_date",
            "done_ratio",
            "is_private",
            "estimated_hours",
            "total_estimated_hours",
            "created_on",
            "updated_on",
            "closed_on"
        ]
    );
    let shown = s
        .get(&format!("/issues/{}.json", i["id"]))
        .send()
        .await
        .json();
    assert_eq!(shown["issue"]["spent_hours"], json!(0.0));
    let r = issue(&s, json!({"project_id": 1, "subject": "x", "priority_id": "", "done_ratio": 150, "estimated_hours": "-1", "start_date": "2020-13-01", "due_date": "2020/01/01", "category_id": 99, "fixed_version_id": 99})).await;
    assert_eq!(
        r.json(),
        json!({"errors": ["Priority cannot be blank", "% Done is not included in the list", "Estimated time is invalid", "Start date is not a valid date", "Due date is not a valid date", "Target version is not included in the list", "Category is not included in the list"]})
    );
    assert_eq!(
        issue(&s, json!({})).await.json(),
        json!({"errors": ["Subject cannot be blank", "Project cannot be blank", "Tracker cannot be blank", "Status cannot be blank"]})
    );
    assert_eq!(issue(&s, json!({"project_id": 1, "subject": "d", "start_date": "2024-02-02", "due_date": "2024-02-01"})).await.json(), json!({"errors": ["Due date must be greater than start date"]}));
    let r = issue(&s, json!({"project_id": 1, "subject": "h", "estimated_hours": "1h30", "status_id": 5, "is_private": true})).await;
    let i = r.json()["issue"].clone();
    assert_eq!(
        (
            i["estimated_hours"].clone(),
            i["is_private"].clone(),
            i["status"]["id"].clone()
        ),
        (json!(1.5), json!(true), json!(1)),
        "status 5 is not allowed for a new issue"
    );
    assert_eq!(
        s.req(Method::POST, "/projects/nope/issues.json")
            .key(ADMIN_KEY)
            .json(json!({"issue": {"subject": "x"}}))
            .send()
            .await
            .status,
        404
    );
    let r = s
        .req(Method::POST, "/projects/alpha/issues.json")
        .key(ADMIN_KEY)
        .json(json!({"issue": {"subject": "From URL"}}))
        .send()
        .await;
    assert_eq!(r.json()["issue"]["spent_hours"], json!(0.0));
    assert_eq!(
        s.req(Method::POST, "/issues.json")
            .json(json!({"issue": {"project_id": 1, "subject": "anon"}}))
            .send()
            .await
            .status,
        401
    );
}

/// Workflow field rules (set through the administration extension): read-only fields are
/// ignored, required ones must be filled, for the status the issue will have.
async fn workflow_field_rules(b: Backend) {
    let s = with_developer(b).await;
    let r = s
        .put(
            "/workflows.json",
            json!({"workflow": {"role_ids": [4], "tracker_ids": [1], "field_rules": [
                {"status_id": 1, "field_name": "due_date", "rule": "required"},
                {"status_id": 1, "field_name": "description", "rule": "readonly"},
                {"status_id": 2, "field_name": "estimated_hours", "rule": "required"}
            ]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{b:?} {}", r.text);
    let as_dev = |m: Method, p: String| s.req(m, &p).basic("dev", "secret-pass1");
    let r = as_dev(Method::POST, "/issues.json".into())
        .json(json!({"issue": {"project_id": 1, "subject": "x"}}))
        .send()
        .await;
    assert_eq!(r.json(), json!({"errors": ["Due date cannot be blank"]}));
    let r = as_dev(Method::POST, "/issues.json".into()).json(json!({"issue": {"project_id": 1, "subject": "x", "due_date": "2030-01-01", "description": "ignored"}})).send().await;
    assert_eq!(r.status, 201, "{}", r.text);
    let i = r.json()["issue"].clone();
    assert_eq!(i["description"], Value::Null, "read-only for the Developer");
    let path = format!("/issues/{}.json", i["id"]);
    // moving to In Progress requires an estimate
    let r = as_dev(Method::PUT, path.clone())
        .json(json!({"issue": {"status_id": 2}}))
        .send()
        .await;
    assert_eq!(
        r.json(),
        json!({"errors": ["Estimated time cannot be blank"]})
    );
    assert_eq!(
        as_dev(Method::PUT, path.clone())
            .json(json!({"issue": {"status_id": 2, "estimated_hours": 3}}))
            .send()
            .await
            .status,
        204
    );
    // an admin is judged by every role: only the Developer has rules, so none apply
    assert_eq!(
        issue(
            &s,
            json!({"project_id": 1, "subject": "admin", "description": "kept"})
        )
        .await
        .json()["issue"]["description"],
        "kept"
    );
    assert_eq!(s.put("/workflows.json", json!({"workflow": {"role_ids": [4], "tracker_ids": [1], "field_rules": [{"status_id": 1, "field_name": "x", "rule": "maybe"}]}})).send().await.json(), json!({"errors": ["Field rule is invalid"]}));
}

per_backend!(create_defaults_and_validation, workflow_field_rules,);
