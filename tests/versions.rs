//! Versions (sharing) and issue categories.

mod common;
use common::*;

async fn versions_crud_and_validation(b: Backend) {
    let s = Server::start(b).await;
    s.post(
        "/projects.json",
        json!({"project": {"name": "Alpha", "identifier": "alpha"}}),
    )
    .send()
    .await;
    let r = s
        .post(
            "/projects/alpha/versions.json",
            json!({"version": {"name": "1.0"}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{b:?} {}", r.text);
    let v = r.json()["version"].clone();
    assert_eq!(
        (
            v["description"].clone(),
            v["status"].clone(),
            v["sharing"].clone(),
            v["estimated_hours"].clone()
        ),
        (json!(""), json!("open"), json!("none"), json!(0.0))
    );
    let vid = v["id"].as_i64().unwrap();
    let x = s.get(&format!("/versions/{vid}.xml")).send().await;
    assert!(x.text.contains("<due_date/><sharing>none</sharing><wiki_page_title/><estimated_hours>0.0</estimated_hours>"), "{}", x.text);
    for (body, errors) in [
        (json!({}), json!(["Name cannot be blank"])),
        (
            json!({"name": "1.0", "description": "d".repeat(256)}),
            json!([
                "Name has already been taken",
                "Description is too long (maximum is 255 characters)"
            ]),
        ),
        (
            json!({"name": "", "due_date": "2026-02-31", "status": "OPEN"}),
            json!([
                "Name cannot be blank",
                "Due date is not a valid date",
                "Status is not included in the list"
            ]),
        ),
        (
            json!({"name": "n".repeat(61)}),
            json!(["Name is too long (maximum is 60 characters)"]),
        ),
    ] {
        let r = s
            .post(
                "/projects/alpha/versions.json",
                json!({"version": body.clone()}),
            )
            .send()
            .await;
        assert_eq!(
            (r.status, r.json()["errors"].clone()),
            (422, errors),
            "{body}"
        );
    }
    let r = s.post("/projects/alpha/versions.json", json!({"version": {"name": "2.0", "sharing": "bogus", "effective_date": "2032-02-29", "default_project_version": true}})).send().await;
    assert_eq!(
        (
            r.json()["version"]["sharing"].clone(),
            r.json()["version"]["due_date"].clone()
        ),
        (json!("none"), json!("2032-02-29"))
    );
    let v2 = r.json()["version"]["id"].as_i64().unwrap();
    assert_eq!(
        s.get("/projects/alpha.json").send().await.json()["project"]["default_version"],
        json!({"id": v2, "name": "2.0"})
    );
    assert_eq!(
        s.put(
            &format!("/versions/{vid}.json"),
            json!({"version": {"status": "locked", "wiki_page_title": "W"}})
        )
        .send()
        .await
        .status,
        204
    );
    let list = s
        .get("/projects/alpha/versions.json?limit=1")
        .send()
        .await
        .json();
    assert_eq!(list["total_count"], 2);
    assert!(list.get("limit").is_none());
    assert_eq!(list["versions"][0]["status"], "locked");
    assert!(list["versions"][0].get("estimated_hours").is_none());
    assert_eq!(
        s.delete(&format!("/versions/{v2}.json"))
            .send()
            .await
            .status,
        204
    );
    assert!(s.get("/projects/alpha.json").send().await.json()["project"]
        .get("default_version")
        .is_none());
    assert_eq!(
        s.get(&format!("/versions/{v2}.json")).send().await.status,
        404
    );
}

async fn sharing_rules_and_shared_lists(b: Backend) {
    let s = Server::start(b).await;
    let id = |r: Resp| r.json()["project"]["id"].as_i64().unwrap();
    let root = id(s
        .post(
            "/projects.json",
            json!({"project": {"name": "Root", "identifier": "root"}}),
        )
        .send()
        .await);
    let sub = id(s
        .post(
            "/projects.json",
            json!({"project": {"name": "Sub", "identifier": "sub", "parent_id": root}}),
        )
        .send()
        .await);
    let _other = id(s
        .post(
            "/projects.json",
            json!({"project": {"name": "Other", "identifier": "other", "is_public": false}}),
        )
        .send()
        .await);
    let dev = s.create_user("dev", "secret-pass1").await;
    s.add_member("sub", dev, &[4]).await;
    let make = |who: Option<&'static str>,
                project: &'static str,
                name: &'static str,
                sharing: &'static str| {
        let s = &s;
        async move {
            let path = format!("/projects/{project}/versions.json");
            let r = match who {
                Some(login) => s.req(Method::POST, &path).basic(login, "secret-pass1"),
                None => s.req(Method::POST, &path).key(ADMIN_KEY),
            };
            r.json(json!({"version": {"name": name, "sharing": sharing}}))
                .send()
                .await
                .json()["version"]["sharing"]
                .clone()
        }
    };
    assert_eq!(
        make(Some("dev"), "sub", "a", "system").await,
        json!("none"),
        "{b:?}"
    );
    assert_eq!(make(Some("dev"), "sub", "b", "tree").await, json!("none"));
    assert_eq!(
        make(Some("dev"), "sub", "c", "descendants").await,
        json!("descendants")
    );
    assert_eq!(make(None, "root", "root-tree", "tree").await, json!("tree"));
    assert_eq!(
        make(None, "root", "root-desc", "descendants").await,
        json!("descendants")
    );
    assert_eq!(make(None, "root", "root-none", "none").await, json!("none"));
    assert_eq!(
        make(None, "other", "everywhere", "system").await,
        json!("system")
    );
    assert_eq!(
        make(None, "sub", "sub-hier", "hierarchy").await,
        json!("hierarchy")
    );
    let names = |v: Value| -> Vec<String> {
        v["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(s.get("/projects/sub/versions.json").send().await.json()),
        [
            "a",
            "b",
            "c",
            "root-tree",
            "root-desc",
            "everywhere",
            "sub-hier"
        ]
    );
    assert_eq!(
        names(s.get("/projects/root/versions.json").send().await.json()),
        [
            "root-tree",
            "root-desc",
            "root-none",
            "everywhere",
            "sub-hier"
        ]
    );
    assert_eq!(
        names(s.get("/projects/other/versions.json").send().await.json()),
        ["everywhere"]
    );
    assert_eq!(
        s.req(Method::POST, "/projects/root/versions.json")
            .basic("dev", "secret-pass1")
            .json(json!({"version": {"name": "x"}}))
            .send()
            .await
            .status,
        403
    );
    let _ = sub;
}

async fn categories_need_manage_categories(b: Backend) {
    let s = Server::start(b).await;
    s.post(
        "/projects.json",
        json!({"project": {"name": "Alpha", "identifier": "alpha"}}),
    )
    .send()
    .await;
    let u = s.create_user("rep", "secret-pass1").await;
    s.add_member("alpha", u, &[5]).await;
    let r = s
        .post(
            "/projects/alpha/issue_categories.json",
            json!({"issue_category": {"name": "Backend", "assigned_to_id": u}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{b:?}");
    assert_eq!(
        r.header("location").unwrap(),
        format!("/issue_categories/{}", r.json()["issue_category"]["id"])
    );
    assert_eq!(
        r.json()["issue_category"]["assigned_to"],
        json!({"id": u, "name": "F L"})
    );
    s.post(
        "/projects/alpha/issue_categories.json",
        json!({"issue_category": {"name": "Api"}}),
    )
    .send()
    .await;
    assert_eq!(
        s.post(
            "/projects/alpha/issue_categories.json",
            json!({"issue_category": {"name": "Api"}})
        )
        .send()
        .await
        .json(),
        json!({"errors": ["Name has already been taken"]})
    );
    let list = s
        .get("/projects/alpha/issue_categories.json")
        .send()
        .await
        .json();
    let names: Vec<&str> = list["issue_categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        (names, list["total_count"].clone()),
        (vec!["Api", "Backend"], json!(2))
    );
    assert_eq!(
        s.req(Method::GET, "/projects/alpha/issue_categories.json")
            .basic("rep", "secret-pass1")
            .send()
            .await
            .status,
        403,
        "a Reporter cannot even read them"
    );
    assert_eq!(
        s.req(Method::GET, "/projects/alpha/issue_categories.json")
            .send()
            .await
            .status,
        401
    );
    let cid = list["issue_categories"][1]["id"].as_i64().unwrap();
    assert_eq!(
        s.put(
            &format!("/issue_categories/{cid}.json"),
            json!({"issue_category": {"assigned_to_id": ""}})
        )
        .send()
        .await
        .status,
        204
    );
    assert!(s
        .get(&format!("/issue_categories/{cid}.json"))
        .send()
        .await
        .json()["issue_category"]
        .get("assigned_to")
        .is_none());
    s.req(Method::PUT, "/projects/alpha/close.json")
        .key(ADMIN_KEY)
        .send()
        .await;
    assert_eq!(
        s.get(&format!("/issue_categories/{cid}.json"))
            .send()
            .await
            .status,
        403,
        "closed project: even reads are refused"
    );
    s.req(Method::PUT, "/projects/alpha/reopen.json")
        .key(ADMIN_KEY)
        .send()
        .await;
    assert_eq!(
        s.delete(&format!("/issue_categories/{cid}.json"))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        s.get(&format!("/issue_categories/{cid}.json"))
            .send()
            .await
            .status,
        404
    );
}

async fn versions_count_their_visible_issues_and_stay_while_used(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("alpha", true).await;
    let v = s.create_version("alpha", "1.0").await;
    s.create_issue(
        json!({"project_id": "alpha", "subject": "a", "fixed_version_id": v, "estimated_hours": 2}),
    )
    .await;
    let private = s
        .create_issue(
            json!({"project_id": "alpha", "subject": "p", "fixed_version_id": v,
                             "estimated_hours": 3.5, "is_private": true}),
        )
        .await;
    let dev = s.create_user("dev", "dev-pass-123").await;
    s.add_member("alpha", dev, &[4]).await;
    let path = format!("/versions/{v}.json");
    assert_eq!(
        s.get_json(&path).await["version"]["estimated_hours"],
        5.5,
        "{b:?}"
    );
    let seen = s
        .get(&path)
        .basic("dev", "dev-pass-123")
        .send()
        .await
        .json();
    assert_eq!(
        seen["version"]["estimated_hours"], 2.0,
        "a private issue of someone else does not count"
    );
    let r = s.delete(&path).send().await;
    assert_eq!((r.status, r.text.as_str()), (422, ""), "used by issues");
    for issue in s.get_json("/issues.json?status_id=*").await["issues"]
        .as_array()
        .unwrap()
    {
        let id = issue["id"].as_i64().unwrap();
        let r = s
            .put(
                &format!("/issues/{id}.json"),
                json!({"issue": {"fixed_version_id": ""}}),
            )
            .send()
            .await;
        assert_eq!(r.status, 204, "{id} {private} {}", r.text);
    }
    assert_eq!(s.delete(&path).send().await.status, 204);
}

async fn categories_assign_new_issues_and_hand_theirs_on_when_deleted(b: Backend) {
    let s = Server::start(b).await;
    s.create_project("alpha", true).await;
    let dev = s.create_user("dev", "dev-pass-123").await;
    s.add_member("alpha", dev, &[4]).await;
    let cat = |name: &'static str, assignee: Value| {
        let s = &s;
        async move {
            let r = s
                .post(
                    "/projects/alpha/issue_categories.json",
                    json!({"issue_category": {"name": name, "assigned_to_id": assignee}}),
                )
                .send()
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
            r.json()["issue_category"]["id"].as_i64().unwrap()
        }
    };
    let ui = cat("UI", json!(dev)).await;
    let api = cat("API", Value::Null).await;
    let r = s
        .post(
            "/issues.json",
            json!({"issue": {"project_id": "alpha", "subject": "x", "category_id": ui}}),
        )
        .send()
        .await;
    assert_eq!(r.json()["issue"]["assigned_to"]["id"], json!(dev), "{b:?}");
    let x = r.json()["issue"]["id"].as_i64().unwrap();
    // the project's default assignee when the category has none
    let r = s
        .put(
            "/projects/alpha.json",
            json!({"project": {"default_assigned_to_id": dev}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 204);
    let y = s
        .create_issue(json!({"project_id": "alpha", "subject": "y", "category_id": api}))
        .await;
    let yi = s.get_json(&format!("/issues/{y}.json")).await;
    assert_eq!(yi["issue"]["assigned_to"]["id"], json!(dev));
    // an unassignable default makes creation fail as a sent assignee would
    let outsider = s.create_user("out", "out-pass-123").await;
    s.put(
        "/projects/alpha.json",
        json!({"project": {"default_assigned_to_id": outsider}}),
    )
    .send()
    .await;
    let r = s
        .post(
            "/issues.json",
            json!({"issue": {"project_id": "alpha", "subject": "z"}}),
        )
        .send()
        .await;
    assert_eq!(r.json()["errors"], json!(["Assignee is invalid"]));
    // deleting UI hands its issue to API; deleting API then clears both
    let r = s
        .delete(&format!("/issue_categories/{ui}.json?reassign_to_id={api}"))
        .send()
        .await;
    assert_eq!(r.status, 204);
    let xi = s.get_json(&format!("/issues/{x}.json")).await;
    assert_eq!(xi["issue"]["category"]["id"], json!(api));
    let r = s
        .delete(&format!(
            "/issue_categories/{api}.json?reassign_to_id={api}&todo=reassign"
        ))
        .send()
        .await;
    assert_eq!(r.status, 204, "{b:?}: {}", r.text);
    for id in [x, y] {
        let i = s.get_json(&format!("/issues/{id}.json")).await;
        assert!(i["issue"].get("category").is_none(), "{i}");
    }
}

per_backend!(
    versions_crud_and_validation,
    sharing_rules_and_shared_lists,
    categories_need_manage_categories,
    versions_count_their_visible_issues_and_stay_while_used,
    categories_assign_new_issues_and_hand_theirs_on_when_deleted,
);

/// A project moved out of a tree stops seeing the versions shared down that tree: its
/// issues lose them (with a journal), as Redmine's hierarchy change does.
async fn moving_a_project_drops_versions_no_longer_shared(b: Backend) {
    let s = Server::start(b).await;
    let top = s.create_project("top", true).await;
    let r = s
        .post(
            "/projects.json",
            json!({"project": {"name": "sub", "identifier": "sub", "parent_id": top}}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = s
        .post(
            "/projects/top/versions.json",
            json!({"version": {"name": "Shared down", "sharing": "descendants"}}),
        )
        .send()
        .await;
    let v = r.json()["version"]["id"].as_i64().unwrap();
    let issue = s
        .create_issue(json!({"project_id": "sub", "subject": "Uses it", "fixed_version_id": v}))
        .await;
    let r = s
        .put("/projects/sub.json", json!({"project": {"parent_id": ""}}))
        .send()
        .await;
    assert_eq!(r.status, 204, "{b:?}: {}", r.text);
    let i = s
        .get_json(&format!("/issues/{issue}.json?include=journals"))
        .await["issue"]
        .clone();
    assert!(i.get("fixed_version").is_none(), "{b:?}: {i}");
    let detail = &i["journals"][0]["details"][0];
    assert_eq!(
        (detail["name"].clone(), detail["old_value"].clone()),
        (json!("fixed_version_id"), json!(v.to_string()))
    );
}

per_backend!(moving_a_project_drops_versions_no_longer_shared);
