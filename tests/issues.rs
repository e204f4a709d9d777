//! `/issues`: create with defaults and validation, show with journals and allowed
//! statuses, updates and their journals, workflow, visibility, lists, locking, delete.

mod common;
use common::*;

async fn setup(s: &Server) {
    s.post(
        "/projects.json",
        json!({"project": {"name": "Alpha", "identifier": "alpha"}}),
    )
    .send()
    .await;
}

/// A server with the admin API on, project Alpha, and user `dev` a Developer there.
async fn with_developer(b: Backend) -> Server {
    let s = Server::with_setting(b, "admin_api_enabled", "1").await;
    setup(&s).await;
    let dev = s.create_user("dev", "secret-pass1").await;
    s.add_member("alpha", dev, &[4]).await;
    s
}

async fn issue(s: &Server, body: Value) -> Resp {
    s.post("/issues.json", json!({ "issue": body }))
        .send()
        .await
}

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

async fn visibility_and_lists(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    s.post(
        "/projects.json",
        json!({"project": {"name": "Hidden", "identifier": "hidden", "is_public": false}}),
    )
    .send()
    .await;
    let rep = s.create_user("rep", "secret-pass1").await;
    s.create_user("out", "secret-pass1").await;
    s.add_member("alpha", rep, &[5]).await;
    let public = issue(&s, json!({"project_id": 1, "subject": "Public"}))
        .await
        .json()["issue"]["id"]
        .as_i64()
        .unwrap();
    let private = issue(
        &s,
        json!({"project_id": 1, "subject": "Private", "is_private": true}),
    )
    .await
    .json()["issue"]["id"]
        .as_i64()
        .unwrap();
    let mine = issue(&s, json!({"project_id": 1, "subject": "Private for rep", "is_private": true, "assigned_to_id": rep})).await.json()["issue"]["id"].as_i64().unwrap();
    let hidden = issue(&s, json!({"project_id": "hidden", "subject": "In hidden"}))
        .await
        .json()["issue"]["id"]
        .as_i64()
        .unwrap();
    let closed = issue(
        &s,
        json!({"project_id": 1, "subject": "Closed", "status_id": 1}),
    )
    .await
    .json()["issue"]["id"]
        .as_i64()
        .unwrap();
    s.put(
        &format!("/issues/{closed}.json"),
        json!({"issue": {"status_id": 5}}),
    )
    .send()
    .await;
    let ids = |v: Value| -> Vec<i64> {
        v["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(s.get("/issues.json").send().await.json()),
        [hidden, mine, private, public],
        "{b:?}: open ones, newest first"
    );
    assert_eq!(
        ids(s.get("/issues.json?status_id=c").send().await.json()),
        [closed]
    );
    assert_eq!(
        ids(s
            .get("/issues.json?status_id=*&sort=id")
            .send()
            .await
            .json()),
        [public, private, mine, hidden, closed]
    );
    assert_eq!(
        ids(s
            .req(Method::GET, "/issues.json")
            .basic("rep", "secret-pass1")
            .send()
            .await
            .json()),
        [mine, public]
    );
    assert_eq!(
        ids(s.req(Method::GET, "/issues.json").send().await.json()),
        [public]
    );
    assert_eq!(
        ids(s.get("/issues.json?project_id=hidden").send().await.json()),
        [hidden]
    );
    assert_eq!(
        ids(s
            .get(&format!("/issues.json?assigned_to_id={rep}"))
            .send()
            .await
            .json()),
        [mine]
    );
    assert_eq!(
        ids(s.get("/issues.json?subject=~for%20rep").send().await.json()),
        [mine]
    );
    assert_eq!(
        ids(s.get("/issues.json?is_private=1").send().await.json()),
        [mine, private]
    );
    let page = s
        .get("/issues.json?limit=1&offset=1&status_id=*")
        .send()
        .await
        .json();
    assert_eq!(
        (page["total_count"].clone(), page["limit"].clone()),
        (json!(5), json!(1))
    );
    for (who, id, status) in [
        ("out", hidden, 403),
        ("out", private, 403),
        ("rep", private, 403),
        ("rep", mine, 200),
        ("out", public, 200),
    ] {
        assert_eq!(
            s.req(Method::GET, &format!("/issues/{id}.json"))
                .basic(who, "secret-pass1")
                .send()
                .await
                .status,
            status,
            "{who} {id}"
        );
    }
    assert_eq!(
        s.req(Method::GET, &format!("/issues/{private}.json"))
            .send()
            .await
            .status,
        401
    );
    assert_eq!(
        s.req(Method::PUT, &format!("/issues/{hidden}.json"))
            .basic("out", "secret-pass1")
            .json(json!({"issue": {"subject": "x"}}))
            .send()
            .await
            .status,
        403
    );
    assert_eq!(
        s.req(Method::GET, "/projects/hidden/issues.json")
            .basic("out", "secret-pass1")
            .send()
            .await
            .status,
        403
    );
    assert_eq!(s.get("/issues/999.json").send().await.status, 404);
    // delete: Reporters may not, admins may
    assert_eq!(
        s.req(Method::DELETE, &format!("/issues/{mine}.json"))
            .basic("rep", "secret-pass1")
            .send()
            .await
            .status,
        403
    );
    assert_eq!(
        s.delete(&format!("/issues/{mine}.json"))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.get(&format!("/issues/{mine}.json")).send().await.status,
        404
    );
}

/// The filter engine: both syntaxes, every operator family, and Redmine's errors.
async fn filters_and_operators(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    let mk = |body: Value| {
        let s = &s;
        async move { issue(s, body).await.json()["issue"]["id"].as_i64().unwrap() }
    };
    let a = mk(json!({"project_id": 1, "subject": "Login form breaks", "start_date": "2024-01-10", "due_date": "2024-01-20", "done_ratio": 30, "estimated_hours": 2.5})).await;
    let b2 = mk(json!({"project_id": 1, "subject": "Slow search page", "description": "takes \"forever\"", "start_date": "2024-02-01", "done_ratio": 80})).await;
    let c = mk(json!({"project_id": 1, "subject": "Typo"})).await;
    let ids = |v: Value| -> Vec<i64> {
        let mut x: Vec<i64> = v["issues"]
            .as_array()
            .unwrap_or(&vec![])
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        x.sort();
        x
    };
    let q = |query: &'static str| {
        let s = &s;
        async move { s.get(&format!("/issues.json?{query}")).send().await }
    };
    assert_eq!(ids(q("subject=~login%20breaks").await.json()), [a], "{b:?}");
    assert_eq!(ids(q("subject=!~login").await.json()), [b2, c]);
    assert_eq!(ids(q("subject=^slow").await.json()), [b2]);
    assert_eq!(ids(q("subject=$page").await.json()), [b2]);
    assert_eq!(ids(q("description=~forever").await.json()), [b2]);
    assert_eq!(ids(q("description=!*").await.json()), [a, c]);
    assert_eq!(
        ids(q("start_date=%3E%3D2024-01-15").await.json()),
        [b2, c],
        "c starts today"
    );
    assert_eq!(
        ids(q("start_date=%3E%3C2024-01-01|2024-01-31").await.json()),
        [a]
    );
    assert_eq!(ids(q("due_date=!*").await.json()), [b2, c]);
    assert_eq!(ids(q("created_on=t").await.json()), [a, b2, c]);
    assert_eq!(ids(q("created_on=ld").await.json()), Vec::<i64>::new());
    assert_eq!(ids(q("created_on=%3Et-2").await.json()), [a, b2, c]);
    assert_eq!(ids(q("done_ratio=%3E%3D50").await.json()), [b2]);
    assert_eq!(ids(q("done_ratio=30,80").await.json()), [a, b2]);
    assert_eq!(ids(q("estimated_hours=2.5").await.json()), [a]);
    assert_eq!(ids(q("estimated_hours=!*").await.json()), [b2, c]);
    assert_eq!(
        ids(s
            .get(&format!("/issues.json?issue_id={a},{b2}"))
            .send()
            .await
            .json()),
        [a, b2]
    );
    // trees: a parent takes its dates from its subtask
    let top = mk(json!({"project_id": 1, "subject": "Top"})).await;
    let sub = mk(json!({"project_id": 1, "subject": "Sub", "parent_issue_id": top, "start_date": "2030-01-01", "due_date": "2030-01-02"})).await;
    assert_eq!(
        ids(s
            .get(&format!("/issues.json?parent_id={top}"))
            .send()
            .await
            .json()),
        [sub]
    );
    assert_eq!(ids(q("child_id=*").await.json()), [top]);
    assert_eq!(ids(q("parent_id=!*").await.json()), [a, b2, c, top]);
    let t = s
        .get(&format!("/issues/{top}.json?include=children"))
        .send()
        .await
        .json()["issue"]
        .clone();
    assert_eq!(
        (t["start_date"].clone(), t["due_date"].clone()),
        (json!("2030-01-01"), json!("2030-01-02"))
    );
    assert_eq!(t["children"][0]["id"], sub);
    // long form: no default status filter; missing op; unknown operator; invalid values
    assert_eq!(
        ids(q("f[]=subject&op[subject]=~&v[subject][]=typo")
            .await
            .json()),
        [c]
    );
    assert_eq!(
        ids(q("f[]=subject&op[subject]=~&v[subject]=typo").await.json()).len(),
        5,
        "a plain string value drops the filter"
    );
    let r = q("f[]=status_id&op[status_id]=zz&v[status_id][]=1").await;
    assert_eq!(r.status, 404);
    let r = q("f[]=start_date&op[start_date]=%3D").await;
    assert_eq!(r.json(), json!({"errors": ["Start date cannot be blank"]}));
    assert_eq!(
        q("done_ratio=abc").await.json(),
        json!({"errors": ["% Done is invalid"]})
    );
    assert_eq!(
        q("created_on=2024-02-30").await.json(),
        json!({"errors": ["Created is invalid"]})
    );
    assert_eq!(
        q("status_id=").await.json(),
        json!({"errors": ["Status cannot be blank"]})
    );
}

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

