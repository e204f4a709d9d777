//! carmine's administration extension (setting `admin_api_enabled`): trackers, statuses,
//! enumerations, roles, workflows and custom fields managed through the API.

mod common;
use common::*;

async fn off_by_default_like_redmine(b: Backend) {
    let s = Server::start(b).await;
    for (method, path) in [
        (Method::POST, "/trackers.json"),
        (Method::PUT, "/roles/3.json"),
        (Method::DELETE, "/issue_statuses/1.json"),
        (Method::GET, "/workflows.json"),
    ] {
        let r = s
            .req(method.clone(), path)
            .key(ADMIN_KEY)
            .json(json!({"tracker": {"name": "X"}}))
            .send()
            .await;
        assert_eq!(r.status, 403, "{b:?} {method} {path}");
    }
    assert_eq!(
        s.get("/trackers.json").send().await.json()["trackers"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

fn enabled() -> Options {
    Options {
        settings: vec![("admin_api_enabled", "1")],
        ..Default::default()
    }
}

async fn trackers_statuses_enumerations(b: Backend) {
    let s = Server::start_with(b, enabled()).await;
    let r = s.post("/trackers.json", json!({"tracker": {"name": "Task", "default_status_id": 2, "enabled_standard_fields": ["assigned_to_id", "due_date"]}})).send().await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let t = r.json()["tracker"].clone();
    assert_eq!(t["default_status"], json!({"id": 2, "name": "In Progress"}));
    assert_eq!(
        t["enabled_standard_fields"],
        json!(["assigned_to_id", "due_date"])
    );
    let tid = t["id"].as_i64().unwrap();
    assert_eq!(
        s.post("/trackers.json", json!({"tracker": {"name": "bug"}}))
            .send()
            .await
            .json(),
        json!({"errors": ["Default status cannot be blank", "Name has already been taken"]})
    );
    assert_eq!(
        s.put(
            &format!("/trackers/{tid}.json"),
            json!({"tracker": {"name": "Chore"}})
        )
        .send()
        .await
        .status,
        204
    );
    let names: Vec<String> = s.get("/trackers.json").send().await.json()["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Bug", "Feature", "Support", "Chore"]);
    assert_eq!(
        s.delete(&format!("/trackers/{tid}.json"))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.delete(&format!("/trackers/{tid}.json"))
            .send()
            .await
            .status,
        404
    );

    let r = s
        .post(
            "/issue_statuses.json",
            json!({"issue_status": {"name": "Blocked", "is_closed": false}}),
        )
        .send()
        .await;
    assert_eq!(r.json()["issue_status"]["name"], "Blocked");
    assert_eq!(
        s.post(
            "/issue_statuses.json",
            json!({"issue_status": {"name": "new"}})
        )
        .send()
        .await
        .json(),
        json!({"errors": ["Name has already been taken"]})
    );
    assert_eq!(
        s.delete("/issue_statuses/1.json").send().await.json(),
        json!({"errors": ["Unable to delete issue status"]}),
        "trackers default to New"
    );
    let sid = r.json()["issue_status"]["id"].as_i64().unwrap();
    assert_eq!(
        s.delete(&format!("/issue_statuses/{sid}.json"))
            .send()
            .await
            .status,
        204
    );

    let r = s
        .post(
            "/enumerations/issue_priorities.json",
            json!({"enumeration": {"name": "Someday", "is_default": true}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let pid = r.json()["issue_priority"]["id"].as_i64().unwrap();
    let list = s
        .get("/enumerations/issue_priorities.json")
        .send()
        .await
        .json();
    let defaults: Vec<i64> = list["issue_priorities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["is_default"] == true)
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(defaults, [pid], "one default per kind");
    assert_eq!(
        s.put(
            &format!("/enumerations/{pid}.json"),
            json!({"enumeration": {"active": false}})
        )
        .send()
        .await
        .status,
        204
    );
    assert_eq!(
        s.post(
            "/enumerations.json",
            json!({"enumeration": {"type": "TimeEntryActivity", "name": "design"}})
        )
        .send()
        .await
        .json(),
        json!({"errors": ["Name has already been taken"]})
    );
    assert_eq!(
        s.post(
            "/enumerations.json",
            json!({"enumeration": {"type": "Colour", "name": "Red"}})
        )
        .send()
        .await
        .json(),
        json!({"errors": ["Type is not included in the list"]})
    );
    assert_eq!(
        s.delete(&format!("/enumerations/{pid}.json"))
            .send()
            .await
            .status,
        204
    );
}

async fn roles_workflows_custom_fields(b: Backend) {
    let s = Server::start_with(b, enabled()).await;
    let r = s.post("/roles.json", json!({"role": {"name": "Tester", "permissions": ["view_issues", "add_issues", "view_project", "no_such"], "issues_visibility": "own"}})).send().await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let role = r.json()["role"].clone();
    assert_eq!(
        role["permissions"],
        json!(["view_issues", "add_issues"]),
        "public and unknown permissions are not stored"
    );
    assert_eq!(role["issues_visibility"], "own");
    let rid = role["id"].as_i64().unwrap();
    assert_eq!(
        s.post(
            "/roles.json",
            json!({"role": {"name": "X", "users_visibility": "some"}})
        )
        .send()
        .await
        .json(),
        json!({"errors": ["Users visibility is not included in the list"]})
    );
    // Anonymous may not get logged-in-only permissions
    assert_eq!(
        s.put(
            "/roles/2.json",
            json!({"role": {"name": "Renamed", "permissions": ["view_issues", "log_time"]}})
        )
        .send()
        .await
        .status,
        204
    );
    let anon = s.get("/roles/2.json").send().await.json();
    assert_eq!(
        (
            anon["role"]["name"].clone(),
            anon["role"]["permissions"].clone()
        ),
        (json!("Anonymous"), json!(["view_issues"]))
    );
    assert_eq!(s.delete("/roles/1.json").send().await.status, 422);
    s.post(
        "/projects.json",
        json!({"project": {"name": "P", "identifier": "p"}}),
    )
    .send()
    .await;
    s.add_member("p", 1, &[rid]).await;
    assert_eq!(
        s.delete(&format!("/roles/{rid}.json")).send().await.json(),
        json!({"errors": ["This role is in use and cannot be deleted"]})
    );

    let wf = s
        .get("/workflows.json?role_id=5&tracker_id=1")
        .send()
        .await
        .json();
    assert_eq!(wf["workflows"].as_array().unwrap().len(), 5);
    let r = s.put("/workflows.json", json!({"workflow": {"role_ids": [5], "tracker_ids": [1, 2], "transitions": [{"old_status_id": 1, "new_status_id": 2}, {"old_status_id": 2, "new_status_id": 1, "author": true}]}})).send().await;
    assert_eq!(r.status, 204, "{}", r.text);
    let wf = s
        .get("/workflows.json?role_id=5&tracker_id=2")
        .send()
        .await
        .json();
    assert_eq!(
        wf["workflows"],
        json!([
            {"role_id": 5, "tracker_id": 2, "old_status_id": 1, "new_status_id": 2, "author": false, "assignee": false},
            {"role_id": 5, "tracker_id": 2, "old_status_id": 2, "new_status_id": 1, "author": true, "assignee": false}
        ])
    );
    assert_eq!(
        s.put(
            "/workflows.json",
            json!({"workflow": {"role_ids": [99], "tracker_ids": [1], "transitions": []}})
        )
        .send()
        .await
        .json(),
        json!({"errors": ["Role is invalid"]})
    );

    let r = s.post("/custom_fields.json", json!({"custom_field": {"customized_type": "issue", "name": "Database", "field_format": "list", "possible_values": ["PostgreSQL", "SQLite"], "multiple": true, "is_filter": true, "tracker_ids": [1], "role_ids": [4]}})).send().await;
    assert_eq!(r.status, 201, "{}", r.text);
    let cf = r.json()["custom_field"].clone();
    assert_eq!(
        cf["possible_values"],
        json!([{"value": "PostgreSQL", "label": "PostgreSQL"}, {"value": "SQLite", "label": "SQLite"}])
    );
    assert_eq!(
        (cf["trackers"].clone(), cf["roles"].clone()),
        (
            json!([{"id": 1, "name": "Bug"}]),
            json!([{"id": 4, "name": "Developer"}])
        )
    );
    assert_eq!(cf["multiple"], true);
    let r = s.post("/custom_fields.json", json!({"custom_field": {"customized_type": "group", "name": "Dept", "field_format": "bool", "multiple": true}})).send().await;
    assert_eq!(
        r.json()["custom_field"]["multiple"],
        false,
        "bool fields never take several values"
    );
    assert_eq!(
        r.json()["custom_field"]["possible_values"],
        json!([{"value": "1", "label": "Yes"}, {"value": "0", "label": "No"}])
    );
    assert_eq!(s.post("/custom_fields.json", json!({"custom_field": {"customized_type": "issue", "name": "L", "field_format": "list"}})).send().await.json(), json!({"errors": ["Possible values cannot be blank"]}));
    assert_eq!(s.post("/custom_fields.json", json!({"custom_field": {"customized_type": "group", "name": "U", "field_format": "user"}})).send().await.json(), json!({"errors": ["Format is not included in the list"]}));
    let x = s.get("/custom_fields.xml").send().await;
    assert!(
        x.text
            .contains("<trackers type=\"array\"><tracker id=\"1\" name=\"Bug\"/></trackers>"),
        "{}",
        x.text
    );
    let cid = cf["id"].as_i64().unwrap();
    assert_eq!(
        s.put(
            &format!("/custom_fields/{cid}.json"),
            json!({"custom_field": {"name": "DB", "tracker_ids": []}})
        )
        .send()
        .await
        .status,
        204
    );
    let list = s.get("/custom_fields.json").send().await.json();
    assert_eq!(
        (
            list["custom_fields"][0]["name"].clone(),
            list["custom_fields"][0]["trackers"].clone()
        ),
        (json!("DB"), json!([]))
    );
    assert_eq!(
        s.delete(&format!("/custom_fields/{cid}.json"))
            .send()
            .await
            .status,
        204
    );
    // non-admins: 403 even with the extension on; anonymous: 401
    s.create_user("plain", "secret-pass1").await;
    assert_eq!(
        s.req(Method::POST, "/trackers.json")
            .basic("plain", "secret-pass1")
            .json(json!({}))
            .send()
            .await
            .status,
        403
    );
    assert_eq!(
        s.req(Method::POST, "/trackers.json")
            .json(json!({}))
            .send()
            .await
            .status,
        401
    );
}

per_backend!(
    off_by_default_like_redmine,
    trackers_statuses_enumerations,
    roles_workflows_custom_fields,
);
