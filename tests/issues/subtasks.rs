//! Subtasks: derived parent attributes and editing journals.

use crate::common::*;
use crate::per_backend;
use crate::{issue, setup};

async fn subtasks_derive_their_parent_and_journals_can_be_edited(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    let id = |r: Resp| r.json()["issue"]["id"].as_i64().unwrap();
    let p = id(issue(
        &s,
        json!({"project_id": 1, "subject": "Parent", "estimated_hours": 5, "priority_id": 1}),
    )
    .await);
    let a = id(issue(&s, json!({"project_id": 1, "subject": "A", "parent_issue_id": p, "start_date": "2024-01-05", "due_date": "2024-01-12", "estimated_hours": 2, "done_ratio": 50})).await);
    let bb = id(issue(&s, json!({"project_id": 1, "subject": "B", "parent_issue_id": format!("#{p}"), "start_date": "2024-01-15", "due_date": "2024-01-31", "estimated_hours": 6, "done_ratio": 100, "priority_id": 4})).await);
    let parent = s
        .get(&format!("/issues/{p}.json?include=children,journals"))
        .send()
        .await
        .json()["issue"]
        .clone();
    assert_eq!(
        (parent["start_date"].clone(), parent["due_date"].clone()),
        (json!("2024-01-05"), json!("2024-01-31")),
        "{b:?}"
    );
    assert_eq!(
        parent["priority"]["id"], 4,
        "the highest open child's priority"
    );
    assert_eq!(parent["done_ratio"], 87, "(2×50 + 6×100) / 8, rounded down");
    assert_eq!(
        (
            parent["estimated_hours"].clone(),
            parent["total_estimated_hours"].clone()
        ),
        (json!(5.0), json!(13.0))
    );
    let kids: Vec<i64> = parent["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(kids, [a, bb]);
    let child_details: Vec<Value> = parent["journals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["details"][0].clone())
        .collect();
    assert_eq!(
        child_details[0],
        json!({"property": "attr", "name": "child_id", "old_value": null, "new_value": a.to_string()})
    );
    // derived values cannot be written; cycles are refused
    assert_eq!(
        s.put(
            &format!("/issues/{p}.json"),
            json!({"issue": {"done_ratio": 5, "subject": "Renamed"}})
        )
        .send()
        .await
        .status,
        204
    );
    assert_eq!(
        s.get(&format!("/issues/{p}.json")).send().await.json()["issue"]["done_ratio"],
        87
    );
    assert_eq!(
        s.put(
            &format!("/issues/{p}.json"),
            json!({"issue": {"parent_issue_id": a}})
        )
        .send()
        .await
        .json(),
        json!({"errors": ["Parent task is invalid"]})
    );
    // detaching a child recomputes the parent from the one left
    assert_eq!(
        s.put(
            &format!("/issues/{bb}.json"),
            json!({"issue": {"parent_issue_id": ""}})
        )
        .send()
        .await
        .status,
        204
    );
    let parent = s.get(&format!("/issues/{p}.json")).send().await.json()["issue"].clone();
    assert_eq!(
        (
            parent["due_date"].clone(),
            parent["priority"]["id"].clone(),
            parent["done_ratio"].clone()
        ),
        (json!("2024-01-12"), json!(2), json!(50))
    );
    // deleting the parent deletes its subtasks
    assert_eq!(
        s.delete(&format!("/issues/{p}.json")).send().await.status,
        204
    );
    assert_eq!(s.get(&format!("/issues/{a}.json")).send().await.status, 404);

    // PUT /journals/:id
    let i = id(issue(&s, json!({"project_id": 1, "subject": "Noted"})).await);
    s.put(
        &format!("/issues/{i}.json"),
        json!({"issue": {"notes": "typo here"}}),
    )
    .send()
    .await;
    let jid = s
        .get(&format!("/issues/{i}.json?include=journals"))
        .send()
        .await
        .json()["issue"]["journals"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        s.put(
            &format!("/journals/{jid}.json"),
            json!({"journal": {"notes": "fixed", "private_notes": true}})
        )
        .send()
        .await
        .status,
        204
    );
    let j = s
        .get(&format!("/issues/{i}.json?include=journals"))
        .send()
        .await
        .json()["issue"]["journals"][0]
        .clone();
    assert_eq!(
        (j["notes"].clone(), j["private_notes"].clone()),
        (json!("fixed"), json!(true))
    );
    assert_eq!(
        s.req(Method::PUT, &format!("/journals/{jid}.json"))
            .json(json!({"journal": {"notes": "x"}}))
            .send()
            .await
            .status,
        404,
        "anonymous cannot see a private note"
    );
    assert_eq!(
        s.put(
            &format!("/journals/{jid}.json"),
            json!({"journal": {"notes": ""}})
        )
        .send()
        .await
        .status,
        204
    );
    assert_eq!(
        s.put(
            &format!("/journals/{jid}.json"),
            json!({"journal": {"notes": "again"}})
        )
        .send()
        .await
        .status,
        404,
        "a journal left empty is deleted"
    );
    assert_eq!(s.get("/journals/1.json").send().await.status, 404);
}

per_backend!(subtasks_derive_their_parent_and_journals_can_be_edited,);