async fn watchers_and_saved_queries(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    let zed = s.create_user("zed", "secret-pass1").await;
    let amy = s.create_user("amy", "secret-pass1").await;
    let i = issue(
        &s,
        json!({"project_id": 1, "subject": "Watched", "watcher_user_ids": [amy]}),
    )
    .await
    .json()["issue"]["id"]
        .as_i64()
        .unwrap();
    let w = |v: Value| -> Vec<i64> {
        v["issue"]["watchers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        w(s.get(&format!("/issues/{i}.json?include=watchers"))
            .send()
            .await
            .json()),
        [amy],
        "{b:?}"
    );
    let add = |body: Value| {
        let s = &s;
        async move {
            s.req(Method::POST, &format!("/issues/{i}/watchers.json"))
                .key(ADMIN_KEY)
                .json(body)
                .send()
                .await
                .status
        }
    };
    assert_eq!(add(json!({"user_id": zed})).await, 204);
    assert_eq!(add(json!({"user_id": zed})).await, 204, "no duplicate");
    assert_eq!(
        add(json!({"user_id": 999999})).await,
        204,
        "unknown: skipped"
    );
    assert_eq!(
        w(s.get(&format!("/issues/{i}.json?include=watchers"))
            .send()
            .await
            .json()),
        [amy, zed]
    );
    assert_eq!(
        s.delete(&format!("/issues/{i}/watchers/{zed}.json"))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.delete(&format!("/issues/{i}/watchers/999999.json"))
            .send()
            .await
            .status,
        404
    );
    assert_eq!(
        s.req(Method::POST, "/issues/999999/watchers.json")
            .key(ADMIN_KEY)
            .json(json!({"user_id": zed}))
            .send()
            .await
            .status,
        403
    );
    assert_eq!(
        s.req(Method::POST, &format!("/issues/{i}/watchers.json"))
            .json(json!({"user_id": zed}))
            .send()
            .await
            .status,
        401
    );
    assert!(
        s.req(Method::GET, &format!("/issues/{i}.json?include=watchers"))
            .send()
            .await
            .json()["issue"]
            .get("watchers")
            .is_none(),
        "anonymous lacks view_issue_watchers"
    );
    assert_eq!(
        issue(
            &s,
            json!({"project_id": 1, "subject": "x", "watcher_user_ids": [999]})
        )
        .await
        .status,
        404
    );
    // saved queries: the defaults, and query_id applying them for the caller
    let q = s.get("/queries.json").send().await.json();
    let names: Vec<&str> = q["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Issues assigned to me",
            "Reported issues",
            "Updated issues",
            "Watched issues"
        ]
    );
    assert_eq!(
        s.get("/queries.json?type=TimeEntryQuery")
            .send()
            .await
            .json()["queries"][0]["name"],
        "Spent time"
    );
    assert_eq!(s.get("/queries.json?type=Foo").send().await.status, 404);
    s.add_member("alpha", amy, &[4]).await;
    let watched = s
        .req(Method::GET, "/issues.json?query_id=4&subject=~nothing")
        .basic("amy", "secret-pass1")
        .send()
        .await
        .json();
    let ids: Vec<i64> = watched["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [i], "the saved filters apply, the URL's are ignored");
    assert_eq!(
        s.get("/issues.json?query_id=7").send().await.status,
        404,
        "a time entry query is not an issue query"
    );
    assert_eq!(s.get("/issues.json?query_id=").send().await.status, 200);
}

