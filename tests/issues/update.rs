//! Updating issues: journals, workflow, lock_version, moves between projects.

use crate::common::*;
use crate::per_backend;
use crate::{issue, setup};

async fn updates_write_journals_and_follow_the_workflow(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    let rep = s.create_user("rep", "secret-pass1").await;
    let dev = s.create_user("dev", "secret-pass1").await;
    s.add_member("alpha", rep, &[5]).await;
    s.add_member("alpha", dev, &[4]).await;
    let id = issue(
        &s,
        json!({"project_id": 1, "subject": "Original", "start_date": "2024-01-01"}),
    )
    .await
    .json()["issue"]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/issues/{id}.json");
    assert_eq!(s.put(&path, json!({"issue": {"subject": "Changed", "assigned_to_id": dev, "done_ratio": 20, "estimated_hours": 3, "notes": "first note"}})).send().await.status, 204, "{b:?}");
    let j = s
        .get(&format!("{path}?include=journals"))
        .send()
        .await
        .json();
    let journal = &j["issue"]["journals"][0];
    assert_eq!(journal["notes"], "first note");
    assert_eq!(journal["user"], json!({"id": 1, "name": "Redmine Admin"}));
    assert_eq!(
        journal["details"],
        json!([
            {"property": "attr", "name": "subject", "old_value": "Original", "new_value": "Changed"},
            {"property": "attr", "name": "assigned_to_id", "old_value": null, "new_value": dev.to_string()},
            {"property": "attr", "name": "done_ratio", "old_value": "0", "new_value": "20"},
            {"property": "attr", "name": "estimated_hours", "old_value": null, "new_value": "3.0"}
        ])
    );
    // a Reporter may only add notes and close: a status it may not reach is ignored
    let r = s
        .req(Method::PUT, &path)
        .basic("rep", "secret-pass1")
        .json(json!({"issue": {"subject": "Hijack", "status_id": 2, "notes": "from the reporter"}}))
        .send()
        .await;
    assert_eq!(r.status, 204);
    let now = s
        .get(&format!("{path}?include=journals,allowed_statuses"))
        .send()
        .await
        .json()["issue"]
        .clone();
    assert_eq!(
        (now["subject"].clone(), now["status"]["id"].clone()),
        (json!("Changed"), json!(1))
    );
    assert_eq!(now["journals"].as_array().unwrap().len(), 2);
    assert_eq!(
        now["allowed_statuses"].as_array().unwrap().len(),
        6,
        "admin: every transition of Manager"
    );
    let rep_statuses = s
        .req(Method::GET, &format!("{path}?include=allowed_statuses"))
        .basic("rep", "secret-pass1")
        .send()
        .await
        .json();
    let ids: Vec<i64> = rep_statuses["issue"]["allowed_statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 5]);
    // the developer moves it on; closing sets closed_on
    assert_eq!(
        s.req(Method::PUT, &path)
            .basic("dev", "secret-pass1")
            .json(json!({"issue": {"status_id": 2}}))
            .send()
            .await
            .status,
        204
    );
    // without edit rights a Reporter cannot change the status at all (Redmine 5.0.4)
    let r = s
        .req(Method::PUT, &path)
        .basic("rep", "secret-pass1")
        .json(json!({"issue": {"status_id": 5}}))
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(s.get(&path).send().await.json()["issue"]["status"]["id"], 2);
    let r = s
        .req(Method::PUT, &path)
        .basic("dev", "secret-pass1")
        .json(json!({"issue": {"status_id": 5}}))
        .send()
        .await;
    assert_eq!(r.status, 204);
    let closed = s.get(&path).send().await.json()["issue"].clone();
    assert_eq!(closed["status"]["id"], 5);
    assert!(closed["closed_on"].is_string());
    // private notes are hidden from those who may not read them
    assert_eq!(
        s.req(Method::PUT, &path)
            .basic("dev", "secret-pass1")
            .json(json!({"issue": {"notes": "secret", "private_notes": true}}))
            .send()
            .await
            .status,
        204
    );
    let seen_by_rep = s
        .req(Method::GET, &format!("{path}?include=journals"))
        .basic("rep", "secret-pass1")
        .send()
        .await
        .json();
    assert!(seen_by_rep["issue"]["journals"]
        .as_array()
        .unwrap()
        .iter()
        .all(|j| j["notes"] != "secret"));
    let seen_by_admin = s
        .get(&format!("{path}?include=journals"))
        .send()
        .await
        .json();
    assert!(seen_by_admin["issue"]["journals"]
        .as_array()
        .unwrap()
        .iter()
        .any(|j| j["notes"] == "secret" && j["private_notes"] == true));
    // "none" clears, blank subject is refused, nothing changes on failure
    assert_eq!(
        s.put(&path, json!({"issue": {"assigned_to_id": "none"}}))
            .send()
            .await
            .status,
        204
    );
    assert!(s.get(&path).send().await.json()["issue"]
        .get("assigned_to")
        .is_none());
    assert_eq!(
        s.put(&path, json!({"issue": {"subject": ""}}))
            .send()
            .await
            .json(),
        json!({"errors": ["Subject cannot be blank"]})
    );
    assert_eq!(
        s.put(&path, json!({"issue": {"assigned_to_id": 999}}))
            .send()
            .await
            .json(),
        json!({"errors": ["Assignee is invalid"]})
    );
}

async fn stale_lock_version_and_concurrent_updates(b: Backend) {
    use futures_util::future::join_all;
    let s = Server::start(b).await;
    setup(&s).await;
    let id = issue(&s, json!({"project_id": 1, "subject": "Locked"}))
        .await
        .json()["issue"]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/issues/{id}.json");
    s.put(&path, json!({"issue": {"notes": "bump"}}))
        .send()
        .await;
    let r = s
        .put(
            &path,
            // a new issue is at 1 (as in Redmine), the note bumped it to 2
            json!({"issue": {"subject": "Stale", "lock_version": 1}}),
        )
        .send()
        .await;
    assert_eq!((r.status, r.json()), (422, json!({"errors": []})), "{b:?}");
    assert_eq!(
        s.get(&path).send().await.json()["issue"]["subject"],
        "Locked"
    );
    assert_eq!(
        s.put(
            &path,
            json!({"issue": {"subject": "Fresh", "lock_version": 2}})
        )
        .send()
        .await
        .status,
        204
    );
    // without lock_version every concurrent update lands with its own journal
    let answers = join_all((0..8).map(|k| {
        s.put(&path, json!({"issue": {"notes": format!("note {k}")}}))
            .send()
    }))
    .await;
    assert!(answers.iter().all(|r| r.status == 204));
    let journals = s
        .get(&format!("{path}?include=journals"))
        .send()
        .await
        .json()["issue"]["journals"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(journals, 1 + 1 + 8);
}

async fn moving_an_issue_to_another_project(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    s.post(
        "/projects.json",
        json!({"project": {"name": "Beta", "identifier": "beta", "tracker_ids": [2, 3]}}),
    )
    .send()
    .await;
    s.post(
        "/projects.json",
        json!({"project": {"name": "Gamma", "identifier": "gamma"}}),
    )
    .send()
    .await;
    let cat = |p: &'static str| {
        let s = &s;
        async move {
            s.post(
                &format!("/projects/{p}/issue_categories.json"),
                json!({"issue_category": {"name": "UI"}}),
            )
            .send()
            .await
            .json()["issue_category"]["id"]
                .as_i64()
                .unwrap()
        }
    };
    let alpha_ui = cat("alpha").await;
    let gamma_ui = cat("gamma").await;
    let v = s.create_version("alpha", "1.0").await;
    let id = |r: Resp| r.json()["issue"]["id"].as_i64().unwrap();
    let m = id(issue(&s, json!({"project_id": 1, "subject": "Mover", "category_id": alpha_ui, "fixed_version_id": v})).await);
    let child = id(issue(
        &s,
        json!({"project_id": 1, "subject": "Child", "parent_issue_id": m}),
    )
    .await);
    let r = s
        .put(
            &format!("/issues/{m}.json"),
            json!({"issue": {"project_id": "beta"}}),
        )
        .send()
        .await;
    assert_eq!(
        r.json(),
        json!({"errors": [format!("Subtask #{child} could not be moved to the new project: Tracker is not included in the list")]}),
        "{b:?}"
    );
    assert_eq!(
        s.put(
            &format!("/issues/{m}.json"),
            json!({"issue": {"project_id": "gamma"}})
        )
        .send()
        .await
        .status,
        204
    );
    let moved = s
        .get(&format!("/issues/{m}.json?include=journals"))
        .send()
        .await
        .json()["issue"]
        .clone();
    assert_eq!(moved["project"]["name"], "Gamma");
    assert_eq!(
        moved["category"]["id"], gamma_ui,
        "category remapped by name"
    );
    assert!(
        moved.get("fixed_version").is_none(),
        "version not shared with Gamma"
    );
    let last = moved["journals"].as_array().unwrap().len() - 1;
    let names: Vec<&str> = moved["journals"][last]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["project_id", "category_id", "fixed_version_id"]);
    assert_eq!(
        s.get(&format!("/issues/{child}.json")).send().await.json()["issue"]["project"]["name"],
        "Gamma",
        "the subtask follows"
    );
    // a Bug moved to Beta becomes Beta's first tracker
    let bug = id(issue(&s, json!({"project_id": 1, "subject": "Bug"})).await);
    assert_eq!(
        s.put(
            &format!("/issues/{bug}.json"),
            json!({"issue": {"project_id": "beta"}})
        )
        .send()
        .await
        .status,
        204
    );
    assert_eq!(
        s.get(&format!("/issues/{bug}.json")).send().await.json()["issue"]["tracker"]["id"],
        2
    );
}

