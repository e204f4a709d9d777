//! Custom field values of projects, versions and users: shown where the caller sees the
//! field, written on create and update, validated like issue values.

mod common;
use common::*;

async fn project_values_shown_to_who_sees_the_field(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    let budget = s
        .create_custom_field(
            json!({"customized_type": "project", "name": "Budget", "field_format": "int"}),
        )
        .await;
    let secret = s.create_custom_field(json!({"customized_type": "project", "name": "Secret", "field_format": "string", "visible": false, "role_ids": [3]})).await;
    let kind = s.create_custom_field(json!({"customized_type": "project", "name": "Kind", "field_format": "list", "possible_values": ["a", "b"], "is_required": true, "default_value": "a"})).await;
    let r = s
        .post(
            "/projects.json",
            json!({"project": {"name": "Alpha", "identifier": "alpha",
                   "custom_fields": [{"id": budget, "value": "x"}, {"id": kind, "value": "c"}]}}),
        )
        .send()
        .await;
    assert_eq!(
        (r.status, r.json()["errors"].clone()),
        (
            422,
            json!(["Budget is not a number", "Kind is not included in the list"])
        ),
        "{b:?}: custom values are checked before the project's own attributes"
    );
    let r = s
        .post(
            "/projects.json",
            json!({"project": {"name": "Alpha", "identifier": "alpha",
                   "custom_field_values": {budget.to_string(): "12", secret.to_string(): "s"}}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.json()["project"]["custom_fields"],
        json!([
            {"id": budget, "name": "Budget", "value": "12"},
            {"id": secret, "name": "Secret", "value": "s"},
            {"id": kind, "name": "Kind", "value": "a"}
        ]),
        "the admin sees every field; the required list takes its default"
    );
    // a Developer (role 4) does not see the field kept for Managers (role 3)
    let dev = s.create_user("dev", "dev-pass-123").await;
    s.add_member("alpha", dev, &[4]).await;
    let shown = |r: &Resp| -> Vec<i64> {
        r.json()["project"]["custom_fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    let r = s
        .get("/projects/alpha.json")
        .basic("dev", "dev-pass-123")
        .send()
        .await;
    assert_eq!(shown(&r), vec![budget, kind]);
    let list = s
        .get("/projects.json")
        .basic("dev", "dev-pass-123")
        .send()
        .await
        .json();
    assert_eq!(
        list["projects"][0]["custom_fields"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // what dev cannot see it cannot set either: the value stays
    let mgr = s.create_user("mgr", "mgr-pass-123").await;
    s.add_member("alpha", mgr, &[3]).await;
    let r = s
        .put(
            "/projects/alpha.json",
            json!({"project": {"custom_fields": [{"id": secret, "value": "changed"}, {"id": budget, "value": "13"}]}}),
        )
        .basic("dev", "dev-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 403, "a Developer has no edit_project");
    let r = s
        .put(
            "/projects/alpha.json",
            json!({"project": {"custom_fields": [{"id": secret, "value": "changed"}, {"id": budget, "value": "13"}]}}),
        )
        .basic("mgr", "mgr-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let all = s.get_json("/projects/alpha.json").await;
    assert_eq!(all["project"]["custom_fields"][0]["value"], "13");
    assert_eq!(
        all["project"]["custom_fields"][1]["value"], "changed",
        "a Manager sees it"
    );
    let xml = s.get("/projects/alpha.xml").send().await.text;
    assert!(
        xml.contains(&format!("<custom_fields type=\"array\"><custom_field id=\"{budget}\" name=\"Budget\"><value>13</value></custom_field>")),
        "{xml}"
    );
    // deleting the project takes its values along
    assert_eq!(s.delete("/projects/alpha.json").send().await.status, 204);
    let r = s
        .post(
            "/projects.json",
            json!({"project": {"name": "Again", "identifier": "again"}}),
        )
        .send()
        .await;
    assert_eq!(
        r.json()["project"]["custom_fields"][0]["value"],
        Value::Null
    );
}

async fn version_values(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    s.create_project("alpha", true).await;
    let due = s
        .create_custom_field(
            json!({"customized_type": "version", "name": "Release day", "field_format": "date"}),
        )
        .await;
    let r = s
        .post(
            "/projects/alpha/versions.json",
            json!({"version": {"name": "1.0", "custom_fields": [{"id": due, "value": "2024-13-01"}]}}),
        )
        .send()
        .await;
    assert_eq!(
        (r.status, r.json()["errors"].clone()),
        (422, json!(["Release day is not a valid date"])),
        "{b:?}"
    );
    let r = s
        .post(
            "/projects/alpha/versions.json",
            json!({"version": {"name": "1.0", "custom_fields": [{"id": due, "value": "2024-12-01"}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let v = r.json()["version"].clone();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    let at = |k: &str| keys.iter().position(|x| *x == k).unwrap();
    assert!(at("custom_fields") < at("created_on"), "{keys:?}");
    assert_eq!(
        v["custom_fields"],
        json!([{"id": due, "name": "Release day", "value": "2024-12-01"}])
    );
    let id = v["id"].as_i64().unwrap();
    let r = s
        .put(
            &format!("/versions/{id}.json"),
            json!({"version": {"custom_field_values": {due.to_string(): ""}}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    let l = s.get_json("/projects/alpha/versions.json").await;
    assert_eq!(l["versions"][0]["custom_fields"][0]["value"], "");
}

async fn user_values_only_visible_fields_shown(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    let phone = s.create_custom_field(json!({"customized_type": "user", "name": "Phone", "field_format": "string", "max_length": 5})).await;
    let hidden = s.create_custom_field(json!({"customized_type": "user", "name": "Salary", "field_format": "int", "visible": false})).await;
    let r = s
        .post(
            "/users.json",
            json!({"user": {"login": "ann", "firstname": "Ann", "lastname": "A", "mail": "ann@example.net",
                   "password": "ann-pass-123", "custom_fields": [{"id": phone, "value": "123456"}]}}),
        )
        .send()
        .await;
    assert_eq!(
        (r.status, r.json()["errors"].clone()),
        (422, json!(["Phone is too long (maximum is 5 characters)"])),
        "{b:?}"
    );
    let r = s
        .post(
            "/users.json",
            json!({"user": {"login": "ann", "firstname": "Ann", "lastname": "A", "mail": "ann@example.net",
                   "password": "ann-pass-123", "custom_fields": [{"id": phone, "value": "123"}, {"id": hidden, "value": "9"}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["user"]["id"].as_i64().unwrap();
    assert_eq!(
        r.json()["user"]["custom_fields"],
        json!([{"id": phone, "name": "Phone", "value": "123"}]),
        "a hidden field is not shown, even to an admin"
    );
    // the user may set its own values, hidden ones included
    let r = s
        .put(
            "/my/account.json",
            json!({"user": {"custom_fields": [{"id": phone, "value": "42"}, {"id": hidden, "value": "10"}]}}),
        )
        .basic("ann", "ann-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let me = s
        .get("/my/account.json")
        .basic("ann", "ann-pass-123")
        .send()
        .await
        .json();
    assert_eq!(
        me["user"]["custom_fields"],
        json!([{"id": phone, "name": "Phone", "value": "42"}])
    );
    let list = s.get_json("/users.json").await;
    let ann = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == json!(id))
        .unwrap()
        .clone();
    assert_eq!(ann["custom_fields"][0]["value"], "42");
    let r = s
        .put(
            &format!("/users/{id}.json"),
            json!({"user": {"custom_fields": [{"id": hidden, "value": "x"}]}}),
        )
        .send()
        .await;
    assert_eq!(r.json()["errors"], json!(["Salary is not a number"]));
}

async fn a_value_never_given_is_null_not_blank(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    s.create_project("alpha", true).await;
    let plain = s.create_custom_field(json!({"customized_type": "issue", "name": "Plain", "field_format": "string", "is_for_all": true, "tracker_ids": [1]})).await;
    let with_default = s.create_custom_field(json!({"customized_type": "issue", "name": "Dflt", "field_format": "string", "default_value": "d", "is_for_all": true, "tracker_ids": [1]})).await;
    let r = s
        .post(
            "/issues.json",
            json!({"issue": {"project_id": "alpha", "subject": "x"}}),
        )
        .send()
        .await;
    assert_eq!(
        r.json()["issue"]["custom_fields"],
        json!([
            {"id": plain, "name": "Plain", "value": null},
            {"id": with_default, "name": "Dflt", "value": "d"}
        ]),
        "{b:?}"
    );
    let id = r.json()["issue"]["id"].as_i64().unwrap();
    let r = s
        .put(
            &format!("/issues/{id}.json"),
            json!({"issue": {"custom_fields": [{"id": plain, "value": ""}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    let i = s.get_json(&format!("/issues/{id}.json")).await;
    assert_eq!(
        i["issue"]["custom_fields"][0]["value"], "",
        "sent blank: blank"
    );
}

async fn issues_filtered_by_their_project_people_and_version_values(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    let area = s.create_custom_field(json!({"customized_type": "project", "name": "Area", "field_format": "string", "is_filter": true})).await;
    let team = s.create_custom_field(json!({"customized_type": "user", "name": "Team", "field_format": "list", "possible_values": ["red", "blue"], "is_filter": true, "visible": true})).await;
    let code = s.create_custom_field(json!({"customized_type": "version", "name": "Code", "field_format": "int", "is_filter": true})).await;
    let secret = s.create_custom_field(json!({"customized_type": "project", "name": "Secret", "field_format": "string", "is_filter": true, "visible": false, "role_ids": [3]})).await;
    for (id, area_value) in [("north", "cold"), ("south", "")] {
        let r = s
            .post(
                "/projects.json",
                json!({"project": {"name": id, "identifier": id,
                       "custom_fields": [{"id": area, "value": area_value}, {"id": secret, "value": "s"}]}}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let red = s.create_user("red", "red-pass-123").await;
    s.put(
        &format!("/users/{red}.json"),
        json!({"user": {"custom_fields": [{"id": team, "value": "red"}]}}),
    )
    .send()
    .await;
    s.add_member("north", red, &[4]).await;
    let r = s
        .post(
            "/projects/north/versions.json",
            json!({"version": {"name": "v", "custom_fields": [{"id": code, "value": "42"}]}}),
        )
        .send()
        .await;
    let v = r.json()["version"]["id"].as_i64().unwrap();
    let a = s
        .create_issue(json!({"project_id": "north", "subject": "a", "assigned_to_id": red, "fixed_version_id": v}))
        .await;
    let bb = s
        .create_issue(json!({"project_id": "south", "subject": "b"}))
        .await;
    let cases: Vec<(String, Vec<i64>)> = vec![
        (format!("project.cf_{area}=cold"), vec![a]),
        (format!("project.cf_{area}=!*"), vec![bb]),
        (format!("project.cf_{area}=*"), vec![a]),
        (format!("project.cf_{area}=~co"), vec![a]),
        (format!("assigned_to.cf_{team}=red"), vec![a]),
        (format!("assigned_to.cf_{team}=!red"), vec![]),
        (format!("author.cf_{team}=red"), vec![]),
        (format!("fixed_version.cf_{code}=>=40"), vec![a]),
        (format!("fixed_version.cf_{code}=!*"), vec![]),
        (format!("project.cf_{secret}=s"), vec![a, bb]),
    ];
    for (q, want) in cases {
        assert_eq!(s.issue_ids(&q).await, want, "{b:?} {q}");
    }
    // a Developer does not see the Managers' field: the filter is not offered (ignored)
    let r = s
        .get(&format!("/issues.json?project.cf_{secret}=nothing"))
        .basic("red", "red-pass-123")
        .send()
        .await;
    assert_eq!(r.json()["total_count"], 2);
    let r = s
        .get(&format!(
            "/issues.json?f[]=project.cf_{area}&op[project.cf_{area}]==&v[project.cf_{area}][]="
        ))
        .send()
        .await;
    assert_eq!(
        (r.status, r.json()["errors"].clone()),
        (422, json!(["Project's Area cannot be blank"]))
    );
}

async fn issues_filtered_through_their_user_and_version_fields(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    s.create_project("alpha", true).await;
    let owner = s.create_custom_field(json!({"customized_type": "issue", "name": "Owner", "field_format": "user", "is_filter": true, "is_for_all": true, "tracker_ids": [1]})).await;
    let milestone = s.create_custom_field(json!({"customized_type": "issue", "name": "Milestone", "field_format": "version", "is_filter": true, "is_for_all": true, "tracker_ids": [1]})).await;
    let team = s.create_custom_field(json!({"customized_type": "user", "name": "Team", "field_format": "string", "is_filter": true})).await;
    let code = s.create_custom_field(json!({"customized_type": "version", "name": "Code", "field_format": "int", "is_filter": true})).await;
    let red = s.create_user("red", "red-pass-123").await;
    s.put(
        &format!("/users/{red}.json"),
        json!({"user": {"custom_fields": [{"id": team, "value": "red"}]}}),
    )
    .send()
    .await;
    s.add_member("alpha", red, &[4]).await;
    let r = s
        .post(
            "/projects/alpha/versions.json",
            json!({"version": {"name": "v1", "due_date": "2030-01-31",
                   "custom_fields": [{"id": code, "value": "42"}]}}),
        )
        .send()
        .await;
    let v1 = r.json()["version"]["id"].as_i64().unwrap();
    let v2 = s.create_version("alpha", "v2").await;
    s.put(
        &format!("/versions/{v2}.json"),
        json!({"version": {"status": "closed"}}),
    )
    .send()
    .await;
    let a = s
        .create_issue(json!({"project_id": "alpha", "subject": "a",
                             "custom_fields": [{"id": owner, "value": red}, {"id": milestone, "value": v1}]}))
        .await;
    let bb = s
        .create_issue(json!({"project_id": "alpha", "subject": "b"}))
        .await;
    // a closed version can no longer be chosen, but an issue may keep one
    s.put(
        &format!("/versions/{v2}.json"),
        json!({"version": {"status": "open"}}),
    )
    .send()
    .await;
    let c = s
        .create_issue(json!({"project_id": "alpha", "subject": "c",
                             "custom_fields": [{"id": milestone, "value": v2}]}))
        .await;
    s.put(
        &format!("/versions/{v2}.json"),
        json!({"version": {"status": "closed"}}),
    )
    .send()
    .await;
    let cases: Vec<(String, Vec<i64>)> = vec![
        (format!("cf_{owner}.cf_{team}=red"), vec![a]),
        (format!("cf_{owner}.cf_{team}=!red"), vec![bb, c]),
        (format!("cf_{owner}.cf_{team}=~re"), vec![a]),
        (format!("cf_{milestone}.cf_{code}=>=40"), vec![a]),
        (format!("cf_{milestone}.due_date=>=2030-01-01"), vec![a]),
        (format!("cf_{milestone}.due_date=*"), vec![a]),
        (format!("cf_{milestone}.status=closed"), vec![c]),
        (format!("cf_{milestone}.status=open"), vec![a]),
    ];
    for (q, want) in cases {
        assert_eq!(s.issue_ids(&q).await, want, "{b:?} {q}");
    }
    let r = s
        .get(&format!(
            "/issues.json?f[]=cf_{owner}.cf_{team}&op[cf_{owner}.cf_{team}]==&v[cf_{owner}.cf_{team}][]="
        ))
        .send()
        .await;
    assert_eq!(r.json()["errors"], json!(["Owner's Team cannot be blank"]));
    let r = s
        .get(&format!("/issues.json?cf_{milestone}.due_date=2030-13-01"))
        .send()
        .await;
    assert_eq!(
        r.json()["errors"],
        json!(["Milestone's Due date is invalid"])
    );
}

async fn enumeration_fields_take_their_active_values(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    s.create_project("alpha", true).await;
    let level = s.create_custom_field(json!({"customized_type": "issue", "name": "Level", "field_format": "enumeration", "is_for_all": true, "tracker_ids": [1],
        "enumerations": [{"name": "Low"}, {"name": "High"}, {"name": "Old", "active": false}]})).await;
    let fields = s.get_json("/custom_fields.json").await;
    let field = fields["custom_fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == json!(level))
        .unwrap()
        .clone();
    let values = field["possible_values"].as_array().unwrap().clone();
    assert_eq!(
        values
            .iter()
            .map(|v| v["label"].clone())
            .collect::<Vec<_>>(),
        [json!("Low"), json!("High")],
        "{b:?}: inactive values are not offered"
    );
    let low = values[0]["value"].as_str().unwrap().to_owned();
    let create = |v: Value| {
        let s = &s;
        async move {
            s.post(
                "/issues.json",
                json!({"issue": {"project_id": "alpha", "subject": "e",
                       "custom_fields": [{"id": level, "value": v}]}}),
            )
            .send()
            .await
        }
    };
    let r = create(json!(low)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["issue"]["custom_fields"][0]["value"], json!(low));
    let low_id: i64 = low.parse().unwrap();
    for bad in [json!("abc"), json!((low_id + 2).to_string())] {
        let r = create(bad.clone()).await;
        assert_eq!(
            (r.status, r.json()["errors"].clone()),
            (422, json!(["Level is not included in the list"])),
            "{bad}"
        );
    }
    // renaming and deactivating through the admin extension
    let r = s
        .put(
            &format!("/custom_fields/{level}.json"),
            json!({"custom_field": {"enumerations": [{"id": low_id, "name": "Lowest", "active": false}]}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = create(json!(low)).await;
    assert_eq!(r.status, 422, "an inactive value cannot be chosen any more");
}

/// Outside any project a version field offers the versions shared with all, of projects
/// that track issues and are not archived, in Redmine's version order.
async fn a_version_field_lists_the_system_wide_versions(b: Backend) {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    s.create_project("alpha", true).await;
    s.create_project("beta", true).await;
    let field = s.create_custom_field(json!({"customized_type": "issue", "name": "Found in", "field_format": "version", "is_for_all": true, "tracker_ids": [1]})).await;
    let possible = || async {
        let r = s.get("/custom_fields.json").send().await;
        r.json()["custom_fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == field)
            .unwrap()
            .get("possible_values")
            .cloned()
    };
    assert_eq!(possible().await, None, "no shared version yet");
    let mut ids = Vec::new();
    for (project, name, date, sharing) in [
        ("alpha", "zeta", None, "system"),
        ("beta", "late", Some("2031-01-01"), "system"),
        ("alpha", "early", Some("2030-01-01"), "system"),
        ("beta", "own", None, "none"),
    ] {
        let r = s
            .post(
                &format!("/projects/{project}/versions.json"),
                json!({"version": {"name": name, "due_date": date, "sharing": sharing}}),
            )
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        ids.push(r.json()["version"]["id"].as_i64().unwrap());
    }
    let value = |i: usize, name: &str| json!({"value": ids[i].to_string(), "label": name});
    assert_eq!(
        possible().await,
        Some(json!([
            value(2, "early"),
            value(1, "late"),
            value(0, "zeta")
        ]))
    );
    // an archived project's versions are not offered
    let r = s.put("/projects/beta/archive.json", json!({})).send().await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        possible().await,
        Some(json!([value(2, "early"), value(0, "zeta")]))
    );
}

per_backend!(
    a_version_field_lists_the_system_wide_versions,
    project_values_shown_to_who_sees_the_field,
    version_values,
    user_values_only_visible_fields_shown,
    a_value_never_given_is_null_not_blank,
    issues_filtered_by_their_project_people_and_version_values,
    issues_filtered_through_their_user_and_version_fields,
    enumeration_fields_take_their_active_values,
);
