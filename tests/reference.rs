//! Trackers, issue statuses, enumerations, roles and custom fields.

mod common;
use common::*;

async fn trackers_in_json_and_xml_for_everyone(b: Backend) {
    let s = Server::start(b).await;
    let r = s.get("/trackers.json").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.content_type().as_deref(),
        Some("application/json; charset=utf-8")
    );
    let j = r.json();
    let names: Vec<&str> = j["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bug", "Feature", "Support"], "{b:?}");
    assert_eq!(
        j["trackers"][0]["default_status"],
        json!({"id": 1, "name": "New"})
    );
    assert_eq!(j["trackers"][0]["description"], Value::Null);
    assert_eq!(
        j["trackers"][0]["enabled_standard_fields"]
            .as_array()
            .unwrap()
            .len(),
        9
    );
    assert!(j.get("total_count").is_none());

    let x = s.get("/trackers.xml").send().await;
    assert_eq!(x.status, 200);
    assert!(x.text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><trackers type=\"array\"><tracker><id>1</id><name>Bug</name><default_status id=\"1\" name=\"New\"/><description/><enabled_standard_fields type=\"array\"><field>assigned_to_id</field>"), "{}", x.text);

    let anon = s.req(Method::GET, "/trackers.json").send().await;
    assert_eq!(anon.status, 200);
    assert_eq!(anon.json(), j);
    assert_eq!(s.get("/trackers/1.json").send().await.status, 404);
    let create = s
        .post("/trackers.json", json!({"tracker": {"name": "X"}}))
        .send()
        .await;
    assert_eq!(create.status, 403);
}

async fn statuses_and_enumerations(b: Backend) {
    let s = Server::start(b).await;
    let j = s.get("/issue_statuses.json").send().await.json();
    let st = j["issue_statuses"].as_array().unwrap();
    assert_eq!(st.len(), 6, "{b:?}");
    assert_eq!(st[4], json!({"id": 5, "name": "Closed", "is_closed": true}));
    let x = s.req(Method::GET, "/issue_statuses.xml").send().await;
    assert!(x.text.contains("<issue_status><id>2</id><name>In Progress</name><is_closed>false</is_closed></issue_status>"));

    let p = s
        .get("/enumerations/issue_priorities.json")
        .send()
        .await
        .json();
    assert_eq!(
        p["issue_priorities"][1],
        json!({"id": 2, "name": "Normal", "is_default": true, "active": true})
    );
    let a = s
        .get("/enumerations/time_entry_activities.xml")
        .send()
        .await;
    assert!(a.text.contains(
        "<time_entry_activities type=\"array\"><time_entry_activity><id>8</id><name>Design</name>"
    ));
    let d = s
        .get("/enumerations/document_categories.json")
        .send()
        .await
        .json();
    assert_eq!(d["document_categories"][0]["id"], 6);
    assert_eq!(
        s.get("/enumerations/IssuePriority.json")
            .send()
            .await
            .json(),
        p
    );
    let unknown = s.get("/enumerations/colours.json").send().await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.text, "");
    assert_eq!(unknown.content_type().as_deref(), Some("application/json"));
}

async fn roles_list_and_detail(b: Backend) {
    let s = Server::start(b).await;
    let j = s.req(Method::GET, "/roles.json").send().await.json();
    assert_eq!(
        j,
        json!({"roles": [{"id": 3, "name": "Manager"}, {"id": 4, "name": "Developer"}, {"id": 5, "name": "Reporter"}]}),
        "{b:?}"
    );
    let m = s.get("/roles/3.json").send().await.json();
    assert_eq!(m["role"]["permissions"].as_array().unwrap().len(), 75);
    assert_eq!(m["role"]["issues_visibility"], "all");
    let d = s.get("/roles/4.xml").send().await;
    assert!(d.text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><role><id>4</id><name>Developer</name><assignable>true</assignable><issues_visibility>default</issues_visibility>"));
    let non_member = s.get("/roles/1.json").send().await.json();
    assert_eq!(non_member["role"]["name"], "Non member");
    assert_eq!(
        non_member["role"]["permissions"].as_array().unwrap().len(),
        17
    );
    assert_eq!(s.get("/roles/99.xml").send().await.status, 404);
    assert_eq!(s.get("/roles/abc.json").send().await.status, 404);
}

async fn custom_fields_are_admin_only(b: Backend) {
    let s = Server::start(b).await;
    let r = s.get("/custom_fields.json").send().await;
    assert_eq!(r.json(), json!({"custom_fields": []}), "{b:?}");
    let x = s.get("/custom_fields.xml").send().await;
    assert_eq!(
        x.text,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><custom_fields type=\"array\"></custom_fields>"
    );
    s.create_user("cfuser", "secret-pass1").await;
    let denied = s
        .req(Method::GET, "/custom_fields.json")
        .basic("cfuser", "secret-pass1")
        .send()
        .await;
    assert_eq!(denied.status, 403);
    let anon = s.req(Method::GET, "/custom_fields.xml").send().await;
    assert_eq!(anon.status, 401);
    assert_eq!(
        anon.header("www-authenticate").as_deref(),
        Some("Basic realm=\"Redmine API\"")
    );
    assert_eq!(anon.content_type().as_deref(), Some("application/xml"));
}

per_backend!(
    trackers_in_json_and_xml_for_everyone,
    statuses_and_enumerations,
    roles_list_and_detail,
    custom_fields_are_admin_only,
);