per_backend!(
    updates_write_journals_and_follow_the_workflow,
    stale_lock_version_and_concurrent_updates,
    moving_an_issue_to_another_project,
);

/// Subtasks that move with their parent take the destination's category of the same name
/// and lose a version the destination cannot use, as in Redmine.
async fn subtasks_moving_along_follow_the_destination(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("alpha", true).await;
    s.create_project("beta", true).await;
    let category = |project: &'static str, name: &'static str| {
        let s = &s;
        async move {
            let r = s
                .post(
                    &format!("/projects/{project}/issue_categories.json"),
                    json!({"issue_category": {"name": name}}),
                )
                .send()
                .await;
            r.json()["issue_category"]["id"].as_i64().unwrap()
        }
    };
    let ui_alpha = category("alpha", "UI").await;
    let ui_beta = category("beta", "UI").await;
    let docs_alpha = category("alpha", "Docs").await;
    let v1 = s.create_version("alpha", "v1").await;
    let parent = s
        .create_issue(json!({"project_id": "alpha", "subject": "Parent"}))
        .await;
    let child = s
        .create_issue(
            json!({"project_id": "alpha", "subject": "Child", "parent_issue_id": parent,
                             "category_id": ui_alpha, "fixed_version_id": v1}),
        )
        .await;
    let other = s
        .create_issue(
            json!({"project_id": "alpha", "subject": "Other", "parent_issue_id": parent,
                             "category_id": docs_alpha}),
        )
        .await;
    let r = s
        .put(
            &format!("/issues/{parent}.json"),
            json!({"issue": {"project_id": "beta"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{b:?}: {}", r.text);
    let c = s.get_json(&format!("/issues/{child}.json")).await["issue"].clone();
    assert_eq!(c["project"]["name"], "beta", "{b:?}");
    assert_eq!(c["category"]["id"], ui_beta, "{b:?}: {c}");
    assert!(c.get("fixed_version").is_none(), "{b:?}: {c}");
    let o = s.get_json(&format!("/issues/{other}.json")).await["issue"].clone();
    assert!(o.get("category").is_none(), "{b:?}: {o}");
}

per_backend!(subtasks_moving_along_follow_the_destination);