/// A page of issues costs the same number of statements whatever its size.
async fn list_pages_use_a_bounded_number_of_queries(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    s.post(
        "/projects.json",
        json!({"project": {"name": "Beta", "identifier": "beta", "is_public": false}}),
    )
    .send()
    .await;
    let dev = s.create_user("dev", "secret-pass1").await;
    s.add_member("beta", dev, &[4]).await;
    for k in 0..40 {
        let project = if k % 2 == 0 { "alpha" } else { "beta" };
        issue(&s, json!({"project_id": project, "subject": format!("Issue {k}"), "assigned_to_id": if k % 3 == 0 && k % 2 == 1 { json!(dev) } else { json!(null) }})).await;
    }
    // relations on the first and the last page, so that both pages look them up
    for (from, to) in [(1, 3), (38, 40)] {
        let r = s.relate(from, json!(to), "relates").await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let count = |r: &Resp| {
        r.header("x-carmine-queries")
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    for who in [None, Some("dev")] {
        let get = |path: &str| {
            let r = s.req(Method::GET, path);
            match who {
                Some(login) => r.basic(login, "secret-pass1"),
                None => r.key(ADMIN_KEY),
            }
        };
        let small = get("/issues.json?limit=5&status_id=*&include=attachments,relations")
            .send()
            .await;
        let big = get("/issues.json?limit=100&status_id=*&include=attachments,relations")
            .send()
            .await;
        assert_eq!(
            big.json()["issues"].as_array().unwrap().len(),
            40,
            "{b:?} {who:?}"
        );
        assert_eq!(
            count(&small),
            count(&big),
            "{b:?} {who:?}: the page size does not change the statements"
        );
        assert!(
            count(&big) <= 12,
            "{b:?} {who:?}: {} statements",
            count(&big)
        );
    }
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

async fn custom_field_values(b: Backend) {
    let s = with_developer(b).await;
    let field = |body: Value| s.create_custom_field(body);
    let build = field(json!({"customized_type": "issue", "name": "Build", "field_format": "string", "regexp": "^[0-9]+$", "max_length": 5, "default_value": "1", "is_for_all": true, "tracker_ids": [1]})).await;
    let platforms = field(json!({"customized_type": "issue", "name": "Platforms", "field_format": "list", "possible_values": ["Linux", "Windows"], "multiple": true, "is_for_all": true, "tracker_ids": [1]})).await;
    let cost = field(json!({"customized_type": "issue", "name": "Cost", "field_format": "int", "visible": false, "role_ids": [3], "is_for_all": true, "tracker_ids": [1]})).await;
    let other = field(json!({"customized_type": "issue", "name": "Other", "field_format": "string", "is_for_all": true, "tracker_ids": [2]})).await;
    // the field's errors come before the issue's own
    let r = issue(
        &s,
        json!({"project_id": "alpha", "custom_fields": [{"id": build, "value": "abc"}]}),
    )
    .await;
    assert_eq!(
        r.json(),
        json!({"errors": ["Build is invalid", "Subject cannot be blank"]}),
        "{b:?}"
    );
    let r = issue(&s, json!({"project_id": "alpha", "subject": "cf", "custom_fields": [{"id": platforms, "value": ["Linux", "Linux", ""]}, {"id": other, "value": "ignored"}], "custom_field_values": {cost.to_string(): "12"}})).await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let i = r.json()["issue"].clone();
    assert_eq!(
        i["custom_fields"],
        json!([
            {"id": build, "name": "Build", "value": "1"},
            {"id": platforms, "name": "Platforms", "multiple": true, "value": ["Linux"]},
            {"id": cost, "name": "Cost", "value": "12"}
        ]),
        "defaults fill what was not sent; fields of other trackers are ignored"
    );
    let keys: Vec<&String> = i.as_object().unwrap().keys().collect();
    let at = keys.iter().position(|k| *k == "custom_fields").unwrap();
    assert_eq!(keys[at - 1], "total_estimated_hours");
    assert_eq!(keys[at + 1], "created_on");
    let path = format!("/issues/{}.json", i["id"]);
    let as_dev = |m: Method, p: &str| s.req(m, p).basic("dev", "secret-pass1");
    // Cost is visible to Managers only: the Developer neither sees nor sets it
    let shown = as_dev(Method::GET, &path).send().await.json();
    let ids: Vec<i64> = shown["issue"]["custom_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [build, platforms]);
    let r = as_dev(Method::PUT, &path)
        .json(json!({"issue": {"custom_field_values": {cost.to_string(): "99", platforms.to_string(): ["Windows"]}}}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let shown = s
        .get(&format!("{path}?include=journals"))
        .send()
        .await
        .json();
    assert_eq!(
        shown["issue"]["custom_fields"][1]["value"],
        json!(["Windows"])
    );
    assert_eq!(shown["issue"]["custom_fields"][2]["value"], "12");
    assert_eq!(
        shown["issue"]["journals"][0]["details"],
        json!([
            {"property": "cf", "name": platforms.to_string(), "old_value": "Linux", "new_value": null},
            {"property": "cf", "name": platforms.to_string(), "old_value": null, "new_value": "Windows"}
        ])
    );
    // a change of a hidden field is hidden from the journal too
    assert_eq!(
        s.put(
            &path,
            json!({"issue": {"custom_fields": [{"id": cost, "value": "7"}]}})
        )
        .send()
        .await
        .status,
        204
    );
    let journals = as_dev(Method::GET, &format!("{path}?include=journals"))
        .send()
        .await
        .json()["issue"]["journals"]
        .clone();
    assert_eq!(journals.as_array().unwrap().len(), 1, "{journals}");
    let r = s
        .put(&path, json!({"issue": {"custom_fields": [{"id": platforms, "value": ["Mac"]}, {"id": build, "value": "123456"}]}}))
        .send()
        .await;
    assert_eq!(
        r.json(),
        json!({"errors": ["Build is too long (maximum is 5 characters)", "Platforms is not included in the list"]})
    );
    // lists show the values too, and XML writes multiple values as an array
    let x = as_dev(Method::GET, "/issues.xml?project_id=alpha")
        .send()
        .await
        .text;
    assert!(
        x.contains(&format!("<custom_fields type=\"array\"><custom_field id=\"{build}\" name=\"Build\"><value>1</value></custom_field><custom_field id=\"{platforms}\" name=\"Platforms\" multiple=\"true\"><value type=\"array\"><value>Windows</value></value></custom_field></custom_fields>")),
        "{x}"
    );
    // a required field added later blocks updates until it is given
    let ticket = field(json!({"customized_type": "issue", "name": "Ticket", "field_format": "string", "is_required": true, "is_for_all": true, "tracker_ids": [1]})).await;
    let r = s
        .put(&path, json!({"issue": {"subject": "renamed"}}))
        .send()
        .await;
    assert_eq!(r.json(), json!({"errors": ["Ticket cannot be blank"]}));
    let shown = s.get(&path).send().await.json();
    assert_eq!(
        shown["issue"]["custom_fields"][3],
        json!({"id": ticket, "name": "Ticket", "value": null})
    );
    let r = s.put(&path, json!({"issue": {"subject": "renamed", "custom_fields": [{"id": ticket, "value": "T-1"}]}})).send().await;
    assert_eq!(r.status, 204, "{}", r.text);
    // a field with a default added later takes it at the next save, without a journal
    let later = s.create_custom_field(json!({"customized_type": "issue", "name": "Later", "field_format": "string", "default_value": "d", "is_for_all": true, "tracker_ids": [1]})).await;
    assert_eq!(
        s.get(&path).send().await.json()["issue"]["custom_fields"][4]["value"],
        Value::Null
    );
    let r = s
        .put(&path, json!({"issue": {"notes": "touch"}}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let shown = s
        .get(&format!("{path}?include=journals"))
        .send()
        .await
        .json();
    assert_eq!(
        shown["issue"]["custom_fields"][4],
        json!({"id": later, "name": "Later", "value": "d"})
    );
    let last = shown["issue"]["journals"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["notes"].clone(), last["details"].clone()),
        (json!("touch"), json!([]))
    );
}

async fn custom_field_filters_and_sorts(b: Backend) {
    let s = with_developer(b).await;
    let field = |body: Value| s.create_custom_field(body);
    let sev = field(json!({"customized_type": "issue", "name": "Severity", "field_format": "list", "possible_values": ["Low", "High"], "is_filter": true, "is_for_all": true, "tracker_ids": [1]})).await;
    let pts = field(json!({"customized_type": "issue", "name": "Points", "field_format": "int", "is_filter": true, "is_for_all": true, "tracker_ids": [1]})).await;
    let secret = field(json!({"customized_type": "issue", "name": "Secret", "field_format": "string", "is_filter": true, "visible": false, "role_ids": [3], "is_for_all": true, "tracker_ids": [1]})).await;
    let plain = field(json!({"customized_type": "issue", "name": "Plain", "field_format": "string", "is_for_all": true, "tracker_ids": [1]})).await;
    let mut ids = Vec::new();
    for (subject, values) in [
        (
            "A",
            json!({sev.to_string(): "High", pts.to_string(): "5", secret.to_string(): "x", plain.to_string(): "p"}),
        ),
        ("B", json!({sev.to_string(): "Low", pts.to_string(): "12"})),
        ("C", json!({})),
    ] {
        let r = issue(
            &s,
            json!({"project_id": "alpha", "subject": subject, "custom_field_values": values}),
        )
        .await;
        assert_eq!(r.status, 201, "{b:?} {}", r.text);
        ids.push(r.json()["issue"]["id"].as_i64().unwrap());
    }
    let (a, bb, c) = (ids[0], ids[1], ids[2]);
    let found = |r: Resp| -> Vec<i64> {
        assert_eq!(r.status, 200, "{}", r.text);
        ids_in(&r)
    };
    let get = |q: String| s.get(&format!("/issues.json?{q}")).send();
    assert_eq!(found(get(format!("cf_{sev}=High")).await), [a], "{b:?}");
    assert_eq!(found(get(format!("cf_{sev}=!High&sort=id")).await), [bb, c]);
    assert_eq!(found(get(format!("cf_{pts}=%3E%3D6")).await), [bb]);
    assert_eq!(found(get(format!("cf_{pts}=!*")).await), [c]);
    assert_eq!(found(get(format!("cf_{pts}=*&sort=id")).await), [a, bb]);
    assert_eq!(found(get(format!("sort=cf_{pts}:desc")).await), [bb, a, c]);
    assert_eq!(
        found(get(format!("f[]=cf_{sev}&op[cf_{sev}]==&v[cf_{sev}][]=Low")).await),
        [bb]
    );
    assert_eq!(
        get(format!("cf_{pts}=abc")).await.json(),
        json!({"errors": ["Points is invalid"]})
    );
    // a field that is no filter, or hidden from the caller, filters nothing
    assert_eq!(found(get(format!("cf_{plain}=zzz")).await).len(), 3);
    assert_eq!(found(get(format!("cf_{secret}=x")).await), [a]);
    let as_dev = s
        .get(&format!("/issues.json?cf_{secret}=x"))
        .basic("dev", "secret-pass1")
        .send()
        .await;
    assert_eq!(
        found(as_dev).len(),
        3,
        "the Developer cannot filter on Secret"
    );
    // numbers beyond any fixed precision still compare, on both databases
    let r = issue(&s, json!({"project_id": "alpha", "subject": "D", "custom_field_values": {pts.to_string(): "1234567890123456789012345678901234567890"}})).await;
    let d = r.json()["issue"]["id"].as_i64().unwrap();
    assert_eq!(found(get(format!("cf_{pts}=%3E%3D6")).await), [d, bb]);
    assert_eq!(found(get(format!("sort=cf_{pts}:desc")).await)[0], d);
}

async fn group_by_orders_groups_first(b: Backend) {
    let s = Server::start(b).await;
    setup(&s).await;
    let mut ids = Vec::new();
    for (subject, ratio, start, priority) in [
        ("a", 0, "2026-03-01", 3),
        ("b", 50, "2026-01-01", 2),
        ("c", 0, "2026-01-01", 2),
    ] {
        let r = issue(&s, json!({"project_id": "alpha", "subject": subject, "done_ratio": ratio, "start_date": start, "priority_id": priority})).await;
        assert_eq!(r.status, 201, "{}", r.text);
        ids.push(r.json()["issue"]["id"].as_i64().unwrap());
    }
    let (a, bb, c) = (ids[0], ids[1], ids[2]);
    // the orders the real Redmine 5.0.4 answered for the same data
    for (query, expected) in [
        ("group_by=done_ratio", [c, a, bb]),
        ("group_by=start_date", [c, bb, a]),
        ("group_by=start_date&sort=id", [bb, c, a]),
        ("group_by=priority", [a, c, bb]),
        ("group_by=priority&sort=priority", [c, bb, a]),
        ("group_by=subject", [c, bb, a]),
        ("group_by=nonsense", [c, bb, a]),
    ] {
        let r = s.get(&format!("/issues.json?{query}")).send().await;
        assert_eq!(ids_in(&r), expected, "{b:?} {query}");
    }
}

async fn watcher_filter_hides_other_users_watches(b: Backend) {
    let s = with_developer(b).await;
    let rep = s.create_user("rep", "secret-pass1").await;
    s.add_member("alpha", rep, &[5]).await;
    let r = issue(
        &s,
        json!({"project_id": "alpha", "subject": "watched", "watcher_user_ids": [rep]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let count = |login: &'static str, q: String| {
        let s = &s;
        async move {
            s.get(&format!("/issues.json?{q}"))
                .basic(login, "secret-pass1")
                .send()
                .await
                .json()["total_count"]
                .clone()
        }
    };
    // Developers lack view_issue_watchers: whom others watch stays hidden from them
    assert_eq!(count("dev", format!("watcher_id={rep}")).await, 0, "{b:?}");
    assert_eq!(count("dev", format!("watcher_id=!{rep}")).await, 1);
    // one's own watches are always one's own to filter by
    assert_eq!(count("rep", "watcher_id=me".into()).await, 1);
    assert_eq!(count("rep", format!("watcher_id={rep}")).await, 1);
    // the admin sees every watch
    let all = s
        .get(&format!("/issues.json?watcher_id={rep}"))
        .send()
        .await;
    assert_eq!(all.json()["total_count"], 1);
}

async fn writing_a_journal_makes_the_writer_a_watcher_where_allowed(b: Backend) {
    let s = with_developer(b).await;
    let mgr = s.create_user("mgr", "mgr-pass-123").await;
    s.add_member("alpha", mgr, &[3]).await;
    let i = s
        .create_issue(json!({"project_id": "alpha", "subject": "w"}))
        .await;
    let path = format!("/issues/{i}.json?include=watchers");
    let watchers = || async {
        s.get(&path).send().await.json()["issue"]["watchers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_i64().unwrap())
            .collect::<Vec<i64>>()
    };
    assert_eq!(
        watchers().await,
        Vec::<i64>::new(),
        "{b:?}: creating is not contributing"
    );
    // a Developer has no add_issue_watchers: a note does not make it watch
    let r = s
        .put(
            &format!("/issues/{i}.json"),
            json!({"issue": {"notes": "dev note"}}),
        )
        .basic("dev", "secret-pass1")
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(watchers().await, Vec::<i64>::new());
    // a Manager has it
    let r = s
        .put(
            &format!("/issues/{i}.json"),
            json!({"issue": {"subject": "w2"}}),
        )
        .basic("mgr", "mgr-pass-123")
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(watchers().await, vec![mgr]);
    // an update that changes nothing writes no journal, so no watch either
    s.put(&format!("/issues/{i}.json"), json!({"issue": {}}))
        .send()
        .await;
    assert_eq!(watchers().await, vec![mgr]);
    // the admin's relation journal counts too
    let other = s
        .create_issue(json!({"project_id": "alpha", "subject": "o"}))
        .await;
    let r = s
        .post(
            &format!("/issues/{other}/relations.json"),
            json!({"relation": {"issue_to_id": i}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(watchers().await, vec![mgr, 1]);
}

async fn user_and_version_fields_take_what_the_project_offers(b: Backend) {
    let s = with_developer(b).await;
    let owner = s.create_custom_field(json!({"customized_type": "issue", "name": "Owner", "field_format": "user", "is_for_all": true, "tracker_ids": [1]})).await;
    let target = s.create_custom_field(json!({"customized_type": "issue", "name": "Target", "field_format": "version", "is_for_all": true, "tracker_ids": [1]})).await;
    let outsider = s.create_user("outsider", "outsider-pass1").await;
    let dev: i64 = s.get("/users.json?name=dev").send().await.json()["users"][0]["id"]
        .as_i64()
        .unwrap();
    let v = s.create_version("alpha", "1.0").await;
    s.create_project("beta", true).await;
    let foreign = s.create_version("beta", "b1").await;
    let create = |owner_value: Value, target_value: Value| {
        let s = &s;
        async move {
            s.post(
                "/issues.json",
                json!({"issue": {"project_id": "alpha", "subject": "cf", "custom_fields": [
                    {"id": owner, "value": owner_value}, {"id": target, "value": target_value}]}}),
            )
            .send()
            .await
        }
    };
    let r = create(json!(outsider), json!(foreign)).await;
    assert_eq!(
        (r.status, r.json()["errors"].clone()),
        (
            422,
            json!([
                "Owner is not included in the list",
                "Target is not included in the list"
            ])
        ),
        "{b:?}"
    );
    let r = create(json!(dev), json!(v)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["issue"]["id"].as_i64().unwrap();
    // a stored value stays valid after the user leaves the project
    let m = s
        .get("/projects/alpha/memberships.json")
        .send()
        .await
        .json();
    let mid = m["memberships"][0]["id"].as_i64().unwrap();
    assert_eq!(
        s.delete(&format!("/memberships/{mid}.json"))
            .send()
            .await
            .status,
        204
    );
    let r = s
        .put(
            &format!("/issues/{id}.json"),
            json!({"issue": {"subject": "still"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = s
        .put(
            &format!("/issues/{id}.json"),
            json!({"issue": {"custom_fields": [{"id": owner, "value": outsider}]}}),
        )
        .send()
        .await;
    assert_eq!(
        r.json()["errors"],
        json!(["Owner is not included in the list"])
    );
}

per_backend!(
    create_defaults_and_validation,
    updates_write_journals_and_follow_the_workflow,
    visibility_and_lists,
    filters_and_operators,
    subtasks_derive_their_parent_and_journals_can_be_edited,
    moving_an_issue_to_another_project,
    watchers_and_saved_queries,
    list_pages_use_a_bounded_number_of_queries,
    workflow_field_rules,
    custom_field_values,
    custom_field_filters_and_sorts,
    group_by_orders_groups_first,
    watcher_filter_hides_other_users_watches,
    writing_a_journal_makes_the_writer_a_watcher_where_allowed,
    user_and_version_fields_take_what_the_project_offers,
);

per_backend!(stale_lock_version_and_concurrent_updates);
